/**
 * What an artifact's bytes show: the head of a table, JSON as text, an image, the files of a zip, a tensor's shape
 * and statistics, a dataset's tensors, a trained model's layers. Decided by media type, then by content; pure, so
 * the preview and the downloads are tested without a browser. Loaded with the artifact view (fflate, papaparse).
 */
import { strFromU8, unzipSync, zipSync } from 'fflate';
import { decodeNpy, isNpy } from '../../engine/worker/npy';
import { MODEL_ZIP_MEDIA_TYPE as MODEL_ZIP } from '../../model/artifacts';
import { parseCsv } from '../../model/library/csv';

export interface TensorStats {
  dtype: string;
  shape: number[];
  min: number;
  max: number;
  mean: number;
}

export interface ModelLayer {
  className: string;
  name: string;
  detail: string;
}

export type Preview =
  | { kind: 'table'; header?: string[]; rows: Array<Array<string | number>>; totalRows: number }
  | { kind: 'json'; text: string; truncated: boolean }
  | { kind: 'image'; mediaType: string }
  | { kind: 'tensor'; stats: TensorStats }
  | { kind: 'dataset'; tensors: Record<string, TensorStats>; info: Record<string, unknown> }
  | { kind: 'model'; layers: ModelLayer[]; params: number; files: string[] }
  | { kind: 'zip'; files: Array<{ path: string; size: number }> }
  | { kind: 'bytes'; size: number };

const TABLE_HEAD = 10;
const JSON_LIMIT = 6000;


const DATASET_ZIP = 'application/vnd.deepforge.dataset+zip';

function base(mediaType: string): string {
  return mediaType.split(';')[0]!.trim().toLowerCase();
}

export function previewOf(bytes: Uint8Array, mediaType: string): Preview {
  const type = base(mediaType);
  if (type.startsWith('image/')) return { kind: 'image', mediaType: type };
  if (type === 'text/csv' || type === 'text/tab-separated-values') {
    const header = /header=(present|absent)/.exec(mediaType)?.[1];
    const table = parseCsv(strFromU8(bytes), { header: header === undefined ? 'auto' : header === 'present' });
    return { kind: 'table', ...(table.header ? { header: table.header } : {}), rows: table.rows.slice(0, TABLE_HEAD), totalRows: table.rows.length };
  }
  if (type === 'application/json') {
    const raw = strFromU8(bytes);
    let text = raw;
    try {
      text = JSON.stringify(JSON.parse(raw), null, 2);
    } catch {
      // shown as it is
    }
    return { kind: 'json', text: text.slice(0, JSON_LIMIT), truncated: text.length > JSON_LIMIT };
  }
  if (type === 'application/x-npy' || isNpy(bytes)) return { kind: 'tensor', stats: tensorStats(bytes) };
  if (type === MODEL_ZIP) return modelPreview(unzipSync(bytes));
  if (type === DATASET_ZIP) {
    const files = unzipSync(bytes);
    const tensors: Record<string, TensorStats> = {};
    for (const [path, data] of Object.entries(files)) if (path.endsWith('.npy')) tensors[path.replace(/\.npy$/, '')] = tensorStats(data);
    const info = files['dataset.json'] ? (JSON.parse(strFromU8(files['dataset.json'])) as Record<string, unknown>) : {};
    return { kind: 'dataset', tensors, info };
  }
  if (type.endsWith('zip') || (bytes[0] === 0x50 && bytes[1] === 0x4b)) {
    const files = unzipSync(bytes);
    return { kind: 'zip', files: Object.entries(files).map(([path, data]) => ({ path, size: data.byteLength })) };
  }
  return { kind: 'bytes', size: bytes.byteLength };
}

export function tensorStats(bytes: Uint8Array): TensorStats {
  const { dtype, shape, data } = decodeNpy(bytes);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { dtype, shape, min: data.length ? min : NaN, max: data.length ? max : NaN, mean: data.length ? sum / data.length : NaN };
}

interface ModelJson {
  modelTopology?: { config?: { layers?: Array<{ class_name: string; config: Record<string, unknown> }> } };
  weightsManifest?: Array<{ paths: string[]; weights: Array<{ shape: number[] }> }>;
}

function modelPreview(files: Record<string, Uint8Array>): Preview {
  const json = JSON.parse(strFromU8(files['model.json'] ?? new Uint8Array())) as ModelJson;
  const layers = (json.modelTopology?.config?.layers ?? []).map((l) => ({ className: l.class_name, name: String(l.config.name ?? ''), detail: layerDetail(l.config) }));
  const params = (json.weightsManifest ?? []).flatMap((g) => g.weights).reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  return { kind: 'model', layers, params, files: Object.keys(files) };
}

function layerDetail(config: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const key of ['units', 'filters', 'kernel_size', 'pool_size', 'rate', 'activation', 'batch_input_shape']) {
    const v = config[key];
    if (v !== undefined && v !== null && v !== 'linear') parts.push(`${key} ${Array.isArray(v) ? `[${v.map((x) => x ?? '?').join(', ')}]` : String(v)}`);
  }
  return parts.join(', ');
}

/**
 * The files a download gives: a trained model as `model.json` plus its weights file, exactly what
 * tf.loadLayersModel opens; anything else as one file named after the artifact.
 */
export function downloadFiles(bytes: Uint8Array, mediaType: string, name: string): Array<{ name: string; bytes: Uint8Array; type: string }> {
  if (base(mediaType) === MODEL_ZIP) {
    return Object.entries(unzipSync(bytes)).map(([path, data]) => ({ name: path, bytes: data, type: path.endsWith('.json') ? 'application/json' : 'application/octet-stream' }));
  }
  return [{ name: withExtension(name, mediaType), bytes, type: base(mediaType) }];
}

const EXTENSIONS: Record<string, string> = {
  'text/csv': 'csv',
  'application/json': 'json',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'application/x-npy': 'npy',
  'application/zip': 'zip',
  'application/vnd.deepforge.dataset+zip': 'zip',
  'application/vnd.deepforge.value+zip': 'zip',
};

function withExtension(name: string, mediaType: string): string {
  const safe = name.replace(/[\\/:*?"<>|·]+/g, '-').replace(/\s+/g, ' ').trim() || 'artifact';
  const ext = EXTENSIONS[base(mediaType)];
  return ext && !safe.toLowerCase().endsWith(`.${ext}`) ? `${safe}.${ext}` : safe;
}

/**
 * model.json chosen together with its weights files (what a model download gives, or any tfjs save) become one
 * model artifact: a zip of them, as the engine stores trained models. Returns undefined when `files` holds no
 * model.json; files it does not use are left in `rest`.
 */
export function bundleModel<F extends { name: string; bytes: Uint8Array }>(files: F[]): { zip: Uint8Array; rest: F[] } | undefined {
  const json = files.find((f) => f.name === 'model.json');
  if (!json) return undefined;
  const manifest = (JSON.parse(strFromU8(json.bytes)) as ModelJson).weightsManifest ?? [];
  const paths = new Set(manifest.flatMap((g) => g.paths));
  const weights = files.filter((f) => paths.has(f.name));
  if (weights.length !== paths.size) return undefined;
  const zip = zipSync(Object.fromEntries([json, ...weights].map((f) => [f.name, f.bytes])), { level: 1 });
  return { zip, rest: files.filter((f) => f !== json && !weights.includes(f)) };
}
