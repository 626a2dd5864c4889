import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import { Repo } from '@automerge/automerge-repo';
import { history, undo } from '@codemirror/commands';
import { EditorState, Transaction, type TransactionSpec } from '@codemirror/state';
import type { PluginValue, ViewUpdate } from '@codemirror/view';
import { EXAMPLES } from '../model/examples';
import { updatePort } from '../model/operation-edits';
import { isRefusal } from '../model/plan';
import type { Project } from '../model/types';
import { applyPlan } from './apply';
import { codeHandle, codeSession, TOUCH_EVERY_MS, type CodeSession } from './code-editor';
import { decodeChangeMessage } from './messages';
import { createProjectDoc } from './projects';

const ada = { name: 'Ada', color: '#e11d48' };

/**
 * An editor without a DOM: CodeMirror's state plus the sync plugin, driven the way EditorView drives it (every
 * dispatched transaction is handed to the plugin's update). Enough to check the binding in Node.
 */
function headlessEditor(session: CodeSession) {
  let state = EditorState.create({ doc: session.text, extensions: [history(), session.extension] });
  const view = {
    get state() {
      return state;
    },
    dispatch(spec: TransactionSpec | Transaction) {
      const tr = spec instanceof Transaction ? spec : state.update(spec);
      state = tr.state;
      plugin.update!({ transactions: [tr] } as unknown as ViewUpdate);
    },
  };
  const [syncPlugin] = session.extension as unknown as [{ create(view: unknown, arg: unknown): PluginValue }];
  const plugin = syncPlugin.create(view, undefined);
  return {
    type: (at: number, insert: string) => view.dispatch({ changes: { from: at, insert }, userEvent: 'input.type' }),
    undo: () => undo(view),
    get text() {
      return state.doc.toString();
    },
    destroy: () => plugin.destroy?.(),
  };
}

function iris() {
  const repo = new Repo({ network: [] });
  return createProjectDoc(repo, EXAMPLES.find((e) => e.id === 'iris-mlp')!.build(0).project, ada);
}

describe('collaborative operation code', () => {
  it('turns typing into messaged changes of the Automerge text', () => {
    const handle = iris();
    const editor = headlessEditor(codeSession(handle, 'core.train', ada));
    const code = handle.doc().operations['core.train']!.code;
    expect(editor.text).toBe(code);
    editor.type(0, '// tuned\n');
    expect(handle.doc().operations['core.train']!.code).toBe(`// tuned\n${code}`);
    const last = A.getHistory(handle.doc()).at(-1)!.change;
    expect(decodeChangeMessage(last.message)).toEqual({ message: 'edited code of Train', author: ada, item: 'operations/core.train' });
    editor.destroy();
  });

  it('shows what another editor types, and plans that rename a port, without losing local text', () => {
    const handle = iris();
    const a = headlessEditor(codeSession(handle, 'core.split', ada));
    const b = headlessEditor(codeSession(handle, 'core.split', ada));
    a.type(a.text.length, '// from A\n');
    expect(b.text.endsWith('// from A\n')).toBe(true);

    const plan = updatePort(handle.doc(), 'core.split', 'inputs', 'dataset', { name: 'data' }, Date.now());
    if (isRefusal(plan)) throw new Error(plan.refused);
    applyPlan(handle, plan, ada);
    for (const editor of [a, b]) {
      expect(editor.text).toBe(handle.doc().operations['core.split']!.code);
      expect(editor.text).toContain('run({ data }, { testFraction, seed }, references, ctx)');
      expect(editor.text.endsWith('// from A\n')).toBe(true);
    }
    a.destroy();
    b.destroy();
  });

  it("undoes this user's typing only, never what arrived from the document", () => {
    const handle = iris();
    const a = headlessEditor(codeSession(handle, 'core.split', ada));
    const b = headlessEditor(codeSession(handle, 'core.split', ada));
    const original = a.text;
    a.type(0, '// mine\n');
    b.type(b.text.length, '// theirs\n');
    expect(a.text).toBe(`// mine\n${original}// theirs\n`);
    expect(a.undo()).toBe(true);
    expect(a.text).toBe(`${original}// theirs\n`);
    expect(handle.doc().operations['core.split']!.code).toBe(a.text);
    expect(a.undo()).toBe(false);
  });

  it('merges concurrent typing from two devices', async () => {
    const one = iris();
    const repo2 = new Repo({ network: [] });
    const two = repo2.import<Project>(A.save(one.doc()));
    const a = headlessEditor(codeSession(one, 'core.train', ada));
    const b = headlessEditor(codeSession(two, 'core.train', ada));
    a.type(0, '// A\n');
    b.type(b.text.length, '// B\n');
    one.merge(two);
    two.merge(one);
    for (const editor of [a, b]) {
      expect(editor.text.startsWith('// A\n')).toBe(true);
      expect(editor.text.endsWith('// B\n')).toBe(true);
    }
    expect(a.text).toBe(b.text);
  });

  it('touches updatedAt at most every few seconds while typing', () => {
    const handle = iris();
    let t = 1_000_000;
    const h = codeHandle(handle, 'core.train', ada, () => t);
    const splice = (text: string) => h.change((d) => A.splice(d, ['operations', 'core.train', 'code'], 0, 0, text));
    splice('a');
    expect(handle.doc().operations['core.train']!.updatedAt).toBe(t);
    t += TOUCH_EVERY_MS - 1;
    splice('b');
    expect(handle.doc().operations['core.train']!.updatedAt).toBe(1_000_000);
    t += 1;
    splice('c');
    expect(handle.doc().operations['core.train']!.updatedAt).toBe(t);
    expect(handle.doc().updatedAt).toBe(t);
  });

  it('drops typing for an operation someone deleted instead of failing', () => {
    const handle = iris();
    const editor = headlessEditor(codeSession(handle, 'core.train', ada));
    handle.change((d) => {
      delete d.operations['core.train'];
    });
    const heads = handle.heads();
    expect(() => editor.type(0, 'x')).not.toThrow();
    expect(handle.heads()).toEqual(heads);
    expect(() => codeSession(handle, 'core.train')).toThrow(/deleted/);
  });
});
