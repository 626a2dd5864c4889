/**
 * Convergence fuzz: 3–5 automerge-repo peers on an in-memory network (memory-network.ts) edit ONE
 * shared project document (the Iris MLP example) with random graph edits from
 * src/model/pipeline-edits.ts, each applied in one change by src/sync/apply.ts (refused plans are
 * skipped, as the editor would), while links are randomly cut and healed. After healing and
 * waiting for quiescence every peer must have the same heads and the same validated graph:
 * identical problem lists, no dangling edge that validation does not flag, the same
 * topological order, and the same cycle verdict, with no node on or after a cycle runnable.
 *
 * Runs are reproducible: one seed drives the edits, the network (partitions, latencies) and,
 * through fake timers and fixed actor ids, everything automerge-repo does. A failure names its
 * seed. FUZZ_SEED (first seed), FUZZ_SEEDS (how many) and FUZZ_OPS (edits per seed) set the
 * size, e.g. a soak: FUZZ_SEEDS=500 FUZZ_OPS=600 npx vitest run test/integration
 */
import { seededRandom } from '../../src/lib/random';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { next as A } from '@automerge/automerge';
import { generateAutomergeUrl, parseAutomergeUrl, Repo, type DocHandle, type PeerId } from '@automerge/automerge-repo';
import { EXAMPLES } from '../../src/model/examples';
import { topologicalOrder } from '../../src/model/graph';
import { CORE_OPERATIONS } from '../../src/model/library/core';
import { isRefusal, type PlanResult } from '../../src/model/plan';
import { addNode, connect, disconnect, moveNodes, removeNodes, setAttribute } from '../../src/model/pipeline-edits';
import type { AttributeSchema, AttributeValue, DataType, Pipeline, Project } from '../../src/model/types';
import { isTypeCompatible, portsOf, validatePipeline, type Problem } from '../../src/model/validation';
import { applyPlan, storable } from '../../src/sync/apply';
import { MemoryBus, MemoryNetworkAdapter } from './memory-network';

const FIRST_SEED = Number(process.env.FUZZ_SEED ?? 1);
const SEEDS = Number(process.env.FUZZ_SEEDS ?? 12);
const OPS = Number(process.env.FUZZ_OPS ?? 200);
const PIPELINE = 'main';
const START = Date.UTC(2025, 0, 1);
const LIBRARY = Object.values(CORE_OPERATIONS).sort((a, b) => (a.id < b.id ? -1 : 1));
const DATA_TYPES: DataType[] = ['dataset', 'model', 'json', 'tensor', 'any'];

const prng = seededRandom;

interface Peer {
  id: PeerId;
  repo: Repo;
  handle: DocHandle<Project>;
  /** Counter for the ids of the nodes and edges this peer creates. */
  next: number;
}

interface Tally {
  applied: number;
  refused: number;
  unchanged: number;
  cuts: number;
  heals: number;
  /** Problems in the converged graphs that only concurrent edits can cause. */
  cycles: number;
  dangling: number;
  duplicateInputs: number;
}

/** Lets automerge-repo and the network run for `ms` of (fake) time. */
const run = (ms: number) => vi.advanceTimersByTimeAsync(ms);

async function until(check: () => boolean, what: string, maxMs = 60_000): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > maxMs) throw new Error(`timed out (${maxMs} ms of fake time) waiting for ${what}`);
    await run(10);
  }
}

/** Gives a handle's document a fixed actor id, so that the same seed makes the same changes. */
function fixActor(handle: DocHandle<Project>, index: number): void {
  const actor = (index + 1).toString(16).padStart(2, '0').repeat(16);
  handle.update(doc => A.clone(doc, { actor }));
}

const pick = <T>(random: () => number, items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];

function attributeValue(random: () => number, schema: AttributeSchema): AttributeValue | undefined {
  if (random() < 0.1) return undefined; // reset to the default
  const wild = random() < 0.2; // values the edit must refuse
  switch (schema.type) {
    case 'number':
    case 'integer': {
      const min = schema.min ?? 0;
      const max = schema.max ?? min + 1000;
      if (wild) return pick(random, [min - 1, max + 1, 0.5, Number.NaN])!;
      const value = min + random() * (max - min);
      return schema.type === 'integer' ? Math.round(value) : Math.round(value * 1000) / 1000;
    }
    case 'boolean':
      return wild ? 'yes' : random() < 0.5;
    case 'enum':
      return wild ? 'bogus' : (pick(random, schema.options ?? []) ?? 'bogus');
    case 'string':
      return pick(random, wild ? ['', 'a/b?', 'x'.repeat(200)] : ['model', 'Figure 1', 'run-2', 'final v3'])!;
  }
  return undefined;
}

