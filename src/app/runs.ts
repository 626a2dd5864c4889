/**
 * The views' Runs (src/ui/execution/runs.ts) on real adapters: the execution client with the sandboxed engine,
 * execution documents in the app's Repo, artifact bytes and the job cache in IndexedDB, and Web Locks marking the
 * runs this tab has in progress. Created by workspace.ts.
 */
import * as A from '@automerge/automerge';
import type { DocHandle, Repo } from '@automerge/automerge-repo';
import { ExecutionClient, type ProjectAccess, type RunLocks } from '../engine/client';
import type { Engine } from '../engine/protocol';
import { addArtifact, classifyFile } from '../model/artifacts';
import type { Project } from '../model/types';
import { randomId } from '../lib/ids';
import type { ArtifactStore } from '../storage/artifact-store';
import type { JobCache } from '../storage/job-cache';
import { applyPlan } from '../sync/apply';
import { createExecutionDoc, findExecutionDoc, watchExecution } from '../sync/executions';
import type { Author } from '../sync/messages';
import type { Runs } from '../ui/execution/runs';

/** Web Locks are held by a tab until it releases them or closes: a run whose lock is free was left by a closed tab. */
const webLocks: RunLocks = {
  hold(executionId) {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    void navigator.locks?.request(`deepforge-run-${executionId}`, () => held);
    return release;
  },
  async isHeld(executionId) {
    const state = await navigator.locks?.query();
    return !!state?.held?.some((l) => l.name === `deepforge-run-${executionId}`);
  },
};

export interface RunsOptions {
  repo: Repo;
  artifacts: ArtifactStore;
  cache: JobCache;
  deviceId: string;
  author: () => Author;
  engine: () => Promise<Engine>;
}

export function createRuns({ repo, artifacts, cache, deviceId, author, engine }: RunsOptions): Runs {
  const client = new ExecutionClient({
    engine,
    artifacts,
    cache,
    createDoc: (execution) => createExecutionDoc(repo, execution, author()),
    openDoc: (url) => findExecutionDoc(repo, url),
    async data(name) {
      const response = await fetch(name === 'mnist' ? '/data/mnist.bin' : '/data/iris.json');
      if (!response.ok) throw new Error(`The bundled ${name} data could not be loaded (${response.status}); reload the app.`);
      return new Uint8Array(await response.arrayBuffer());
    },
    locks: webLocks,
    deviceId,
  });
  // A closing tab writes what its runs have seen so far, so that a reload shows how far they got.
  addEventListener('pagehide', () => {
    client.flush();
    void repo.flush();
  });
  const access = (handle: DocHandle<Project>): ProjectAccess => ({
    url: handle.url,
    project: () => A.toJS(handle.doc()) as Project,
    heads: () => A.getHeads(handle.doc()),
    apply(plan) {
      applyPlan(handle, plan, author());
      void repo.flush([handle.documentId]);
    },
  });

  return {
    async run(handle, pipelineId, options = {}) {
      const run = await client.run(access(handle), { pipelineId, ...options });
      return { executionId: run.executionId };
    },
    async reproduce(handle, executionUrl) {
      const { run, verdict } = await client.reproduce(access(handle), executionUrl);
      return { executionId: run.executionId, verdict };
    },
    cancel: (id) => void client.cancel(id),
    async requestCancel(url) {
      return (await findExecutionDoc(repo, url))?.requestCancel(author(), deviceId) ?? false;
    },
    isRunning: (id) => client.isRunning(id),
    watch(url, onUpdate, onMissing) {
      let stop: (() => void) | undefined;
      let stopped = false;
      let retry: ReturnType<typeof setTimeout> | undefined;
      // A run started on another device may reach the relay a moment after its summary reached us: keep asking.
      const attempt = () =>
        void findExecutionDoc(repo, url).then((doc) => {
          if (stopped) return;
          if (doc) stop = watchExecution(doc.handle, onUpdate);
          else {
            onMissing();
            retry = setTimeout(attempt, 2000);
          }
        });
      attempt();
      return () => {
        stopped = true;
        clearTimeout(retry);
        stop?.();
      };
    },
    async load(url) {
      return (await findExecutionDoc(repo, url))?.record();
    },
    async recover(handle) {
      await client.recoverInterrupted(access(handle));
    },
    artifactBytes: (sha256) => artifacts.get(sha256),
    async upload(handle, file) {
      const entries: string[] = [];
      if (/\.zip$/i.test(file.name)) {
        const { unzipSync } = await import('fflate');
        unzipSync(file.bytes, { filter: (f) => (entries.push(f.name), false) });
      }
      const { type, mediaType } = classifyFile(file.name, file.type, entries);
      const { sha256, size } = await artifacts.put(file.bytes, { mediaType });
      const meta = { id: randomId('af'), name: file.name, type, mediaType, sha256, size, createdAt: Date.now() };
      applyPlan(handle, addArtifact(meta), author());
      void repo.flush([handle.documentId]);
      return meta;
    },
  };
}
