/**
 * The engine worker in the browser. The sandbox iframe starts it from a blob: URL (so it has the iframe's opaque
 * origin and CSP: no storage, no network) and sends one message: the port to the main thread and the WASM
 * binaries, which the worker could not fetch itself. From then on it speaks the engine protocol on that port.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { startRuntime, type RuntimePort } from './runtime';

export interface WorkerStart {
  port: MessagePort;
  /** By file name: tfjs-backend-wasm.wasm, tfjs-backend-wasm-simd.wasm. */
  wasm: Record<string, ArrayBuffer>;
}

/** An image file (PNG, JPEG, WebP…) as an int32 [h, w, 3] tensor, decoded by the browser. */
async function decodeImage(bytes: Uint8Array): Promise<tf.Tensor3D> {
  const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  return tf.tidy(() => tf.browser.fromPixels(context.getImageData(0, 0, canvas.width, canvas.height), 3));
}

self.onmessage = (event: MessageEvent<WorkerStart>) => {
  self.onmessage = null;
  const { port, wasm } = event.data;
  const paths = Object.fromEntries(Object.entries(wasm).map(([name, buffer]) => [name, URL.createObjectURL(new Blob([buffer], { type: 'application/wasm' }))]));
  // Threads need cross-origin isolation, which the app does not have, so the threaded binary is never loaded; tfjs
  // still wants a path for it.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  paths['tfjs-backend-wasm-threaded-simd.wasm'] = paths['tfjs-backend-wasm-simd.wasm']!;
  setWasmPaths(paths as Parameters<typeof setWasmPaths>[0]);
  const runtime = startRuntime(port as unknown as RuntimePort, { decodeImage });
  // Operation code's stray rejections go to its job's log rather than up to the page as errors.
  self.addEventListener('unhandledrejection', (e) => {
    e.preventDefault();
    runtime.uncaught(e.reason);
  });
  self.addEventListener('error', (e) => {
    e.preventDefault();
    runtime.uncaught(e.error ?? e.message);
  });
};
