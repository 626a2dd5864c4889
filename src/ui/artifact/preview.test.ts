import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { encodeNpy } from '../../engine/worker/npy';
import { MODEL_ZIP_MEDIA_TYPE as MODEL_ZIP } from '../../model/artifacts';
import { bundleModel, downloadFiles, previewOf } from './preview';

const npy = (data: number[], shape: number[]) => encodeNpy({ dtype: 'float32', shape, data: new Float32Array(data) });

describe('artifact previews', () => {
  it('shows the head of a CSV with its header', () => {
    const rows = ['a,b', ...Array.from({ length: 25 }, (_, i) => `${i},x${i}`)].join('\n');
    const p = previewOf(strToU8(rows), 'text/csv');
    expect(p).toMatchObject({ kind: 'table', header: ['a', 'b'], totalRows: 25 });
    expect(p.kind === 'table' && p.rows.slice(0, 2)).toEqual([[0, 'x0'], [1, 'x1']]);
  });

  it('pretty-prints JSON', () => {
    expect(previewOf(strToU8('{"a":[1,2]}'), 'application/json')).toEqual({ kind: 'json', text: '{\n  "a": [\n    1,\n    2\n  ]\n}', truncated: false });
  });

  it('gives a tensor’s shape and statistics', () => {
    expect(previewOf(npy([1, 2, 3, 6], [2, 2]), 'application/x-npy')).toEqual({ kind: 'tensor', stats: { dtype: 'float32', shape: [2, 2], min: 1, max: 6, mean: 3 } });
  });

  it('lists a dataset’s tensors and a zip’s files', () => {
    const ds = zipSync({ 'x.npy': npy([0, 1], [2, 1]), 'y.npy': npy([1, 0], [2]), 'dataset.json': strToU8('{"classes":2}') });
    const p = previewOf(ds, 'application/vnd.deepforge.dataset+zip');
    expect(p).toMatchObject({ kind: 'dataset', info: { classes: 2 }, tensors: { x: { shape: [2, 1] }, y: { shape: [2] } } });
    expect(previewOf(zipSync({ 'a/b.txt': strToU8('hi') }), 'application/zip')).toEqual({ kind: 'zip', files: [{ path: 'a/b.txt', size: 2 }] });
  });

  it('summarizes a model and downloads it as the files tf.loadLayersModel opens', () => {
    const modelJson = {
      modelTopology: { config: { layers: [{ class_name: 'Dense', config: { name: 'dense_1', units: 10, activation: 'softmax' } }] } },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [{ shape: [784, 10] }, { shape: [10] }] }],
    };
    const zip = zipSync({ 'model.json': strToU8(JSON.stringify(modelJson)), 'group1-shard1of1.bin': new Uint8Array(7850 * 4) });
    expect(previewOf(zip, MODEL_ZIP)).toEqual({ kind: 'model', params: 7850, files: ['model.json', 'group1-shard1of1.bin'], layers: [{ className: 'Dense', name: 'dense_1', detail: 'units 10, activation softmax' }] });
    expect(downloadFiles(zip, MODEL_ZIP, 'Train · model').map((f) => [f.name, f.bytes.length])).toEqual([['model.json', strToU8(JSON.stringify(modelJson)).length], ['group1-shard1of1.bin', 31400]]);
    expect(downloadFiles(strToU8('a'), 'text/csv; header=present', 'Train · table')[0]!.name).toBe('Train - table.csv');
  });

  it('bundles model.json chosen with its weights into one model zip, as a download imports back', () => {
    const modelJson = strToU8(JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [] }] }));
    const bundle = bundleModel([{ name: 'model.json', bytes: modelJson }, { name: 'w.bin', bytes: new Uint8Array(8) }, { name: 'notes.csv', bytes: strToU8('a') }])!;
    expect(previewOf(bundle.zip, MODEL_ZIP)).toMatchObject({ kind: 'model', files: ['model.json', 'w.bin'] });
    expect(bundle.rest.map((f) => f.name)).toEqual(['notes.csv']);
    expect(bundleModel([{ name: 'model.json', bytes: modelJson }])).toBeUndefined();
  });
});
