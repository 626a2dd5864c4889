/**
 * Project documents: create (empty or from an example), duplicate with their history, delete.
 */
import type { DocHandle, Repo } from '@automerge/automerge-repo';
import type { Project } from '../model/types';
import { applyPlan, storable } from './apply';
import { encodeChangeMessage, type Author } from './messages';
import { renameProject } from '../model/project';
import { isRefusal } from '../model/plan';

export function createProjectDoc(repo: Repo, project: Project, author?: Author, message = `created project ${project.name}`): DocHandle<Project> {
  const handle = repo.create<Project>();
  handle.change((doc) => Object.assign(doc, storable(project)), { message: encodeChangeMessage(message, author) });
  return handle;
}

/** A copy that keeps the whole history (so provenance survives), under a new name. */
export async function duplicateProjectDoc(repo: Repo, source: DocHandle<Project>, now: number, author?: Author): Promise<DocHandle<Project>> {
  await source.whenReady();
  const copy = repo.clone(source);
  const plan = renameProject(copy.doc(), `${source.doc().name} (copy)`, now);
  if (!isRefusal(plan)) applyPlan(copy, { ...plan, message: `duplicated project as ${source.doc().name} (copy)` }, author);
  return copy;
}
