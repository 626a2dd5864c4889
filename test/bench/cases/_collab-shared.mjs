/**
 * What the collaboration benchmark's parent (_collab.mjs) and its editor processes
 * (_collab-worker.mjs) share: the seeded edit schedule, the document and the app-like edits.
 */

/** Small deterministic PRNG, so the case and its baseline use the very same edit schedule. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Edit times (ms after t0) for one editor: a random first offset, then every min..max ms. */
export function editSchedule(editor, seed, { minMs, maxMs, durationMs }) {
  const rand = mulberry32(seed * 1000 + editor + 1);
  const out = [];
  for (let t = rand() * maxMs; t < durationMs; t += minMs + rand() * (maxMs - minMs)) out.push(t);
  return out;
}

/** The document every editor opens: a small project, like the app's (one pipeline, a dozen nodes). */
export const NODE_IDS = ['data', 'split', 'norm', 'conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'dense', 'dropout', 'train', 'eval'];
export const ATTRS = ['batchSize', 'epochs', 'learningRate', 'units', 'dropout', 'kernelSize'];

export function initialDoc(editorIds) {
  const nodes = {};
  NODE_IDS.forEach((id, i) => {
    nodes[id] = {
      id,
      operation: `core.${id.replace(/\d+$/, '')}`,
      name: id[0].toUpperCase() + id.slice(1),
      position: { x: 120 * (i % 4), y: 90 * Math.floor(i / 4) },
      attributes: { batchSize: 32, epochs: 10, learningRate: 0.001, units: 128, dropout: 0.2, kernelSize: 3 },
    };
  });
  const bench = {};
  for (const e of editorIds) bench[e] = { seq: 0, sentAt: 0 };
  return { version: 7, name: 'Collaboration benchmark', pipelines: { main: { id: 'main', name: 'Main', nodes, edges: [] } }, bench };
}

/**
 * One app-like edit, planned before `handle.change` (its message is an option of the call): set a
 * node attribute (5 in 6) or rename a node. The stamp goes into the same change.
 */
export function planEdit(me, seq, rand) {
  const nodeId = NODE_IDS[Math.floor(rand() * NODE_IDS.length)];
  if (rand() < 1 / 6) {
    const name = `${nodeId} v${seq}`;
    return { nodeId, name, message: `Rename ${nodeId} to "${name}"\n\nby: Editor ${me} (#64748b)` };
  }
  const attr = ATTRS[Math.floor(rand() * ATTRS.length)];
  const value = Math.round(rand() * 1000) / 10;
  return { nodeId, attr, value, message: `Set ${attr} to ${value} on ${nodeId}\n\nby: Editor ${me} (#64748b)` };
}
