import { describe, expect, it } from 'vitest';
import { applyPlanToObject, isRefusal, type PlanResult } from '../plan';
import { newProject } from '../project';
import type { Project } from '../types';
import { addLayer, applyTemplate, connect, disconnect, insertBetween, moveLayers, removeLayers, renameLayer, setLayerConfig } from './edits';
import { inferArchitecture } from './infer';

function start(): Project {
  const p = newProject('p', 0);
  p.architectures.a = { id: 'a', name: 'A', description: '', layers: {}, edges: {}, createdAt: 0, updatedAt: 0 };
  return p;
}

function apply(p: Project, r: PlanResult): Project {
  if (isRefusal(r)) throw new Error(r.refused);
  return applyPlanToObject(p, r);
}

/** input → dense → dense, built with the editor's own edits. */
function chain(): Project {
  let p = start();
  p = apply(p, addLayer(p, 'a', 'input', { x: 0, y: 0 }, 1, 'in', { shape: [4] }));
  p = apply(p, addLayer(p, 'a', 'dense', { x: 0, y: 100 }, 1, 'd1'));
  p = apply(p, addLayer(p, 'a', 'dense', { x: 0, y: 200 }, 1, 'd2', { units: 3 }));
  p = apply(p, connect(p, 'a', 'in', 'd1', 1, 'e1'));
  return apply(p, connect(p, 'a', 'd1', 'd2', 1, 'e2'));
}

describe('architecture edits', () => {
  it('adds layers with the catalog defaults and readable unique names', () => {
    const p = chain();
    expect(p.architectures.a!.layers.d1).toMatchObject({ name: 'dense_1', config: { units: 32, activation: 'linear', useBias: true } });
    expect(p.architectures.a!.layers.d2!.name).toBe('dense_2');
    expect(p.architectures.a!.layers.d2!.config.units).toBe(3);
    expect(inferArchitecture(p.architectures.a!).layers.d2!.outputShape).toEqual([null, 3]);
    expect(isRefusal(addLayer(p, 'a', 'nope', { x: 0, y: 0 }, 1))).toBe(true);
  });

  it('refuses loops, feeding an Input, and a second input into a single-input layer, each with the reason', () => {
    const p = chain();
    expect(connect(p, 'a', 'd2', 'd1', 2)).toEqual({ refused: 'Connecting dense_2 to dense_1 would close a loop; data must flow one way.' });
    expect(connect(p, 'a', 'd1', 'd1', 2)).toEqual({ refused: 'A layer cannot feed itself.' });
    expect(connect(p, 'a', 'd2', 'in', 2)).toMatchObject({ refused: expect.stringContaining('is an Input layer') });
    expect(connect(p, 'a', 'in', 'd2', 2)).toMatchObject({ refused: expect.stringContaining('takes one input and already has one from dense_1') });
  });

  it('gives merge inputs increasing slots', () => {
    let p = chain();
    p = apply(p, addLayer(p, 'a', 'concatenate', { x: 0, y: 300 }, 2, 'cat'));
    p = apply(p, connect(p, 'a', 'd2', 'cat', 2, 'm1'));
    p = apply(p, connect(p, 'a', 'd1', 'cat', 2, 'm2'));
    expect([p.architectures.a!.edges.m1!.slot, p.architectures.a!.edges.m2!.slot]).toEqual([0, 1]);
    expect(inferArchitecture(p.architectures.a!).layers.cat!.outputShape).toEqual([null, 35]);
  });

  it('validates parameter values against their spec, and resets to the default', () => {
    let p = chain();
    expect(setLayerConfig(p, 'a', 'd1', 'units', 0, 2)).toEqual({ refused: 'Units must be at least 1.' });
    expect(setLayerConfig(p, 'a', 'd1', 'activation', 'sparkle', 2)).toMatchObject({ refused: expect.stringContaining('Activation must be one of linear, relu') });
    expect(setLayerConfig(p, 'a', 'd1', 'filters', 3, 2)).toEqual({ refused: 'Dense has no parameter filters.' });
    p = apply(p, setLayerConfig(p, 'a', 'd1', 'units', 8, 2));
    expect(inferArchitecture(p.architectures.a!).layers.d1!.outputShape).toEqual([null, 8]);
    p = apply(p, setLayerConfig(p, 'a', 'd1', 'units', undefined, 3));
    expect(p.architectures.a!.layers.d1!.config.units).toBeUndefined();
    expect(inferArchitecture(p.architectures.a!).layers.d1!.outputShape).toEqual([null, 32]);
  });

  it('switching a wrapper\'s layer replaces the wrapped parameters', () => {
    let p = start();
    p = apply(p, addLayer(p, 'a', 'bidirectional', { x: 0, y: 0 }, 1, 'b'));
    expect(p.architectures.a!.layers.b!.config).toMatchObject({ layer: 'lstm', 'layer.unitForgetBias': true });
    p = apply(p, setLayerConfig(p, 'a', 'b', 'layer', 'gru', 2));
    const config = p.architectures.a!.layers.b!.config;
    expect(config.layer).toBe('gru');
    expect(config['layer.unitForgetBias']).toBeUndefined();
    expect(config['layer.units']).toBe(32);
  });

  it('renames with tfjs-safe unique names', () => {
    const p = chain();
    expect(renameLayer(p, 'a', 'd1', 'dense_2', 2)).toEqual({ refused: 'Another layer is already named dense_2; layer names must be unique.' });
    expect(isRefusal(renameLayer(p, 'a', 'd1', 'my layer', 2))).toBe(true);
    expect(apply(p, renameLayer(p, 'a', 'd1', 'hidden', 2)).architectures.a!.layers.d1!.name).toBe('hidden');
  });

  it('removes layers with their connections, disconnects and moves', () => {
    let p = chain();
    p = apply(p, removeLayers(p, 'a', ['d1'], 2));
    expect(Object.keys(p.architectures.a!.edges)).toEqual([]);
    expect(inferArchitecture(p.architectures.a!).problems.map((x) => x.code).sort()).toEqual(['missing-input', 'unused-input']);
    p = chain();
    p = apply(p, disconnect(p, 'a', ['e2'], 2));
    expect(p.architectures.a!.edges.e2).toBeUndefined();
    p = apply(p, moveLayers(p, 'a', { d1: { x: 10.4, y: 20.6 } }));
    expect(p.architectures.a!.layers.d1!.position).toEqual({ x: 10, y: 21 });
  });

  it('inserts a layer on a connection, keeping the merge slot', () => {
    let p = chain();
    const r = insertBetween(p, 'a', 'e2', 'dropout', 2, { rate: 0.1 }, 'drop');
    p = apply(p, r);
    const a = p.architectures.a!;
    expect(a.edges.e2).toBeUndefined();
    expect(Object.values(a.edges).map((e) => `${e.from}>${e.to}`).sort()).toEqual(['d1>drop', 'drop>d2', 'in>d1']);
    expect(a.layers.drop!.config.rate).toBe(0.1);
    expect(isRefusal(insertBetween(p, 'a', 'e1', 'add', 2))).toBe(true);
  });

  it('creates an architecture from a template under a free name', () => {
    let p = start();
    p = apply(p, applyTemplate(p, 'lenet5', 5, 'le1'));
    p = apply(p, applyTemplate(p, 'lenet5', 6, 'le2'));
    expect([p.architectures.le1!.name, p.architectures.le2!.name]).toEqual(['LeNet-5', 'LeNet-5 2']);
    expect(inferArchitecture(p.architectures.le1!).totalParams).toBe(61_706);
    expect(isRefusal(applyTemplate(p, 'nope', 7))).toBe(true);
  });
});
