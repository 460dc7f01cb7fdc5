/**
 * Replacing secret values with `[redacted:NAME]`, in whole strings, in every
 * string of a value, and in a stream of chunks: one implementation for the
 * worker (what a task prints) and the coordinator (what a task's worker
 * sends or its token writes).
 */

/**
 * Values shorter than this are not redacted: `PASSWORD=x` would otherwise
 * turn every x the task prints into a redaction, and a value that short is
 * no secret worth the name anyway.
 */
export const MIN_SECRET_LENGTH = 4;

export interface Secret {
  name: string;
  value: string;
}

const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * Replaces secret values with `[redacted:NAME]`. Whole strings go through
 * `redact`; a stream of chunks (a task's stdout) through `stream()`, which
 * also catches a value split across chunks and gives the same text as
 * redacting the whole stream at once, whatever the split.
 */
export class Redactor {
  private readonly secrets: Secret[];
  private readonly longest: number;
  /** The first characters of the secrets: a position starting with anything else can be skipped. */
  private readonly firstChars: Set<string>;

  constructor(secrets: readonly Secret[]) {
    // Longest first: at one position the longest value wins (one value may start another).
    this.secrets = [...secrets]
      .filter((secret) => secret.value.length >= MIN_SECRET_LENGTH)
      .sort((a, b) => b.value.length - a.value.length);
    this.longest = this.secrets[0]?.value.length ?? 0;
    this.firstChars = new Set(this.secrets.map((secret) => secret.value[0] as string));
  }

  get active(): boolean {
    return this.secrets.length > 0;
  }

  /** A whole string, redacted. */
  redact(text: string): string {
    return this.scan(text, true).emit;
  }

  /** Every string in a value (an event body, an approval request), redacted; other values as they are. */
  redactDeep<T>(value: T): T {
    if (!this.active) return value;
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((item) => this.redactDeep(item)) as T;
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, this.redactDeep(item)]),
      ) as T;
    }
    return value;
  }

  /** A redactor for one stream of chunks: `push` each chunk, then `end` for what it held back. */
  stream(): StreamRedactor {
    let held = '';
    return {
      push: (chunk: string) => {
        if (!this.active) return chunk;
        const { emit, rest } = this.scan(held + chunk, false);
        held = rest;
        return emit;
      },
      end: () => {
        const { emit } = this.scan(held, true);
        held = '';
        return emit;
      },
      get holding() {
        return held.length;
      },
    };
  }

  /**
   * Redacts `text` from the left. Unless `final`, it stops where a secret may
   * begin that the text ends before completing (at most longest - 1
   * characters from the end) and returns the rest to be held back: a match
   * is taken only when no earlier position could still become one, which is
   * what makes the result independent of how the stream was split.
   */
  private scan(text: string, final: boolean): { emit: string; rest: string } {
    let emit = '';
    let position = 0;
    for (;;) {
      const holdFrom = final ? text.length : this.partialStart(text, position);
      const match = this.earliestMatch(text, position, holdFrom);
      if (!match) {
        emit += text.slice(position, holdFrom);
        return { emit, rest: text.slice(holdFrom) };
      }
      emit += `${text.slice(position, match.start)}[redacted:${match.secret.name}]`;
      position = match.start + match.secret.value.length;
    }
  }

  /** The earliest secret starting in [from, before), the longest one at that position. */
  private earliestMatch(text: string, from: number, before: number) {
    let best: { start: number; secret: Secret } | undefined;
    for (const secret of this.secrets) {
      const start = text.indexOf(secret.value, from);
      if (start === -1 || start >= before) continue;
      if (!best || start < best.start) best = { start, secret }; // longest first, so ties keep the longer
    }
    return best;
  }

  /**
   * The first position at or after `from` where the text ends in the middle
   * of a secret (its rest could be a proper prefix of one), or the length.
   * Never inside a surrogate pair, so no half character is sent.
   */
  private partialStart(text: string, from: number): number {
    for (let start = Math.max(from, text.length - this.longest + 1); start < text.length; start++) {
      if (!this.firstChars.has(text[start] as string)) continue;
      const tail = text.slice(start);
      if (this.secrets.some((secret) => secret.value.length > tail.length && secret.value.startsWith(tail))) {
        return start > from && isLowSurrogate(text.charCodeAt(start)) ? start - 1 : start;
      }
    }
    return text.length;
  }
}

export interface StreamRedactor {
  /** Takes a chunk; returns what can be sent now. */
  push(chunk: string): string;
  /** Returns what was held back, redacted: the stream ended (or something else must go first). */
  end(): string;
  /** How many characters wait for the next chunk. */
  readonly holding: number;
}
