/**
 * The engine the app uses: operation code runs in a worker inside a sandboxed iframe (see iframe.ts), and
 * the main thread implements `Engine` (remote-engine.ts). Importing this module loads no tfjs; the worker
 * bundle is fetched when the first run starts. Each run may reuse the worker; Cancel and dispose() end it. Under the
 * dev server the worker runs unsandboxed (dev-worker.ts).
 */
import type { Engine } from '../protocol';
import { openDevWorker } from './dev-worker';
import { openSandbox } from './iframe';
import { createRemoteEngine, type RemoteEngineOptions } from './remote-engine';

export interface SandboxEngineOptions extends RemoteEngineOptions {
  /** Where the hidden sandbox iframe goes (default: document.body). */
  container?: HTMLElement;
}

export function createSandboxEngine(options: SandboxEngineOptions = {}): Engine {
  return createRemoteEngine(() => (import.meta.env.DEV ? openDevWorker() : openSandbox(options.container)), options);
}
