import type { ApprovalAction, ApproveMode, PolicyDecision, PolicyRule } from './schemas/approval.js';

/**
 * A glob as people write it for commands and paths: `*` is any run of
 * characters (slashes, spaces, `;`, `|` and `&&` included, so `echo *`
 * matches `echo a/b c` and also `echo x; rm -rf ~`), `?` is one character;
 * everything else is literal. The whole text must match.
 *
 * Never a RegExp: `*a*a*a*b` compiled to `.*a.*a.*a.*b` backtracks
 * exponentially. The pattern is split at its stars instead; the first piece
 * must start the text, the last must end it, and each piece in between is
 * matched at its leftmost place after the one before (leftmost is always
 * safe for a star-separated glob). Each piece is searched once, so the time
 * is at most text length × pattern length, whatever the pattern.
 */
export function globMatches(glob: string, text: string): boolean {
  const pieces = glob.split('*');
  const first = pieces[0] as string;
  if (pieces.length === 1) return text.length === glob.length && pieceAt(first, text, 0);
  const last = pieces.at(-1) as string;
  const end = text.length - last.length;
  if (end < first.length || !pieceAt(first, text, 0) || !pieceAt(last, text, end)) return false;
  let from = first.length;
  for (const piece of pieces.slice(1, -1)) {
    if (piece === '') continue;
    const at = findPiece(piece, text, from, end);
    if (at < 0) return false;
    from = at + piece.length;
  }
  return true;
}

/** Whether a star-free piece (`?` is any one character) matches `text` at `at`. */
function pieceAt(piece: string, text: string, at: number): boolean {
  if (at < 0 || at + piece.length > text.length) return false;
  for (let i = 0; i < piece.length; i++) {
    if (piece[i] !== '?' && piece[i] !== text[at + i]) return false;
  }
  return true;
}

/** The leftmost place at or after `from` where `piece` matches and ends by `end`, or -1. */
function findPiece(piece: string, text: string, from: number, end: number): number {
  if (!piece.includes('?')) {
    const at = text.indexOf(piece, from);
    return at >= 0 && at + piece.length <= end ? at : -1;
  }
  for (let at = from; at + piece.length <= end; at++) if (pieceAt(piece, text, at)) return at;
  return -1;
}

/** A rule field against the action's text: literal for an exact rule (`--always`), else a glob. */
function fieldMatches(rule: PolicyRule, pattern: string, text: string): boolean {
  return rule.match === 'exact' ? pattern === text : globMatches(pattern, text);
}

export function ruleMatches(rule: PolicyRule, action: ApprovalAction): boolean {
  if (rule.tool !== undefined && !fieldMatches(rule, rule.tool, action.tool)) return false;
  if (rule.risk !== undefined && rule.risk !== action.risk) return false;
  if (
    rule.command !== undefined &&
    (action.command === undefined || !fieldMatches(rule, rule.command, action.command))
  )
    return false;
  if (
    rule.path !== undefined &&
    !(action.paths ?? []).some((path) => fieldMatches(rule, rule.path as string, path))
  )
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
  const exactly = rule.match === 'exact' ? ' exactly' : '';
  const what = `${rule.decision}${exactly}${parts.length > 0 ? ` ${parts.join(' ')}` : ' everything'}`;
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
