/**
 * The engine under Vite's dev server, where the worker is an ES module that imports its dependencies from the dev
 * server: the sandbox (which has no network) cannot load it, so the worker is started directly, without the
 * sandbox, and a warning says so. Built apps (`vite build`, what `npm start` serves) always use the sandbox.
 */
import { ENGINE_WORKER_URL } from '../worker/assets';
import { loadSandboxAssets } from './iframe';
import type { EngineTransport } from './remote-engine';

export async function openDevWorker(): Promise<EngineTransport> {
  const { wasm } = await loadSandboxAssets({ withCode: false });
  console.warn('DeepForge (dev server): operation code runs in an unsandboxed worker; build the app to test the sandbox.');
  const worker = new Worker(ENGINE_WORKER_URL, { type: 'module', name: 'DeepForge engine (dev)' });
  const channel = new MessageChannel();
  const transport: EngineTransport = {
    send: (message, transfer = []) => channel.port1.postMessage(message, transfer),
    onmessage: null,
    onerror: null,
    terminate() {
      worker.terminate();
      channel.port1.close();
    },
  };
  channel.port1.onmessage = (event) => transport.onmessage?.(event.data);
  worker.onerror = (event) => transport.onerror?.(event.message || 'the engine worker could not start');
  worker.postMessage({ port: channel.port2, wasm }, [channel.port2]);
  return transport;
}
