import { describe, expect, it } from 'vitest';
import { EXAMPLES } from './examples';
import { applyPlanToObject, isRefusal, type Plan } from './plan';
import { createOperation, createPipeline, deleteItem, newProject, renameItem, renameProject, uniqueName } from './project';
import type { Pipeline, Project } from './types';
import { checkAttribute, validatePipeline } from './validation';

const NOW = 1_700_000_000_000;

function apply(project: Project, plan: Plan | { refused: string }): Project {
  if (isRefusal(plan)) throw new Error(plan.refused);
  return applyPlanToObject(project, plan);
}

describe('projects', () => {
  it('renames with a message and refuses an empty name', () => {
    const p = newProject('Iris', NOW);
    const plan = renameProject(p, '  Iris v2 ', NOW + 1);
    expect(isRefusal(plan) ? null : plan.message).toBe('renamed project to Iris v2');
    expect(apply(p, plan).name).toBe('Iris v2');
    const refused = renameProject(p, '   ', NOW);
    expect(isRefusal(refused) && refused.refused).toMatch(/needs a name/);
  });

  it('gives new items the first free name', () => {
    expect(uniqueName('Pipeline', ['Pipeline', 'pipeline 2'])).toBe('Pipeline 3');
    const p = newProject('x', NOW);
    apply(p, createPipeline(p, NOW, 'a'));
    apply(p, createPipeline(p, NOW, 'b'));
    expect(p.pipelines.b!.name).toBe('Pipeline 2');
  });

  it('refuses to delete an operation a pipeline runs, and says where', () => {
    const { project } = EXAMPLES[0]!.build(NOW);
    const refused = deleteItem(project, 'operations', 'core.train', NOW);
    expect(isRefusal(refused) && refused.refused).toMatch(/Train Iris MLP runs it/);
    const ok = deleteItem(project, 'pipelines', 'main', NOW);
    expect(isRefusal(ok)).toBe(false);
    apply(project, ok);
    expect(project.pipelines.main).toBeUndefined();
    expect(isRefusal(deleteItem(project, 'operations', 'core.train', NOW))).toBe(false);
  });

  it('renames an item and refuses a vanished one', () => {
    const p = newProject('x', NOW);
    const { id } = createOperation(p, NOW);
    apply(p, createOperation(p, NOW, id));
    apply(p, renameItem(p, 'operations', id, 'Normalize', NOW));
    expect(p.operations[id]!.name).toBe('Normalize');
    const gone = renameItem(p, 'operations', 'nope', 'x', NOW);
    expect(isRefusal(gone)).toBe(true);
  });
});

describe('examples', () => {
  it.each(EXAMPLES.map((e) => [e.title, e] as const))('%s builds a pipeline with no problems', (_, example) => {
    const { project, mainPipelineId } = example.build(NOW);
    expect(project.name).toBe(example.title);
    const pipeline = project.pipelines[mainPipelineId]!;
    expect(Object.keys(pipeline.nodes).length).toBeGreaterThanOrEqual(4);
    expect(validatePipeline(project, pipeline)).toEqual([]);
  });
});

describe('validatePipeline', () => {
  function mnist(): { project: Project; pipeline: Pipeline } {
    const { project } = EXAMPLES.find((e) => e.id === 'mnist-cnn')!.build(NOW);
    return { project, pipeline: project.pipelines.main! };
  }

  it('points at the node whose required input is unconnected', () => {
    const { project, pipeline } = mnist();
    delete pipeline.edges['main_split.test-evaluate.dataset'];
    const problems = validatePipeline(project, pipeline);
    expect(problems).toEqual([expect.objectContaining({ code: 'unconnected-input', nodeId: 'main_evaluate', field: 'dataset' })]);
    expect(problems[0]!.message).toBe('Evaluate needs its input dataset connected.');
  });

  it('names a type mismatch on the exact edge', () => {
    const { project, pipeline } = mnist();
    const edge = pipeline.edges['main_train.model-evaluate.model']!;
    edge.to.port = 'dataset';
    delete pipeline.edges['main_split.test-evaluate.dataset'];
    const problems = validatePipeline(project, pipeline);
    expect(problems).toContainEqual(expect.objectContaining({ code: 'type-mismatch', edgeId: edge.id }));
  });

  it('lists every edge of a cycle, and only those', () => {
    const { project, pipeline } = mnist();
    pipeline.edges.back = { id: 'back', from: { node: 'main_evaluate', port: 'metrics' }, to: { node: 'main_split', port: 'dataset' } };
    project.operations['core.evaluate']!.outputs.metrics!.type = 'dataset';
    const cycle = validatePipeline(project, pipeline).filter((p) => p.code === 'cycle').map((p) => p.edgeId);
    expect(cycle).toEqual(['back', 'main_split.test-evaluate.dataset', 'main_split.train-train.dataset', 'main_train.model-evaluate.model'].sort());
  });

  it('reports dangling edges, missing references and invalid attributes', () => {
    const { project, pipeline } = mnist();
    delete pipeline.nodes.main_load;
    pipeline.nodes.main_train!.references = {};
    pipeline.nodes.main_train!.attributes.epochs = 0;
    pipeline.nodes.main_split!.attributes.seed = 1.5;
    const codes = validatePipeline(project, pipeline).map((p) => `${p.code}:${p.nodeId ?? p.edgeId}`);
    expect(codes).toEqual(expect.arrayContaining([
      'dangling-edge:main_load.dataset-split.dataset',
      'missing-reference:main_train',
      'invalid-attribute:main_train',
      'invalid-attribute:main_split',
      'unconnected-input:main_split',
    ]));
  });
});

describe('checkAttribute', () => {
  it('checks bounds, integers, enums and patterns', () => {
    const n = { id: 'lr', name: 'lr', type: 'number' as const, default: 0.1, min: 0, max: 1, order: 0 };
    expect(checkAttribute(n, 0.5)).toBeNull();
    expect(checkAttribute(n, 2)).toBe('lr must be at most 1.');
    expect(checkAttribute({ ...n, type: 'integer' }, 0.5)).toBe('lr must be a whole number.');
    expect(checkAttribute({ ...n, type: 'enum', options: ['a', 'b'] }, 'c')).toBe('lr must be one of a, b.');
    expect(checkAttribute({ ...n, type: 'string', pattern: '[a-z]+' }, 'abc')).toBeNull();
    expect(checkAttribute({ ...n, type: 'string', pattern: '[a-z]+' }, 'abc1')).toBe('lr must match [a-z]+.');
    expect(checkAttribute({ ...n, type: 'string', pattern: '(' }, 'x')).toMatch(/invalid pattern/);
  });
});
