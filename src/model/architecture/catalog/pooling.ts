/** Max and average pooling (1D, 2D, 3D) and their global forms. */
import type { Shape } from '../spec';
import { checkPositive, convLength, ints, kernel, padding, single, type LayerKernel } from './define';

const NAMES = ['', '1D', '2D', '3D'];

function pooling(kind: 'max' | 'average', dims: number): LayerKernel {
  const title = `${kind === 'max' ? 'MaxPooling' : 'AveragePooling'}${NAMES[dims]}`;
  return kernel({
    type: `${kind}Pooling${dims}d`, title, keras: title, category: 'Pooling', inputs: 1,
    doc: `Keeps the ${kind === 'max' ? 'largest' : 'mean'} value of each window, shrinking the ${dims === 1 ? 'sequence' : dims === 2 ? 'image' : 'volume'} by the stride.`,
    params: [
      ints('poolSize', 'Pool size', dims, 2, 'The window size.'),
      ints('strides', 'Strides', dims, null, 'How far the window moves; unset means the pool size.', true),
      padding(),
    ],
    output: (k) => {
      const input = single(k, { exact: dims + 2 });
      const size = k.cfg.ints('poolSize', dims);
      const strides = k.cfg.intsOrNull('strides', dims) ?? size;
      const pad = k.cfg.str('padding');
      const out: Shape = [null, ...input.slice(1, -1).map((d, i) => convLength(d, size[i]!, pad, strides[i]!)), input[input.length - 1]!];
      return checkPositive(title, input, out, pad);
    },
  });
}

function global(kind: 'max' | 'average', dims: number): LayerKernel {
  const title = `Global${kind === 'max' ? 'Max' : 'Average'}Pooling${NAMES[dims]}`;
  return kernel({
    type: `global${kind === 'max' ? 'Max' : 'Average'}Pooling${dims}d`, title, keras: title, category: 'Pooling', inputs: 1,
    doc: `Reduces each feature map to its ${kind === 'max' ? 'maximum' : 'mean'}: [null, ${dims === 1 ? 'steps' : 'h, w'}, c] → [null, c].`,
    params: [],
    output: (k) => {
      const input = single(k, { exact: dims + 2 });
      return [null, input[input.length - 1]!];
    },
  });
}

export const POOLING: LayerKernel[] = [
  pooling('max', 1), pooling('max', 2), pooling('max', 3),
  pooling('average', 1), pooling('average', 2), pooling('average', 3),
  global('max', 1), global('max', 2), global('average', 1), global('average', 2),
];
