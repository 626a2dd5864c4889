/** The editor's behaviour, shared with the layer cards Svelte Flow renders (they get no props of ours). */
import { getContext, setContext } from 'svelte';
import type { ArchitectureEditing } from './editing.svelte';

const KEY = Symbol('deepforge.architecture-editing');

export function provideEditing(editing: ArchitectureEditing): void {
  setContext(KEY, editing);
}

export function useEditing(): ArchitectureEditing {
  const editing = getContext<ArchitectureEditing | undefined>(KEY);
  if (!editing) throw new Error('useEditing() found no architecture editor: render layer cards inside ArchitectureEditor.svelte, which provides it.');
  return editing;
}
