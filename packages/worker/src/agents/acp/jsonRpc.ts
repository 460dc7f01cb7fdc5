import type { Readable, Writable } from 'node:stream';
import { readJsonLines, writeJsonLine } from '../jsonLines.js';

/** An error answer from the other side, with its JSON-RPC code. */
export class JsonRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'JsonRpcError';
  }
}

/** The other side closed its output, so no answer will come. */
export class ConnectionClosedError extends Error {
  constructor() {
    super('the agent closed its output');
    this.name = 'ConnectionClosedError';
  }
}

export const METHOD_NOT_FOUND = -32601;
const INTERNAL_ERROR = -32603;

export type RequestId = number | string;

export interface JsonRpcHandlers {
  /** A request from the other side; what it resolves to is the result, a throw is the error. */
  onRequest(method: string, params: unknown, id: RequestId): Promise<unknown>;
  /** A notification; the next message waits for a returned promise (back-pressure). */
  onNotification(method: string, params: unknown): void | Promise<void>;
  /** A line that is not a JSON-RPC message: reported, never fatal. */
  onMalformed(line: string, problem: string): void;
}

export interface JsonRpcOptions {
  /** Take messages without `"jsonrpc": "2.0"` too: Codex's app-server leaves the field out. */
  versionOptional?: boolean;
}

type Pending = { resolve: (result: unknown) => void; reject: (error: Error) => void };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * One side of a JSON-RPC 2.0 conversation over newline-delimited JSON: our
 * requests (ids from 0), their answers, and their requests and notifications.
 */
export class JsonRpcPeer {
  private nextId = 0;
  private readonly pending = new Map<RequestId, Pending>();
  private isClosed = false;
  /** Settles once the other side's output has ended and every waiting request has failed. */
  readonly closed: Promise<void>;

  constructor(
    input: Readable,
    private readonly output: Writable,
    private readonly handlers: JsonRpcHandlers,
    private readonly options: JsonRpcOptions = {},
  ) {
    this.closed = readJsonLines(input, {
      onMessage: (message) => this.dispatch(message),
      onMalformed: handlers.onMalformed,
    }).then(
      () => this.close(),
      () => this.close(),
    );
  }

  request(method: string, params: unknown): Promise<unknown> {
    if (this.isClosed) return Promise.reject(new ConnectionClosedError());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  private send(message: object): void {
    writeJsonLine(this.output, message);
  }

  private dispatch(message: unknown): void | Promise<void> {
    const line = () => JSON.stringify(message);
    if (!isObject(message) || (message.jsonrpc !== '2.0' && !this.options.versionOptional)) {
      this.handlers.onMalformed(line(), 'not a JSON-RPC 2.0 message');
      return;
    }
    const { id, method } = message;
    const hasId = typeof id === 'number' || typeof id === 'string';
    if (typeof method === 'string') {
      if (!hasId) return this.handlers.onNotification(method, message.params);
      this.answer(id, method, message.params);
    } else if (hasId && this.pending.has(id)) {
      const waiting = this.pending.get(id)!;
      this.pending.delete(id);
      if (isObject(message.error)) {
        const { code, message: text, data } = message.error;
        waiting.reject(
          new JsonRpcError(
            typeof code === 'number' ? code : INTERNAL_ERROR,
            typeof text === 'string' ? text : 'unknown error',
            data,
          ),
        );
      } else waiting.resolve(message.result);
    } else {
      this.handlers.onMalformed(line(), 'an answer to no request of ours');
    }
  }

  private answer(id: RequestId, method: string, params: unknown): void {
    this.handlers.onRequest(method, params, id).then(
      (result) => this.send({ jsonrpc: '2.0', id, result: result ?? null }),
      (error: unknown) => {
        const code = error instanceof JsonRpcError ? error.code : INTERNAL_ERROR;
        this.send({ jsonrpc: '2.0', id, error: { code, message: (error as Error).message } });
      },
    );
  }

  /** Fails every request still waiting: no answer can come once their output has ended. */
  private close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const waiting of this.pending.values()) waiting.reject(new ConnectionClosedError());
    this.pending.clear();
  }
}
