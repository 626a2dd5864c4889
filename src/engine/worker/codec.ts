/**
 * The value codec: how a value that flows along a pipeline edge becomes bytes in the artifact store and job cache,
 * and back. Each encoding is a file people can open elsewhere:
 *
 *   tensor   application/x-npy                               a NumPy .npy file
 *   dataset  application/vnd.deepforge.dataset+zip           x.npy, y.npy, dataset.json ({ classes, names })
 *   model    application/vnd.deepforge.tfjs-model+zip        model.json + group1-shard1of1.bin (tf.loadLayersModel)
 *   image    image/png                                       8-bit PNG
 *   table    text/csv; header=present|absent                 RFC 4180 CSV
 *   json, number, string, boolean                            application/json
 *   json holding tensors                                     application/vnd.deepforge.value+zip: value.json with
 *                                                            { "$tensor": i } placeholders and tensors/i.npy
 *
 * Decoding goes by media type first, so uploaded artifacts (CSV, JSON, PNG, .npy, zip) decode too. Zips are written
 * with a fixed date so that the same value always has the same SHA-256.
 */
import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import Papa from 'papaparse';
import { parseCsv, type CsvTable } from '../../model/library/csv';
import type { DataType } from '../../model/types';
import { sha256Hex } from '../../storage/sha256';
import type { EncodedRef } from '../protocol';
import { decodeNpy, encodeNpy, isNpy, type NpyDtype } from './npy';
import { decodePng, encodePng, isPng } from './png';

export const MEDIA_TYPES = {
  json: 'application/json',
  tensor: 'application/x-npy',
  dataset: 'application/vnd.deepforge.dataset+zip',
  model: 'application/vnd.deepforge.tfjs-model+zip',
  value: 'application/vnd.deepforge.value+zip',
  png: 'image/png',
  csv: 'text/csv',
  bytes: 'application/octet-stream',
} as const;

/** The file name of the weights inside a model zip, as tfjs's own `downloads://` handler names it. */
export const MODEL_WEIGHTS_FILE = 'group1-shard1of1.bin';

export class CodecError extends Error {
  override name = 'CodecError';
}

export interface Encoded {
  ref: EncodedRef;
  bytes: Uint8Array;
}

const ZIP_DATE = new Date(1980, 0, 1, 12); // local-time fields, so the DOS timestamp is the same everywhere

function zip(files: Zippable): Uint8Array {
  return zipSync(files, { level: 1, mtime: ZIP_DATE });
}

export function isTensor(value: unknown): value is tf.Tensor {
  return value instanceof tf.Tensor;
}

export function isLayersModel(value: unknown): value is tf.LayersModel {
  return value instanceof tf.LayersModel;
}

export function isDataset(value: unknown): value is { x: tf.Tensor; y: tf.Tensor; classes?: number; names?: string[] } {
  return typeof value === 'object' && value !== null && isTensor((value as { x?: unknown }).x) && isTensor((value as { y?: unknown }).y);
}

function isTable(value: unknown): value is CsvTable {
  return typeof value === 'object' && value !== null && Array.isArray((value as CsvTable).rows) && Array.isArray((value as CsvTable).types);
}

async function tensorToNpy(t: tf.Tensor): Promise<Uint8Array> {
  if (t.dtype !== 'float32' && t.dtype !== 'int32' && t.dtype !== 'bool') {
    throw new CodecError(`A ${t.dtype} tensor cannot be stored; cast it to float32 or int32 first.`);
  }
  const data = (await t.data()) as Float32Array | Int32Array | Uint8Array;
  return encodeNpy({ dtype: t.dtype as NpyDtype, shape: t.shape, data });
}

function npyToTensor(bytes: Uint8Array): tf.Tensor {
  const { dtype, shape, data } = decodeNpy(bytes);
  return tf.tensor(data, shape, dtype);
}

/** A model in tfjs's layers format: the model.json text and the concatenated weights. */
export async function modelToFiles(model: tf.LayersModel): Promise<{ modelJson: string; weights: Uint8Array }> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  const weightData = saved!.weightData;
  const weights = new Uint8Array(weightData === undefined ? new ArrayBuffer(0) : new tf.io.CompositeArrayBuffer(weightData).slice());
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: saved!.modelTopology,
    weightsManifest: [{ paths: [`./${MODEL_WEIGHTS_FILE}`], weights: saved!.weightSpecs ?? [] }],
  };
  return { modelJson: JSON.stringify(modelJson), weights };
}

