/**
 * Turning an execution's metric series into charts and table rows: per-batch series (`batch/<name>`) get one chart
 * each, per-epoch series are drawn with their validation twin (`loss` with `val_loss`), and single values (a test
 * accuracy) go only to the Metrics table. Pure, for the views in this folder.
 */
import type { Execution } from '../../model/execution';
import type { OverlaySeries } from '../../model/execution-compare';

export interface ChartLine {
  label: string;
  steps: number[];
  values: number[];
}

export interface ChartSpec {
  key: string;
  title: string;
  xLabel: string;
  lines: ChartLine[];
}

/** Charts for every series with more than one point, in a stable order: per epoch first, then per batch. */
export function chartsOf(execution: Pick<Execution, 'metrics' | 'order' | 'jobs'>): ChartSpec[] {
  const byKey = new Map<string, ChartSpec>();
  const multiJob = execution.order.filter((id) => Object.values(execution.metrics[id] ?? {}).some((s) => s.values.length > 1)).length > 1;
  for (const jobId of execution.order) {
    for (const [name, series] of Object.entries(execution.metrics[jobId] ?? {})) {
      if (series.values.length < 2) continue;
      const batch = name.startsWith('batch/');
      const bare = batch ? name.slice('batch/'.length) : name;
      const base = bare.replace(/^val_/, '');
      const key = `${jobId}/${batch ? 'batch' : 'epoch'}/${base}`;
      const job = multiJob ? ` · ${execution.jobs[jobId]?.name ?? jobId}` : '';
      const spec = byKey.get(key) ?? { key, title: `${base} per ${batch ? 'batch' : 'epoch'}${job}`, xLabel: batch ? 'batch' : 'epoch', lines: [] };
      spec.lines.push({ label: bare, steps: series.steps, values: series.values });
      byKey.set(key, spec);
    }
  }
  return [...byKey.values()].sort((a, b) => (a.xLabel === b.xLabel ? 0 : a.xLabel === 'epoch' ? -1 : 1));
}

/** Charts for several executions at once: one per metric, one line per execution. */
export function overlayCharts(overlay: Record<string, OverlaySeries[]>): ChartSpec[] {
  return Object.entries(overlay)
    .filter(([, lines]) => lines.some((l) => l.values.length > 1))
    .sort(([a], [b]) => Number(a.startsWith('batch/')) - Number(b.startsWith('batch/')) || a.localeCompare(b))
    .map(([name, lines]) => ({
      key: name,
      title: name.startsWith('batch/') ? `${name.slice(6)} per batch` : name,
      xLabel: name.startsWith('batch/') ? 'batch' : 'step',
      lines: lines.map((l) => ({ label: l.executionName, steps: l.steps, values: l.values })),
    }));
}

export interface MetricRow {
  name: string;
  job: string;
  last: number;
  points: number;
}

/** One row per metric with its last value, epoch-level and test metrics before per-batch ones. */
export function metricRows(execution: Pick<Execution, 'metrics' | 'order' | 'jobs'>): MetricRow[] {
  const rows: MetricRow[] = [];
  for (const jobId of execution.order) {
    for (const [name, series] of Object.entries(execution.metrics[jobId] ?? {})) {
      const last = series.values[series.values.length - 1];
      if (last !== undefined) rows.push({ name, job: execution.jobs[jobId]?.name ?? jobId, last, points: series.values.length });
    }
  }
  return rows.sort((a, b) => Number(a.name.startsWith('batch/')) - Number(b.name.startsWith('batch/')));
}

/** 0.97312 → "0.9731", 1234.5 → "1234.5": metric values as people read them. */
export function formatMetric(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 1000 ? value.toFixed(1) : String(Number(value.toFixed(4)));
}

/** Milliseconds as "850 ms", "12.3 s", "4 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/**
 * Lines on one shared x axis, as uPlot wants them: the sorted union of steps, and each line's values at those
 * steps (null where a line has no point).
 */
export function alignLines(lines: readonly ChartLine[]): [number[], ...(number | null)[][]] {
  const xs = [...new Set(lines.flatMap((l) => l.steps))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = lines.map((l) => {
    const out: (number | null)[] = new Array(xs.length).fill(null);
    l.steps.forEach((s, i) => (out[index.get(s)!] = l.values[i] ?? null));
    return out;
  });
  return [xs, ...ys];
}
