// The bench's view of its simulator processes: which task runs where (from
// their 'assigned' and 'running' reports), their measurements gathered on
// demand, and a whole process SIGKILLed to see its tasks come back elsewhere.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';

const now = () => performance.timeOrigin + performance.now();

export class SimFleet extends EventEmitter {
  /** Simulator processes by name. */
  sims = new Map();
  /** Running attempts by task id: which simulator, which attempt, since when. */
  running = new Map();
  /** Sessions the coordinator ended (it declared a simulated worker lost). */
  sessionsEnded = 0;
  sessionErrors = [];
  replies = new Map();

  add(name, child) {
    this.sims.set(name, child);
    child.on('message', (message) => this.onReport(name, message));
    // A simulator that dies unasked (a crash) must not leave a wait hanging.
    child.once('exit', () => {
      this.sims.delete(name);
      this.replies.get(name)?.(null);
      this.emit('change');
    });
  }

  onReport(sim, message) {
    switch (message.type) {
      case 'running':
        this.running.set(message.taskId, { sim, attempt: message.attempt, at: message.at });
        this.emit('change');
        break;
      case 'sessionEnded':
        this.sessionsEnded++;
        break;
      case 'sessionError':
        if (this.sessionErrors.length < 20) this.sessionErrors.push(`${message.worker}: ${message.error}`);
        break;
      case 'stats':
        this.replies.get(sim)?.(message);
        break;
    }
  }

  /** Resolves once `count` tasks run on live simulators; rejects after `timeoutMs` saying how many did. */
  waitRunning(count, timeoutMs) {
    return this.waitFor(
      () => this.running.size >= count,
      timeoutMs,
      () => `${this.running.size} of ${count} tasks running`,
    );
  }

  waitFor(done, timeoutMs, progress) {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.off('change', check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.off('change', check);
        reject(new Error(`gave up after ${Math.round(timeoutMs / 1000)} s: ${progress()}`));
      }, timeoutMs);
      this.on('change', check);
    });
  }

  setRate(linesPerSecond) {
    for (const child of this.sims.values()) child.send({ type: 'rate', linesPerSecond });
  }

  /** Every simulator's measurements since the last collect, merged. */
  async collect() {
    const replies = await Promise.all(
      [...this.sims].map(
        ([name, child]) =>
          new Promise((resolve) => {
            this.replies.set(name, (reply) => {
              this.replies.delete(name);
              resolve(reply);
            });
            child.send({ type: 'collect' });
          }),
      ),
    );
    const merged = { ackMs: [], lineMs: [], appends: 0, lines: 0, errors: {}, running: 0 };
    for (const reply of replies) {
      if (!reply) continue;
      for (const sample of reply.ackMs) merged.ackMs.push(sample);
      for (const sample of reply.lineMs) merged.lineMs.push(sample);
      merged.appends += reply.appends;
      merged.lines += reply.lines;
      merged.running += reply.running;
      for (const [code, count] of Object.entries(reply.errors))
        merged.errors[code] = (merged.errors[code] ?? 0) + count;
    }
    return merged;
  }

  /**
   * SIGKILLs one simulator (all its workers at once) and measures, from the kill, until each of its
   * tasks is assigned to, and then running on, another simulator.
   */
  async killAndWaitRequeue(name, timeoutMs) {
    const child = this.sims.get(name);
    const held = new Map([...this.running].filter(([, where]) => where.sim === name));
    const killedAt = now();
    const assignedAt = new Map();
    const onAssigned = (message) => {
      const before = held.get(message.taskId);
      if (
        message.type === 'assigned' &&
        before &&
        message.attempt > before.attempt &&
        !assignedAt.has(message.taskId) &&
        message.at >= killedAt
      )
        assignedAt.set(message.taskId, message.at);
    };
    for (const other of this.sims.values()) if (other !== child) other.on('message', onAssigned);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    for (const taskId of held.keys()) this.running.delete(taskId);
    const back = () =>
      [...held].filter(([taskId, before]) => (this.running.get(taskId)?.attempt ?? 0) > before.attempt)
        .length;
    let complete = true;
    try {
      await this.waitFor(
        () => back() === held.size,
        timeoutMs,
        () => `${back()} of ${held.size} tasks running again`,
      );
    } catch {
      complete = false;
    } finally {
      for (const other of this.sims.values()) other.off('message', onAssigned);
    }
    const latest = (times) => (times.length ? (Math.max(...times) - killedAt) / 1000 : null);
    return {
      tasks: held.size,
      requeued: back(),
      complete,
      assignedSeconds: latest([...assignedAt.values()]),
      runningSeconds: latest(
        [...held.keys()].flatMap((taskId) => {
          const where = this.running.get(taskId);
          return where ? [where.at] : [];
        }),
      ),
    };
  }

  stopAll() {
    for (const child of this.sims.values()) child.send({ type: 'stop' });
  }
}
