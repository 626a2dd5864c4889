/**
 * What the views need from the rest of the app, as an interface: the app implements it with Automerge and
 * IndexedDB (loaded lazily, after the shell has painted); views never import those libraries themselves.
 */
import { getContext, setContext } from 'svelte';
import type { Plan } from '../model/plan';
import type { OperationDefinition, Project } from '../model/types';
import type { Extension } from '@codemirror/state';
import type { DocState } from '../sync/doc-state.svelte';
import type { HomeDoc } from '../sync/home';
import type { OpenResult } from '../sync/open';
import type { SyncStatus } from '../sync/sync-status.svelte';
import type { DocHandle } from '@automerge/automerge-repo';
import type { Profile } from './profile.svelte';
import type { HistoryChange } from '../sync/history';
import type { Conflict, MergeResult } from '../sync/branches';
import type { ExportResult, ImportResult } from '../sync/archive';
import type { PresenceInfo, ProjectPresence } from '../sync/presence.svelte';
import type { Runs } from './execution/runs';
import type { StorageUsage, Totals } from '../storage/usage';

/** Pages of a project's history, newest first. */
export interface HistoryPager {
  next(count: number): HistoryChange[];
  readonly done: boolean;
}

export interface Workspace {
  home: DocState<HomeDoc>;
  sync: SyncStatus;
  /** Create a project document (empty or from an example) and list it on this device; returns its id. */
  createProject(project: Project, message?: string): string;
  openProject(documentId: string): Promise<OpenResult<Project>>;
  duplicateProject(documentId: string): Promise<string>;
  /** Hide a project from the list; it is deleted for good after the undo window. */
  deleteProject(documentId: string): void;
  undoDelete(documentId: string): void;
  /** Keep the device list's cached name and last edit in step with an open project. */
  noteOpened(documentId: string, project: Project): void;
  apply(handle: DocHandle<Project>, plan: Plan): void;
  rawBytes(documentId: string): Promise<Uint8Array | undefined>;
  shareUrl(documentId: string): string;

  /** Announce ourselves in a project and see who else is there (ephemeral, never in the document). */
  presence(handle: DocHandle<Project>, initial: PresenceInfo): ProjectPresence;
  /** The current heads (Automerge change hashes) of a project. */
  headsOf(handle: DocHandle<Project>): string[];
  history(handle: DocHandle<Project>): HistoryPager;
  /** The change with this hash (its time, author and message), if this device has it. */
  change(handle: DocHandle<Project>, hash: string): HistoryChange | undefined;
  /** The project as it was at `heads`, as plain data; undefined when this device does not have those changes. */
  stateAt(handle: DocHandle<Project>, heads: string[]): Project | undefined;
  /** Make the present equal to a past state through a new change; false when nothing differed. */
  restore(handle: DocHandle<Project>, heads: string[], label: string): boolean;
  /** A new project forked at `heads`; returns its document id. */
  branch(handle: DocHandle<Project>, heads: string[], name: string): string;
  merge(targetId: string, branch: DocHandle<Project>): Promise<MergeResult & { targetId: string }>;
  resolve(documentId: string, conflict: Conflict, value: unknown): Promise<void>;
  /** Every value concurrent edits left at `path` (two or more), so the view can show them instead of losing one. */
  conflictAt(handle: DocHandle<Project>, path: string[]): unknown[] | undefined;
  exportProject(handle: DocHandle<Project>): Promise<ExportResult>;
  importProject(file: Uint8Array): Promise<ImportResult>;

  /**
   * Collaborative editing of one operation's code (CodeMirror bound to the project's Automerge text). Loads the
   * editor's sync code on first use; call `start()` of the result right when creating the editor.
   */
  codeSync(documentId: string, operationId: string): Promise<CodeSync>;
  /** Operations saved to this device's library ("Save to my library"), for use in any project; reactive. */
  libraryOperations(): OperationDefinition[];
  /** Save a copy of an operation to this device's library (an earlier copy of it is replaced). */
  saveToLibrary(operation: OperationDefinition): void;
  removeFromLibrary(operationId: string): void;

  /** Running pipelines, following executions, and artifact bytes (see execution/runs.ts). */
  runs: Runs;
  /** What DeepForge keeps on this device, and freeing space (the Storage page). */
  storage: DeviceStorage;
}

export interface StorageReport extends StorageUsage {
  /** Entries in the job cache (their bytes are counted in `cache` when nothing else uses them). */
  cacheEntries: number;
  /** Projects on this device whose documents cannot be read: while there are any, nothing is removed. */
  unreadable: string[];
  /** What the browser says DeepForge's site uses in all (documents included) and may use. */
  browser?: { used: number; quota: number };
  /** Whether the browser keeps this site's data when the disk runs low (undefined: cannot tell). */
  persisted?: boolean;
}

export interface DeviceStorage {
  report(): Promise<StorageReport>;
  clearJobCache(): Promise<void>;
  /** Deletes the bytes nothing uses (see src/storage/usage.ts); returns what was removed. */
  removeUnused(): Promise<Totals>;
  /** Asks the browser to keep this site's data when space is low; true when it agreed. */
  persist(): Promise<boolean>;
}

/** A code editing session: the text to start the editor with and the extension that keeps it in sync. */
export interface CodeSync {
  start(): { text: string; extension: Extension };
}

const KEY = Symbol('deepforge.workspace');

export function provideWorkspace(ws: Workspace): void {
  setContext(KEY, ws);
}

export function useWorkspace(): Workspace {
  const ws = getContext<Workspace | undefined>(KEY);
  if (!ws) throw new Error('useWorkspace() was called outside <App>: render views inside the app shell, which provides the workspace once it has loaded.');
  return ws;
}

export const profileKey = Symbol('deepforge.profile');
export function useProfile(): Profile {
  const p = getContext<Profile | undefined>(profileKey);
  if (!p) throw new Error('useProfile() was called outside <App>: the app shell provides the profile.');
  return p;
}
