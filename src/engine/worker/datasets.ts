/**
 * The bundled datasets as operation code receives them from ctx.data (see scripts/build-data.mjs for the files):
 *   iris  → { x: number[][], y: number[], classes: string[] }   (150 flowers)
 *   mnist → { images: Uint8Array (n × 784, 0–255), labels: Uint8Array (n) }, the first `samples` digits
 *           (the file interleaves classes, so any first n hold every digit)
 */
export interface IrisData {
  x: number[][];
  y: number[];
  classes: string[];
}

export interface MnistData {
  images: Uint8Array;
  labels: Uint8Array;
}

export class DatasetError extends Error {
  override name = 'DatasetError';
}

export function decodeIris(bytes: Uint8Array, samples?: number): IrisData {
  const iris = JSON.parse(new TextDecoder().decode(bytes)) as IrisData;
  if (!Array.isArray(iris.x) || !Array.isArray(iris.y)) throw new DatasetError('The bundled Iris file is damaged; rebuild the app (npm run build).');
  const n = samples === undefined ? iris.y.length : Math.min(samples, iris.y.length);
  return { x: iris.x.slice(0, n), y: iris.y.slice(0, n), classes: iris.classes };
}

export function decodeMnist(bytes: Uint8Array, samples?: number): MnistData {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== 'MNST') throw new DatasetError('The bundled MNIST file is damaged; rebuild the app (npm run build).');
  const total = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  const n = samples === undefined ? total : Math.max(0, Math.min(Math.floor(samples), total));
  const labels = bytes.slice(8, 8 + n);
  const images = bytes.slice(8 + total, 8 + total + n * 784);
  return { images, labels };
}
