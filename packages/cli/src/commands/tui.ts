import { NexaError } from '@nexa/core';
import { resolveClientSettings } from '@nexa/core/config';
import { Flags } from '@oclif/core';
import { chosenProject, clientFlags, projectFlags } from '../clientCommand.js';
import { NexaCommand } from '../nexaCommand.js';
import { hasTerminal, prepareTerminalEnv } from '../tui/terminalEnv.js';

export default class Tui extends NexaCommand<typeof Tui> {
  static override summary = 'Watch and steer tasks, approvals and workers in a terminal UI.';
  static override description =
    `Live panes of running tasks (their output as a terminal shows it), the approvals queue across every worker and agent, and the fleet. Works over SSH (ssh -t host nexa tui), at 80x24 and up, without a mouse. Press ? for the keys; each one names the nexa command that does the same.

Nothing polls: the task list, workers and approvals are live feeds, and a lost connection is resumed where it stopped.`;
  static override examples = [
    '<%= config.bin %> tui',
    '<%= config.bin %> tui --server http://build-box:7420 --token "$NEXA_TOKEN"',
    '<%= config.bin %> tui --project web-app',
    'NO_COLOR=1 <%= config.bin %> tui --no-notify',
  ];
  static override enableJsonFlag = false;
  static override baseFlags = clientFlags;
  static override flags = {
    ...projectFlags,
    notify: Flags.boolean({
      description:
        'Ring the bell and send a desktop notification (OSC 9/777) when an approval arrives or a watched task ends.',
      default: true,
      allowNo: true,
    }),
  };

  async run(): Promise<void> {
    if (!hasTerminal()) {
      throw new NexaError('invalid_input', 'nexa tui needs a terminal on stdin and stdout', {
        hint: 'run it in a terminal (over SSH: ssh -t HOST nexa tui); scripts can use nexa tasks list --json',
      });
    }
    this.settings = await resolveClientSettings({
      server: this.flags.server,
      token: this.flags.token,
      ca: this.flags.ca,
    });
    prepareTerminalEnv();
    const { runTui } = await import('../tui/runTui.js');
    await runTui({
      server: this.settings.server,
      token: this.settings.token,
      ca: this.settings.ca,
      embedded: false,
      notify: this.flags.notify,
      project: chosenProject(this.flags.project),
    });
  }
}
