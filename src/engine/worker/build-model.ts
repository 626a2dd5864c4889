/**
 * ctx.buildModel: an architecture (the project's layer graph) as a tf.LayersModel, synchronously, because operation
 * code writes `const model = ctx.buildModel(net, { seed })` and compiles it on the next line. The architecture
 * becomes Keras JSON (toModelTopology, with seeded initialisers), converted the way tf.models.modelFromJSON does
 * (whose only asynchronous part is loading weights, which a new model has none of) and deserialised through tfjs's
 * class registry.
 */
import * as tf from '@tensorflow/tfjs';
import { convertPythonicToTs } from '@tensorflow/tfjs-layers/dist/utils/serialization_utils';
import { toModelTopology } from '../../model/architecture';
import type { Architecture } from '../../model/types';

export class BuildModelError extends Error {
  override name = 'BuildModelError';
}

function isArchitecture(value: unknown): value is Architecture {
  return typeof value === 'object' && value !== null && typeof (value as Architecture).layers === 'object' && typeof (value as Architecture).edges === 'object';
}

export function buildModel(architecture: unknown, options: { seed?: number } = {}): tf.LayersModel {
  if (!isArchitecture(architecture)) {
    throw new BuildModelError('ctx.buildModel needs an architecture: set the operation\'s architecture reference (e.g. `net`) on the node and pass it in.');
  }
  const topology = toModelTopology(architecture, { seed: options.seed });
  const config = convertPythonicToTs(topology as never) as tf.serialization.ConfigDict;
  const className = String(config.className);
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (!entry) throw new BuildModelError(`tfjs cannot build a model of class ${className}.`);
  const [cls, fromConfig] = entry;
  const model = fromConfig(cls, config.config as tf.serialization.ConfigDict);
  if (!(model instanceof tf.LayersModel)) throw new BuildModelError(`The architecture "${architecture.name}" did not give a model.`);
  return model;
}
