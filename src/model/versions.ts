/** Named versions: labels on points of a project's history ("submitted to the course", "paper figure 3"). */
import { randomId } from '../lib/ids';
import { checkName } from './project';
import { del, put, type PlanResult } from './plan';
import type { Author, Id, NamedVersion, Project } from './types';

export function nameVersion(project: Project, name: string, heads: string[], now: number, author?: Author, id: Id = randomId('v')): PlanResult {
  const problem = checkName(name, 'version');
  if (problem) return { refused: problem };
  if (heads.length === 0) return { refused: 'Pick a point in the history to name.' };
  const version: NamedVersion = { id, name: name.trim(), heads: [...heads], createdAt: now, ...(author ? { author } : {}) };
  return { message: `named a version “${version.name}”`, edits: [put(['versions', id], version)] };
}

export function removeVersion(project: Project, id: Id): PlanResult {
  const v = project.versions?.[id];
  if (!v) return { message: 'removed a version name', edits: [] };
  return { message: `removed the version name “${v.name}”`, edits: [del(['versions', id])] };
}

/** Version names by the first head they label, for showing tags beside history entries. */
export function versionsByHead(project: Project): Map<string, NamedVersion[]> {
  const out = new Map<string, NamedVersion[]>();
  for (const v of Object.values(project.versions ?? {})) {
    for (const h of v.heads) out.set(h, [...(out.get(h) ?? []), v]);
  }
  return out;
}

/** "Train MNIST CNN › Train › epochs": where a value lives, in the words of the project. */
export function describePath(project: Project, path: readonly string[]): string {
  const [kind, id, ...rest] = path;
  if (!kind) return 'the project';
  if (!id) return kind === 'name' ? 'the project name' : kind === 'description' ? 'the project description' : kind;
  const collection = (project as unknown as Record<string, Record<string, { name?: string } & Record<string, unknown>> | undefined>)[kind];
  const item = collection?.[id];
  const parts = [item?.name ?? id];
  if (kind === 'pipelines' && rest[0] === 'nodes' && rest[1]) {
    const node = project.pipelines[id]?.nodes[rest[1]];
    const op = node?.operationId ? project.operations[node.operationId] : undefined;
    parts.push(node?.label ?? op?.name ?? rest[1]);
    parts.push(...rest.slice(rest[2] === 'attributes' || rest[2] === 'references' ? 3 : 2));
  } else if (kind === 'architectures' && rest[0] === 'layers' && rest[1]) {
    parts.push(project.architectures[id]?.layers[rest[1]]?.name ?? rest[1]);
    parts.push(...rest.slice(rest[2] === 'config' ? 3 : 2));
  } else {
    parts.push(...rest);
  }
  return parts.join(' › ');
}
