import { Repo } from '@automerge/automerge-repo';
import { describe, expect, it, vi } from 'vitest';
import { freezePipeline, type Execution } from '../model/execution';
import { applyRunEvent, type RunEvent } from '../model/execution-events';
import { findExample } from '../model/examples';
import { createExecutionDoc, watchExecution, type NumberedEvent } from './executions';

function execution(): Execution {
  const result = freezePipeline({ project: findExample('iris-mlp')!.build(1).project, pipelineId: 'main', executionId: 'ex1', projectUrl: 'automerge:p', heads: [], now: 1 });
  if ('refused' in result) throw new Error(result.refused);
  return result.execution;
}

const events: RunEvent[] = [
  { type: 'run-started', at: 2 },
  { type: 'job-started', jobId: 'main_load', at: 3 },
  { type: 'log', jobId: 'main_load', at: 3, level: 'info', text: 'one' },
  { type: 'log', jobId: 'main_load', at: 4, level: 'info', text: 'two' },
  { type: 'metric', jobId: 'main_evaluate', name: 'test_accuracy', value: 0.9, step: 1 },
  { type: 'metric', jobId: 'main_train', name: 'loss', value: 1, step: 1 },
  { type: 'metric', jobId: 'main_train', name: 'loss', value: 0.5, step: 2 },
  { type: 'plot', jobId: 'main_train', name: 'roc', series: { x: [0, 1], y: [0, 1] } },
  { type: 'image', jobId: 'main_train', image: { name: 'digit', sha256: 'a'.repeat(64), width: 28, height: 28 } },
  { type: 'artifact', jobId: 'main_train', name: 'weights', artifactId: 'af1' },
  { type: 'job-failed', jobId: 'main_train', at: 9, error: { message: 'boom', line: 4 } },
  { type: 'run-finished', status: 'failed', at: 10 },
];
const numbered = (list: RunEvent[], from = 1): NumberedEvent[] => list.map((event, i) => ({ seq: from + i, event }));

describe('execution documents', () => {
  it('hold exactly what the events say, written in batches', () => {
    const repo = new Repo({ network: [] });
    const doc = createExecutionDoc(repo, execution());
    doc.write(numbered(events.slice(0, 5)), 'progress');
    doc.write(numbered(events.slice(5), 6), 'progress');
    const expected = execution();
    for (const e of events) applyRunEvent(expected, e);
    expect(doc.record()).toEqual({ ...expected, seq: events.length });
    expect(doc.record().logs.main_load).toBe('one\ntwo\n');
    expect(doc.record().metrics.main_evaluate).toEqual({ test_accuracy: { steps: [1], values: [0.9] } });
  });

  it('show watchers the stored document plus the live events newer than it', async () => {
    const repo = new Repo({ network: [] });
    const doc = createExecutionDoc(repo, execution());
    const seen: Execution[] = [];
    const stop = watchExecution(doc.handle, (ex) => seen.push(ex));
    doc.broadcast(numbered(events.slice(0, 3)));
    // Watchers hear at most every 250 ms: the live events arrive together.
    await vi.waitFor(() => expect(seen.at(-1)!.logs.main_load).toBe('one\n'));
    expect(seen.at(-1)!.status).toBe('running');
    // Once written, the same events are not applied twice.
    doc.write(numbered(events.slice(0, 3)), 'progress');
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.at(-1)!.logs.main_load).toBe('one\n');
    doc.broadcast(numbered(events.slice(3, 4), 4));
    await vi.waitFor(() => expect(seen.at(-1)!.logs.main_load).toBe('one\ntwo\n'));
    expect(seen.length).toBeLessThan(6);
    stop();
  });
});
