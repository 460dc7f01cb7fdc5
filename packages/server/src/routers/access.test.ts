import { roles } from '@nexa/core';
import { describe, expect, it } from 'vitest';
import type { Access } from '../trpc.js';
import { appRouter } from './index.js';

const projectRules = ['input', 'row', 'listing', 'own', 'none'];

describe('every procedure declares who may call it', () => {
  const procedures = Object.entries(
    appRouter._def.procedures as unknown as Record<string, { _def: { meta?: Access } }>,
  );

  it('walks the whole router', () => {
    expect(procedures.length).toBeGreaterThan(40);
  });

  it.each(procedures)('%s declares its roles and project rule', (_path, procedure) => {
    const access = procedure._def.meta;
    expect(access, 'declare it with procedure({ roles, project }) in trpc.ts').toBeDefined();
    expect(access?.roles.length).toBeGreaterThan(0);
    for (const role of access?.roles ?? []) expect(roles).toContain(role);
    expect(projectRules).toContain(access?.project);
  });
});
