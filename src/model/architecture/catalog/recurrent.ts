/** Recurrent layers: SimpleRNN, LSTM and GRU over sequences [null, steps, features]. */
import type { ParamSpec, Shape } from '../spec';
import { activation, initializer, kernel, lastDim, regularizer, single, useBias, type KernelInput, type LayerKernel, type Remedy } from './define';

/** Recurrent layers need a sequence; the usual mistake is a previous recurrent layer that returns only its last step. */
function sequenceInput(k: KernelInput): Shape {
  const input = k.inputs[0]!;
  const remedies: Remedy[] =
    input.length === 2
      ? [
          { kind: 'set-source', key: 'returnSequences', value: true, label: 'Set returnSequences of the previous layer to true' },
          { kind: 'insert-before', type: 'repeatVector', label: 'Insert RepeatVector' },
          { kind: 'insert-before', type: 'reshape', config: { targetShape: [-1, 1] }, label: 'Insert Reshape to [-1, 1]' },
        ]
      : [];
  return single(k, { exact: 3 }, remedies);
}

function recurrentParams(type: string): ParamSpec[] {
  const gates = type !== 'simpleRNN';
  return [
    { key: 'units', label: 'Units', kind: 'integer', default: 32, min: 1, doc: 'The size of the hidden state.' },
    activation('tanh'),
    ...(gates ? [activation('hardSigmoid', 'recurrentActivation', 'Recurrent activation')] : []),
    useBias,
    { key: 'returnSequences', label: 'Return sequences', kind: 'boolean', default: false, doc: 'Output every step ([null, steps, units]) instead of only the last ([null, units]); needed before another recurrent layer.' },
    { key: 'goBackwards', label: 'Go backwards', kind: 'boolean', default: false, doc: 'Read the sequence from its end.' },
    { key: 'dropout', label: 'Dropout', kind: 'number', default: 0, min: 0, max: 0.999, doc: 'Fraction of the inputs dropped while training.' },
    { key: 'recurrentDropout', label: 'Recurrent dropout', kind: 'number', default: 0, min: 0, max: 0.999, doc: 'Fraction of the recurrent state dropped while training.' },
    ...(type === 'lstm' ? [{ key: 'unitForgetBias', label: 'Unit forget bias', kind: 'boolean', default: true, doc: 'Start the forget gate open (bias 1).' } satisfies ParamSpec] : []),
    initializer('kernelInitializer', 'Kernel initializer', 'glorotNormal'),
    initializer('recurrentInitializer', 'Recurrent initializer', 'orthogonal'),
    initializer('biasInitializer', 'Bias initializer', 'zeros'),
    regularizer('kernelRegularizer', 'Kernel regularizer'),
    regularizer('recurrentRegularizer', 'Recurrent regularizer'),
    regularizer('biasRegularizer', 'Bias regularizer'),
  ];
}

function recurrent(type: string, title: string, gates: number, doc: string): LayerKernel {
  return kernel({
    type, title, keras: title, category: 'Recurrent', inputs: 1, doc, params: recurrentParams(type),
    output: (k) => {
      const input = sequenceInput(k);
      lastDim(k);
      const units = k.cfg.num('units');
      return k.cfg.bool('returnSequences') ? [null, input[1]!, units] : [null, units];
    },
    weights: (k) => {
      const u = k.cfg.num('units');
      return { trainable: gates * u * (lastDim(k) + u + (k.cfg.bool('useBias') ? 1 : 0)), nonTrainable: 0 };
    },
  });
}

export const RECURRENT: LayerKernel[] = [
  recurrent('simpleRNN', 'SimpleRNN', 1, 'A plain recurrent layer: the hidden state is fed back at each step.'),
  recurrent('lstm', 'LSTM', 4, 'Long short-term memory: gated recurrence that keeps information over long sequences.'),
  recurrent('gru', 'GRU', 3, 'Gated recurrent unit: like LSTM with fewer gates and weights.'),
];
