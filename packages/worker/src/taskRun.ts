import {
  type Assignment,
  agentKind,
  formatDuration,
  Redactor,
  type SandboxName,
  type TaskStatus,
  type ThreadMessage,
} from '@nexa/core';
import { type AgentPrograms, programPaths } from './agentPrograms.js';
import { agents } from './agents/index.js';
import {
  allowingNexaTools,
  type RequestApproval,
  TaskApprovalGate,
  withRelativePaths,
} from './approvalGate.js';
import { startTaskEgress, type TaskEgress } from './egress/taskEgress.js';
import type { TaskEventStream } from './eventStream.js';
import { FollowUpInbox } from './followUps.js';
import { ownDir } from './ownCorner.js';
import { secretsOf } from './redact.js';
import { chooseSandbox, type Sandbox, type SandboxNetwork, WORKDIR_IN_SANDBOX } from './sandbox/index.js';
import { taskEnv } from './taskEnv.js';
import { startTaskNexa, type TaskNexa } from './taskNexa.js';
import { keptWorkingCopy, prepareWorkingCopy, recordChanges, type WorkingCopy } from './workingCopy.js';
import { removeWorkspaceLater } from './workspace.js';

/** A coding agent's home, inside its working copy (the sandbox's one writable place). */
export const AGENT_HOME = '.nexa/home';

/** How long `running` may wait for the first output to travel with it. */
const RUNNING_LINGER_MS = 20;

/** Why a run was stopped before its agent ended by itself. */
export type StopCause = 'cancelled' | 'timed_out' | 'reassigned' | 'shutdown';

/** How a run ended, from the worker's side. */
export type RunOutcome = 'reported' | 'abandoned' | 'handed_back';

/**
 * One attempt of a task on this worker: working copy, sandbox, agent, then
 * the final status. A stop (cancel, timeout, shutdown, reassignment) asks the
 * agent to end within the task's grace period; how the attempt is reported
 * depends on why it stopped.
 */
export class TaskRun {
  private readonly abort = new AbortController();
  private cause: StopCause | undefined;
  private graceMs: number;
  private timeout: NodeJS.Timeout | undefined;

  constructor(
    readonly assignment: Assignment,
    readonly events: TaskEventStream,
    private readonly host: {
      workRoot: string;
      sandboxes: ReadonlyMap<SandboxName, Sandbox>;
      /** The docker image for tasks that name none. */
      defaultImage?: string | undefined;
      /** How long a finished task's working copy is kept. */
      keepWorkdirsMs?: number | undefined;
      /** How long a resumable agent task's copy is kept, for `nexa continue` (at least keepWorkdirsMs). */
      keepAgentWorkdirsMs?: number | undefined;
      /** The coordinator's URL (the worker's --server): where the MCP relay pipes to. */
      server?: string | undefined;
      /** PEM of a private CA the relay checks an https coordinator's certificate against. */
      ca?: string | undefined;
      /** The argv that runs the `nexa` CLI on this machine; without it tasks get no `nexa` and agents no nexa tools. */
      nexaCommand?: readonly string[] | undefined;
      programs: AgentPrograms;
      /** Variables of the worker's own environment that coding agents get (--pass-env). */
      agentEnv: Readonly<Record<string, string>>;
      requestApproval: RequestApproval;
    },
  ) {
    this.graceMs = assignment.spec.graceMs;
    // Secret values never leave the worker: not in events, not in approval requests.
    // The task token too: a viewer who read it in a log could act as the task while it runs.
    const redactor = new Redactor(
      secretsOf(assignment.spec.env, {
        ...host.agentEnv,
        ...assignment.secrets,
        ...(assignment.token ? { NEXA_TOKEN: assignment.token } : {}),
      }),
    );
    events.redactWith(redactor);
    const requestApproval: RequestApproval = (request) =>
      host.requestApproval({ ...redactor.redactDeep(request), key: request.key });
    this.approvals = new TaskApprovalGate(assignment, events, requestApproval, this.abort.signal);
  }

  /** Where the coordinator's decisions on this attempt's approval requests go. */
  readonly approvals: TaskApprovalGate;

  /** People's messages in the task's thread, for the agent's next turns. */
  readonly followUps = new FollowUpInbox();