/** One random edit, computed from the peer's current document; a refusal or an empty plan writes nothing. */
function randomEdit(random: () => number, peer: Peer, tally: Tally): void {
  const project = peer.handle.doc();
  const pipeline = project.pipelines[PIPELINE]!;
  const nodes = Object.values(pipeline.nodes).sort((a, b) => (a.id < b.id ? -1 : 1));
  const now = Date.now();
  const nodeId = () => `${peer.id}n${peer.next++}`;
  const roll = random();
  let result: PlanResult | undefined;
  if (roll < 0.18 || nodes.length < 3) {
    const operation = pick(random, LIBRARY)!;
    result = addNode(project, PIPELINE, { kind: 'operation', operation }, { x: random() * 1200, y: random() * 900 }, now, nodeId());
  } else if (roll < 0.22) {
    const spec = random() < 0.5 ? { kind: 'input' as const, dataType: pick(random, DATA_TYPES)! } : { kind: 'output' as const, dataType: pick(random, DATA_TYPES)! };
    result = addNode(project, PIPELINE, spec, { x: random() * 1200, y: random() * 900 }, now, nodeId());
  } else if (roll < 0.52) {
    const outs = nodes.flatMap(n => portsOf(n, project.operations).outputs.map(port => ({ node: n.id, port })));
    const ins = nodes.flatMap(n => portsOf(n, project.operations).inputs.map(port => ({ node: n.id, port })));
    const from = pick(random, outs);
    if (from) {
      const fitting = ins.filter(i => i.node !== from.node && isTypeCompatible(from.port.type, i.port.type));
      const to = pick(random, random() < 0.85 && fitting.length > 0 ? fitting : ins);
      if (to) result = connect(project, PIPELINE, { node: from.node, port: from.port.id }, { node: to.node, port: to.port.id }, now, `${peer.id}e${peer.next++}`);
    }
  } else if (roll < 0.6) {
    const chosen = random() < 0.25 ? [pick(random, nodes)!, pick(random, nodes)!] : [pick(random, nodes)!];
    result = removeNodes(project, PIPELINE, chosen.map(n => n.id), now);
  } else if (roll < 0.7) {
    const edge = pick(random, Object.keys(pipeline.edges).sort());
    if (edge) result = disconnect(project, PIPELINE, [edge], now);
  } else if (roll < 0.85) {
    const withAttributes = nodes.filter(n => n.operationId && Object.keys(project.operations[n.operationId]?.attributes ?? {}).length > 0);
    const node = pick(random, withAttributes);
    if (node) {
      const schemas = Object.values(project.operations[node.operationId!]!.attributes).sort((a, b) => (a.id < b.id ? -1 : 1));
      const schema = pick(random, schemas)!;
      result = setAttribute(project, PIPELINE, node.id, schema.id, attributeValue(random, schema), now);
    }
  } else {
    const moved: Record<string, { x: number; y: number }> = {};
    const count = 1 + Math.floor(random() * 3);
    for (let i = 0; i < count; i++) moved[pick(random, nodes)!.id] = { x: random() * 1200, y: random() * 900 };
    result = moveNodes(project, PIPELINE, moved);
  }
  if (!result || isRefusal(result)) tally.refused++;
  else if (result.edits.length === 0) tally.unchanged++;
  else {
    applyPlan(peer.handle, result);
    tally.applied++;
  }
}

/** A random change to the links: cut one, heal one, isolate a peer, or heal everything. */
function randomNetworkEvent(random: () => number, bus: MemoryBus, peers: Peer[], tally: Tally): void {
  const roll = random();
  const a = pick(random, peers)!.id;
  const b = pick(random, peers)!.id;
  if (roll < 0.04) {
    if (bus.isLinked(a, b)) tally.cuts++;
    bus.cut(a, b);
  } else if (roll < 0.07) {
    bus.heal(a, b);
    tally.heals++;
  } else if (roll < 0.08) {
    bus.isolate(a);
    tally.cuts++;
  } else if (roll < 0.095) {
    bus.healAll();
    tally.heals++;
  }
}

