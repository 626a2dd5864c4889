import { describe, expect, it } from 'vitest';
import { parse } from 'acorn';
import { CORE_OPERATIONS } from './core';
import { checkAttribute } from '../validation';

describe('the core library', () => {
  const ops = Object.values(CORE_OPERATIONS);

  it('has the operations the pipeline editor offers', () => {
    const names = ops.map((o) => o.name);
    for (const n of ['Load MNIST', 'Load Iris', 'Load CSV', 'Load Images', 'Train/Test Split', 'Standardize', 'One-hot', 'Shuffle', 'Batch', 'Build Model', 'Train', 'Evaluate', 'Predict', 'Save Model', 'Plot', 'Log', 'Custom Code']) {
      expect(names).toContain(n);
    }
  });

  it.each(ops.map((o) => [o.name, o] as const))('%s: code parses, its run() destructures exactly its interface, defaults fit the schema', (_, op) => {
    const ast = parse(op.code, { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as { body: Array<{ type: string; declaration?: { id?: { name: string }; params: unknown[] } }> };
    const fn = ast.body.find((n) => n.type === 'ExportDefaultDeclaration')?.declaration;
    expect(fn?.id?.name).toBe('run');
    const params = fn!.params as Array<{ type: string; properties?: Array<{ key: { name: string } }> }>;
    expect(params).toHaveLength(4);
    const keys = (i: number) => (params[i]!.type === 'ObjectPattern' ? params[i]!.properties!.map((p) => p.key.name).sort() : null);
    const expectDestructured = (i: number, names: string[]) => {
      const k = keys(i);
      if (k !== null) expect(k).toEqual([...names].sort());
      else expect(params[i]!.type).toBe('Identifier');
    };
    expectDestructured(0, Object.values(op.inputs).map((p) => p.name));
    expectDestructured(1, Object.values(op.attributes).map((p) => p.name));
    expectDestructured(2, Object.values(op.references).map((p) => p.name));
    for (const a of Object.values(op.attributes)) expect(checkAttribute(a, a.default), `${op.name}.${a.name}`).toBeNull();
  });
});
