/** The ports the keyboard Connect form offers, in run order, labelled `Title.port (type)`. */
import { topologicalOrder } from '../../model/graph';
import type { Pipeline, PortRef, Project } from '../../model/types';
import { nodeTitle, portsOf } from '../../model/validation';

export interface PortOption {
  /** `${node}\u0000${port}`; see `toRef`. */
  value: string;
  label: string;
  node: string;
}

const SEP = '\u0000';

export function portOptions(project: Project, pipeline: Pipeline): { outputs: PortOption[]; inputs: PortOption[] } {
  const edges = Object.values(pipeline.edges).map((e) => ({ id: e.id, from: e.from.node, to: e.to.node }));
  const { order } = topologicalOrder(Object.keys(pipeline.nodes), edges);
  const placed = new Set(order);
  const ids = [...order, ...Object.keys(pipeline.nodes).filter((id) => !placed.has(id)).sort()];
  const seen = new Map<string, number>();
  const outputs: PortOption[] = [];
  const inputs: PortOption[] = [];
  for (const id of ids) {
    const node = pipeline.nodes[id]!;
    let title = nodeTitle(node, project.operations);
    const count = (seen.get(title) ?? 0) + 1;
    seen.set(title, count);
    if (count > 1) title = `${title} (${count})`;
    const ports = portsOf(node, project.operations);
    for (const p of ports.outputs) outputs.push({ value: id + SEP + p.id, label: `${title}.${p.name} (${p.type})`, node: id });
    for (const p of ports.inputs) inputs.push({ value: id + SEP + p.id, label: `${title}.${p.name} (${p.type})`, node: id });
  }
  return { outputs, inputs };
}

export function toRef(value: string): PortRef {
  const [node, port] = value.split(SEP) as [string, string];
  return { node, port };
}

/** The first input of another node that nothing feeds yet (else any input of another node). */
export function firstOpenInput(pipeline: Pipeline, inputs: PortOption[], source: string): string {
  const node = toRef(source).node;
  const connected = new Set(Object.values(pipeline.edges).map((e) => e.to.node + SEP + e.to.port));
  const others = inputs.filter((o) => o.node !== node);
  return (others.find((o) => !connected.has(o.value)) ?? others[0] ?? inputs[0])?.value ?? '';
}
