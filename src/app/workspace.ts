/**
 * The composition root: the one place that creates the real adapters (IndexedDB storage, BroadcastChannel between
 * tabs, WebSocket to the relay) and implements the views' Workspace on top of src/sync. Loaded lazily by main.ts so
 * that the shell paints before Automerge's WebAssembly arrives.
 */
import { IndexedDBStorageAdapter } from '@automerge/automerge-repo-storage-indexeddb';
import { BroadcastChannelNetworkAdapter } from '@automerge/automerge-repo-network-broadcastchannel';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import * as A from '@automerge/automerge';
import type { DocHandle, DocumentId, NetworkAdapterInterface } from '@automerge/automerge-repo';
import { DexieArtifactStore } from '../storage/dexie-store';
import { DexieJobCache } from '../storage/job-cache';
import { createRuns } from './runs';
import { createDeviceStorage } from './device-storage';
import { parseIceServers } from '../lib/ice-servers';
import { exportProject, importProject } from '../sync/archive';
import { branchAt, conflictAt, mergeInto, resolveConflict, type BranchedProject } from '../sync/branches';
import { changeByHash, HistoryReader, restore } from '../sync/history';
import { ProjectPresence } from '../sync/presence.svelte';
import { DirectLinkPool, DirectPeers } from '../sync/direct';
import type { Project } from '../model/types';
import { applyPlan } from '../sync/apply';
import { DocState } from '../sync/doc-state.svelte';
import { expiredDeletions, libraryOperations, openHome, removeEntry, removeFromLibrary, saveToLibrary, upsertEntry, type HomeDoc } from '../sync/home';
import { openProject, rawDocumentBytes } from '../sync/open';
import { createProjectDoc, duplicateProjectDoc } from '../sync/projects';
import { createRepo, newTabPeerId } from '../sync/repo';
import { SyncStatus } from '../sync/sync-status.svelte';
import type { Workspace } from '../ui/services';
import type { Profile } from '../ui/profile.svelte';

/** How long a deleted project can be brought back with Undo before its document is removed for good. */
export const UNDO_WINDOW_MS = 10_000;

const HOME_KEY = 'deepforge.home';
const RELAY_KEY = 'deepforge.relay';
const DEVICE_KEY = 'deepforge.device';
const DIRECT_KEY = 'deepforge.direct';
const ICE_KEY = 'deepforge.ice';

