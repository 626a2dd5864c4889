import { describe, expect, it } from 'vitest';
import { EXAMPLES } from './examples';
import { applyPlanToObject, isRefusal } from './plan';
import { describePath, nameVersion, removeVersion, versionsByHead } from './versions';

const project = () => EXAMPLES.find((e) => e.id === 'mnist-cnn')!.build(0).project;

describe('named versions', () => {
  it('names a point and finds the name by its head', () => {
    const p = project();
    const plan = nameVersion(p, ' Submitted to the course ', ['h1'], 5, { name: 'Ada', color: '#e11d48' }, 'v1');
    expect(isRefusal(plan)).toBe(false);
    applyPlanToObject(p, plan as Exclude<typeof plan, { refused: string }>);
    expect(p.versions.v1).toMatchObject({ name: 'Submitted to the course', heads: ['h1'] });
    expect(versionsByHead(p).get('h1')?.map((v) => v.name)).toEqual(['Submitted to the course']);
    const removed = removeVersion(p, 'v1');
    applyPlanToObject(p, removed as Exclude<typeof removed, { refused: string }>);
    expect(p.versions.v1).toBeUndefined();
  });
  it('refuses an empty name', () => {
    expect(isRefusal(nameVersion(project(), '  ', ['h'], 0))).toBe(true);
  });
  it('describes where a value lives in the words of the project', () => {
    const p = project();
    expect(describePath(p, ['pipelines', 'main', 'nodes', 'main_train', 'attributes', 'epochs'])).toBe('Train MNIST CNN › Train › epochs');
    expect(describePath(p, ['architectures', 'cnn', 'layers', 'cnn_l1', 'config', 'filters'])).toBe('Small CNN › conv2d_1 › filters');
    expect(describePath(p, ['name'])).toBe('the project name');
  });
});
