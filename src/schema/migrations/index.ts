/**
 * Every migration, in one registry. Each lives in its own file in this folder, named
 * `<kind>-v<from>-to-v<to>.ts` and exporting `migration`; the registry test checks that every file is listed here.
 * Version 1 is the first stored shape, so there is nothing to migrate yet.
 */
import type { DocumentKind } from '../migrate';

export interface Migration {
  /** A stable name, e.g. "project-v1-to-v2". */
  id: string;
  kind: DocumentKind;
  from: number;
  to: number;
  /** Rewrite the document in place: put and delete map keys only (see migrate.ts). */
  up(doc: Record<string, unknown>): void;
}

export const MIGRATIONS: readonly Migration[] = [];