/** One id for this browser profile (all its tabs), so that direct links are made only between different devices. */
function deviceId(): string {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = crypto.randomUUID();
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

/** The relay defaults to the origin that served the app; a saved setting overrides it. */
/** The STUN/TURN servers set in the sync settings (saved only once valid). */
function iceServers(): RTCIceServer[] {
  const parsed = parseIceServers(localStorage.getItem(ICE_KEY) ?? '');
  return parsed.ok ? parsed.servers : [];
}

export function relayUrl(): string | undefined {
  const saved = localStorage.getItem(RELAY_KEY);
  if (saved === 'none') return undefined;
  if (saved) return saved;
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/sync`;
}

export async function createWorkspace(profile: Profile): Promise<Workspace> {
  const storage = new IndexedDBStorageAdapter('deepforge');
  // Ask the browser not to evict this site's data under storage pressure: projects live only here until shared.
  void navigator.storage?.persist?.().catch(() => false);
  const relay = relayUrl();
  const wsAdapter = relay ? new WebSocketClientAdapter(relay, 3000) : undefined;
  const network: NetworkAdapterInterface[] = [new BroadcastChannelNetworkAdapter({ channelName: 'deepforge' })];
  if (wsAdapter) {
    network.push(wsAdapter);
    // When the device says it is offline, drop the connection rather than let it hang half-open: messages written
    // into a dead socket are lost, and only a fresh connection makes both sides compare what they have. The adapter
    // reconnects by itself once the network is back.
    addEventListener('offline', () => wsAdapter.socket?.close());
  }
  const device = { homeId: undefined as string | undefined };
  const directPeers = new DirectPeers();
  const repo = createRepo({ storage, network, peerId: newTabPeerId(), isDevicePrivate: (id) => id === device.homeId, directPeers });
  // Write pending changes as soon as the tab is hidden or closed, so that closing it loses nothing.
  addEventListener('pagehide', () => void repo.flush());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') void repo.flush();
  });

  // Listen for the relay connection before anything awaits, so the first connection is not missed.
  const sync = new SyncStatus(repo, wsAdapter, relay);
  // Direct links (WebRTC) to the others in an open project, unless turned off in the sync settings.
  const directLinks = localStorage.getItem(DIRECT_KEY) === 'off' || typeof RTCPeerConnection === 'undefined'
    ? undefined
    : new DirectLinkPool(repo, { device: deviceId(), peers: directPeers, iceServers: iceServers() });

  const lock = <R>(fn: () => Promise<R>): Promise<R> =>
    navigator.locks ? navigator.locks.request('deepforge-home', fn) as Promise<R> : fn();
  const artifacts = new DexieArtifactStore('deepforge-artifacts');
  const cache = new DexieJobCache('deepforge-job-cache');
  const runs = createRuns({
    repo,
    artifacts,
    cache,
    deviceId: deviceId(),
    author: () => profile.author,
    // The engine (tfjs in a sandboxed worker) loads with the first run, not with the app.
    engine: async () => (await import('../engine/sandbox/sandbox-engine')).createSandboxEngine(),
  });
  /** Projects whose runs left behind by closed tabs were already settled in this tab. */
  const recovered = new Set<string>();
  const homeHandle = await openHome(repo, { get: () => localStorage.getItem(HOME_KEY), set: (u) => localStorage.setItem(HOME_KEY, u) }, lock);
  device.homeId = homeHandle.documentId;
  // The project list is tiny and every change to it is a deliberate act (create, delete, undo): write it at once.
  homeHandle.on('heads-changed', () => void repo.flush([homeHandle.documentId]));
  const home = new DocState<HomeDoc>(homeHandle);

  // Projects deleted in an earlier session whose undo window has passed are removed for good now.
  const purge = () => {
    for (const id of expiredDeletions(homeHandle.doc(), Date.now(), UNDO_WINDOW_MS)) {
      repo.delete(id as DocumentId);
      removeEntry(homeHandle, id);
    }
  };
  purge();

  return {
    home,
    runs,
    storage: createDeviceStorage({ repo, home: homeHandle, artifacts, cache }),
    sync,
    createProject(project: Project, message?: string) {
      const handle = createProjectDoc(repo, project, profile.author, message);
      upsertEntry(homeHandle, handle.documentId, { name: project.name, updatedAt: project.updatedAt, openedAt: Date.now() }, Date.now());
      return handle.documentId;
    },
    async openProject(id) {
      const result = await openProject(repo, id);
      if (result.status === 'ready' && !recovered.has(result.handle.documentId)) {
        recovered.add(result.handle.documentId);
        void runs.recover(result.handle).catch((err: unknown) => console.warn('DeepForge: could not settle interrupted runs', err));
      }
      return result;
    },
    async duplicateProject(id) {
      const source = await repo.find<Project>(id as DocumentId);
      const copy = await duplicateProjectDoc(repo, source, Date.now(), profile.author);
      upsertEntry(homeHandle, copy.documentId, { name: copy.doc().name, updatedAt: Date.now() }, Date.now());
      return copy.documentId;
    },
    deleteProject(id) {
      upsertEntry(homeHandle, id, { deletedAt: Date.now() }, Date.now());
      setTimeout(purge, UNDO_WINDOW_MS + 100);
    },
    undoDelete(id) {
      upsertEntry(homeHandle, id, { deletedAt: undefined }, Date.now());
    },
    noteOpened(id, project) {
      const entry = homeHandle.doc().projects[id];
      if (entry?.deletedAt !== undefined) return;
      if (!entry || entry.name !== project.name || entry.updatedAt !== project.updatedAt) {
        upsertEntry(homeHandle, id, { name: project.name, updatedAt: project.updatedAt }, Date.now());
      }
    },
    apply(handle, plan) {
      applyPlan(handle, plan, profile.author);
      // A user action is worth writing at once rather than after the save delay.
      void repo.flush([handle.documentId]);
    },
    rawBytes: (id) => rawDocumentBytes(storage, id as DocumentId),
    shareUrl: (id) => `${location.origin}/p/${id}`,

    presence(handle, initial) {
      const release = directLinks?.acquire(handle as DocHandle<unknown>, (n) => (sync.direct = n));
      return new ProjectPresence(handle as DocHandle<unknown>, initial, repo.peerId, release);
    },
    headsOf: (handle) => A.getHeads(handle.doc()),
    history: (handle) => new HistoryReader(handle.doc()),
    change: (handle, hash) => changeByHash(handle.doc(), hash),
    stateAt(handle, heads) {
      const doc = handle.doc();
      return A.hasHeads(doc, heads) ? (A.toJS(A.view(doc, heads)) as Project) : undefined;
    },
    restore(handle, heads, label) {
      const changed = restore(handle, heads, `restored the version of ${label}`, profile.author);
      void repo.flush([handle.documentId]);
      return changed;
    },
    branch(handle, heads, name) {
      const branch = branchAt(repo, handle as DocHandle<BranchedProject>, heads, name, Date.now(), profile.author);
      upsertEntry(homeHandle, branch.documentId, { name, updatedAt: Date.now() }, Date.now());
      void repo.flush();
      return branch.documentId;
    },
    async merge(targetId, branch) {
      const target = await repo.find<BranchedProject>(targetId as DocumentId);
      const result = mergeInto(target, branch as DocHandle<BranchedProject>, profile.author);
      void repo.flush([target.documentId]);
      return { ...result, targetId };
    },
    async resolve(documentId, conflict, value) {
      const handle = await repo.find<Project>(documentId as DocumentId);
      resolveConflict(handle as DocHandle<unknown>, conflict, value, profile.author);
      void repo.flush([handle.documentId]);
    },
    conflictAt: (handle, path) => conflictAt(handle.doc() as A.Doc<unknown>, path),
    exportProject: (handle) => exportProject(handle, artifacts),
    async importProject(file) {
      const result = await importProject(repo, artifacts, file);
      upsertEntry(homeHandle, result.documentId, { name: result.name, updatedAt: Date.now(), deletedAt: undefined }, Date.now());
      return result;
    },
    async codeSync(documentId, operationId) {
      // CodeMirror and the binding load with the operation editor, not with the app.
      const { codeSession } = await import('../sync/code-editor');
      const handle = await repo.find<Project>(documentId as DocumentId);
      return { start: () => codeSession(handle, operationId, () => profile.author) };
    },
    libraryOperations: () => libraryOperations(home.doc),
    saveToLibrary(operation) {
      saveToLibrary(homeHandle, operation, Date.now());
    },
    removeFromLibrary(operationId) {
      removeFromLibrary(homeHandle, operationId);
    },
  };
}
