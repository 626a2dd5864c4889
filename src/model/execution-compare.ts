/**
 * Comparing executions: what differed between two runs (code, attributes, input data, backend), their metric
 * series side by side for an overlay plot, and whether a reproduction gave the same metrics.
 */
import { canonicalJson, lastMetrics, type Execution } from './execution';
import type { Id } from './types';

export interface Difference {
  /** What kind of thing differs. */
  what: 'code' | 'attributes' | 'references' | 'input' | 'backend' | 'job';
  /** The job (by its title), input node or "device" it is about. */
  where: string;
  /** The attribute or reference name, where it applies. */
  field?: string;
  a: string;
  b: string;
}

const show = (v: unknown): string => (v === undefined ? '—' : typeof v === 'string' ? v : canonicalJson(v));

/** What differed between two executions, job by job (matched by pipeline node). */
export function compareExecutions(a: Execution, b: Execution): Difference[] {
  const out: Difference[] = [];
  const backendA = a.device?.backend;
  const backendB = b.device?.backend;
  if (backendA !== backendB) out.push({ what: 'backend', where: 'device', a: show(backendA), b: show(backendB) });
  const jobIds = [...new Set([...a.order, ...b.order])];
  for (const id of jobIds) {
    const ja = a.plan[id];
    const jb = b.plan[id];
    if (!ja || !jb) {
      out.push({ what: 'job', where: (ja ?? jb)!.name, a: ja ? 'ran' : 'absent', b: jb ? 'ran' : 'absent' });
      continue;
    }
    if (ja.code !== jb.code) out.push({ what: 'code', where: ja.name, a: `${lineCount(ja.code)} lines`, b: `${lineCount(jb.code)} lines` });
    for (const name of union(ja.attributes, jb.attributes)) {
      if (ja.attributes[name] !== jb.attributes[name]) out.push({ what: 'attributes', where: ja.name, field: name, a: show(ja.attributes[name]), b: show(jb.attributes[name]) });
    }
    for (const name of union(ja.references, jb.references)) {
      const ra = canonicalJson(ja.references[name] ?? null);
      const rb = canonicalJson(jb.references[name] ?? null);
      if (ra !== rb) out.push({ what: 'references', where: ja.name, field: name, a: referenceLabel(ja.references[name]), b: referenceLabel(jb.references[name]) });
    }
  }
  for (const nodeId of union(a.inputs, b.inputs)) {
    const ia = a.inputs[nodeId];
    const ib = b.inputs[nodeId];
    if (ia?.sha256 !== ib?.sha256) out.push({ what: 'input', where: a.pipeline.nodes[nodeId]?.label ?? b.pipeline.nodes[nodeId]?.label ?? 'Input', a: short(ia?.sha256), b: short(ib?.sha256) });
  }
  return out;
}

function union(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

function lineCount(code: string): number {
  return code.split('\n').length;
}

function short(sha: string | undefined): string {
  return sha ? `${sha.slice(0, 12)}…` : '—';
}

function referenceLabel(ref: unknown): string {
  if (ref && typeof ref === 'object') {
    const r = ref as { name?: unknown; sha256?: unknown; updatedAt?: unknown };
    if (typeof r.sha256 === 'string') return short(r.sha256);
    if (typeof r.name === 'string') return typeof r.updatedAt === 'number' ? `${r.name} (edited ${new Date(r.updatedAt).toISOString().slice(0, 16).replace('T', ' ')})` : r.name;
  }
  return show(ref);
}

export interface OverlaySeries {
  executionId: Id;
  executionName: string;
  steps: number[];
  values: number[];
}

/** Metric series of several executions by metric name, for one chart per metric with one line per execution. */
export function overlayMetrics(executions: readonly Execution[]): Record<string, OverlaySeries[]> {
  const out: Record<string, OverlaySeries[]> = {};
  for (const ex of executions) {
    for (const jobId of ex.order) {
      for (const [name, series] of Object.entries(ex.metrics[jobId] ?? {})) {
        (out[name] ??= []).push({ executionId: ex.id, executionName: ex.name, steps: [...series.steps], values: [...series.values] });
      }
    }
  }
  return out;
}

export interface MetricMatch {
  matches: boolean;
  /** Metrics whose last values differ, or that only one run has. */
  differences: Array<{ name: string; original?: number; reproduced?: number }>;
}

/** Whether a reproduction gave exactly the original's metrics (the last value of every series). */
export function compareMetrics(original: Pick<Execution, 'metrics' | 'order'>, reproduced: Pick<Execution, 'metrics' | 'order'>): MetricMatch {
  const a = lastMetrics(original);
  const b = lastMetrics(reproduced);
  const differences: MetricMatch['differences'] = [];
  for (const name of union(a, b)) {
    if (a[name] !== b[name]) differences.push({ name, ...(a[name] !== undefined ? { original: a[name] } : {}), ...(b[name] !== undefined ? { reproduced: b[name] } : {}) });
  }
  return { matches: differences.length === 0, differences };
}