  /**
   * A message in the task's thread: the agent's next user turn when it takes
   * follow-ups; false when this run cannot take it (a command, or ending).
   */
  deliver(message: ThreadMessage): boolean {
    if (!agentKind(this.assignment.spec.agent).followUps || this.cause) return false;
    return this.followUps.push(message);
  }

  get taskId(): string {
    return this.assignment.taskId;
  }

  get attempt(): number {
    return this.assignment.attempt;
  }

  /** Asks the agent to stop; the first cause wins. */
  stop(cause: StopCause, graceMs = this.graceMs): void {
    if (this.cause) return;
    this.cause = cause;
    this.graceMs = graceMs;
    this.abort.abort();
  }

  async run(): Promise<RunOutcome> {
    const { spec, taskId, attempt } = this.assignment;
    this.events.emitLingering({ kind: 'status', status: 'running' }, RUNNING_LINGER_MS);
    if (spec.timeoutMs) this.timeout = setTimeout(() => this.stop('timed_out'), spec.timeoutMs);
    let copy: WorkingCopy | undefined;
    let nexa: TaskNexa | undefined;
    let egress: TaskEgress | undefined;
    const kind = agentKind(spec.agent);
    try {
      const image = spec.image ?? this.host.defaultImage;
      const missing = spec.secrets.filter((name) => !Object.hasOwn(this.assignment.secrets, name));
      if (missing.length > 0) {
        const reason = `the coordinator sent no value for secret ${missing.join(', ')} (removed since the task was submitted, or its key cannot open it): set it again with nexa secret set`;
        this.events.emit({ kind: 'error', message: reason });
        return await this.finish(null, reason, 'failed');
      }
      const sandbox = chooseSandbox(this.host.sandboxes, spec.sandbox, image !== undefined);
      if (typeof sandbox === 'string') {
        this.events.emit({ kind: 'error', message: sandbox });
        return await this.finish(null, sandbox, 'failed');
      }
      copy = this.assignment.resume
        ? keptWorkingCopy(this.host.workRoot, taskId, attempt)
        : await prepareWorkingCopy(this.host.workRoot, taskId, attempt, spec.repo);
      const workdir = copy.dir;
      const program = this.host.programs.program(spec.agent, spec.command);
      const agentWorkdir = sandbox.name === 'process' ? workdir : WORKDIR_IN_SANDBOX;
      const { token } = this.assignment;
      if (token && this.host.server && this.host.nexaCommand) {
        const started = await startTaskNexa({
          workdir,
          workdirInSandbox: agentWorkdir,
          walled: sandbox.name !== 'process',
          system: sandbox.system,
          nexaCommand: this.host.nexaCommand,
          server: this.host.server,
          ca: this.host.ca,
          token,
          project: spec.project,
        });
        if (typeof started === 'string') this.events.emit({ kind: 'error', message: started });
        else nexa = started;
      }
      const readOnlyPaths = [...new Set([...programPaths(program), ...(nexa?.readOnlyPaths ?? [])])];
      const env = this.agentEnv(workdir, nexa);
      const network = await this.network(sandbox, workdir);
      if (typeof network === 'string') {
        this.events.emit({ kind: 'error', message: network });
        return await this.finish(null, network, 'failed');
      }
      egress = 'close' in network ? network : undefined;
      const exit = await agents[spec.agent].run({
        spec,
        workdir,
        env,
        program,
        approvals: allowingNexaTools(withRelativePaths(this.approvals, agentWorkdir)),
        sandbox: {
          name: sandbox.name,
          workdir: agentWorkdir,
          spawn: (request) =>
            sandbox.spawn({
              ...request,
              network: network.network,
              limits: spec.limits,
              readOnlyPaths,
              ...(image ? { image } : {}),
            }),
        },
        events: this.events,
        signal: this.abort.signal,
        graceMs: this.graceMs,
        mcp: kind.mcp ? nexa?.mcp : undefined,
        followUps: this.followUps,
        resume: this.assignment.resume,
      });
      await this.reportChanges(copy);
      return await this.finish(exit.exitCode, exit.reason);
    } catch (error) {
      const reason = `the worker could not run the task: ${(error as Error).message}`;
      this.events.emit({ kind: 'error', message: reason });
      return await this.finish(null, reason, 'failed');
    } finally {
      this.approvals.close();
      this.followUps.close();
      clearTimeout(this.timeout);
      await nexa?.close();
      await egress?.close();
      if (copy) await removeWorkspaceLater(copy.dir, this.keepCopyMs(kind.resume !== null));
    }
  }

