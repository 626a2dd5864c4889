/**
 * The OperationContext (src/model/library/context.ts) as the engine implements it for one job: everything operation
 * code may reach outside its inputs goes through here and becomes a protocol event or a request to the client.
 */
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import { seededRandom } from '../../lib/random';
import { randomId } from '../../lib/ids';
import type { OperationContext } from '../../model/library/context';
import { parseCsv } from '../../model/library/csv';
import type { Id } from '../../model/types';
import type { EngineMessage, JobPlan } from '../protocol';
import { dataTypeOf, encodeValue, imagePixels, isTensor } from './codec';
import { buildModel } from './build-model';
import { decodeIris, decodeMnist } from './datasets';
import { FitStream, type FitCounters } from './fit-stream';
import { encodePng } from './png';

/** What a job's context needs from the runtime. */
export interface JobServices {
  job: JobPlan;
  post(message: EngineMessage, transfer?: Transferable[]): void;
  requestArtifact(sha256: string, artifactId?: Id): Promise<Uint8Array>;
  requestData(name: 'iris' | 'mnist'): Promise<Uint8Array>;
  signal: AbortSignal;
  /** Decodes an image file in this environment (a browser: createImageBitmap + OffscreenCanvas). */
  decodeImage?: (bytes: Uint8Array) => Promise<tf.Tensor3D>;
}

export class ContextError extends Error {
  override name = 'ContextError';
}

/** Log lines as people read them: tensors summarised, objects as JSON. */
export function formatLogValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isTensor(value)) return `Tensor ${value.dtype} [${value.shape.join(', ')}]`;
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const items = Array.from(value as unknown as ArrayLike<number>).slice(0, 20);
    return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length}) [${items.join(', ')}${(value as unknown as ArrayLike<number>).length > 20 ? ', …' : ''}]`;
  }
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value, (_k, v: unknown) => (isTensor(v) ? `Tensor ${v.dtype} [${v.shape.join(', ')}]` : v));
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/** A seeded permutation of 0..n-1 (Fisher–Yates). */
export function seededShuffle(n: number, seed: number): number[] {
  const random = seededRandom(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

function referencedArtifact(job: JobPlan, ref: unknown): { artifactId?: Id; sha256: string } {
  const wanted = typeof ref === 'string' ? ref : (ref as { artifactId?: string } | null)?.artifactId;
  for (const value of Object.values(job.references)) {
    const candidate = value as { artifactId?: string; sha256?: string } | null;
    if (candidate && typeof candidate === 'object' && candidate.artifactId === wanted && typeof candidate.sha256 === 'string') {
      return { artifactId: candidate.artifactId, sha256: candidate.sha256 };
    }
  }
  throw new ContextError(`Artifact ${String(wanted)} is not a reference of this operation; add an artifact reference and pass it to ctx.artifact.`);
}

export function createContext(services: JobServices): OperationContext & { console: Pick<Console, 'log' | 'info' | 'debug' | 'warn' | 'error'> } {
  const { job, post, signal } = services;
  const steps = new Map<string, number>();
  const counters: FitCounters = { batches: 0, epochs: 0 };
  const line = (level: 'info' | 'warn' | 'error', values: unknown[]) =>
    post({ type: 'log', jobId: job.jobId, at: Date.now(), level, text: values.map(formatLogValue).join(' ') });
  const metric = (name: string, value: number, step?: number) => {
    const at = step ?? (steps.get(name) ?? 0) + 1;
    steps.set(name, at);
    post({ type: 'metric', jobId: job.jobId, name, value: Number(value), step: at });
  };
  const progress = (fraction: number) => post({ type: 'progress', jobId: job.jobId, fraction: Math.max(0, Math.min(1, Number(fraction) || 0)) });

  return {
    console: {
      log: (...v: unknown[]) => line('info', v),
      info: (...v: unknown[]) => line('info', v),
      debug: (...v: unknown[]) => line('info', v),
      warn: (...v: unknown[]) => line('warn', v),
      error: (...v: unknown[]) => line('error', v),
    },
    log: (...values) => line('info', values),
    metric,
    plot(name, series) {
      const clean = Object.fromEntries(Object.entries(series).map(([k, v]) => [k, Array.from(v, Number)]));
      post({ type: 'plot', jobId: job.jobId, name, series: clean });
    },
    async image(name, pixels) {
      const image = await imagePixels(pixels);
      const png = encodePng(image);
      post({ type: 'image', jobId: job.jobId, name, width: image.width, height: image.height, png }, [png.buffer]);
    },
    progress,
    async save(name, value) {
      const { ref, bytes } = await encodeValue(value, dataTypeOf(value));
      const artifactId = randomId('artifact');
      post({ type: 'artifact', jobId: job.jobId, name: String(name), artifactId, ref, bytes }, [bytes.buffer]);
      return { artifactId, sha256: ref.sha256 };
    },
    async artifact(ref) {
      const { artifactId, sha256 } = referencedArtifact(job, ref);
      return services.requestArtifact(sha256, artifactId);
    },
    async data(name, options) {
      if (name !== 'iris' && name !== 'mnist') throw new ContextError(`No bundled dataset "${String(name)}"; the bundled ones are iris and mnist.`);
      const bytes = await services.requestData(name);
      return name === 'iris' ? decodeIris(bytes, options?.samples) : decodeMnist(bytes, options?.samples);
    },
    parseCsv: (text, options) => parseCsv(text, options),
    unzip: (bytes) => unzipSync(bytes),
    async decodeImage(bytes, size) {
      if (!services.decodeImage) throw new ContextError('Decoding images needs a browser; this engine runs without one.');
      const image = await services.decodeImage(bytes);
      if (!size) return image;
      const resized = tf.tidy(() => tf.image.resizeBilinear(image, size).round().toInt());
      image.dispose();
      return resized;
    },
    random: (seed) => seededRandom(seed),
    shuffle: (n, seed) => seededShuffle(n, seed),
    buildModel: (architecture, options) => buildModel(architecture, options),
    fitCallbacks: () => new FitStream({ metric, progress, signal }, counters),
    signal,
  };
}
