/** How each kind of project item is named and drawn in the sidebar and headings. */
import type { IconName } from '../widgets/Icon.svelte';
import type { ItemKind, Project } from '../../model/types';

export interface KindInfo {
  kind: ItemKind;
  title: string;
  singular: string;
  icon: IconName;
  /** Items of this kind are created from the sidebar (artifacts are uploaded and executions are run instead). */
  creatable: boolean;
  empty: string;
}

export const KINDS: KindInfo[] = [
  { kind: 'pipelines', title: 'Pipelines', singular: 'pipeline', icon: 'pipeline', creatable: true, empty: 'An experiment as a graph of operations.' },
  { kind: 'architectures', title: 'Architectures', singular: 'architecture', icon: 'layers', creatable: true, empty: 'A neural network as a graph of layers.' },
  { kind: 'operations', title: 'Operations', singular: 'operation', icon: 'code', creatable: true, empty: 'A step of a pipeline, written in JavaScript.' },
  { kind: 'artifacts', title: 'Artifacts', singular: 'artifact', icon: 'database', creatable: false, empty: 'Datasets and trained models appear here.' },
  { kind: 'executions', title: 'Executions', singular: 'execution', icon: 'activity', creatable: false, empty: 'Each run of a pipeline appears here.' },
];

export function kindInfo(kind: ItemKind): KindInfo {
  return KINDS.find((k) => k.kind === kind)!;
}

export interface ItemSummary {
  id: string;
  name: string;
  sortKey: number;
}

/** Items of a kind for lists: pipelines and the like by name, executions newest first. */
export function itemsOf(project: Project, kind: ItemKind): ItemSummary[] {
  const map = (project[kind] ?? {}) as Record<string, { id: string; name: string; createdAt?: number }>;
  const list = Object.entries(map).map(([id, item]) => ({ id, name: item.name, sortKey: item.createdAt ?? 0 }));
  return kind === 'executions'
    ? list.sort((a, b) => b.sortKey - a.sortKey)
    : list.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
}
