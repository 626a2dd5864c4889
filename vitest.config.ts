import { defineConfig } from 'vitest/config';

// Unit tests: pure Node, beside the code (src/**/*.test.ts) and the relay's own tests.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'sync-server/test/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
  },
});
