// Lint: TypeScript and Svelte, plus the house dependency rule (../shared/STYLE.md):
//   app → ui → (sync, engine client, storage) → schema → model → lib
// @automerge/* only in sync/ and app/ (ui may import its types), dexie only in storage/, tfjs only in engine/worker/.
import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

const automerge = { group: ['@automerge/*'], message: 'Only src/sync and src/app import Automerge; go through src/sync.' };
const automergeValues = { group: ['@automerge/*'], allowTypeImports: true, message: 'Views import Automerge types only; call the Workspace (src/ui/services.ts) for anything that runs.' };
const dexie = { group: ['dexie', 'dexie/*'], message: 'Only src/storage imports Dexie; use the ArtifactStore interface.' };
const tfjs = { group: ['@tensorflow/*'], message: 'tfjs is imported only under src/engine/worker (it is large and runs off the main thread).' };
const upward = (...layers) => ({ group: layers.map((l) => `**/${l}/*`), message: `This layer may not import ${layers.join(', ')} (see CONTEXT.md and ../shared/STYLE.md).` });

const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default ts.config(
  { ignores: ['dist/', 'sync-server/dist/', 'node_modules/', 'dev-dist/', 'test-results/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'svelte/no-navigation-without-resolve': 'off',
      'svelte/require-each-key': 'error',
      // TypeScript checks names (and knows DOM types such as BlobPart); see typescript-eslint's advice.
      'no-undef': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  { files: ['src/lib/**'], rules: restrict(automerge, dexie, tfjs, upward('model', 'schema', 'sync', 'storage', 'engine', 'ui', 'app')) },
  { files: ['src/model/**'], rules: restrict(automerge, dexie, tfjs, upward('schema', 'sync', 'storage', 'engine', 'ui', 'app')) },
  { files: ['src/schema/**'], rules: restrict(automerge, dexie, tfjs, upward('sync', 'storage', 'engine', 'ui', 'app')) },
  { files: ['src/sync/**'], rules: restrict(dexie, tfjs, upward('storage', 'engine', 'ui', 'app')) },
  { files: ['src/storage/**'], rules: restrict(automerge, tfjs, upward('sync', 'engine', 'ui', 'app')) },
  { files: ['src/engine/**'], ignores: ['src/engine/worker/**'], rules: restrict(automerge, dexie, tfjs, upward('ui', 'app')) },
  { files: ['src/engine/worker/**'], rules: restrict(automerge, dexie, upward('ui', 'app')) },
  { files: ['src/ui/**'], rules: restrict(automergeValues, dexie, tfjs, upward('app')) },
  { files: ['src/app/**'], rules: restrict(dexie, tfjs) },
);
