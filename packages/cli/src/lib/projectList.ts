import { NexaError, ProjectName } from '@nexa/core';

/** `--project a --project b,c` → ['a','b','c'], each a checked project name (empty: none given). */
export function projectList(flags: readonly string[] | undefined, flag = '--project'): string[] {
  const names = (flags ?? [])
    .flatMap((value) => value.split(','))
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of names) {
    const parsed = ProjectName.safeParse(name);
    if (!parsed.success) {
      throw new NexaError('invalid_input', `${flag} "${name}": ${parsed.error.issues[0]?.message}`);
    }
  }
  return [...new Set(names)];
}
