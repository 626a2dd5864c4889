/**
 * The engine in the calling thread: the runtime on one end of a MessageChannel, `Engine` on the other. Same protocol
 * and same code as the worker engine, for Node tests and tools. It cannot stop code that never yields: Cancel here
 * reaches only operations that await (model.fit with ctx.fitCallbacks(), loops that check ctx.signal).
 */
import type { Engine } from '../protocol';
import { createRemoteEngine, type EngineTransport } from '../sandbox/remote-engine';
import { startRuntime, type RuntimePlatform, type RuntimePort } from './runtime';

export function createInProcessEngine(platform: RuntimePlatform = {}): Engine {
  return createRemoteEngine(async () => {
    const channel = new MessageChannel();
    startRuntime(channel.port1 as unknown as RuntimePort, platform);
    const transport: EngineTransport = {
      send: (message, transfer = []) => channel.port2.postMessage(message, transfer),
      onmessage: null,
      onerror: null,
      close: () => {
        channel.port1.close();
        channel.port2.close();
      },
    };
    channel.port2.onmessage = (event) => transport.onmessage?.(event.data);
    return transport;
  });
}
