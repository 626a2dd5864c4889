/**
 * A readable first layout for architectures made by a template or an import: layers in rows from the inputs down
 * (each one row below its deepest input), ordered within a row by where their inputs sit. A connection that skips
 * rows (a residual skip, a second input joining late) keeps a lane of its own through the rows it crosses, so it is
 * never drawn behind the layers in between. The editor may lay them out again with elkjs; this one needs no library
 * and is deterministic.
 */
import { topologicalOrder } from '../graph';
import type { Id, Layer, LayerEdge, Position } from '../types';

export const ROW = 110;
export const COLUMN = 240;

export function layeredLayout(layers: Record<Id, Pick<Layer, 'id'>>, edges: Record<Id, Pick<LayerEdge, 'id' | 'from' | 'to' | 'slot'>>, insertion: Id[] = Object.keys(layers)): Record<Id, Position> {
  const list = Object.values(edges).filter((e) => layers[e.from] && layers[e.to] && e.from !== e.to);
  const { order } = topologicalOrder(Object.keys(layers), list);
  const all = [...order, ...Object.keys(layers).filter((id) => !order.includes(id))];
  const preds = new Map<Id, Array<{ from: Id; slot: number }>>();
  const link = (from: Id, to: Id, slot: number) => preds.set(to, [...(preds.get(to) ?? []), { from, slot }]);
  const rank = new Map<Id, number>();
  for (const e of list) link(e.from, e.to, e.slot ?? 0);
  for (const id of all) rank.set(id, Math.max(-1, ...(preds.get(id) ?? []).map((p) => rank.get(p.from) ?? -1)) + 1);

  // Lanes: a connection spanning several rows passes through one placeholder per row it crosses.
  preds.clear();
  const laneIds = new Set<Id>();
  const seq = new Map(insertion.map((id, i) => [id, i]));
  const rows: Id[][] = [];
  for (const id of all) (rows[rank.get(id)!] ??= []).push(id);
  for (const e of list) {
    const [a, b] = [rank.get(e.from)!, rank.get(e.to)!];
    let prev = e.from;
    for (let r = a + 1; r < b; r++) {
      const lane = `lane:${e.id}:${r}`;
      laneIds.add(lane);
      rank.set(lane, r);
      seq.set(lane, (seq.get(e.from) ?? 0) + 0.5);
      rows[r]!.push(lane);
      link(prev, lane, 0);
      prev = lane;
    }
    link(prev, e.to, e.slot ?? 0);
  }

  const column = new Map<Id, number>();
  const positions: Record<Id, Position> = {};
  rows.forEach((row, r) => {
    const key = (id: Id): number => {
      const ps = preds.get(id) ?? [];
      return ps.length ? ps.reduce((s, p) => s + (column.get(p.from) ?? 0) + p.slot * 1e-3, 0) / ps.length : 0;
    };
    // Layers before lanes at equal pull, so that a chain stays straight and its skip goes around it.
    const lanes = (id: Id) => (laneIds.has(id) ? 1 : 0);
    row.sort((a, b) => key(a) - key(b) || lanes(a) - lanes(b) || (seq.get(a) ?? 0) - (seq.get(b) ?? 0));
    row.forEach((id, i) => {
      column.set(id, i - (row.length - 1) / 2);
      if (!laneIds.has(id)) positions[id] = { x: Math.round(column.get(id)! * COLUMN), y: r * ROW };
    });
  });
  return positions;
}
