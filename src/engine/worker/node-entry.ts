/**
 * The runtime in a Node worker thread (worker_threads): tfjs with the WASM backend (SIMD, no setWasmPaths needed
 * in Node) and the CPU one. Used by the worker variant of the engine contract tests; terminate() stops it at once.
 */
import { parentPort } from 'node:worker_threads';
import '@tensorflow/tfjs-backend-wasm';
import { startRuntime, type RuntimePort } from './runtime';

if (!parentPort) throw new Error('node-entry runs inside a worker thread (new Worker(…)).');
startRuntime(parentPort as unknown as RuntimePort);
