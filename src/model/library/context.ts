/**
 * The API that operation code runs against, as a contract between the operation library (and users' operations) and
 * the execution engine that implements it. Operation code is
 *
 *   export default async function run(inputs, attributes, references, ctx) { …; return { output: value } }
 *
 * with `tf` (TensorFlow.js) in scope. Inputs arrive by port name, attributes by name (defaults applied), references
 * resolved (an architecture reference arrives as its layer graph). The returned object's keys are output port names.
 */

/** A dataset as operations pass it along: features, labels, and what is known about them. */
export interface DatasetValue {
  x: unknown; // tf.Tensor
  y: unknown; // tf.Tensor
  classes?: number;
  /** Column or class names, where known. */
  names?: string[];
}

export interface OperationContext {
  /** A line in the job's log (also what console.log inside operation code writes). */
  log(...values: unknown[]): void;
  /** One point of a metric series, e.g. metric('loss', 0.31, step); shown live and in the Metrics table. */
  metric(name: string, value: number, step?: number): void;
  /** A whole series or several at once for a figure: plot('ROC', { x: [...], y: [...] }). */
  plot(name: string, series: Record<string, number[]>): void;
  /** An image for the job's gallery: a [h, w] or [h, w, 1|3|4] tensor, or ImageData. */
  image(name: string, pixels: unknown): Promise<void>;
  /** How far the job is, from 0 to 1. */
  progress(fraction: number): void;
  /** Store a value as an artifact of this run (a trained model is saved in tfjs format). */
  save(name: string, value: unknown): Promise<{ artifactId: string; sha256: string }>;
  /** The bytes of an artifact of the project, checked against its SHA-256. */
  artifact(artifactId: string): Promise<Uint8Array>;
  /** A dataset bundled with the app, loaded without network: 'iris' or 'mnist'. */
  data(name: 'iris' | 'mnist', options?: { samples?: number }): Promise<unknown>;
  /** CSV text parsed by src/model/library/csv.ts (papaparse, header detection, a type per column). */
  parseCsv(text: string, options?: { header?: boolean | 'auto'; delimiter?: string }): { rows: unknown[][]; header?: string[]; types: Array<'number' | 'string'> };
  /** The files of a zip archive (fflate), by path. */
  unzip(bytes: Uint8Array): Record<string, Uint8Array>;
  /** An image file (PNG, JPEG, WebP) decoded to an int32 tensor [h, w, 3], resized when a size is given. */
  decodeImage(bytes: Uint8Array, size?: [number, number]): Promise<unknown>;
  /** A seeded random number generator in [0, 1): runs with the same seed repeat exactly. */
  random(seed: number): () => number;
  /** A seeded permutation of 0..n-1. */
  shuffle(n: number, seed: number): number[];
  /** A tf.LayersModel built from an architecture reference, with seeded initial weights. */
  buildModel(architecture: unknown, options?: { seed?: number }): unknown;
  /** Callbacks for model.fit that stream loss and metrics per batch and per epoch, and honour Cancel. */
  fitCallbacks(): unknown;
  /** Set when the user pressed Cancel; long loops should check it. */
  readonly signal: AbortSignal;
}

/** The names of the context's members, for the editor's completions and the API help. */
export const CONTEXT_MEMBERS: Array<{ name: keyof OperationContext; signature: string; doc: string }> = [
  { name: 'log', signature: 'ctx.log(...values)', doc: 'Write a line to the job log (console.log does the same).' },
  { name: 'metric', signature: 'ctx.metric(name, value, step?)', doc: 'Add a point to a metric series, shown live.' },
  { name: 'plot', signature: 'ctx.plot(name, { x: [...], y: [...] })', doc: 'Draw a figure from whole series.' },
  { name: 'image', signature: 'await ctx.image(name, tensor)', doc: 'Add an image (a [h, w] or [h, w, c] tensor) to the gallery.' },
  { name: 'progress', signature: 'ctx.progress(fraction)', doc: 'Report progress from 0 to 1.' },
  { name: 'save', signature: 'await ctx.save(name, value)', doc: 'Store a value or model as an artifact of this run.' },
  { name: 'artifact', signature: 'await ctx.artifact(id)', doc: 'Read the bytes of a project artifact.' },
  { name: 'data', signature: "await ctx.data('iris' | 'mnist', { samples })", doc: 'Load a dataset bundled with the app.' },
  { name: 'parseCsv', signature: 'ctx.parseCsv(text, { header })', doc: 'Parse CSV into rows (numbers detected).' },
  { name: 'unzip', signature: 'ctx.unzip(bytes)', doc: 'The files of a zip archive, by path.' },
  { name: 'decodeImage', signature: 'await ctx.decodeImage(bytes, [h, w])', doc: 'Decode an image file to a tensor.' },
  { name: 'random', signature: 'ctx.random(seed)', doc: 'A seeded random generator in [0, 1).' },
  { name: 'shuffle', signature: 'ctx.shuffle(n, seed)', doc: 'A seeded permutation of 0..n-1.' },
  { name: 'buildModel', signature: 'ctx.buildModel(net, { seed })', doc: 'Build a tf.LayersModel from an architecture reference.' },
  { name: 'fitCallbacks', signature: 'ctx.fitCallbacks()', doc: 'Callbacks for model.fit that stream loss and accuracy.' },
  { name: 'signal', signature: 'ctx.signal.aborted', doc: 'True once the user pressed Cancel.' },
];
