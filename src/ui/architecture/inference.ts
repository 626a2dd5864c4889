/**
 * Inference shared by the views that show one architecture at the same moment (canvas, problems, summary,
 * inspector): computed once per state of the architecture. Document states are immutable snapshots, so an
 * architecture object never changes under its cached result.
 */
import { inferArchitecture, type Inference } from '../../model/architecture';
import type { Architecture } from '../../model/types';

const cache = new WeakMap<Architecture, Inference>();

export function inferenceOf(architecture: Architecture): Inference {
  let result = cache.get(architecture);
  if (!result) {
    result = inferArchitecture(architecture);
    cache.set(architecture, result);
  }
  return result;
}
