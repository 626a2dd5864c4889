/**
 * The main-thread half of the engine against a runtime that misbehaves: it runs user code, so what it sends is
 * checked, what it asks for is limited to the plan, and Cancel does not depend on it answering.
 */
import { describe, expect, it } from 'vitest';
import type { ClientMessage, EngineMessage } from '../../src/engine/protocol';
import { createRemoteEngine, type EngineTransport } from '../../src/engine/sandbox/remote-engine';
import { job, plan, recordingHost } from './engine-harness';

/** A transport whose runtime is the test: it sees what the engine sends and says what it likes. */
function scripted() {
  const sent: ClientMessage[] = [];
  let terminated = false;
  const transport: EngineTransport = {
    send: (m) => void sent.push(m),
    onmessage: null,
    onerror: null,
    terminate: () => void (terminated = true),
  };
  const say = (m: unknown) => transport.onmessage?.(m);
  const engine = createRemoteEngine(async () => {
    setTimeout(() => say({ type: 'ready', protocol: 1 }), 0);
    return transport;
  });
  return { engine, sent, say, terminated: () => terminated, transport };
}

const listed = 'a'.repeat(64);
const other = 'b'.repeat(64);
const p = () => {
  const j = job('j', { code: 'export default async function run() { return {}; }' });
  j.inputs = { file: { kind: 'artifact', artifactId: 'af1', sha256: listed, mediaType: 'text/csv', dataType: 'table' } };
  return plan([j]);
};

describe('the engine host', () => {
  it('answers requests only for bytes the plan names', async () => {
    const { engine, sent, say } = scripted();
    const host = recordingHost(new Map([[listed, new Uint8Array([1])], [other, new Uint8Array([2])]]));
    const run = engine.run(p(), host);
    await expect.poll(() => sent.some((m) => m.type === 'run')).toBe(true);
    say({ type: 'request', requestId: 1, what: 'artifact', sha256: listed });
    say({ type: 'request', requestId: 2, what: 'artifact', sha256: other });
    await expect.poll(() => sent.filter((m) => m.type === 'reply').length).toBe(2);
    const replies = sent.filter((m): m is Extract<ClientMessage, { type: 'reply' }> => m.type === 'reply');
    expect(replies.find((r) => r.requestId === 1)!.bytes).toEqual(new Uint8Array([1]));
    expect(replies.find((r) => r.requestId === 2)).toMatchObject({ error: 'This run may only read the artifacts its pipeline names.' });
    expect(host.requests).toEqual([listed]);
    say({ type: 'run-finished', status: 'succeeded', at: 1 });
    expect(await run.done).toEqual({ status: 'succeeded' });
  });

  it('drops malformed messages and events about jobs not in the plan', async () => {
    const { engine, sent, say } = scripted();
    const host = recordingHost();
    const run = engine.run(p(), host);
    await expect.poll(() => sent.some((m) => m.type === 'run')).toBe(true);
    say('nonsense');
    say({ type: 'log', jobId: 'elsewhere', at: 1, level: 'info', text: 'x' });
    say({ type: 'job-finished', jobId: 'j', at: 1, outputs: { x: { sha256: 'not a hash' } } });
    say({ type: 'metric', jobId: 'j', name: 'loss', value: '0.1', step: 1 });
    say({ type: 'log', jobId: 'j', at: 1, level: 'info', text: 'kept' });
    say({ type: 'run-finished', status: 'succeeded', at: 2 });
    await run.done;
    expect(host.events.map((e: EngineMessage) => e.type)).toEqual(['log', 'run-finished']);
  });

  it('cancels without the runtime\'s help: terminates it and finishes the run itself', async () => {
    const { engine, sent, say, terminated } = scripted();
    const two = plan([job('a', { code: '' }), job('b', { code: '' })]);
    const host = recordingHost();
    const run = engine.run(two, host);
    await expect.poll(() => sent.some((m) => m.type === 'run')).toBe(true);
    say({ type: 'job-started', jobId: 'a', at: 1 });
    const pressed = Date.now();
    run.cancel();
    expect(await run.done).toEqual({ status: 'canceled' });
    expect(Date.now() - pressed).toBeLessThan(1000);
    expect(sent.at(-1)).toEqual({ type: 'cancel' });
    expect(terminated()).toBe(true);
    expect(host.events.map((e) => `${e.type}${'jobId' in e ? ` ${e.jobId}` : ''}`)).toEqual(['job-started a', 'job-canceled a', 'job-skipped b', 'run-finished']);
    // Whatever the dying runtime still says is ignored.
    say({ type: 'job-finished', jobId: 'a', at: 2, outputs: {} });
    expect(host.events).toHaveLength(4);
  });

  it('fails the run when the runtime dies', async () => {
    const { engine, sent, transport } = scripted();
    const host = recordingHost();
    const run = engine.run(p(), host);
    await expect.poll(() => sent.some((m) => m.type === 'run')).toBe(true);
    transport.onerror?.('out of memory');
    expect(await run.done).toEqual({ status: 'failed' });
    expect(host.events[0]).toMatchObject({ type: 'job-skipped', jobId: 'j', reason: 'The engine stopped: out of memory' });
  });
});
