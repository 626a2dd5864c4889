/** The editor's behaviour, shared with the node components Svelte Flow renders (they get no props of ours). */
import { getContext, setContext } from 'svelte';
import type { PipelineEditing } from './editing.svelte';

const KEY = Symbol('deepforge.pipeline-editing');

export function provideEditing(editing: PipelineEditing): void {
  setContext(KEY, editing);
}

export function useEditing(): PipelineEditing {
  const editing = getContext<PipelineEditing | undefined>(KEY);
  if (!editing) throw new Error('useEditing() found no pipeline editor: render pipeline nodes inside PipelineEditor.svelte, which provides it.');
  return editing;
}

/** Colours of the data types on ports and handles; readable on both themes. */
export const TYPE_COLORS: Record<string, string> = {
  any: '#94a3b8',
  number: '#10b981',
  string: '#f97316',
  boolean: '#ec4899',
  json: '#eab308',
  tensor: '#06b6d4',
  dataset: '#0ea5e9',
  model: '#8b5cf6',
  image: '#f43f5e',
  table: '#14b8a6',
};
