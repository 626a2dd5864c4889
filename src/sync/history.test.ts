import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import { Repo } from '@automerge/automerge-repo';
import { EXAMPLES } from '../model/examples';
import { createPipeline, renameItem, renameProject } from '../model/project';
import type { Plan, PlanResult } from '../model/plan';
import type { Project } from '../model/types';
import { applyPlan } from './apply';
import { branchAt, conflictAt, findConflicts, mergeInto, resolveConflict, type BranchedProject } from './branches';
import { HistoryReader, restore, stateAt } from './history';
import { createProjectDoc } from './projects';

const ada = { name: 'Ada', color: '#e11d48' };
const grace = { name: 'Grace', color: '#16a34a' };
const NOW = 1_700_000_000_000;

function ok(p: PlanResult): Plan {
  if ('refused' in p) throw new Error(p.refused);
  return p;
}

function project(repo: Repo) {
  return createProjectDoc(repo, EXAMPLES.find((e) => e.id === 'mnist-cnn')!.build(NOW).project, ada);
}

describe('HistoryReader', () => {
  it('lists changes newest first, with author, message and item, page by page', () => {
    const repo = new Repo({ network: [] });
    const h = project(repo);
    applyPlan(h, ok(renameProject(h.doc(), 'Digits', NOW)), ada);
    applyPlan(h, ok(renameItem(h.doc(), 'pipelines', 'main', 'Fit', NOW)), grace);
    const reader = new HistoryReader(h.doc());
    const first = reader.next(2);
    expect(first.map((c) => c.message)).toEqual(['renamed pipeline Train MNIST CNN to Fit', 'renamed project to Digits']);
    expect(first[0]).toMatchObject({ author: grace, items: ['pipelines/main'] });
    expect(first[1]!.author).toEqual(ada);
    expect(reader.done).toBe(false);
    const rest = reader.next(100);
    expect(rest.map((c) => c.message)).toContain('created project MNIST CNN');
    expect(reader.done).toBe(true);
    expect(reader.next(10)).toEqual([]);
  });

  it('lists every change once when history forks and joins', () => {
    let a = A.from<{ n: Record<string, number> }>({ n: {} });
    let b = A.clone(a);
    for (let i = 0; i < 30; i++) {
      a = A.change(a, { message: `a${i}` }, (d) => void (d.n[`a${i}`] = i));
      b = A.change(b, { message: `b${i}` }, (d) => void (d.n[`b${i}`] = i));
    }
    const merged = A.merge(a, b);
    const reader = new HistoryReader(merged);
    const all = [...reader.next(7), ...reader.next(1000)];
    expect(all).toHaveLength(A.getAllChanges(merged).length);
    expect(new Set(all.map((c) => c.hash)).size).toBe(all.length);
  });

  it('opens the newest page of a long history without reading all of it', () => {
    let doc = A.from<{ n: number }>({ n: 0 });
    for (let i = 0; i < 3000; i++) doc = A.change(doc, { message: `step ${i}` }, (d) => void (d.n = i));
    const started = performance.now();
    const page = new HistoryReader(doc).next(50);
    const ms = performance.now() - started;
    console.log(`newest 50 of 3,001 changes in ${ms.toFixed(1)} ms`);
    expect(page[0]!.message).toBe('step 2999');
    expect(page[49]!.message).toBe('step 2950');
  });
});

