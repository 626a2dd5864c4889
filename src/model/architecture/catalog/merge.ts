/** Merge layers: combine several inputs (add, multiply, average, maximum, minimum, concatenate, dot). */
import type { Shape } from '../spec';
import { fmt, kernel, LayerIssue, type KernelInput, type LayerKernel } from './define';

function atLeastTwo({ inputs, title }: KernelInput): void {
  if (inputs.length < 2) throw new LayerIssue('too-few-inputs', `${title} merges several inputs but has ${inputs.length}; connect at least two layers to it.`);
}

/** Two known sizes must agree; an unknown (null) one takes the other. */
function unify(a: number | null, b: number | null): number | null | undefined {
  if (a === null) return b;
  if (b === null) return a;
  return a === b ? a : undefined;
}

function elementwise(type: string, title: string, doc: string): LayerKernel {
  return kernel({
    type, title, keras: title, category: 'Merge', inputs: 'many', doc, params: [],
    output: (k) => {
      atLeastTwo(k);
      const [first, ...rest] = k.inputs;
      let out: Shape = first!;
      for (const shape of rest) {
        const merged = shape.length === out.length ? out.map((d, i) => unify(d, shape[i]!)) : [undefined];
        if (merged.includes(undefined)) {
          throw new LayerIssue('incompatible-merge', `${title} needs inputs of the same shape, got ${k.inputs.map(fmt).join(' and ')}; make the branches end in the same shape (e.g. the same number of units or filters).`);
        }
        out = merged as Shape;
      }
      return out;
    },
  });
}

export const MERGE: LayerKernel[] = [
  elementwise('add', 'Add', 'Adds its inputs element by element: the join of a residual (skip) connection.'),
  elementwise('multiply', 'Multiply', 'Multiplies its inputs element by element (e.g. gating).'),
  elementwise('average', 'Average', 'Averages its inputs element by element.'),
  elementwise('maximum', 'Maximum', 'Keeps the element-wise maximum of its inputs.'),
  elementwise('minimum', 'Minimum', 'Keeps the element-wise minimum of its inputs.'),
  kernel({
    type: 'concatenate', title: 'Concatenate', category: 'Merge', keras: 'Concatenate', inputs: 'many',
    doc: 'Joins its inputs along one axis (the last by default); the other axes must match.',
    params: [{ key: 'axis', label: 'Axis', kind: 'integer', default: -1, doc: 'The axis to join along; -1 is the last.' }],
    output: (k) => {
      atLeastTwo(k);
      const rank = k.inputs[0]!.length;
      const axis = k.cfg.num('axis') < 0 ? rank + k.cfg.num('axis') : k.cfg.num('axis');
      const mismatch = () =>
        new LayerIssue('incompatible-merge', `Concatenate joins along axis ${k.cfg.num('axis')} and needs every other axis equal, got ${k.inputs.map(fmt).join(' and ')}.`, [], 'axis');
      if (axis <= 0 || axis >= rank || k.inputs.some((s) => s.length !== rank)) throw mismatch();
      const out: Shape = [...k.inputs[0]!];
      for (const shape of k.inputs.slice(1)) {
        for (let i = 1; i < rank; i++) {
          if (i === axis) out[i] = out[i] === null || shape[i] === null ? null : out[i]! + shape[i]!;
          else {
            const d = unify(out[i]!, shape[i]!);
            if (d === undefined) throw mismatch();
            out[i] = d;
          }
        }
      }
      return out;
    },
  }),
  kernel({
    type: 'dot', title: 'Dot', category: 'Merge', keras: 'Dot', inputs: 'many',
    doc: 'The dot product of two inputs along the given axes (e.g. attention scores, cosine similarity).',
    params: [
      { key: 'axes', label: 'Axes', kind: 'ints', length: 2, default: -1, doc: 'The axis of each input to multiply along; one number for both.' },
      { key: 'normalize', label: 'Normalize', kind: 'boolean', default: false, doc: 'L2-normalise first, giving cosine similarity.' },
    ],
    output: (k) => {
      atLeastTwo(k);
      if (k.inputs.length > 2) throw new LayerIssue('too-many-inputs', `Dot takes exactly two inputs, got ${k.inputs.length}; remove the extra connection.`);
      const [a, b] = k.inputs as [Shape, Shape];
      if (a.length > 3 || b.length > 3 || a.length < 2 || b.length < 2) {
        throw new LayerIssue('wrong-rank', `Dot supports inputs of rank 2 or 3, got ${fmt(a)} and ${fmt(b)}.`);
      }
      const axes = k.cfg.ints('axes', 2).map((x, i) => (x < 0 ? x + (i === 0 ? a : b).length : x));
      if (axes[0]! <= 0 || axes[1]! <= 0 || axes[0]! >= a.length || axes[1]! >= b.length || unify(a[axes[0]!]!, b[axes[1]!]!) === undefined) {
        throw new LayerIssue('incompatible-merge', `Dot multiplies ${fmt(a)} and ${fmt(b)} along axes ${fmt(axes)}, whose sizes must be equal; choose other axes.`, [], 'axes');
      }
      const left = a.filter((_, i) => i !== axes[0]);
      const right = b.filter((_, i) => i !== axes[1]).slice(1);
      const out = [...left, ...right];
      return out.length === 1 ? [...out, 1] : out;
    },
  }),
];
