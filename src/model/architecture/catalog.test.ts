import { describe, expect, it } from 'vitest';
import { LAYER_CATALOG, catalogByCategory, searchCatalog } from './catalog';
import { checkParam, paramSpecsFor } from './config';
import { LAYER_CATEGORIES } from './spec';
import { ARCHITECTURE_TEMPLATES } from './templates';

/** Every layer the issue lists, by its tfjs factory name. */
const ISSUE_LAYERS = [
  'dense', 'activation', 'dropout', 'flatten', 'reshape', 'permute', 'repeatVector', 'embedding', 'masking',
  'conv1d', 'conv2d', 'conv3d', 'conv2dTranspose', 'separableConv2d', 'depthwiseConv2d', 'cropping2D', 'upSampling2d', 'zeroPadding2d',
  'maxPooling1d', 'maxPooling2d', 'maxPooling3d', 'averagePooling1d', 'averagePooling2d', 'averagePooling3d',
  'globalMaxPooling1d', 'globalMaxPooling2d', 'globalAveragePooling1d', 'globalAveragePooling2d',
  'batchNormalization', 'layerNormalization', 'simpleRNN', 'lstm', 'gru', 'bidirectional', 'timeDistributed',
  'add', 'concatenate', 'multiply', 'average', 'maximum', 'minimum', 'dot',
  'reLU', 'leakyReLU', 'prelu', 'elu', 'thresholdedReLU', 'softmax', 'gaussianNoise', 'gaussianDropout', 'alphaDropout', 'input',
];

describe('layer catalog', () => {
  it('has every layer the issue lists', () => {
    expect(ISSUE_LAYERS.filter((t) => !LAYER_CATALOG[t])).toEqual([]);
    expect(Object.keys(LAYER_CATALOG).length).toBeGreaterThanOrEqual(50);
  });

  it('documents every layer and parameter, and every default fits its own spec', () => {
    for (const layer of Object.values(LAYER_CATALOG)) {
      expect(layer.doc.length, layer.type).toBeGreaterThan(10);
      expect(LAYER_CATEGORIES).toContain(layer.category);
      expect(layer.keras).toMatch(/^[A-Z]/);
      for (const p of paramSpecsFor({ type: layer.type, config: {} })) {
        expect(p.doc.length, `${layer.type}.${p.key}`).toBeGreaterThan(5);
        expect(checkParam(p, p.default), `${layer.type}.${p.key} default`).toBeNull();
        if (p.kind === 'enum') expect(p.options?.length, `${layer.type}.${p.key}`).toBeGreaterThan(0);
      }
    }
  });

  it('wrappers show the wrapped layer\'s parameters under the layer. prefix', () => {
    const keys = paramSpecsFor({ type: 'bidirectional', config: { layer: 'gru' } }).map((p) => p.key);
    expect(keys.slice(0, 3)).toEqual(['layer', 'mergeMode', 'layer.units']);
    expect(keys).toContain('layer.returnSequences');
  });

  it('groups by category in a fixed order and finds layers by name or purpose', () => {
    const groups = catalogByCategory();
    expect(groups.map((g) => g.category)).toEqual(LAYER_CATEGORIES.filter((c) => groups.some((g) => g.category === c)));
    expect(groups.reduce((n, g) => n + g.layers.length, 0)).toBe(Object.keys(LAYER_CATALOG).length);
    expect(searchCatalog('conv2d')[0]!.type).toBe('conv2d');
    expect(searchCatalog('lstm').map((l) => l.type)).toContain('bidirectional');
    expect(searchCatalog('skip').map((l) => l.type)).toContain('add');
    expect(searchCatalog('zzz')).toEqual([]);
  });

  it('checks values against their spec with messages for people', () => {
    const units = paramSpecsFor({ type: 'dense', config: {} }).find((p) => p.key === 'units')!;
    expect(checkParam(units, 2.5)).toBe('Units must be a whole number.');
    expect(checkParam(units, 0)).toBe('Units must be at least 1.');
    const kernel = paramSpecsFor({ type: 'conv2d', config: {} }).find((p) => p.key === 'kernelSize')!;
    expect(checkParam(kernel, [3, 3])).toBeNull();
    expect(checkParam(kernel, [3, 3, 3])).toBe('Kernel size needs 2 numbers (or one for all), got 3.');
    const shape = paramSpecsFor({ type: 'input', config: {} }).find((p) => p.key === 'shape')!;
    expect(checkParam(shape, [null, 8])).toBeNull();
  });
});

describe('templates', () => {
  it('have unique ids and names, and build layer names unique within each', () => {
    expect(new Set(ARCHITECTURE_TEMPLATES.map((t) => t.id)).size).toBe(ARCHITECTURE_TEMPLATES.length);
    expect(new Set(ARCHITECTURE_TEMPLATES.map((t) => t.name)).size).toBe(ARCHITECTURE_TEMPLATES.length);
    for (const t of ARCHITECTURE_TEMPLATES) {
      const names = Object.values(t.build('x').layers).map((l) => l.name);
      expect(new Set(names).size, t.name).toBe(names.length);
    }
  });

  it('draw no connection behind a layer: a straight connection that skips rows has none in its way', () => {
    for (const t of ARCHITECTURE_TEMPLATES) {
      const { layers, edges } = t.build('x');
      for (const e of Object.values(edges)) {
        const [a, b] = [layers[e.from]!.position, layers[e.to]!.position];
        if (a.x !== b.x) continue;
        const between = Object.values(layers).filter((l) => l.position.x === a.x && l.position.y > a.y && l.position.y < b.y);
        expect(between.map((l) => l.name), `${t.name}: ${layers[e.from]!.name} → ${layers[e.to]!.name}`).toEqual([]);
      }
    }
  });

  it('lay layers out top to bottom: every connection points down', () => {
    for (const t of ARCHITECTURE_TEMPLATES) {
      const { layers, edges } = t.build('x');
      for (const e of Object.values(edges)) expect(layers[e.to]!.position.y, t.name).toBeGreaterThan(layers[e.from]!.position.y);
    }
  });
});