describe('restore', () => {
  it('brings back a past state as a new change, and history keeps both', () => {
    const repo = new Repo({ network: [] });
    const h = project(repo);
    const past = A.getHeads(h.doc());
    applyPlan(h, ok(renameProject(h.doc(), 'Digits', NOW)), ada);
    applyPlan(h, ok(createPipeline(h.doc(), NOW, 'p2', 'Second')), ada);
    h.change((d) => A.splice(d, ['operations', 'core.train', 'code'], 0, 0, '// tuned\n'));
    const changesBefore = A.getAllChanges(h.doc()).length;
    expect(restore(h, past, 'restored the version of 10:00', ada)).toBe(true);
    expect(A.toJS(h.doc())).toEqual(A.toJS(stateAt(h.doc(), past)));
    expect(A.getAllChanges(h.doc()).length).toBe(changesBefore + 1);
    expect(new HistoryReader(h.doc()).next(1)[0]!.message).toBe('restored the version of 10:00');
    // Restoring the state we are already in writes nothing new.
    expect(restore(h, A.getHeads(h.doc()), 'again', ada)).toBe(false);
  });

  it('edits text in place, so a collaborator typing elsewhere in the code keeps their edit', () => {
    const repo = new Repo({ network: [] });
    const h = project(repo);
    const past = A.getHeads(h.doc());
    h.change((d) => A.splice(d, ['operations', 'core.train', 'code'], 0, 0, '// mine\n'));
    const theirs = A.change(A.clone(h.doc()), (d) => {
      const code = d.operations['core.train']!.code;
      A.splice(d, ['operations', 'core.train', 'code'], code.length, 0, '// theirs\n');
    });
    restore(h, past, 'restored', ada);
    h.update((d) => A.merge(d, theirs));
    const code = h.doc().operations['core.train']!.code;
    expect(code.startsWith('// mine')).toBe(false);
    expect(code.endsWith('// theirs\n')).toBe(true);
  });
});

describe('branches', () => {
  it('branches at a past point, edits both, merges back with a conflict to resolve', () => {
    const repo = new Repo({ network: [] });
    const main = project(repo) as unknown as import('@automerge/automerge-repo').DocHandle<BranchedProject>;
    applyPlan(main, ok(renameItem(main.doc(), 'pipelines', 'main', 'Baseline', NOW)), ada);
    const point = A.getHeads(main.doc());
    const branch = branchAt(repo, main, point, 'Bigger batches', NOW, ada);
    expect(branch.doc().origin).toMatchObject({ documentId: main.documentId, heads: point, name: 'MNIST CNN' });
    expect(main.doc().branches?.[branch.documentId]?.name).toBe('Bigger batches');
    expect(branch.doc().pipelines.main!.name).toBe('Baseline');

    // Both sides set the same attribute; each side also makes an edit of its own.
    main.change((d) => void (d.pipelines.main!.nodes.main_train!.attributes.batchSize = 32));
    applyPlan(main, ok(createPipeline(main.doc(), NOW, 'only-main', 'Only on main')), ada);
    branch.change((d) => void (d.pipelines.main!.nodes.main_train!.attributes.batchSize = 256));
    applyPlan(branch, ok(createPipeline(branch.doc(), NOW, 'only-branch', 'Only on the branch')), grace);

    const result = mergeInto(main, branch, ada);
    expect(result.changed).toBe(true);
    const merged = main.doc();
    expect(merged.name).toBe('MNIST CNN');
    expect(merged.origin).toBeUndefined();
    expect(Object.keys(merged.pipelines).sort()).toEqual(['main', 'only-branch', 'only-main']);
    expect(merged.branches?.[branch.documentId]).toBeDefined();
    const conflict = result.conflicts.find((c) => c.path.join('/') === 'pipelines/main/nodes/main_train/attributes/batchSize');
    expect(conflict).toBeDefined();
    expect([...conflict!.values].sort()).toEqual([256, 32]);

    expect(conflictAt(main.doc(), conflict!.path)?.sort()).toEqual([256, 32]);
    expect(conflictAt(main.doc(), ['pipelines', 'main', 'nodes', 'main_train', 'attributes', 'epochs'])).toBeUndefined();
    resolveConflict(main, conflict!, 256, ada);
    expect(conflictAt(main.doc(), conflict!.path)).toBeUndefined();
    expect(main.doc().pipelines.main!.nodes.main_train!.attributes.batchSize).toBe(256);
    expect(findConflicts(main.doc()).find((c) => c.path.at(-1) === 'batchSize')).toBeUndefined();
    // Merging again brings nothing new.
    expect(mergeInto(main, branch, ada).changed).toBe(false);
    void ({} as Project);
  });
});
