/**
 * An engine's `artifact` event made durable: the bytes go into the artifact store (checked against the hash they
 * came with), then their metadata into the project, naming the job that made them. Bytes a project already
 * lists under the same hash are not listed again.
 */
import { randomId } from '../lib/ids';
import { addArtifact, artifactWithHash } from '../model/artifacts';
import type { Id } from '../model/types';
import type { ArtifactStore } from '../storage/artifact-store';
import type { ProjectAccess } from './client';
import type { JobEvent } from './protocol';

type ArtifactEvent = Extract<JobEvent, { type: 'artifact' }>;

/** Returns the artifact's id in the project. A full disk throws the store's StorageError ('quota-exceeded'). */
export async function recordArtifact(store: ArtifactStore, access: ProjectAccess, event: ArtifactEvent, made: { executionId: Id; jobName: string }, now: number): Promise<Id> {
  await store.putVerified(event.ref.sha256, event.bytes, { mediaType: event.ref.mediaType });
  const project = access.project();
  // A value saved with ctx.save is recorded under the id the operation was given; an output that the project
  // already lists under the same hash is not listed twice.
  if (event.artifactId && project.artifacts[event.artifactId]) return event.artifactId;
  const existing = event.artifactId ? undefined : artifactWithHash(project, event.ref.sha256);
  if (existing) return existing.id;
  const id = event.artifactId ?? randomId('af');
  access.apply(
    addArtifact({
      id,
      // An output is named after its job and port; a value saved with ctx.save keeps the name the code gave it.
      name: event.port !== undefined ? `${made.jobName} · ${event.port}` : event.name,
      type: event.ref.dataType,
      mediaType: event.ref.mediaType,
      sha256: event.ref.sha256,
      size: event.ref.size,
      createdAt: now,
      producedBy: { executionId: made.executionId, jobId: event.jobId },
    }),
  );
  return id;
}
