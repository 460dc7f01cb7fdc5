import { describeRule } from '@nexa/core';
import { ClientCommand } from '../../clientCommand.js';

export default class PolicyShow extends ClientCommand<typeof PolicyShow> {
  static override summary = "Show the project's approval policy, rule by rule.";
  static override examples = ['<%= config.bin %> policy show', '<%= config.bin %> policy show --json'];

  async run() {
    const policy = await this.call((client) => client.policy.show.query());
    if (!this.jsonEnabled()) {
      if (policy.rules.length === 0) {
        this.log(
          "No project policy: requests go by each task's --policy and --approve. Set one with: nexa policy set FILE",
        );
      } else {
        for (const [index, rule] of policy.rules.entries()) this.log(`${index + 1}. ${describeRule(rule)}`);
        this.log(`(set by ${policy.updatedBy} ${policy.updatedAt})`);
      }
    }
    return policy;
  }
}
