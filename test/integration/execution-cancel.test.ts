/**
 * Cancel from another device: Ada's tab runs a pipeline whose Train job never ends (the fake engine waits for
 * Cancel), and Bob, a second peer with his own Repo, asks through the execution document. Real automerge-repo
 * documents on an in-memory network; the engine is the scripted one, since what is tested is the request's way
 * from Bob's document to Ada's engine.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { findExample } from '../../src/model/examples';
import { applyPlan } from '../../src/sync/apply';
import { findExecutionDoc } from '../../src/sync/executions';
import { FakeEngine } from '../fixtures/fake-engine';
import { clientOn, openProject, twoPeers, until } from './execution-peers';

const { ada, bob, shutdown } = twoPeers();
afterAll(shutdown);

const client = clientOn(ada, { engine: () => new FakeEngine() });
const { handle, access } = openProject(ada, findExample('iris-mlp')!.build(Date.now()).project);
const setTrainCode = (code: string) =>
  applyPlan(handle, { message: 'edit Train', edits: [{ op: 'put', path: ['operations', 'core.train', 'code'], value: code }] });
const bobAuthor = { name: 'Bob Kahn', color: '#16a34a' };

describe('canceling a run from another device', () => {
  it('stops the run when a peer writes a request into its document, and records who asked', async () => {
    setTrainCode('export default async function run() {\n  while (true) {}\n}');
    const run = await client.run(access, { pipelineId: 'main' });
    const bobDoc = (await findExecutionDoc(bob, run.url))!;
    await until(() => (bobDoc.record().jobs.main_train?.status === 'running' ? true : undefined));

    const asked = Date.now();
    // Pressing Cancel twice (or two people at once) asks twice: harmless.
    expect(bobDoc.requestCancel(bobAuthor, 'bob-phone')).toBe(true);
    expect(bobDoc.requestCancel(bobAuthor, 'bob-phone')).toBe(true);
    const ended = await run.done;
    expect(Date.now() - asked).toBeLessThan(1000);
    expect(ended.status).toBe('canceled');
    expect(ended.jobs.main_train!.status).toBe('canceled');
    expect(ended.logs.main_train).toBe('Canceled by Bob Kahn from another device.\n');
    // Ada's document and the project's summary say so, and Bob's copy follows.
    const stored = (await findExecutionDoc(ada, run.url))!.record();
    expect(stored.status).toBe('canceled');
    expect(stored.logs.main_train).toBe('Canceled by Bob Kahn from another device.\n');
    expect(stored.cancelRequest).toMatchObject({ by: bobAuthor, device: 'bob-phone' });
    expect(handle.doc().executions[run.executionId]!.status).toBe('canceled');
    await until(() => (bobDoc.record().status === 'canceled' ? true : undefined));
  });

  it('ignores a request written after the run finished', async () => {
    setTrainCode('export default async function run() {\n  return {};\n}');
    const run = await client.run(access, { pipelineId: 'main' });
    await run.done;
    const bobDoc = (await findExecutionDoc(bob, run.url))!;
    await until(() => (bobDoc.record().status === 'succeeded' ? true : undefined));
    expect(bobDoc.requestCancel(bobAuthor, 'bob-phone')).toBe(false);
    // Even one written by hand, as a peer whose copy still said "running" would have, changes nothing.
    bobDoc.handle.change((d) => {
      d.cancelRequest = { by: bobAuthor, device: 'bob-phone', at: Date.now() };
    });
    const adaDoc = (await findExecutionDoc(ada, run.url))!;
    await until(() => adaDoc.record().cancelRequest);
    await new Promise((r) => setTimeout(r, 100));
    const stored = adaDoc.record();
    expect(stored.status).toBe('succeeded');
    expect(stored.jobs.main_train!.status).toBe('succeeded');
    expect(stored.jobs.main_evaluate!.status).toBe('succeeded');
    expect(Object.values(stored.logs).join('')).not.toContain('Canceled by');
    expect(handle.doc().executions[run.executionId]!.status).toBe('succeeded');
  });
});
