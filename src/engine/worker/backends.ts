/**
 * Backend choice: the best tfjs backend that works here, tried in order (webgpu → webgl → wasm → cpu), each proved
 * by a tiny matmul, and the reasons the better ones were not used. A software GPU (SwiftShader, as in headless
 * Chromium without a GPU) is passed over unless forced, because WASM beats it; forcing a backend is honoured when it
 * works, otherwise the best one is used and the reason says why.
 */
import * as tf from '@tensorflow/tfjs';
import { BACKENDS, type BackendName } from '../protocol';

export interface DeviceChoice {
  backend: BackendName;
  reason: string;
  adapter?: string;
  tfjsVersion: string;
}

interface Attempt {
  ok: boolean;
  why?: string;
  adapter?: string;
}

type GpuAdapterLike = { isFallbackAdapter?: boolean; info?: { vendor?: string; architecture?: string; device?: string; description?: string } };

async function webgpuAdapter(): Promise<GpuAdapterLike | null> {
  const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } } | undefined)?.gpu;
  return gpu ? gpu.requestAdapter().catch(() => null) : null;
}

function describeAdapter(adapter: GpuAdapterLike): string {
  const info = adapter.info ?? {};
  return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unknown WebGPU adapter';
}

function webglRenderer(): string | undefined {
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
  if (!gl) return undefined;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

async function smokeTest(): Promise<boolean> {
  const product = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])));
  try {
    const values = await product.data();
    return values[0] === 17 && values[1] === 39;
  } finally {
    product.dispose();
  }
}

/** `forced`: take it even if slow; `softwareWebgl`: accept a software WebGL (when the backend below it failed). */
async function attempt(name: BackendName, forced: boolean, softwareWebgl = false): Promise<Attempt> {
  if (!tf.findBackendFactory(name)) return { ok: false, why: 'not available in this environment' };
  let adapter: string | undefined;
  if (name === 'webgpu') {
    const gpu = await webgpuAdapter();
    if (!gpu) return { ok: false, why: 'no WebGPU adapter' };
    adapter = describeAdapter(gpu);
    if (!forced && (gpu.isFallbackAdapter || /swiftshader/i.test(adapter))) return { ok: false, why: `software adapter (${adapter}), slower than WASM`, adapter };
  }
  const initialised = await tf.setBackend(name).catch(() => false);
  if (!initialised) return { ok: false, why: 'failed to initialise' };
  if (name === 'webgl') {
    adapter = webglRenderer();
    if (!forced && !softwareWebgl && adapter && /swiftshader|llvmpipe|software/i.test(adapter)) return { ok: false, why: `software renderer (${adapter}), slower than WASM`, adapter };
  }
  if (name === 'wasm') adapter = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'WebAssembly SIMD' : 'WebAssembly';
  if (name === 'cpu') adapter = 'JavaScript';
  const works = await smokeTest().catch(() => false);
  return works ? { ok: true, adapter } : { ok: false, why: 'a test matmul gave a wrong result or failed', adapter };
}

/**
 * Switch tfjs to the best working backend. `failed` lists backends that failed during this run (a lost device, a
 * missing kernel): they are not tried again, and a software WebGL, which still beats plain JavaScript, is accepted.
 */
export async function chooseBackend(options: { forced?: BackendName; failed?: BackendName[] } = {}): Promise<DeviceChoice> {
  const reasons: string[] = [];
  const tfjsVersion = tf.version.tfjs;
  if (options.forced) {
    const forced = await attempt(options.forced, true);
    if (forced.ok) return { backend: options.forced, reason: `${options.forced} as requested`, adapter: forced.adapter, tfjsVersion };
    reasons.push(`${options.forced} was requested but ${forced.why}`);
  }
  const failed = options.failed ?? [];
  for (const name of BACKENDS) {
    if (name === options.forced || failed.includes(name)) continue;
    const result = await attempt(name, false, failed.length > 0);
    if (result.ok) {
      const reason = reasons.length === 0 ? `${name} is the best backend available` : `${name}, because ${reasons.join('; ')}`;
      return { backend: name, reason, adapter: result.adapter, tfjsVersion };
    }
    reasons.push(`${name}: ${result.why}`);
  }
  throw new Error(`No tfjs backend works here: ${reasons.join('; ')}.`);
}

/** True for errors after which the same job may succeed on the next backend: a lost GPU or a missing kernel. */
export function isBackendFailure(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /not registered for backend|device (was |is )?lost|GPUDevice|context lost|CONTEXT_LOST|Failed to compile fragment shader/i.test(message);
}
