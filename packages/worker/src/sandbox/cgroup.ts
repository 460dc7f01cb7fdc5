import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxLimits } from './sandbox.js';

const root = '/sys/fs/cgroup';

/**
 * A control group for one sandboxed process tree, for sandboxes that have no
 * limits of their own (bubblewrap): memory, pids and CPU, on cgroup v2 or v1.
 * Needs write access to the cgroup tree (root, or a delegated subtree).
 */
export class ProcessGroupLimits {
  private readonly dirs: string[] = [];
  private readonly memoryDir: string | undefined;

  private constructor(
    name: string,
    limits: SandboxLimits,
    private readonly unified: boolean,
  ) {
    const make = (controller: string) => {
      const dir = unified ? join(root, 'nexa', name) : join(root, controller, 'nexa', name);
      mkdirSync(dir, { recursive: true });
      if (!this.dirs.includes(dir)) this.dirs.push(dir);
      return dir;
    };
    if (limits.memoryBytes) {
      this.memoryDir = make('memory');
      if (unified) {
        writeFileSync(join(this.memoryDir, 'memory.max'), String(limits.memoryBytes));
        writeFileSync(join(this.memoryDir, 'memory.swap.max'), '0');
      } else {
        writeFileSync(join(this.memoryDir, 'memory.limit_in_bytes'), String(limits.memoryBytes));
        const swap = join(this.memoryDir, 'memory.memsw.limit_in_bytes');
        if (existsSync(swap)) writeFileSync(swap, String(limits.memoryBytes));
      }
    }
    if (limits.pids) writeFileSync(join(make('pids'), 'pids.max'), String(limits.pids));
    if (limits.cpus) {
      const dir = make('cpu');
      const period = 100_000;
      const quota = Math.round(limits.cpus * period);
      if (unified) writeFileSync(join(dir, 'cpu.max'), `${quota} ${period}`);
      else {
        writeFileSync(join(dir, 'cpu.cfs_period_us'), String(period));
        writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quota));
      }
    }
  }

  /** Whether this machine lets the worker make cgroups (why not, as a sentence, if not). */
  static available(): true | string {
    const unified = existsSync(join(root, 'cgroup.controllers'));
    const probe = unified ? join(root, 'nexa') : join(root, 'pids', 'nexa');
    try {
      mkdirSync(probe, { recursive: true });
      if (unified) {
        // Controllers must be enabled for children of the nexa group.
        writeFileSync(join(root, 'cgroup.subtree_control'), '+memory +pids +cpu');
        writeFileSync(join(probe, 'cgroup.subtree_control'), '+memory +pids +cpu');
      }
      return true;
    } catch (error) {
      return `cannot create cgroups under ${root} (${(error as NodeJS.ErrnoException).code}); resource limits need root or a delegated cgroup`;
    }
  }

  static create(name: string, limits: SandboxLimits): ProcessGroupLimits | undefined {
    if (!limits.memoryBytes && !limits.pids && !limits.cpus) return undefined;
    return new ProcessGroupLimits(name, limits, existsSync(join(root, 'cgroup.controllers')));
  }

  /**
   * A command that joins these groups and then becomes `argv`, so the limits
   * hold from its first instruction: moving a pid after spawning would miss
   * whatever it had already forked.
   */
  wrap(argv: string[]): string[] {
    const join_ = this.dirs.map((dir) => `echo $$ > '${join(dir, 'cgroup.procs')}' || exit 125`).join('; ');
    return ['/bin/sh', '-c', `${join_}; exec "$@"`, 'nexa-sandbox', ...argv];
  }

  /** True if the memory limit killed something in this group. */
  oomKilled(): boolean {
    if (!this.memoryDir) return false;
    try {
      if (this.unified)
        return /oom_kill [1-9]/.test(readFileSync(join(this.memoryDir, 'memory.events'), 'utf8'));
      // cgroup v1: failcnt counts hitting the limit; oom_control's oom_kill appears on newer kernels only.
      const control = readFileSync(join(this.memoryDir, 'memory.oom_control'), 'utf8');
      const failures = Number(readFileSync(join(this.memoryDir, 'memory.failcnt'), 'utf8'));
      return /oom_kill [1-9]/.test(control) || failures > 0;
    } catch {
      return false;
    }
  }

  /** Removes the groups once their processes are gone. */
  remove(): void {
    for (const dir of this.dirs) {
      try {
        rmdirSync(dir);
      } catch {
        // still draining; the kernel frees it with its last process
      }
    }
  }
}
