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
          sequence: { groupOrder: 0 },
          testTimeout: 20_000,
        },
      },
      {
        // TUI components rendered into a headless terminal. Ink renders no
        // frames when it believes it runs in CI (read once, at import), so
        // these files start with CI unset; nothing else here reads it.
        resolve: { conditions: sourceConditions },
        ssr: { resolve: { conditions: sourceConditions } },
        test: {
          name: 'tui',
          include: ['packages/cli/src/tui/**/*.test.tsx'],
          setupFiles: ['packages/cli/src/tui/testing/inkOutsideCi.ts'],
          sequence: { groupOrder: 0 },
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['packages/cli/e2e/**/*.test.ts'],
          // After the unit tests, which need the cores to themselves less.
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Each file starts its own coordinators and workers; two cores cannot take many at once.
          maxWorkers: 2,
        },
      },
    ],
  },
});