interface View {
  problems: Problem[];
  order: string[];
  cycleEdges: string[];
  cycleNodes: string[];
}

/** What every peer must agree on, plus the invariants each converged graph must hold. */
function inspect(project: Project, pipeline: Pipeline): View {
  const problems = validatePipeline(project, pipeline);
  const nodes = pipeline.nodes;
  const flagged = (code: Problem['code']) => new Set(problems.filter(p => p.code === code).map(p => p.edgeId));

  // Every edge that points at a missing node is flagged as dangling, and only those are.
  const dangling = flagged('dangling-edge');
  for (const edge of Object.values(pipeline.edges)) {
    const missing = !nodes[edge.from.node] || !nodes[edge.to.node];
    expect(dangling.has(edge.id), `edge ${edge.id} ${missing ? 'dangles but is not flagged' : 'is flagged dangling but is not'}`).toBe(missing);
  }

  const live = Object.values(pipeline.edges)
    .filter(e => nodes[e.from.node] && nodes[e.to.node])
    .map(e => ({ id: e.id, from: e.from.node, to: e.to.node }));
  const { order, cycleEdges, cycleNodes } = topologicalOrder(Object.keys(nodes), live);

  // The cycle verdict is validation's: the same edges, each reported as a problem (so running is blocked).
  expect([...flagged('cycle')].sort()).toEqual([...cycleEdges].sort());
  // Nothing on or after a cycle is runnable: a node is in the order only after all its predecessors.
  const position = new Map(order.map((id, i) => [id, i]));
  expect(order.filter(id => cycleNodes.includes(id))).toEqual([]);
  expect(order.every(id => nodes[id])).toBe(true);
  for (const edge of live) {
    if (!position.has(edge.to)) continue;
    expect(position.has(edge.from), `${edge.to} is runnable but its input ${edge.from} is not`).toBe(true);
    expect(position.get(edge.from)! < position.get(edge.to)!, `edge ${edge.id} points backwards in the order`).toBe(true);
  }
  return { problems, order, cycleEdges, cycleNodes };
}

