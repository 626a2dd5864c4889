import { describe, expect, it } from 'vitest';
import { alignLines, chartsOf, formatDuration, formatMetric, metricRows, overlayCharts } from './charts';

const metrics = {
  train: {
    'batch/loss': { steps: [1, 2, 3], values: [2, 1.5, 1] },
    loss: { steps: [1, 2], values: [1.2, 0.8] },
    val_loss: { steps: [1, 2], values: [1.3, 0.9] },
  },
  evaluate: { test_accuracy: { steps: [0], values: [0.97312] } },
};
const execution = { metrics, order: ['train', 'evaluate'], jobs: { train: { name: 'Train' }, evaluate: { name: 'Evaluate' } } } as never;

describe('charts of an execution', () => {
  it('pairs each epoch series with its validation twin, and gives per-batch series their own chart', () => {
    const charts = chartsOf(execution);
    expect(charts.map((c) => [c.title, c.lines.map((l) => l.label)])).toEqual([
      ['loss per epoch', ['loss', 'val_loss']],
      ['loss per batch', ['loss']],
    ]);
  });

  it('lists every metric with its last value, single values first', () => {
    expect(metricRows(execution).map((r) => [r.name, r.job, formatMetric(r.last)])).toEqual([
      ['loss', 'Train', '0.8'],
      ['val_loss', 'Train', '0.9'],
      ['test_accuracy', 'Evaluate', '0.9731'],
      ['batch/loss', 'Train', '1'],
    ]);
  });

  it('aligns lines with different steps on one axis', () => {
    expect(alignLines([{ label: 'a', steps: [1, 3], values: [10, 30] }, { label: 'b', steps: [2, 3], values: [20, 31] }])).toEqual([
      [1, 2, 3],
      [10, null, 30],
      [null, 20, 31],
    ]);
  });

  it('overlays runs: one chart per metric, one line per run', () => {
    const charts = overlayCharts({ loss: [{ executionId: 'a', executionName: 'Run #1', steps: [1, 2], values: [1, 0.5] }, { executionId: 'b', executionName: 'Run #2', steps: [1, 2], values: [1, 0.4] }] });
    expect(charts.map((c) => [c.title, c.lines.map((l) => l.label)])).toEqual([['loss', ['Run #1', 'Run #2']]]);
  });

  it('formats durations', () => {
    expect([formatDuration(850), formatDuration(12_345), formatDuration(245_000)]).toEqual(['850 ms', '12.3 s', '4 min 5 s']);
  });
});
