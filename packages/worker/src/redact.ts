import { MIN_SECRET_LENGTH, type Secret } from '@nexa/core';

/** Variable names whose values are secrets: `*_KEY`, `*_TOKEN`, `*_SECRET`, `*PASSWORD*` (any case). */
const SECRET_NAME = /(_KEY|_TOKEN|_SECRET)$|PASSWORD/i;

/**
 * What a task's events must never carry: the values of its own variables
 * named like secrets, and every value the worker passes on (--pass-env),
 * whatever its name (they are the worker owner's API keys).
 */
export function secretsOf(
  taskEnv: Readonly<Record<string, string>>,
  passedEnv: Readonly<Record<string, string>>,
): Secret[] {
  const secrets = [
    ...Object.entries(taskEnv).filter(([name]) => SECRET_NAME.test(name)),
    ...Object.entries(passedEnv),
  ].map(([name, value]) => ({ name, value }));
  return secrets.filter((secret) => secret.value.length >= MIN_SECRET_LENGTH);
}