async function fuzz(seed: number, tally: Tally): Promise<void> {
  const random = prng(seed);
  const network = prng(seed ^ 0x5bd1e995);
  vi.useFakeTimers({ now: START, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date'] });
  const bus = new MemoryBus({ random: network, maxLatencyMs: 20 });
  const count = 3 + Math.floor(random() * 3);
  const repos = Array.from(
    { length: count },
    (_, i) => new Repo({ network: [new MemoryNetworkAdapter(bus)], peerId: `p${i}` as PeerId, sharePolicy: async () => true }),
  );
  try {
    await until(() => repos.every(r => r.peers.length === count - 1), 'the peers to meet');

    // Peer 0 brings the project; the others open it by URL.
    const { project } = EXAMPLES.find(e => e.id === 'iris-mlp')!.build(START);
    const initial = A.from(storable(project) as Record<string, unknown>, { actor: 'ff'.repeat(16) });
    const { documentId } = parseAutomergeUrl(generateAutomergeUrl());
    const first = repos[0]!.import<Project>(A.save(initial), { docId: documentId });
    fixActor(first, 0);
    const handles: DocHandle<Project>[] = [first];
    for (const [i, repo] of repos.entries()) {
      if (i === 0) continue;
      let found: DocHandle<Project> | undefined;
      let failed: unknown;
      repo.find<Project>(first.url).then(h => (found = h), e => (failed = e));
      await until(() => found !== undefined || failed !== undefined, `p${i} to open the document`);
      if (failed) throw failed;
      fixActor(found!, i);
      handles.push(found!);
    }
    const peers: Peer[] = repos.map((repo, i) => ({ id: repo.peerId, repo, handle: handles[i]!, next: 0 }));

    for (let op = 0; op < OPS; op++) {
      randomNetworkEvent(network, bus, peers, tally);
      randomEdit(random, pick(random, peers)!, tally);
      // Often no time passes (edits concurrent with everyone's), otherwise up to 40 ms.
      if (random() < 0.6) await run(Math.floor(random() * 40));
    }

    bus.healAll();
    const headsOf = (peer: Peer) => [...peer.handle.heads()].sort().join(',');
    const converged = () => bus.inFlight === 0 && peers.every(p => headsOf(p) === headsOf(peers[0]!));
    await until(converged, 'every peer to reach the same heads after healing');
    await run(2_000); // and it stays that way: nothing was still on its way
    expect(converged(), 'still converged after another 2 s').toBe(true);

    const views = peers.map(peer => {
      const doc = peer.handle.doc();
      return inspect(doc, doc.pipelines[PIPELINE]!);
    });
    const reference = peers[0]!.handle.doc();
    for (const [i, view] of views.entries()) {
      expect(peers[i]!.handle.doc(), `p${i}'s document`).toEqual(reference);
      expect(view.problems, `p${i}'s problems`).toEqual(views[0]!.problems);
      expect(view.order, `p${i}'s run order`).toEqual(views[0]!.order);
      expect({ edges: view.cycleEdges, nodes: view.cycleNodes }, `p${i}'s cycle verdict`).toEqual({ edges: views[0]!.cycleEdges, nodes: views[0]!.cycleNodes });
    }
    const problems = views[0]!.problems;
    tally.cycles += problems.filter(p => p.code === 'cycle').length;
    tally.dangling += problems.filter(p => p.code === 'dangling-edge').length;
    tally.duplicateInputs += problems.filter(p => p.code === 'duplicate-input').length;
  } finally {
    for (const repo of repos) repo.networkSubsystem.disconnect();
    vi.clearAllTimers();
    vi.useRealTimers();
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the in-memory network', () => {
  it('keeps a cut link cut (changes wait) and syncs again once it heals', async () => {
    vi.useFakeTimers({ now: START, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date'] });
    const bus = new MemoryBus({ random: prng(7), maxLatencyMs: 20 });
    const [ada, bob] = ['ada', 'bob'].map(id => new Repo({ network: [new MemoryNetworkAdapter(bus)], peerId: id as PeerId, sharePolicy: async () => true })) as [Repo, Repo];
    try {
      await until(() => ada.peers.length === 1 && bob.peers.length === 1, 'the peers to meet');
      const mine = ada.create<{ n: number }>({ n: 0 });
      let theirs: DocHandle<{ n: number }> | undefined;
      void bob.find<{ n: number }>(mine.url).then(h => (theirs = h));
      await until(() => theirs !== undefined, 'bob to open the document');
      bus.cut(ada.peerId, bob.peerId);
      expect(ada.peers).toEqual([]);
      mine.change(doc => {
        doc.n = 1;
      });
      await run(5_000);
      expect(theirs!.doc().n).toBe(0);
      bus.heal(ada.peerId, bob.peerId);
      await until(() => theirs!.doc().n === 1, 'the change to cross the healed link');
    } finally {
      ada.networkSubsystem.disconnect();
      bob.networkSubsystem.disconnect();
      vi.clearAllTimers();
      vi.useRealTimers();
    }
  });
});

describe('convergence fuzz: concurrent graph edits over a partitioned network', () => {
  it(`${SEEDS} seeds × ${OPS} edits on 3–5 peers converge to the same validated graph`, async () => {
    const tally: Tally = { applied: 0, refused: 0, unchanged: 0, cuts: 0, heals: 0, cycles: 0, dangling: 0, duplicateInputs: 0 };
    const started = performance.now();
    for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
      try {
        await fuzz(seed, tally);
      } catch (error) {
        const replay = `FUZZ_SEED=${seed} FUZZ_SEEDS=1 FUZZ_OPS=${OPS} npx vitest run test/integration/convergence.fuzz.test.ts`;
        throw new Error(`convergence fuzz failed for seed ${seed} (replay: ${replay}):\n${(error as Error).message}`, { cause: error });
      }
    }
    console.log(
      `convergence fuzz: ${SEEDS} seeds, ${SEEDS * OPS} edits (${tally.applied} applied, ${tally.refused} refused, ${tally.unchanged} no-ops), ` +
        `${tally.cuts} link cuts, ${tally.heals} heals; converged graphs held ${tally.cycles} cycle edges, ${tally.dangling} dangling edges, ` +
        `${tally.duplicateInputs} duplicate inputs from concurrent edits; ${Math.round(performance.now() - started)} ms`,
    );
    expect(tally.applied).toBeGreaterThan(SEEDS * OPS * 0.4);
  }, 600_000);
});
