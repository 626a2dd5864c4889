/**
 * What the execution and artifact views need from the app: run, cancel and reproduce pipelines, follow an
 * execution live, and read or add artifact bytes. The app implements it (src/app/runs.ts) with the execution
 * client, the sandboxed engine, Automerge and IndexedDB; views see only this.
 */
import type { DocHandle } from '@automerge/automerge-repo';
import type { BackendName } from '../../engine/protocol';
import type { Execution } from '../../model/execution';
import type { MetricMatch } from '../../model/execution-compare';
import type { ArtifactMeta, Project } from '../../model/types';

export interface RunOptions {
  backend?: BackendName;
  /** Ignore the job cache ("Run all"). */
  runAll?: boolean;
}

export interface Runs {
  /** Freeze and start a run; rejects with the reason when the pipeline has problems. Resolves once it has started. */
  run(project: DocHandle<Project>, pipelineId: string, options?: RunOptions): Promise<{ executionId: string }>;
  /** Run exactly what an execution ran again; `verdict` says whether its metrics matched. */
  reproduce(project: DocHandle<Project>, executionUrl: string): Promise<{ executionId: string; verdict: Promise<MetricMatch> }>;
  cancel(executionId: string): void;
  /**
   * Ask the tab running an execution, in this browser or on another device, to cancel it (through its document);
   * false when the run has already ended or its document is not on this device.
   */
  requestCancel(executionUrl: string): Promise<boolean>;
  /** Whether this tab is running it (and so can cancel it at once). */
  isRunning(executionId: string): boolean;
  /** Follow an execution: the document plus live events, on every change. Returns a function that stops. */
  watch(executionUrl: string, onUpdate: (execution: Execution) => void, onMissing: () => void): () => void;
  /** An execution as stored, for comparisons; undefined when this device cannot get it. */
  load(executionUrl: string): Promise<Execution | undefined>;
  /** Runs this device left running in a tab since closed become "interrupted". */
  recover(project: DocHandle<Project>): Promise<void>;
  artifactBytes(sha256: string): Promise<Uint8Array | undefined>;
  /** Store an uploaded file and list it in the project; a full disk rejects with a StorageError, storing nothing. */
  upload(project: DocHandle<Project>, file: { name: string; type: string; bytes: Uint8Array }): Promise<ArtifactMeta>;
}