  /**
   * The attempt's network: `none` and `open` as they are; `allowlist`, in a
   * walled sandbox, through the worker's egress proxy, whose refusals are the
   * task's `egress` events. A plain process has the machine's network whatever
   * the task says (it is walled by nothing).
   */
  private async network(
    sandbox: Sandbox,
    workdir: string,
  ): Promise<{ network: SandboxNetwork } | TaskEgress | string> {
    const { spec } = this.assignment;
    if (spec.network !== 'allowlist' || sandbox.name === 'process') {
      return { network: { mode: spec.network === 'open' || sandbox.name === 'process' ? 'open' : 'none' } };
    }
    return startTaskEgress({
      workdir,
      workdirInSandbox: WORKDIR_IN_SANDBOX,
      agent: spec.agent,
      allowHosts: spec.allowHosts,
      // The provider is where the worker's own --pass-env points, never the task's env: a task
      // setting ANTHROPIC_BASE_URL would otherwise put any host on its own allowlist.
      agentEnv: this.host.agentEnv,
      refused: ({ host, port, reason }) => this.events.emit({ kind: 'egress', host, port, reason }),
    });
  }

  /** A resumable agent's copy holds its session: kept for `nexa continue`. */
  private keepCopyMs(resumable: boolean): number {
    const keep = this.host.keepWorkdirsMs ?? 0;
    return resumable ? Math.max(keep, this.host.keepAgentWorkdirsMs ?? keep) : keep;
  }

  /**
   * A shell task's environment is the task's own. A coding agent also gets
   * what the worker passes on (--pass-env: its API key, say) and a home of
   * its own for its settings and sessions, inside the working copy but kept
   * out of its changes (.nexa/ is git-excluded). Both, with a task token,
   * get `nexa` first on their PATH, talking to the coordinator as the task.
   */
  private agentEnv(workdir: string, nexa: TaskNexa | undefined): Record<string, string> {
    const { spec, taskId, attempt } = this.assignment;
    const withNexa = (env: Record<string, string>) => ({ ...env, ...nexa?.env(env.PATH) });
    // The secrets the task names: in its environment only (never argv, see sandbox/), over what the worker passes on.
    const { secrets } = this.assignment;
    const env = { ...taskEnv(spec, workdir, { taskId, attempt }), ...secrets };
    if (agentKind(spec.agent).input === 'command') return withNexa(env);
    const home = ownDir(workdir, AGENT_HOME);
    return withNexa({ ...env, ...this.host.agentEnv, HOME: home, ...spec.env, ...secrets });
  }

  /** The artifact event: what the task changed in its repository (never fatal to the task). */
  private async reportChanges(copy: WorkingCopy): Promise<void> {
    if (this.cause === 'reassigned' || this.cause === 'shutdown') return;
    try {
      for (const event of await recordChanges(copy)) this.events.emit(event);
    } catch (error) {
      this.events.emit({
        kind: 'error',
        message: `could not record the task's changes: ${(error as Error).message}`,
      });
    }
  }

  private async finish(
    exitCode: number | null,
    exitReason?: string,
    forced?: TaskStatus,
  ): Promise<RunOutcome> {
    const { spec } = this.assignment;
    if (this.cause === 'reassigned' || this.events.failed) return 'abandoned'; // another attempt owns the task now
    if (this.cause === 'shutdown') {
      await this.events.drained();
      return 'handed_back';
    }
    let status: TaskStatus = forced ?? (exitCode === 0 ? 'succeeded' : 'failed');
    let reason = exitReason;
    if (this.cause === 'timed_out') {
      status = 'timed_out';
      reason = `timed out after ${formatDuration(spec.timeoutMs ?? 0)}`;
    } else if (this.cause === 'cancelled') {
      status = 'cancelled';
      reason = 'cancelled';
    }
    if (reason && status !== 'cancelled') this.events.emit({ kind: 'error', message: reason });
    this.events.emit({ kind: 'status', status, exitCode, ...(reason ? { reason } : {}) });
    await this.events.drained();
    return 'reported';
  }
}
