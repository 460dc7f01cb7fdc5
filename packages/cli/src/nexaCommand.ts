import { NexaError } from '@nexa/core';
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

  protected async translate(error: unknown): Promise<unknown> {
    const { toNexaError } = await import('./client/errors.js');
    return toNexaError(error, this.settings?.server ?? 'the server');
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: unknown }): Promise<void> {
    const translated = await this.translate(error);
    if (translated instanceof NexaError) {
      if (this.jsonEnabled()) {
        const { code, message, hint } = translated;
        process.stdout.write(`${JSON.stringify({ type: 'error', code, message, hint })}\n`);
      }
      process.stderr.write(`nexa: ${translated.toLine()}\n`);
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
