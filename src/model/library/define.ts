/** Compact builders for the built-in library and the bundled examples: readable definitions, stable ids. */
import type { AttributeSchema, DataType, Id, Layer, LayerConfigValue, OperationDefinition, Port, ReferenceSchema } from '../types';

type PortSpec = [name: string, type: DataType, opts?: { optional?: boolean; description?: string }];
type AttrSpec = Omit<AttributeSchema, 'id' | 'order' | 'name'> & { name: string };
type RefSpec = Omit<ReferenceSchema, 'id' | 'order'>;

export interface OperationSpec {
  id: Id;
  name: string;
  category: string;
  color: string;
  description: string;
  inputs?: PortSpec[];
  outputs?: PortSpec[];
  attributes?: AttrSpec[];
  references?: RefSpec[];
  code: string;
}

/** Ports, attributes and references are keyed by their name, which is also what the code sees. */
export function defineOperation(spec: OperationSpec, version: string, now = 0): OperationDefinition {
  const ports = (list: PortSpec[] = []): Record<Id, Port> =>
    Object.fromEntries(list.map(([name, type, opts], order) => [name, { id: name, name, type, order, ...opts }]));
  return {
    id: spec.id,
    name: spec.name,
    description: spec.description,
    category: spec.category,
    color: spec.color,
    inputs: ports(spec.inputs),
    outputs: ports(spec.outputs),
    attributes: Object.fromEntries((spec.attributes ?? []).map((a, order) => [a.name, { ...a, id: a.name, order }])),
    references: Object.fromEntries((spec.references ?? []).map((r, order) => [r.name, { ...r, id: r.name, order }])),
    code: spec.code,
    source: `deepforge-core@${version}`,
    createdAt: now,
    updatedAt: now,
  };
}

/** A chain of layers (the common Sequential case) as an architecture's layers and edges. */
export function sequential(
  prefix: string,
  specs: Array<[type: string, config: Record<string, LayerConfigValue>]>,
): { layers: Record<Id, Layer>; edges: Record<Id, { id: Id; from: Id; to: Id }> } {
  const layers: Record<Id, Layer> = {};
  const edges: Record<Id, { id: Id; from: Id; to: Id }> = {};
  const counts: Record<string, number> = {};
  let previous: Id | undefined;
  specs.forEach(([type, config], i) => {
    counts[type] = (counts[type] ?? 0) + 1;
    const id = `${prefix}_l${i}`;
    layers[id] = { id, type, name: `${type}_${counts[type]}`, config, position: { x: 0, y: i * 110 } }; // room for the shape label on each connection
    if (previous) edges[`${prefix}_e${i}`] = { id: `${prefix}_e${i}`, from: previous, to: id };
    previous = id;
  });
  return { layers, edges };
}
