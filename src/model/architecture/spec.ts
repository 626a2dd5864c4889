/**
 * The vocabulary of architectures: what a layer type declares in the catalog (its typed parameters, arity and
 * documentation), the shapes inference computes, and the problems it reports with their one-click fixes.
 * Plain types only; the catalog lives in `catalog/`, inference in `infer.ts`.
 */
import type { PlanResult } from '../plan';
import type { Id, LayerConfigValue, Project } from '../types';

/** A tensor shape as tfjs prints it: `null` for the batch (or any unknown) dimension, e.g. `[null, 26, 26, 32]`. */
export type Shape = Array<number | null>;

export const LAYER_CATEGORIES = ['Input', 'Core', 'Convolution', 'Pooling', 'Normalization', 'Recurrent', 'Merge', 'Activation', 'Noise'] as const;
export type LayerCategory = (typeof LAYER_CATEGORIES)[number];

export type ParamKind = 'integer' | 'number' | 'boolean' | 'enum' | 'string' | 'ints' | 'shape';

/** One typed, documented parameter of a layer type; the editor builds its control from this. */
export interface ParamSpec {
  /** The tfjs config key (camelCase), e.g. `kernelSize`; wrapped layers' keys are prefixed `layer.` (see wrappers.ts). */
  key: string;
  label: string;
  kind: ParamKind;
  /** The value used when the config does not set the key; `null` means "none" (e.g. no regularizer). */
  default: LayerConfigValue;
  min?: number;
  max?: number;
  /** Allowed values of an `enum`. */
  options?: readonly string[];
  /** For `ints`: how many integers (a single integer is also accepted and means "the same for every axis"). */
  length?: number;
  doc: string;
  /** May be left unset (`null`): e.g. the input length of an embedding or a regularizer. */
  optional?: boolean;
}

export interface LayerType {
  /** The registry key and tfjs factory name: `conv2d`, `maxPooling2d`, `lstm`. */
  type: string;
  /** The name people know, as Keras spells the class: `Conv2D`. */
  title: string;
  category: LayerCategory;
  doc: string;
  /** How many incoming edges it takes: none (an input), exactly one, or several (merge layers). */
  inputs: 0 | 1 | 'many';
  params: readonly ParamSpec[];
  /** The Keras/tfjs class name used in model.json: `Conv2D`. */
  keras: string;
}

export type ProblemCode =
  | 'unknown-type'
  | 'invalid-config'
  | 'missing-config'
  | 'wrong-rank'
  | 'bad-shape'
  | 'non-positive-dim'
  | 'incompatible-merge'
  | 'too-few-inputs'
  | 'too-many-inputs'
  | 'missing-input'
  | 'input-has-inputs'
  | 'unused-input'
  | 'cycle'
  | 'dangling-edge'
  | 'duplicate-name';

/** A suggested repair, offered as one click: the plan is computed from the project at the time of the click. */
export interface Fix {
  label: string;
  plan(project: Project, now: number): PlanResult;
}

export interface ArchitectureProblem {
  code: ProblemCode;
  /** What is wrong and what to do, e.g. "Dense got a rank-4 input [null,26,26,32]; insert Flatten?". */
  message: string;
  layerId?: Id;
  edgeId?: Id;
  /** The config key the problem is about. */
  field?: string;
  fixes: Fix[];
}

export interface LayerInference {
  /** Undefined when the layer's output cannot be known (an error here or upstream). */
  outputShape?: Shape;
  /** The shapes arriving at the layer, in slot order. */
  inputShapes: Shape[];
  params: number;
  trainable: number;
  errors: ArchitectureProblem[];
}

export interface EdgeInference {
  shape?: Shape;
  error?: ArchitectureProblem;
}

export interface Inference {
  layers: Record<Id, LayerInference>;
  edges: Record<Id, EdgeInference>;
  totalParams: number;
  trainableParams: number;
  problems: ArchitectureProblem[];
  /** Layers in topological order (layers on a cycle are left out). */
  order: Id[];
  inputs: Id[];
  outputs: Id[];
}
