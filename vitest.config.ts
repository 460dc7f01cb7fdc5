import { defineConfig } from 'vitest/config';

// Unit and router tests run against TypeScript sources (the "source" export
// condition); e2e tests start the built `nexa` binaries as real processes.
const sourceConditions = ['source', 'node', 'import', 'default'];

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { conditions: sourceConditions },
        ssr: { resolve: { conditions: sourceConditions } },
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['packages/cli/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Each file starts its own coordinators and workers; two cores cannot take many at once.
          maxWorkers: 2,
        },
      },
    ],
  },
});
