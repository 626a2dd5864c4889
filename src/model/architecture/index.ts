/**
 * Architectures: graphs of tfjs/Keras layers with live shapes, parameter counts and problems that come with
 * one-click fixes. The catalog (`catalog/`) declares every layer type once; `infer.ts` computes shapes and counts
 * that equal what tfjs reports; `edits.ts` turns editor gestures into plans; `keras-export.ts` and
 * `keras-import.ts` speak model.json. Pure: no tfjs, no DOM, no Automerge.
 */
export type { ArchitectureProblem, EdgeInference, Fix, Inference, LayerCategory, LayerInference, LayerType, ParamKind, ParamSpec, ProblemCode, Shape } from './spec';
export { LAYER_CATEGORIES } from './spec';
export { LAYER_CATALOG, catalogByCategory, layerType, searchCatalog } from './catalog';
export { checkParam, configValue, paramSpecsFor } from './config';
export { WRAPPED_PREFIX } from './catalog/wrappers';
export { formatShape, inferArchitecture } from './infer';
export { addArchitecture, addLayer, applyTemplate, connect, disconnect, insertBetween, moveLayers, removeLayers, renameLayer, setLayerConfig } from './edits';
export { ARCHITECTURE_TEMPLATES, type ArchitectureTemplate } from './templates';
export { toModelJson, toModelTopology, toTfjsCode, type TopologyOptions } from './keras-export';
export { ModelImportError, importModel, type ImportResult } from './keras-import';
export { layeredLayout } from './layout';
