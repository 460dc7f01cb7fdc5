import { format } from 'node:util';
import { NexaError, visible } from '@nexa/core';
import type { ClientSettings } from '@nexa/core/config';
import { Command, type Interfaces } from '@oclif/core';

export type InferredFlags<T extends typeof Command> = Interfaces.InferredFlags<T['baseFlags'] & T['flags']>;
export type InferredArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/**
 * Every nexa command: parsed flags and args, `--json`, and the one place
 * where a failure becomes a single line on stderr and an exit code.
 */
export abstract class NexaCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;
  static override baseFlags = {};

  protected flags!: InferredFlags<T>;
  protected args!: InferredArgs<T>;
  /** The server this command talks to, once known (named in error messages). */
  protected settings: ClientSettings | undefined;

  public override async init(): Promise<void> {
    await super.init();
    const ctor = this.ctor as typeof NexaCommand;
    const { args, flags } = await this.parse({
      flags: ctor.flags,
      baseFlags: ctor.baseFlags,
      enableJsonFlag: ctor.enableJsonFlag,
      args: ctor.args,
      strict: ctor.strict,
    });
    this.flags = flags as InferredFlags<T>;
    this.args = args as InferredArgs<T>;
  }

  /**
   * What a command prints for a person. Whatever part of it came from a task,
   * an agent or a worker, a terminal control in it is shown escaped (line
   * breaks stay). Task output streamed by `run` and `logs` does not come this
   * way: it stays raw, as a terminal program's output should.
   */
  public override log(message = '', ...args: unknown[]): void {
    super.log(visible(format(message, ...args), { keepNewlines: true }));
  }

  protected async translate(error: unknown): Promise<unknown> {
    const { toNexaError } = await import('@nexa/core/client');
    return toNexaError(error, this.settings?.server ?? 'the server');
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: unknown }): Promise<void> {
    const translated = await this.translate(error);
    if (translated instanceof NexaError) {
      if (this.jsonEnabled()) {
        const { code, message, hint } = translated;
        process.stdout.write(`${JSON.stringify({ type: 'error', code, message, hint })}\n`);
      }
      process.stderr.write(`nexa: ${visible(translated.toLine())}\n`);
      process.exitCode = translated.exitCode;
      return;
    }
    if (error.oclif) return super.catch(error); // usage errors: oclif's own message, no stack
    process.stderr.write(
      `nexa: internal error (a bug; please report it):\n${error.stack ?? error.message}\n`,
    );
    process.exitCode = 70;
  }
}
