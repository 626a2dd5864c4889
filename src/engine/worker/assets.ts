/**
 * The files the engine worker needs, as URLs of the built app (hashed names, precached by the service worker, so
 * they load offline). The main thread fetches them and hands them to the sandbox, which has no network: the worker
 * bundle itself (a single ES module, tfjs included) and the WASM backend's binaries (threads are not used).
 * Only URLs live here: importing this module loads no tfjs.
 */
import workerUrl from './engine-worker.ts?worker&url';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';

export const ENGINE_WORKER_URL: string = workerUrl;

/** By the file names tfjs-backend-wasm asks for. */
export const WASM_BINARY_URLS: Record<string, string> = {
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
};
