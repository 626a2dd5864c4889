/**
 * What the palette offers: the project's own operations, the built-in library's operations the project does not
 * have yet, and the pipeline's Input and Output nodes; grouped by category and filtered by a search.
 */
import { CORE_OPERATIONS } from '../../model/library/core';
import type { NewNode } from '../../model/pipeline-edits';
import type { OperationDefinition, Project } from '../../model/types';

export interface PaletteEntry {
  /** Stable key, also what a drag carries: `op:<operation id>`, `input` or `output`. */
  key: string;
  name: string;
  category: string;
  description: string;
  color: string;
  /** Where it comes from, shown as a hint: the project, the built-in library, or the user's own library. */
  origin: 'project' | 'library' | 'mine' | 'pipeline';
  spec: NewNode;
}

export interface PaletteGroup {
  category: string;
  entries: PaletteEntry[];
}

/** The MIME type a palette drag carries, so the canvas ignores drops of anything else. */
export const PALETTE_MIME = 'application/x-deepforge-palette';

/** Everything the palette offers; `mine` is the user's own library ("Save to my library"), shared across projects. */
export function paletteEntries(project: Project, mine: OperationDefinition[] = []): PaletteEntry[] {
  const own = Object.values(project.operations).map<PaletteEntry>((op) => ({
    key: `op:${op.id}`,
    name: op.name,
    category: op.category || 'Other',
    description: op.description,
    color: op.color,
    origin: 'project',
    spec: { kind: 'operation', operation: op },
  }));
  const library = Object.values(CORE_OPERATIONS)
    .filter((op) => !project.operations[op.id])
    .map<PaletteEntry>((op) => ({
      key: `op:${op.id}`,
      name: op.name,
      category: op.category,
      description: op.description,
      color: op.color,
      origin: 'library',
      spec: { kind: 'operation', operation: op },
    }));
  const saved = mine
    .filter((op) => !project.operations[op.id] && !CORE_OPERATIONS[op.id])
    .map<PaletteEntry>((op) => ({
      key: `op:${op.id}`,
      name: op.name,
      category: op.category || 'Other',
      description: op.description,
      color: op.color,
      origin: 'mine',
      spec: { kind: 'operation', operation: op },
    }));
  const endpoints: PaletteEntry[] = [
    { key: 'input', name: 'Input', category: 'Pipeline', description: 'Feeds an artifact (a file or an earlier result) into the pipeline.', color: 'var(--accent)', origin: 'pipeline', spec: { kind: 'input', dataType: 'any' } },
    { key: 'output', name: 'Output', category: 'Pipeline', description: 'Keeps a result of the pipeline as an artifact.', color: 'var(--accent)', origin: 'pipeline', spec: { kind: 'output', dataType: 'any' } },
  ];
  return [...own, ...library, ...saved, ...endpoints];
}

/** Entries matching every word of the query (in name, category or description), grouped by category in order. */
export function filterPalette(entries: PaletteEntry[], query: string): PaletteGroup[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const hits = entries.filter((e) => {
    const text = `${e.name} ${e.category} ${e.description}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
  const groups = new Map<string, PaletteEntry[]>();
  for (const e of hits) groups.set(e.category, [...(groups.get(e.category) ?? []), e]);
  // The library's categories in the order work flows (data, then models, then evaluation); others after them.
  const known = [...new Set(Object.values(CORE_OPERATIONS).map((op) => op.category))];
  const rank = (c: string) => (c === 'Pipeline' ? 1000 : known.includes(c) ? known.indexOf(c) : 500);
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([category, list]) => ({ category, entries: list.sort((a, b) => a.name.localeCompare(b.name)) }));
}
