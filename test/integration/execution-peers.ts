/**
 * What the execution client's integration tests share: two peers (Ada, Bob) with their own Repo on an in-memory
 * network, an ExecutionClient on Ada's Repo (artifacts and job cache in memory, Web Locks faked), and a project
 * document with the ProjectAccess the client needs.
 */
import * as A from '@automerge/automerge';
import { Repo, type DocHandle, type PeerId } from '@automerge/automerge-repo';
import { ExecutionClient, type ProjectAccess } from '../../src/engine/client';
import type { Project } from '../../src/model/types';
import type { ArtifactStore } from '../../src/storage/artifact-store';
import { MemoryJobCache } from '../../src/storage/job-cache';
import { MemoryArtifactStore } from '../../src/storage/memory-store';
import { applyPlan } from '../../src/sync/apply';
import { createExecutionDoc, findExecutionDoc } from '../../src/sync/executions';
import { MemoryBus, MemoryNetworkAdapter } from './memory-network';

export function twoPeers(): { ada: Repo; bob: Repo; shutdown: () => Promise<void> } {
  const bus = new MemoryBus({ maxLatencyMs: 5 });
  const [ada, bob] = ['ada', 'bob'].map((id) => new Repo({ network: [new MemoryNetworkAdapter(bus)], peerId: id as PeerId, sharePolicy: async () => true })) as [Repo, Repo];
  return { ada, bob, shutdown: async () => void (await Promise.all([ada.shutdown(), bob.shutdown()])) };
}

/** The client of the tab on `repo` (device "ada-laptop"). */
type ClientDeps = ConstructorParameters<typeof ExecutionClient>[0];

export function clientOn(repo: Repo, options: { engine: ClientDeps['engine']; artifacts?: ArtifactStore; data?: ClientDeps['data'] }): ExecutionClient {
  const held = new Set<string>();
  return new ExecutionClient({
    engine: options.engine,
    artifacts: options.artifacts ?? new MemoryArtifactStore(),
    cache: new MemoryJobCache(),
    createDoc: (execution) => createExecutionDoc(repo, execution),
    openDoc: (url) => findExecutionDoc(repo, url),
    data: options.data ?? (async () => new Uint8Array()),
    locks: { hold: (id) => (held.add(id), () => held.delete(id)), isHeld: async (id) => held.has(id) },
    deviceId: 'ada-laptop',
  });
}

/** A new project document on `repo` and the client's access to it. */
export function openProject(repo: Repo, project: Project): { handle: DocHandle<Project>; access: ProjectAccess } {
  const handle = repo.create<Project>(project);
  const access: ProjectAccess = {
    url: handle.url,
    project: () => A.toJS(handle.doc()) as Project,
    heads: () => A.getHeads(handle.doc()),
    apply: (plan) => applyPlan(handle, plan),
  };
  return { handle, access };
}

/** Polls `read` until it returns a value (or throws after `ms`). */
export async function until<T>(read: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = read();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
