/**
 * A generated project with a long history, for the History benchmarks: the schema fixture
 * (src/schema/fixtures/project-v1.json, "Iris MLP") created the way the app creates a project
 * (automerge-repo's empty first change, then one change holding the whole project), followed by
 * small changes like the ones people make: keystrokes in an operation's code (one change each,
 * as the editor writes them), attribute values, node drags, renames, descriptions, layer sizes,
 * now and then a named version. Three people edit, each with their own actor; a session usually
 * starts from everyone's latest work (merged), but one in five starts from a stale copy, so the
 * history has concurrent branches that later merge.
 *
 * Every change carries the app's message format (src/sync/messages.ts):
 *   "edited code of Train\n\nby: Ada Lovelace (#e11d48)\nitem: operations/core.train"
 *
 * Deterministic (seeded), so every run benchmarks the same document. Generated in Node, never
 * committed as a fixture.
 */
import { mulberry32 } from './_collab-shared.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as A from '@automerge/automerge';
import { generateAutomergeUrl, parseAutomergeUrl } from '@automerge/automerge-repo';

export const AUTHORS = [
  { name: 'Ada Lovelace', color: '#e11d48', actor: 'ada0000000000000000000000000000a' },
  { name: 'Grace Hopper', color: '#2563eb', actor: 'ace0000000000000000000000000000b' },
  { name: 'Alan Turing', color: '#16a34a', actor: 'a1a0000000000000000000000000000c' },
];

/** The app's trailer format (src/sync/messages.ts encodeChangeMessage). */
export function encodeMessage(message, author, item) {
  const trailer = [];
  if (author) trailer.push(`by: ${author.name} (${author.color})`);
  if (item) trailer.push(`item: ${item}`);
  return trailer.length ? `${message}\n\n${trailer.join('\n')}` : message;
}

const rng = mulberry32;

const COMMENTS = [
  '// TODO: try a smaller learning rate\n',
  '// keep the seed fixed so runs compare\n',
  '  ctx.log(`batch ${i}: loss ${loss.toFixed(4)}`);\n',
  '// standardize with the training mean only\n',
  '  const lr = attributes.learningRate ?? 0.01;\n',
  '// early stopping when the loss plateaus\n',
];
const PIPELINE_NAMES = ['Train Iris MLP', 'Iris baseline', 'Iris, wider MLP', 'Iris MLP (tuned)', 'Iris sweep', 'Train Iris MLP v2'];
const PROJECT_NAMES = ['Iris MLP', 'Iris experiments', 'Iris MLP study', 'Flowers', 'Iris classifier'];
const DESCRIPTIONS = [
  'Load → standardize → split → train → evaluate.',
  'The baseline: standardize, split 80/20, train a small MLP, evaluate.',
  'Wider hidden layers; same split seed as the baseline so results compare.',
  'Tuned learning rate and batch size after the sweep.',
];

/**
 * Builds the document. Returns `{ bytes, changes, seconds, heads, past, documentId }`, where
 * `past` is `{ hash, index, name }`: the change `pastIndex` changes into the history (about the
 * middle for a 50,000-change project), and the project name at that point.
 */
