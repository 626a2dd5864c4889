/**
 * A document handle as Svelte state: `doc` is the latest immutable snapshot, replaced on every local or remote
 * change, so views re-render from it like any other rune.
 */
import type { Doc } from '@automerge/automerge';
import type { DocHandle, DocHandleChangePayload } from '@automerge/automerge-repo';

export class DocState<T> {
  doc = $state.raw<Doc<T>>() as Doc<T>;
  deleted = $state(false);
  readonly handle: DocHandle<T>;
  #off: () => void;

  constructor(handle: DocHandle<T>) {
    this.handle = handle;
    this.doc = handle.doc();
    const onChange = ({ doc }: DocHandleChangePayload<T>) => {
      this.doc = doc;
    };
    const onDelete = () => {
      this.deleted = true;
    };
    handle.on('change', onChange);
    handle.on('delete', onDelete);
    this.#off = () => {
      handle.off('change', onChange);
      handle.off('delete', onDelete);
    };
  }

  get url(): string {
    return this.handle.url;
  }

  get documentId(): string {
    return this.handle.documentId;
  }

  destroy(): void {
    this.#off();
  }
}
