import { z } from 'zod';
import { limits, tooLong, tooMany } from '../limits.js';
import { boundedJson } from './boundedJson.js';

/** How much an action can do, from least to most: what a person weighs before saying yes. */
export const risks = ['read', 'write', 'execute', 'network'] as const;
export const Risk = z.enum(risks);
export type Risk = z.infer<typeof Risk>;

/**
 * What an agent asks permission for, in the same shape whatever the agent:
 * its own tool name, the action in words a person reads at a glance, and the
 * parts a policy matches on (command, paths).
 */
export const ApprovalAction = z.object({
  /** The agent's own tool name: Bash, Edit, execute, shell... */
  tool: z.string().min(1).max(200),
  /** One readable line: "run `rm -rf build`", "edit src/app.ts". */
  action: z.string().min(1).max(2000),
  command: z.string().max(20_000).optional(),
  paths: z.array(z.string().max(4096)).max(100).optional(),
  /** A proposed change, as a unified diff, when the agent gave one. */
  diff: z.string().max(200_000).optional(),
  risk: Risk,
});
export type ApprovalAction = z.infer<typeof ApprovalAction>;

export const approvalStatuses = ['pending', 'approved', 'denied', 'expired'] as const;
export const ApprovalStatus = z.enum(approvalStatuses);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

/** One request in the approvals queue, and how it was decided; this is also the `--json` contract. */
export const Approval = ApprovalAction.extend({
  id: z.string(),
  taskId: z.string(),
  attempt: z.number().int(),
  agent: z.string(),
  /** An agent's `ask_human` question: answered with text (approvals.answer {id, text}), never by a policy. */
  question: z.boolean(),
  status: ApprovalStatus,
  createdAt: z.string(),
  expiresAt: z.string(),
  decidedAt: z.string().nullable(),
  /** Who decided: a token's subject, "policy", "timeout", or "nexa" (the task ended first). */
  decidedBy: z.string().nullable(),
  /** Which rule decided, when a policy did ("task rule 2: deny Bash rm *"). */
  rule: z.string().nullable(),
  reason: z.string().nullable(),
});
export type Approval = z.infer<typeof Approval>;

/** A person's edit of what the agent asked to do: free-form JSON, bounded like a tool call's input. */
export const UpdatedInput = boundedJson(
  'updatedInput',
  limits.event.toolInputChars,
  limits.event.jsonDepth,
).pipe(z.record(z.string(), z.unknown()));

/** What the agent is told: go ahead (perhaps with edited input), or not and why. */
export const ApprovalDecision = z.object({
  outcome: z.enum(['allow', 'deny', 'cancelled']),
  /** The person said "always": agents that can remember it are told to. */
  always: z.boolean().default(false),
  message: z.string().max(limits.event.textChars).optional(),
  updatedInput: UpdatedInput.optional(),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

export const policyDecisions = ['allow', 'deny', 'ask'] as const;
export const PolicyDecision = z.enum(policyDecisions);
export type PolicyDecision = z.infer<typeof PolicyDecision>;

/**
 * One rule: every field given must match (globs: `*` is any run of characters,
 * `?` one). `path` matches if any of the action's paths does.
 */
export const PolicyRule = z
  .object({
    name: z.string().min(1).max(200).optional(),
    tool: z.string().min(1).max(200).optional(),
    command: z.string().min(1).max(2000).optional(),
    path: z.string().min(1).max(4096).optional(),
    risk: Risk.optional(),
    /** `exact`: tool, command and path are literal text, never globs (what `--always` records). */
    match: z.enum(['glob', 'exact']).optional(),
    decision: PolicyDecision,
  })
  .strict();
export type PolicyRule = z.infer<typeof PolicyRule>;

/** An ordered list of rules: the first that matches decides. */
export const Policy = z
  .object({
    rules: z.array(PolicyRule).max(limits.policy.rules, tooMany('policy', limits.policy.rules, 'rules')),
  })
  .strict()
  .refine(
    (policy) => JSON.stringify(policy).length <= limits.policy.totalChars,
    tooLong('a policy (as JSON)', limits.policy.totalChars),
  );
export type Policy = z.infer<typeof Policy>;

/** What happens to a request no rule matched: `--approve all|none|ask`. */
export const approveModes = ['ask', 'all', 'none'] as const;
export const ApproveMode = z.enum(approveModes);
export type ApproveMode = z.infer<typeof ApproveMode>;
