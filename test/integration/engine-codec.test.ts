/**
 * The engine's value codec and the pieces under it (.npy, PNG), round trip by round trip, plus how operation code
 * is compiled (lines kept, errors placed).
 */
import * as tf from '@tensorflow/tfjs';
import { strToU8, unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeValue, encodeValue, MEDIA_TYPES } from '../../src/engine/worker/codec';
import { compileOperation, errorLine, OperationCodeError } from '../../src/engine/worker/compile';
import { decodeNpy, encodeNpy } from '../../src/engine/worker/npy';
import { decodePng, encodePng } from '../../src/engine/worker/png';
import { sha256Hex } from '../../src/storage/sha256';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function roundTrip(value: unknown, dataType: Parameters<typeof encodeValue>[1]) {
  const { ref, bytes } = await encodeValue(value, dataType);
  expect(ref.sha256).toBe(await sha256Hex(bytes));
  expect(ref.size).toBe(bytes.byteLength);
  return { ref, bytes, back: await decodeValue(bytes, ref.mediaType, ref.dataType) };
}

describe('value codec', () => {
  it('round-trips tensors of each dtype as .npy', async () => {
    for (const t of [tf.tensor([[1.5, -2], [3, 4.25]]), tf.tensor([1, 2, 3], [3], 'int32'), tf.tensor([true, false], [2], 'bool'), tf.scalar(7)]) {
      const { ref, back } = await roundTrip(t, 'tensor');
      expect(ref.mediaType).toBe(MEDIA_TYPES.tensor);
      const b = back as tf.Tensor;
      expect([b.dtype, b.shape, Array.from(await b.data())]).toEqual([t.dtype, t.shape, Array.from(await t.data())]);
    }
  });

  it('round-trips a dataset with its classes and names', async () => {
    const dataset = { x: tf.tensor2d([[1, 2], [3, 4]]), y: tf.tensor1d([0, 1], 'int32'), classes: 2, names: ['cat', 'dog'] };
    const { ref, bytes, back } = await roundTrip(dataset, 'dataset');
    expect(ref.mediaType).toBe(MEDIA_TYPES.dataset);
    expect(Object.keys(unzipSync(bytes)).sort()).toEqual(['dataset.json', 'x.npy', 'y.npy']);
    const d = back as typeof dataset;
    expect(await d.x.array()).toEqual([[1, 2], [3, 4]]);
    expect(await d.y.array()).toEqual([0, 1]);
    expect([d.classes, d.names]).toEqual([2, ['cat', 'dog']]);
  });

  it('round-trips a model in tfjs format, weights included', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2], activation: 'softmax' })] });
    const { ref, back } = await roundTrip(model, 'model');
    expect(ref.mediaType).toBe(MEDIA_TYPES.model);
    const x = tf.tensor2d([[0.5, -1]]);
    expect(await ((back as tf.LayersModel).predict(x) as tf.Tensor).array()).toEqual(await (model.predict(x) as tf.Tensor).array());
  });

  it('gives the same bytes, and so the same hash, for the same value', async () => {
    const a = await encodeValue({ x: tf.ones([2, 2]), y: tf.zeros([2]) }, 'dataset');
    const b = await encodeValue({ x: tf.ones([2, 2]), y: tf.zeros([2]) }, 'dataset');
    expect(a.ref.sha256).toBe(b.ref.sha256);
  });

  it('round-trips JSON values, plain and holding tensors, and the scalar types', async () => {
    expect((await roundTrip({ loss: 0.25, tags: ['a'] }, 'json')).back).toEqual({ loss: 0.25, tags: ['a'] });
    expect((await roundTrip(3.5, 'number')).back).toBe(3.5);
    expect((await roundTrip('text', 'string')).back).toBe('text');
    expect((await roundTrip(true, 'boolean')).back).toBe(true);
    const { ref, back } = await roundTrip([{ x: tf.tensor([1, 2]), n: 1 }], 'json');
    expect(ref.mediaType).toBe(MEDIA_TYPES.value);
    const [item] = back as Array<{ x: tf.Tensor; n: number }>;
    expect([await item!.x.array(), item!.n]).toEqual([[1, 2], 1]);
  });

  it('stores `any` values as what they are', async () => {
    expect((await encodeValue(tf.ones([2]), 'any')).ref).toMatchObject({ dataType: 'tensor', mediaType: MEDIA_TYPES.tensor });
    expect((await encodeValue({ x: tf.ones([1, 1]), y: tf.ones([1]) }, 'any')).ref.dataType).toBe('dataset');
    expect((await encodeValue({ a: 1 }, 'any')).ref).toMatchObject({ dataType: 'json', mediaType: MEDIA_TYPES.json });
  });

  it('round-trips an image as PNG and a table as CSV', async () => {
    const pixels = tf.tensor3d([[[255, 0, 0], [0, 255, 0]], [[0, 0, 255], [10, 20, 30]]], undefined, 'int32');
    const image = await roundTrip(pixels, 'image');
    expect(image.ref.mediaType).toBe('image/png');
    expect(await (image.back as tf.Tensor).array()).toEqual(await pixels.array());
    const table = { rows: [[1, 'a'], [2, 'b']], header: ['n', 's'], types: ['number', 'string'] };
    const csv = await roundTrip(table, 'table');
    expect(csv.ref.mediaType).toBe('text/csv; header=present');
    expect(csv.back).toEqual(table);
  });

  it('decodes uploaded files by media type and refuses values that do not fit their port', async () => {
    expect(await decodeValue(strToU8('a,b\n1,2\n'), 'text/csv', 'table')).toEqual({ rows: [[1, 2]], header: ['a', 'b'], types: ['number', 'number'] });
    const zip = new Uint8Array([0x50, 0x4b, 3, 4]);
    expect(await decodeValue(zip, 'application/zip', 'any')).toBe(zip);
    await expect(encodeValue('not a tensor', 'tensor')).rejects.toThrow(/must be a tf.Tensor/);
    await expect(encodeValue({ x: 1 }, 'dataset')).rejects.toThrow(/object \{ x, y \} of tensors/);
    await expect(encodeValue(tf.tensor(['a'], [1], 'string'), 'tensor')).rejects.toThrow(/cast it/);
    await expect(decodeValue(new Uint8Array([0xff, 0xd8]), 'image/jpeg', 'image')).rejects.toThrow(/only be decoded in a browser/);
  });
});