async function filesToModel(files: Record<string, Uint8Array>): Promise<tf.LayersModel> {
  const jsonFile = files['model.json'];
  if (!jsonFile) throw new CodecError('The model archive has no model.json.');
  const json = JSON.parse(strFromU8(jsonFile)) as tf.io.ModelJSON;
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const parts = manifest.flatMap((group) => group.paths).map((p) => {
      const file = files[p.replace(/^\.\//, '')];
      if (!file) throw new CodecError(`The model archive lacks the weights file ${p}.`);
      return file.slice().buffer;
    });
    return [specs, new tf.io.CompositeArrayBuffer(parts).slice()];
  });
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/** Tensors inside a plain JSON-like value are swapped for placeholders; models cannot be nested. */
async function valueZip(value: unknown): Promise<Uint8Array> {
  const files: Zippable = {};
  const tensors: tf.Tensor[] = [];
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (isTensor(v)) return { $tensor: tensors.push(v) - 1 };
    if (isLayersModel(v)) throw new CodecError('A model cannot be stored inside a JSON value; give it its own output of type model.');
    return v;
  });
  for (const [i, t] of tensors.entries()) files[`tensors/${i}.npy`] = await tensorToNpy(t);
  files['value.json'] = strToU8(json);
  return zip(files);
}

function containsTensor(value: unknown, seen = new Set<unknown>()): boolean {
  if (isTensor(value)) return true;
  if (typeof value !== 'object' || value === null || seen.has(value)) return false;
  seen.add(value);
  return Object.values(value).some((v) => containsTensor(v, seen));
}

/** The data type a value of an `any` port is stored as. */
export function dataTypeOf(value: unknown): DataType {
  if (isTensor(value)) return 'tensor';
  if (isLayersModel(value)) return 'model';
  if (isDataset(value)) return 'dataset';
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return typeof value as DataType;
  return 'json';
}

async function encodeBytes(value: unknown, dataType: DataType): Promise<{ bytes: Uint8Array; mediaType: string }> {
  switch (dataType) {
    case 'tensor':
      if (!isTensor(value)) throw new CodecError('A tensor output must be a tf.Tensor.');
      return { bytes: await tensorToNpy(value), mediaType: MEDIA_TYPES.tensor };
    case 'dataset': {
      if (!isDataset(value)) throw new CodecError('A dataset output must be an object { x, y } of tensors.');
      const meta = { classes: value.classes ?? null, names: value.names ?? null };
      const bytes = zip({ 'x.npy': await tensorToNpy(value.x), 'y.npy': await tensorToNpy(value.y), 'dataset.json': strToU8(JSON.stringify(meta)) });
      return { bytes, mediaType: MEDIA_TYPES.dataset };
    }
    case 'model': {
      if (!isLayersModel(value)) throw new CodecError('A model output must be a tf.LayersModel (e.g. from ctx.buildModel).');
      const { modelJson, weights } = await modelToFiles(value);
      return { bytes: zip({ 'model.json': strToU8(modelJson), [MODEL_WEIGHTS_FILE]: weights }), mediaType: MEDIA_TYPES.model };
    }
    case 'image':
      return { bytes: encodePng(await imagePixels(value)), mediaType: MEDIA_TYPES.png };
    case 'table': {
      if (!isTable(value)) throw new CodecError('A table output must be { rows, header?, types } (what ctx.parseCsv returns).');
      const csv = Papa.unparse(value.header ? [value.header, ...value.rows] : value.rows);
      return { bytes: strToU8(csv), mediaType: `${MEDIA_TYPES.csv}; header=${value.header ? 'present' : 'absent'}` };
    }
    default:
      if (containsTensor(value)) return { bytes: await valueZip(value), mediaType: MEDIA_TYPES.value };
      if (value === undefined) throw new CodecError('The value is undefined.');
      return { bytes: strToU8(JSON.stringify(value)), mediaType: MEDIA_TYPES.json };
  }
}

