import { describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSION } from '../model/version';
import { assess, runMigrations, type DocumentKind } from './migrate';
import { MIGRATIONS, type Migration } from './migrations';
import { executionProblems, projectProblems } from './validate';

// Every stored version has a fixture: fixtures/<project|execution>-v<N>.json.
const fixtures = import.meta.glob<Record<string, unknown>>('./fixtures/*.json', { eager: true, import: 'default' });
// Every migration lives in its own module beside the registry.
const migrationModules = import.meta.glob<{ migration: Migration }>('./migrations/*.ts', { eager: true });

function fixture(kind: string, version: number): Record<string, unknown> | undefined {
  const f = fixtures[`./fixtures/${kind}-v${version}.json`];
  return f ? structuredClone(f) : undefined;
}

describe('schema fixtures', () => {
  for (const kind of ['project', 'execution'] as const) {
    for (let v = 1; v <= CURRENT_SCHEMA_VERSION; v++) {
      it(`${kind} v${v} has a fixture that opens as a current, valid document`, () => {
        const doc = fixture(kind, v);
        expect(doc, `add src/schema/fixtures/${kind}-v${v}.json`).toBeDefined();
        const a = assess(doc, `deepforge/${kind}` as DocumentKind);
        if (a.status === 'migrate') runMigrations(doc!, a.steps);
        else expect(a.status).toBe('current');
        expect(doc!.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
        expect(kind === 'project' ? projectProblems(doc) : executionProblems(doc)).toEqual([]);
      });
    }
  }
});

describe('migration registry', () => {
  it('lists every migration module, in version order, without gaps', () => {
    const files = Object.entries(migrationModules).filter(([path]) => !path.endsWith('/index.ts'));
    const listed = new Set(MIGRATIONS.map((m) => m.id));
    for (const [path, mod] of files) {
      expect(mod.migration, `${path} must export \`migration\``).toBeDefined();
      expect(path).toBe(`./migrations/${mod.migration.id}.ts`);
      expect(listed.has(mod.migration.id), `${mod.migration.id} is not in MIGRATIONS`).toBe(true);
    }
    expect(MIGRATIONS).toHaveLength(files.length);
    for (const m of MIGRATIONS) expect(m.to).toBe(m.from + 1);
    for (const kind of ['deepforge/project', 'deepforge/execution'] as const) {
      const froms = MIGRATIONS.filter((m) => m.kind === kind).map((m) => m.from);
      expect(froms).toEqual([...Array(froms.length).keys()].map((i) => i + 1).slice(0, froms.length));
    }
  });

  it('migrations are deterministic and do not touch their input outside the document', () => {
    for (const m of MIGRATIONS) {
      const kind = m.kind.split('/')[1]!;
      const a = fixture(kind, m.from)!;
      const b = fixture(kind, m.from)!;
      m.up(a);
      m.up(b);
      expect(a).toEqual(b);
    }
  });
});

describe('assess', () => {
  const up = (from: number): Migration => ({
    id: `project-v${from}-to-v${from + 1}`,
    kind: 'deepforge/project',
    from,
    to: from + 1,
    up: (doc) => {
      doc[`addedIn${from + 1}`] = true;
    },
  });

  it('accepts the current version without writing', () => {
    const doc = Object.freeze({ kind: 'deepforge/project', schemaVersion: CURRENT_SCHEMA_VERSION, name: 'x' });
    expect(assess(doc, 'deepforge/project')).toEqual({ status: 'current' });
  });

  it('chains the steps from an old version to the current one', () => {
    const doc: Record<string, unknown> = { kind: 'deepforge/project', schemaVersion: 1 };
    const a = assess(doc, 'deepforge/project', [up(2), up(1)], 3);
    expect(a.status).toBe('migrate');
    if (a.status !== 'migrate') return;
    expect(a.steps.map((s) => s.id)).toEqual(['project-v1-to-v2', 'project-v2-to-v3']);
    runMigrations(doc, a.steps);
    expect(doc).toEqual({ kind: 'deepforge/project', schemaVersion: 3, addedIn2: true, addedIn3: true });
  });

  it('refuses documents from a newer DeepForge and damaged ones', () => {
    expect(assess({ kind: 'deepforge/project', schemaVersion: 999 }, 'deepforge/project')).toEqual({ status: 'too-new', version: 999 });
    expect(assess(null, 'deepforge/project').status).toBe('unreadable');
    expect(assess({ schemaVersion: 1 }, 'deepforge/project').status).toBe('unreadable');
    expect(assess({ kind: 'deepforge/project', schemaVersion: '1' }, 'deepforge/project').status).toBe('unreadable');
    expect(assess({ kind: 'deepforge/execution', schemaVersion: 1 }, 'deepforge/project').status).toBe('unreadable');
    expect(assess({ kind: 'deepforge/project', schemaVersion: 1 }, 'deepforge/project', [], 2)).toEqual({
      status: 'unreadable',
      reason: 'No migration from version 1 of a deepforge/project.',
    });
  });

  it('finds shape problems a view would trip over', () => {
    expect(projectProblems({ name: 'x', pipelines: [] })).toEqual(["The project's pipelines is not a map of items."]);
    expect(projectProblems({ pipelines: { a: 3 } })).toEqual(['The project has no name.', 'Item a in pipelines is not an object.']);
  });
});
