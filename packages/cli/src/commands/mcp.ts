import { resolveClientSettings } from '@nexa/core/config';
import { ClientCommand, projectFlags, projectName } from '../clientCommand.js';

export default class Mcp extends ClientCommand<typeof Mcp> {
  static override summary = "Serve Nexa's tools to an agent as an MCP server over stdio.";
  static override description =
    "The worker hands this to every agent that speaks MCP, with NEXA_SERVER and NEXA_TOKEN set to the coordinator's socket and a token for that one task attempt. Tools: post_message, read_thread, list_threads, wait_for_reply, kv_get, kv_set, kv_list, spawn_task, wait_task, task_status, who_is_online, ask_human; the thread defaults to the task's own and the project to the token's. stdout carries only the protocol.";
  static override examples = [
    'NEXA_SERVER=unix:/work/.nexa/mcp.sock NEXA_TOKEN=... <%= config.bin %> mcp',
    'claude mcp add nexa -- <%= config.bin %> mcp --project web-app',
  ];
  // stdout is the protocol: no --json output of its own.
  static override enableJsonFlag = false;
  static override flags = { ...projectFlags };

  async run(): Promise<void> {
    const project = projectName(this.flags.project);
    const { server, token, ca } = await resolveClientSettings({
      server: this.flags.server,
      token: this.flags.token,
      ca: this.flags.ca,
    });
    this.settings = { server, token };
    const { runNexaMcp } = await import('@nexa/worker/mcp');
    await runNexaMcp({ server, token, ca, project });
  }
}