/** Encodes a value of a port of type `dataType` (for `any`, of the type the value has) and hashes the bytes. */
export async function encodeValue(value: unknown, declared: DataType): Promise<Encoded> {
  const dataType = declared === 'any' ? dataTypeOf(value) : declared;
  const { bytes, mediaType } = await encodeBytes(value, dataType);
  return { bytes, ref: { sha256: await sha256Hex(bytes), mediaType, dataType, size: bytes.byteLength } };
}

/** Pixels of a [h, w] or [h, w, c] tensor (0–255, or 0–1 when float with max ≤ 1), ImageData, or a decoded PNG. */
export async function imagePixels(value: unknown): Promise<{ width: number; height: number; channels: 1 | 2 | 3 | 4; pixels: Uint8Array }> {
  if (typeof ImageData !== 'undefined' && value instanceof ImageData) {
    return { width: value.width, height: value.height, channels: 4, pixels: new Uint8Array(value.data.buffer.slice(0)) };
  }
  if (!isTensor(value) || value.rank < 2 || value.rank > 3) {
    throw new CodecError('An image must be a [height, width] or [height, width, channels] tensor, or ImageData.');
  }
  const [height, width, channels = 1] = value.shape as number[];
  if (channels < 1 || channels > 4) throw new CodecError(`An image has 1 to 4 channels, not ${channels}.`);
  const data = await value.data();
  let max = 0;
  for (const v of data as Float32Array) if (v > max) max = v;
  const scale = value.dtype === 'float32' && max <= 1 ? 255 : 1;
  const pixels = Uint8Array.from(data as Float32Array, (v) => Math.max(0, Math.min(255, Math.round(v * scale))));
  return { width: width!, height: height!, channels: channels as 1 | 2 | 3 | 4, pixels };
}

/** What a decoder needs besides the bytes: image files other than PNG are decoded by the platform (a browser). */
export interface DecodeOptions {
  decodeImage?: (bytes: Uint8Array) => Promise<tf.Tensor>;
}

/** The value that `bytes` hold, by media type; tensors are created on the current backend. */
export async function decodeValue(bytes: Uint8Array, mediaType: string, dataType: DataType, options: DecodeOptions = {}): Promise<unknown> {
  const base = mediaType.split(';')[0]!.trim().toLowerCase();
  switch (base) {
    case MEDIA_TYPES.tensor:
      return npyToTensor(bytes);
    case MEDIA_TYPES.dataset: {
      const files = unzipSync(bytes);
      if (!files['x.npy'] || !files['y.npy']) throw new CodecError('The dataset archive needs x.npy and y.npy.');
      const meta = files['dataset.json'] ? (JSON.parse(strFromU8(files['dataset.json'])) as { classes: number | null; names: string[] | null }) : { classes: null, names: null };
      return { x: npyToTensor(files['x.npy']), y: npyToTensor(files['y.npy']), ...(meta.classes !== null ? { classes: meta.classes } : {}), ...(meta.names ? { names: meta.names } : {}) };
    }
    case MEDIA_TYPES.model:
      return filesToModel(unzipSync(bytes));
    case MEDIA_TYPES.value: {
      const files = unzipSync(bytes);
      return JSON.parse(strFromU8(files['value.json']!), (_key, v: unknown) => {
        const index = typeof v === 'object' && v !== null ? (v as { $tensor?: number }).$tensor : undefined;
        return typeof index === 'number' ? npyToTensor(files[`tensors/${index}.npy`]!) : v;
      });
    }
    case MEDIA_TYPES.json:
      return JSON.parse(strFromU8(bytes));
    case 'text/csv': {
      const header = /header=(present|absent)/.exec(mediaType)?.[1];
      return parseCsv(strFromU8(bytes), { header: header === undefined ? 'auto' : header === 'present' });
    }
    case 'text/plain':
      return strFromU8(bytes);
  }
  if (base.startsWith('image/') || dataType === 'image') {
    if (isPng(bytes)) {
      const { width, height, channels, pixels } = decodePng(bytes);
      return tf.tensor3d(Int32Array.from(pixels), [height, width, channels], 'int32');
    }
    if (options.decodeImage) return options.decodeImage(bytes);
    throw new CodecError(`Images of type ${mediaType} can only be decoded in a browser.`);
  }
  if (base === 'application/zip' && dataType === 'model') return filesToModel(unzipSync(bytes));
  if (isNpy(bytes)) return npyToTensor(bytes);
  return bytes; // anything else reaches the operation as raw bytes (e.g. a zip for Load Images)
}
