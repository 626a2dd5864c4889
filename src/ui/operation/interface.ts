/** Small helpers shared by the interface tables of the operation editor. */
import { checkEntryName, type OperationPlanResult } from '../../model/operation-edits';
import type { InterfaceSection } from '../../model/signature';
import type { OperationDefinition } from '../../model/types';

/** Entries of a section in display (and signature) order. */
export function ordered<T extends { order: number; id: string }>(map: Record<string, T>): T[] {
  return Object.values(map).sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : 1));
}

/** The first free name for a new entry: `input`, `input2`, … */
export function freeName(op: OperationDefinition, section: InterfaceSection, base: string): string {
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}${i}`;
    if (checkEntryName(op, section, name) === null) return name;
  }
}

/** After adding an entry, put the cursor in its name so that the user can type it at once. */
export function focusName(table: HTMLElement | undefined, id: string): void {
  requestAnimationFrame(() => {
    const input = table?.querySelector<HTMLInputElement>(`[data-entry="${CSS.escape(id)}"] input`);
    input?.focus();
    input?.select();
  });
}

/** Apply a plan (or show its refusal); returns the refusal, for display beside the field. */
export type Act = (result: OperationPlanResult) => string | null;
