/**
 * Operation code edited collaboratively: the binding between a project's DocHandle and a CodeMirror editor, through
 * @automerge/automerge-codemirror. Keystrokes become splices of the Automerge text at
 * `operations/<id>/code`, and remote changes (another tab, a collaborator, a plan that renamed a port) arrive in
 * the editor as minimal edits, so cursors stay where they are. Loaded lazily with the editor, never at start-up.
 */
import type { Doc } from '@automerge/automerge';
import { automergeSyncPlugin, type DocHandle as EditorHandle } from '@automerge/automerge-codemirror';
import type { DocHandle } from '@automerge/automerge-repo';
import { EditorState, Transaction, type Extension } from '@codemirror/state';
import type { Project } from '../model/types';
import { encodeChangeMessage, type Author } from './messages';

/** Typing touches `updatedAt` at most this often, so a burst of keystrokes does not rewrite it on every key. */
export const TOUCH_EVERY_MS = 10_000;

export interface CodeSession {
  /** The code at the moment the binding started: the editor must start from exactly this text. */
  text: string;
  extension: Extension;
}

/** Who is typing: fixed, or read at each change (the profile's name may change while the editor is open). */
export type AuthorSource = Author | (() => Author | undefined);

const codeOf = (doc: Doc<Project> | undefined, operationId: string): unknown => doc?.operations?.[operationId]?.code;

/**
 * The handle as the plugin sees it: every change it makes carries a message (history shows "edited code of
 * Train", attributed and filed under the operation) and touches `updatedAt`. Edits for an operation that someone
 * has deleted meanwhile are dropped rather than thrown: the view says the operation is gone.
 */
export function codeHandle(handle: DocHandle<Project>, operationId: string, author?: AuthorSource, now: () => number = Date.now): EditorHandle<Project> {
  return {
    isReady: () => handle.isReady(),
    doc: () => handle.doc(),
    change(callback) {
      const before = handle.doc();
      if (typeof codeOf(before, operationId) !== 'string') return;
      const name = before.operations[operationId]!.name;
      const message = encodeChangeMessage(`edited code of ${name}`, typeof author === 'function' ? author() : author, `operations/${operationId}`);
      handle.change((doc) => {
        callback(doc);
        const t = now();
        const op = doc.operations[operationId]!;
        if (!(t - op.updatedAt < TOUCH_EVERY_MS)) {
          op.updatedAt = t;
          doc.updatedAt = t;
        }
      }, { message });
    },
    on: (_event, cb) => void handle.on('change', cb),
    off: (_event, cb) => void handle.off('change', cb),
  };
}

/**
 * Changes that arrive from the document (another tab, a collaborator, a plan) are not this user's typing, so the
 * editor's undo must not take them back: only transactions that carry a user event enter the undo history.
 */
export const remoteChangesNotUndoable: Extension = EditorState.transactionExtender.of((tr) =>
  tr.docChanged && !tr.annotation(Transaction.userEvent) ? { annotations: Transaction.addToHistory.of(false) } : null,
);

/**
 * Start a collaborative editing session of one operation's code. Call it right when creating the EditorView (with
 * `text` as its document and `extension` among its extensions): the plugin records the document's heads when the
 * view is created, and the two must describe the same text.
 */
export function codeSession(handle: DocHandle<Project>, operationId: string, author?: AuthorSource): CodeSession {
  const text = codeOf(handle.doc(), operationId);
  if (typeof text !== 'string') throw new Error(`The operation ${operationId} has no code to edit; it may have been deleted.`);
  const plugin = automergeSyncPlugin({ handle: codeHandle(handle, operationId, author), path: ['operations', operationId, 'code'] });
  return { text, extension: [plugin, remoteChangesNotUndoable] };
}
