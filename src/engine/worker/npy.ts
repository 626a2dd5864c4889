/**
 * Tensors as NumPy `.npy` files: a tensor artifact downloads as a file `numpy.load` opens, and the format is small
 * enough to write here (magic, a header dict, the raw little-endian data).
 */
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export type NpyDtype = 'float32' | 'int32' | 'bool';
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

const DESCR: Record<NpyDtype, string> = { float32: '<f4', int32: '<i4', bool: '|b1' };

export class NpyError extends Error {
  override name = 'NpyError';
}

export function encodeNpy({ dtype, shape, data }: NpyArray): Uint8Array {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${tuple}, }`;
  // The whole preamble is padded to a multiple of 64 bytes, ending in a newline.
  const unpadded = MAGIC.length + 4 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(MAGIC.length + 4 + header.length + body.length);
  out.set(MAGIC);
  out.set([1, 0, header.length & 0xff, header.length >> 8], MAGIC.length);
  for (let i = 0; i < header.length; i++) out[MAGIC.length + 4 + i] = header.charCodeAt(i);
  out.set(body, MAGIC.length + 4 + header.length);
  return out;
}

export function isNpy(bytes: Uint8Array): boolean {
  return MAGIC.every((b, i) => bytes[i] === b);
}

/** Reads the dtypes the engine writes, plus float64, uint8 and int64 from NumPy (narrowed to float32 / int32). */
export function decodeNpy(bytes: Uint8Array): NpyArray {
  if (!isNpy(bytes)) throw new NpyError('This is not a NumPy .npy file.');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new NpyError('The .npy header is not readable.');
  if (/'fortran_order':\s*True/.test(header)) throw new NpyError('Fortran-ordered .npy files are not supported; save with a C-ordered array.');
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const at = start + headerLength;
  const raw = bytes.slice(at); // aligned copy
  const rawView = new DataView(raw.buffer);
  switch (descr) {
    case '<f4':
      return { dtype: 'float32', shape, data: new Float32Array(raw.buffer, 0, count) };
    case '<i4':
      return { dtype: 'int32', shape, data: new Int32Array(raw.buffer, 0, count) };
    case '|b1':
      return { dtype: 'bool', shape, data: raw.subarray(0, count) };
    case '<f8':
      return { dtype: 'float32', shape, data: Float32Array.from({ length: count }, (_, i) => rawView.getFloat64(i * 8, true)) };
    case '|u1':
      return { dtype: 'int32', shape, data: Int32Array.from(raw.subarray(0, count)) };
    case '<i8':
      return { dtype: 'int32', shape, data: Int32Array.from({ length: count }, (_, i) => Number(rawView.getBigInt64(i * 8, true))) };
    default:
      throw new NpyError(`NumPy dtype ${descr} is not supported; use float32, int32 or bool.`);
  }
}
