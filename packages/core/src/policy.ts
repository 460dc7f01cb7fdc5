import type { ApprovalAction, ApproveMode, PolicyDecision, PolicyRule } from './schemas/approval.js';

/**
 * A glob as people write it for commands and paths: `*` is any run of
 * characters (slashes and spaces included, so `echo *` matches `echo a/b c`),
 * `?` is one character; everything else is literal. The whole text must match.
 */
export function globMatches(glob: string, text: string): boolean {
  const pattern = glob
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`, 's').test(text);
}

export function ruleMatches(rule: PolicyRule, action: ApprovalAction): boolean {
  if (rule.tool !== undefined && !globMatches(rule.tool, action.tool)) return false;
  if (rule.risk !== undefined && rule.risk !== action.risk) return false;
  if (
    rule.command !== undefined &&
    (action.command === undefined || !globMatches(rule.command, action.command))
  )
    return false;
  if (rule.path !== undefined && !(action.paths ?? []).some((path) => globMatches(rule.path as string, path)))
    return false;
  return true;
}

/** A rule in words, for the audit trail: `deny tool=Bash command="rm *"`. */
export function describeRule(rule: PolicyRule): string {
  const parts = (['tool', 'command', 'path', 'risk'] as const)
    .filter((field) => rule[field] !== undefined)
    .map(
      (field) =>
        `${field}=${field === 'tool' || field === 'risk' ? rule[field] : JSON.stringify(rule[field])}`,
    );
  const what = `${rule.decision}${parts.length > 0 ? ` ${parts.join(' ')}` : ' everything'}`;
  return rule.name ? `${rule.name} (${what})` : what;
}

/** A named list of rules, checked in order; layers are checked one after another. */
export interface PolicyLayer {
  /** "task", "project", "always": where the rules came from, for the audit trail. */
  name: string;
  rules: readonly PolicyRule[];
}

export interface PolicyVerdict {
  decision: PolicyDecision;
  /** Which rule decided ("task rule 2: deny tool=Bash command="rm *""), or null when none matched. */
  rule: string | null;
}

/**
 * Decides a request without a person where the rules allow: the first
 * matching rule of the first layer that has one decides; when none matches,
 * the task's `--approve` mode does (ask, or allow/deny everything).
 */
export function evaluatePolicy(
  action: ApprovalAction,
  layers: readonly PolicyLayer[],
  mode: ApproveMode,
): PolicyVerdict {
  for (const layer of layers) {
    const index = layer.rules.findIndex((rule) => ruleMatches(rule, action));
    const rule = layer.rules[index];
    if (rule)
      return { decision: rule.decision, rule: `${layer.name} rule ${index + 1}: ${describeRule(rule)}` };
  }
  if (mode === 'ask') return { decision: 'ask', rule: null };
  return { decision: mode === 'all' ? 'allow' : 'deny', rule: `--approve ${mode}` };
}
