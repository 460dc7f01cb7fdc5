import { Args } from '@oclif/core';
import { ClientCommand } from '../../clientCommand.js';
import { readPolicy } from '../../lib/taskSpecFlags.js';

export default class PolicySet extends ClientCommand<typeof PolicySet> {
  static override summary = "Replace the project's approval policy with the rules in a file.";
  static override description =
    `The file is JSON: {"rules": [RULE, ...]}. A rule has a decision (allow, deny or ask) and any of: tool (the agent's tool name, e.g. Bash, Edit), command and path (globs: * is any run of characters, ? one), risk (read, write, execute, network), name. Every field given must match; the first matching rule decides.

Order of checks for each request: the task's own --policy rules, then this project policy, then the task's --approve mode (ask by default). Needs an admin token.`;
  static override examples = ['<%= config.bin %> policy set policy.json'];
  static override args = { file: Args.string({ description: 'Policy file (JSON).', required: true }) };

  async run() {
    const policy = readPolicy(this.args.file);
    const stored = await this.call((client) => client.policy.set.mutate(policy));
    if (!this.jsonEnabled()) this.log(`project policy set: ${stored.rules.length} rule(s)`);
    return stored;
  }
}
