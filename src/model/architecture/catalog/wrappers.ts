/**
 * Wrapper layers (Bidirectional, TimeDistributed) hold another layer. Configs stay flat: `config.layer` names the
 * wrapped layer's type and its parameters sit beside the wrapper's own under the prefix `layer.`, e.g.
 * `{ layer: 'lstm', mergeMode: 'concat', 'layer.units': 64, 'layer.returnSequences': true }`.
 */
import type { ParamSpec, Shape } from '../spec';
import { kernel, LayerIssue, NONE, single, type KernelInput, type LayerKernel } from './define';

export const WRAPPED_PREFIX = 'layer.';

export const RECURRENT_TYPES = ['lstm', 'gru', 'simpleRNN'] as const;

/** What TimeDistributed may wrap: layers applied to each timestep on their own. */
export const TIME_DISTRIBUTABLE = [
  'dense', 'activation', 'dropout', 'flatten', 'reshape', 'conv1d', 'conv2d', 'maxPooling1d', 'maxPooling2d',
  'averagePooling2d', 'globalAveragePooling2d', 'globalMaxPooling2d', 'batchNormalization', 'layerNormalization',
] as const;

type Lookup = (type: string) => LayerKernel | undefined;

function inner(k: KernelInput, lookup: Lookup, allowed: readonly string[]): { kernel: LayerKernel; input: KernelInput } {
  const type = k.cfg.str('layer');
  const wrapped = allowed.includes(type) ? lookup(type) : undefined;
  if (!wrapped) throw new LayerIssue('invalid-config', `${k.title} wraps "${type}", which is not a layer type it can wrap.`, [], 'layer');
  return { kernel: wrapped, input: { ...k, title: `${k.title}(${wrapped.title})`, cfg: k.cfg.wrapped(wrapped.params) } };
}

export function wrappers(lookup: Lookup): LayerKernel[] {
  return [
    kernel({
      type: 'bidirectional', title: 'Bidirectional', category: 'Recurrent', keras: 'Bidirectional', inputs: 1,
      doc: 'Runs a recurrent layer (LSTM, GRU or SimpleRNN) forwards and backwards over the sequence and merges both outputs.',
      params: [
        { key: 'layer', label: 'Layer', kind: 'enum', default: 'lstm', options: RECURRENT_TYPES, doc: 'The recurrent layer run in both directions.' },
        { key: 'mergeMode', label: 'Merge mode', kind: 'enum', default: 'concat', options: ['concat', 'sum', 'mul', 'ave'], doc: "How the two directions are combined; 'concat' doubles the units." },
      ],
      output: (k) => {
        const { kernel: rnn, input } = inner(k, lookup, RECURRENT_TYPES);
        const out = rnn.output(input);
        return k.cfg.str('mergeMode') === 'concat' ? [...out.slice(0, -1), out[out.length - 1]! * 2] : out;
      },
      weights: (k) => {
        const { kernel: rnn, input } = inner(k, lookup, RECURRENT_TYPES);
        const w = rnn.weights?.(input) ?? NONE;
        return { trainable: 2 * w.trainable, nonTrainable: 2 * w.nonTrainable };
      },
    }),
    kernel({
      type: 'timeDistributed', title: 'TimeDistributed', category: 'Recurrent', keras: 'TimeDistributed', inputs: 1,
      doc: 'Applies the same layer to every timestep of a sequence, e.g. a Dense per step.',
      params: [{ key: 'layer', label: 'Layer', kind: 'enum', default: 'dense', options: TIME_DISTRIBUTABLE, doc: 'The layer applied at each step.' }],
      output: (k) => {
        const input = single(k, { min: 3 });
        const { kernel: step, input: stepInput } = inner({ ...k, inputs: [perStep(input)] }, lookup, TIME_DISTRIBUTABLE);
        const out = step.output(stepInput);
        return [null, input[1]!, ...out.slice(1)];
      },
      weights: (k) => {
        const { kernel: step, input } = inner({ ...k, inputs: [perStep(k.inputs[0]!)] }, lookup, TIME_DISTRIBUTABLE);
        return step.weights?.(input) ?? NONE;
      },
    }),
  ];
}

const perStep = (input: Shape): Shape => [null, ...input.slice(2)];

/** The wrapped layer's parameters as the wrapper shows them: prefixed keys and labels. */
export function wrappedParams(wrapper: readonly ParamSpec[], wrapped: LayerKernel | undefined): ParamSpec[] {
  if (!wrapped) return [...wrapper];
  return [...wrapper, ...wrapped.params.map((p) => ({ ...p, key: WRAPPED_PREFIX + p.key, label: `${wrapped.title} ${p.label.charAt(0).toLowerCase()}${p.label.slice(1)}` }))];
}