export function generateProject({ root, changes: total, seed = 7, pastIndex = Math.floor(total / 2) }) {
  const t0 = performance.now();
  // The last change (a rename, below) is made after the loop.
  const target = total - 1;
  const fixture = JSON.parse(readFileSync(join(root, 'src/schema/fixtures/project-v1.json'), 'utf8'));
  const random = rng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));

  // Time in seconds (Automerge's unit), starting where the fixture says the project was made.
  let now = Math.floor(fixture.createdAt / 1000);
  let count = 0;
  let past = null;
  let sessions = 0;
  let stale = 0;

  // As automerge-repo's repo.create(): an empty first change, then the app's "created project" change.
  const ada = AUTHORS[0];
  let base = A.emptyChange(A.init({ actor: ada.actor }), { time: now });
  count++;
  base = A.change(base, { message: encodeMessage(`created project ${fixture.name}`, ada), time: now }, (d) => Object.assign(d, fixture));
  count++;

  const docs = AUTHORS.map((a, i) => (i === 0 ? base : A.clone(base, { actor: a.actor })));
  const ops = Object.keys(fixture.operations);
  const nodes = Object.keys(fixture.pipelines.main.nodes);
  const layers = ['mlp_l1', 'mlp_l2'];

  /** One change by author `i`; returns false once the target is reached. */
  function change(i, message, item, fn, dt = 1) {
    if (count >= target) return false;
    now += dt;
    const before = A.getHeads(docs[i]).join();
    docs[i] = A.change(docs[i], { message: encodeMessage(message, AUTHORS[i], item), time: now }, fn);
    // Putting a value a key already holds makes no change: only count real ones.
    if (A.getHeads(docs[i]).join() === before) return true;
    count++;
    if (count === pastIndex && !past) {
      // After a local change, the heads are exactly that change.
      past = { hash: A.getHeads(docs[i])[0], index: count, name: docs[i].name };
    }
    return true;
  }

  // One action = a burst of changes that History groups into one entry.
  const actions = [
    // Typing (and sometimes deleting) a line in an operation's code, one change per keystroke.
    (i) => {
      const op = pick(ops);
      const d = docs[i];
      const name = d.operations[op].name;
      const code = d.operations[op].code;
      const message = `edited code of ${name}`;
      const item = `operations/${op}`;
      if (code.length > fixture.operations[op].code.length + 400) {
        // Delete a typed line, one backspace at a time.
        const end = code.indexOf('\n', code.length - 200);
        let at = end > 0 ? end : code.length - 1;
        const n = Math.min(int(10, 40), at);
        for (let k = 0; k < n; k++, at--) if (!change(i, message, item, (x) => A.splice(x, ['operations', op, 'code'], at - 1, 1), int(1, 2))) return;
        return;
      }
      const text = pick(COMMENTS);
      let at = code.lastIndexOf('\n', code.length - 2) + 1; // start of the last line
      for (const ch of text) {
        if (!change(i, message, item, (x) => A.splice(x, ['operations', op, 'code'], at, 0, ch), int(1, 3))) return;
        at++;
      }
    },
    // An attribute value on the Train or Split node.
    (i) => {
      const [node, attr, lo, hi] = pick([
        ['main_train', 'epochs', 10, 200],
        ['main_train', 'batchSize', 8, 128],
        ['main_split', 'seed', 1, 9999],
      ]);
      const v = int(lo, hi);
      change(i, `set ${attr} of ${docs[i].operations[docs[i].pipelines.main.nodes[node].operationId].name} to ${v}`, 'pipelines/main', (x) => {
        x.pipelines.main.nodes[node].attributes[attr] = v;
        x.pipelines.main.updatedAt = now * 1000;
      }, int(5, 60));
    },
    // Dragging a node: a few position updates.
    (i) => {
      const node = pick(nodes);
      const n = int(3, 12);
      const name = docs[i].operations[docs[i].pipelines.main.nodes[node].operationId].name;
      for (let k = 0; k < n; k++) {
        const ok = change(i, `moved node ${name}`, 'pipelines/main', (x) => {
          const p = x.pipelines.main.nodes[node].position;
          p.x += int(-8, 8);
          p.y += int(-8, 8);
        });
        if (!ok) return;
      }
    },
    // Renaming the pipeline.
    (i) => {
      const from = docs[i].pipelines.main.name;
      const to = pick(PIPELINE_NAMES.filter((n) => n !== from));
      change(i, `renamed pipeline ${from} to ${to}`, 'pipelines/main', (x) => {
        x.pipelines.main.name = to;
        x.pipelines.main.updatedAt = now * 1000;
      }, int(10, 120));
    },
    // The pipeline's description.
    (i) => {
      const text = pick(DESCRIPTIONS);
      change(i, `edited the description of pipeline ${docs[i].pipelines.main.name}`, 'pipelines/main', (x) => {
        x.pipelines.main.description = text;
        x.pipelines.main.updatedAt = now * 1000;
      }, int(10, 120));
    },
    // A hidden layer's size.
    (i) => {
      const layer = pick(layers);
      const units = pick([8, 16, 24, 32, 64]);
      change(i, `set units of ${docs[i].architectures.mlp.layers[layer].name} to ${units}`, 'architectures/mlp', (x) => {
        x.architectures.mlp.layers[layer].config.units = units;
        x.architectures.mlp.updatedAt = now * 1000;
      }, int(10, 120));
    },
  ];

  while (count < target) {
    // A session: one person, a handful of actions, hours after the last one.
    const i = int(0, AUTHORS.length - 1);
    sessions++;
    if (random() < 0.8) {
      for (let j = 0; j < docs.length; j++) if (j !== i) docs[i] = A.merge(docs[i], docs[j]);
    } else {
      stale++;
    }
    now += int(600, 6 * 3600);
    const n = int(3, 12);
    for (let k = 0; k < n && count < target; k++) {
      const r = random();
      if (r < 0.55) actions[0](i);
      else if (r < 0.7) actions[1](i);
      else if (r < 0.82) actions[2](i);
      else if (r < 0.88) actions[3](i);
      else if (r < 0.94) actions[4](i);
      else actions[5](i);
      now += int(20, 300);
    }
    if (random() < 0.02 && count < target) {
      const name = `Checkpoint ${Object.keys(docs[i].versions).length + 1}`;
      const heads = A.getHeads(docs[i]);
      const id = `v${count}`;
      change(i, `named a version “${name}”`, undefined, (x) => {
        x.versions[id] = { id, name, heads, createdAt: now * 1000, author: { name: AUTHORS[i].name, color: AUTHORS[i].color } };
      }, 30);
    }
    if (random() < 0.01 && count < target) {
      const from = docs[i].name;
      const to = pick(PROJECT_NAMES.filter((n) => n !== from));
      change(i, `renamed project to ${to}`, undefined, (x) => {
        x.name = to;
        x.updatedAt = now * 1000;
      }, 30);
    }
  }
  // Everyone's work, merged: the device that opens the project has all of it.
  let doc = docs[0];
  for (let j = 1; j < docs.length; j++) doc = A.merge(doc, docs[j]);
  // A last rename, so that the present and the past version carry different names.
  doc = A.change(doc, { message: encodeMessage(`renamed project to ${fixture.name} (latest)`, ada), time: now + 60 }, (x) => {
    x.name = `${fixture.name} (latest)`;
  });
  const bytes = A.save(doc);
  const { documentId } = parseAutomergeUrl(generateAutomergeUrl());
  return {
    bytes,
    documentId,
    changes: count + 1,
    heads: A.getHeads(doc),
    name: doc.name,
    past,
    sessions,
    staleSessions: stale,
    seconds: (performance.now() - t0) / 1000,
  };
}
