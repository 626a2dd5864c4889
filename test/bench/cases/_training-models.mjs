/**
 * The MNIST examples as the app defines them (src/model/examples.ts), read from the source so
 * that every side of the training benchmarks trains the same thing: the architecture as the
 * Keras JSON the engine builds (toModelTopology, seeded), and the pipeline's settings (Load
 * MNIST's samples, the split's test fraction, Train's attributes with the operation's defaults
 * applied). The model sources are TypeScript: they are bundled once per bench run with rolldown
 * (as test/integration/engine-harness.ts does) into a temp dir.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rolldown } from 'rolldown';

async function bundle(ctx) {
  const dir = ctx.tempDir('deepforge-bench-models-');
  const entry = join(dir.path, 'entry.ts');
  const src = (p) => JSON.stringify(join(ctx.root, p));
  writeFileSync(entry, `export { findExample } from ${src('src/model/examples.ts')};\nexport { toModelTopology } from ${src('src/model/architecture/index.ts')};\nexport { CORE_OPERATIONS } from ${src('src/model/library/core.ts')};\nexport { ENGINE_PROTOCOL_VERSION } from ${src('src/engine/protocol.ts')};\n`);
  const build = await rolldown({ input: entry, platform: 'node', logLevel: 'silent' });
  const file = join(dir.path, 'models.mjs');
  await build.write({ file, format: 'esm' });
  await build.close();
  return import(pathToFileURL(file).href);
}

/** The node of `pipeline` running operation `operationId`, with its attributes by name (defaults applied). */
function nodeAttributes(project, pipeline, operationId) {
  const node = Object.values(pipeline.nodes).find((n) => n.operationId === operationId);
  if (!node) throw new Error(`The example's pipeline has no ${operationId} node; update test/bench/cases/_training-models.mjs.`);
  const op = project.operations[operationId];
  const attributes = {};
  for (const schema of Object.values(op.attributes)) attributes[schema.name] = node.attributes[schema.id] ?? schema.default;
  const references = Object.fromEntries(Object.values(op.references).map((r) => [r.name, node.references[r.id]]));
  return { id: node.id, attributes, references };
}

/**
 * `{ title, architecture, pipelineName, trainJob, topology, layers, load, split, train, trainSamples }` for an
 * example id ('mnist-mlp', 'mnist-cnn'). `trainJob` is the Train node's id (the job's id in a
 * run); `trainSamples(samples)` is what Train receives after the split when Load MNIST loads `samples`.
 */
export async function exampleSpec(ctx, id) {
  ctx.shared.trainingModels ??= bundle(ctx);
  const { findExample, toModelTopology } = await ctx.shared.trainingModels;
  const example = findExample(id);
  if (!example) throw new Error(`No example "${id}" in src/model/examples.ts.`);
  const { project, mainPipelineId } = example.build(0);
  const pipeline = project.pipelines[mainPipelineId];
  const load = nodeAttributes(project, pipeline, 'core.load-mnist').attributes;
  const split = nodeAttributes(project, pipeline, 'core.split').attributes;
  const { id: trainJob, attributes: train, references } = nodeAttributes(project, pipeline, 'core.train');
  const architecture = project.architectures[references.net];
  const topology = toModelTopology(architecture, { seed: train.seed });
  return {
    title: example.title,
    architecture,
    pipelineName: pipeline.name,
    trainJob,
    topology,
    layers: topology.config.layers.map((l) => ({ className: l.class_name, config: l.config })),
    load,
    split,
    train,
    trainSamples: (samples = load.samples) => samples - Math.round(samples * split.testFraction),
  };
}

/** The built-in operations (src/model/library/core.ts) by id, and the engine protocol's version. */
export async function engineSources(ctx) {
  ctx.shared.trainingModels ??= bundle(ctx);
  const { CORE_OPERATIONS, ENGINE_PROTOCOL_VERSION } = await ctx.shared.trainingModels;
  return { operations: CORE_OPERATIONS, protocol: ENGINE_PROTOCOL_VERSION };
}
