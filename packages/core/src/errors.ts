/**
 * One error type for every expected failure in Nexa. The `code` is a stable
 * contract (scripts match on it, the server maps it to tRPC codes, the CLI maps
 * it to an exit code); `message` says what went wrong, `hint` what to do.
 */
export const nexaErrorCodes = [
  'invalid_input',
  'not_found',
  'unauthorized',
  'forbidden',
  'conflict',
  'server_unreachable',
  /** The coordinator cannot take this request right now; retrying later can succeed. */
  'unavailable',
  'config',
  'internal',
  /** Too many of something from one principal or address (submissions, connections, failed logins): wait and retry. */
  'rate_limited',
] as const;
export type NexaErrorCode = (typeof nexaErrorCodes)[number];

/** `nexa run` exit codes that are not the task's own (DESIGN.md, "The command line"). */
export const exitCodes = {
  ok: 0,
  /** `nexa run --fail-on-deny`: an approval request was denied (sysexits' EX_NOPERM). */
  denied: 77,
  timedOut: 124,
  nexaFailed: 125,
  cancelled: 130,
} as const;

export interface NexaErrorOptions {
  hint?: string;
  exitCode?: number;
  cause?: unknown;
}

export class NexaError extends Error {
  override readonly name = 'NexaError';
  readonly code: NexaErrorCode;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(code: NexaErrorCode, message: string, options: NexaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? exitCodes.nexaFailed;
  }

  /** The one line a person sees: what went wrong, then what to do about it. */
  toLine(): string {
    return this.hint ? `${this.message}; ${this.hint}` : this.message;
  }
}

export function isNexaErrorCode(value: unknown): value is NexaErrorCode {
  return typeof value === 'string' && (nexaErrorCodes as readonly string[]).includes(value);
}
