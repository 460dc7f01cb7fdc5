import { AgentName, AllowedHost, NetworkMode, NexaError, SecretName, type TaskSpecInput } from '@nexa/core';
import { z } from 'zod';
import { defineTool, writes } from '../tool.js';

export const spawnTask = defineTool({
  name: 'spawn_task',
  title: 'Start a sub-task',
  description:
    'Start a sub-task in this project on any eligible worker: a coding agent given a prompt, or a shell command; it returns the task id at once (wait_task waits for it, cancelling you cancels it). Example: {"agent": "claude", "prompt": "Write tests for src/parse.ts"} or {"command": ["make", "test"]}',
  inputSchema: {
    prompt: z.string().optional().describe('What a coding agent is asked to do.'),
    command: z
      .array(z.string())
      .optional()
      .describe('A shell task\'s argv, e.g. ["make", "test"]; for agent acp, the ACP agent\'s own command.'),
    agent: AgentName.optional().describe(
      'Who runs it; default: your own agent for a prompt, shell for a command.',
    ),
    labels: z
      .record(z.string(), z.string())
      .optional()
      .describe('Only a worker with these labels, e.g. {"gpu": "1"}.'),
    repo: z.string().optional().describe('A git repository to work on (a path on the worker, or a URL).'),
    network: NetworkMode.optional().describe(
      "How its sandbox reaches the network: none, allowlist (its model provider only) or open; default: the agent's default.",
    ),
    allow_hosts: z
      .array(AllowedHost)
      .optional()
      .describe(
        'Under allowlist, hosts it may reach besides its model provider (host, or host:port), of those your own allowlist has, e.g. ["registry.npmjs.org"].',
      ),
    secrets: z
      .array(SecretName)
      .optional()
      .describe(
        'Secrets it gets as environment variables, of those you were given yourself (their values never show in its log), e.g. ["NPM_TOKEN"].',
      ),
    timeout_seconds: z.number().int().min(1).optional().describe('End it as timed_out after this long.'),
  },
  annotations: writes,
  async run(input, { client, identity }) {
    const { taskId, project } = await identity();
    const parent = taskId ? await client.tasks.get.query({ id: taskId }) : null;
    const agent = input.agent ?? (input.prompt ? parent?.agent : 'shell');
    if (!agent || (input.prompt && agent === 'shell')) {
      throw new NexaError('invalid_input', 'a prompt needs a coding agent: name one in agent, e.g. "claude"');
    }
    const spec: TaskSpecInput = {
      project,
      agent,
      command: input.command ?? (parent && parent.agent === agent && agent === 'acp' ? parent.command : []),
      prompt: input.prompt ?? null,
      labels: input.labels ?? {},
      repo: input.repo ?? null,
      network: input.network,
      allowHosts: input.allow_hosts ?? [],
      secrets: input.secrets ?? [],
      timeoutMs: input.timeout_seconds ? input.timeout_seconds * 1000 : null,
      // A sub-task runs walled like its parent, and asks approvals the way it does.
      ...(parent ? { sandbox: parent.sandbox, image: parent.image, approve: parent.approve } : {}),
    };
    const task = await client.tasks.submit.mutate(spec);
    return { id: task.id, status: task.status, agent: task.agent };
  },
});