describe('.npy and PNG', () => {
  it('writes .npy headers NumPy reads: 64-byte aligned, C order', () => {
    const bytes = encodeNpy({ dtype: 'float32', shape: [2, 3], data: new Float32Array(6) });
    const headerLength = bytes[8]! | (bytes[9]! << 8);
    expect((10 + headerLength) % 64).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(10, 10 + headerLength))).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \}\s+\n$/);
    expect(decodeNpy(bytes).shape).toEqual([2, 3]);
  });

  it('decodes every PNG filter type', () => {
    const image = { width: 3, height: 4, channels: 3 as const, pixels: Uint8Array.from({ length: 36 }, (_, i) => (i * 37) % 256) };
    expect(decodePng(encodePng(image))).toEqual(image);
  });
});

describe('operation code', () => {
  const scope = { tf, console };

  it('keeps lines where the author wrote them, for errors thrown in the code', async () => {
    const run = compileOperation('// first line\nexport default async function run() {\n  throw new Error("line three");\n}\n', 'k1', scope);
    const error = await Promise.resolve(run({}, {}, {}, {})).catch((e: unknown) => e);
    expect(errorLine(error, 'k1')).toBe(3);
  });

  it('supports named exports beside the default, and helpers declared after it', async () => {
    const run = compileOperation('export default async function run() {\n  return { v: helper() + k };\n}\nexport const k = 1;\nfunction helper() { return 41; }\n', 'k2', scope);
    expect(await run({}, {}, {}, {})).toEqual({ v: 42 });
  });

  it('refuses code without a default export, with imports, or with syntax errors', () => {
    expect(() => compileOperation('export function run() {}', 'k3', scope)).toThrow(/must `export default` a function/);
    expect(() => compileOperation("import fs from 'fs';\nexport default function run() {}", 'k4', scope)).toThrow(OperationCodeError);
    const syntax = (() => {
      try {
        compileOperation('export default function run() {\n  return {\n}', 'k5', scope);
      } catch (error) {
        return error;
      }
    })();
    expect(syntax).toBeInstanceOf(OperationCodeError);
    expect((syntax as OperationCodeError).line).toBe(3);
  });
});
