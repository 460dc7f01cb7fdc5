import { Agent, request } from 'node:http';
import { WebSocket } from 'ws';
import type { HttpCase, WsScript } from './hostileInputs.js';

/**
 * Sends the hostile inputs of hostileInputs.ts to a coordinator and judges
 * each answer: typed (a Nexa error code other than `internal`), fine (a
 * result), or a finding (500, untyped body, hang, odd close).
 */

export const ANSWER_TIMEOUT_MS = 10_000;

export interface Verdict {
  /** e.g. "http 400 invalid_input", "ws closed 1009", "ws ok". */
  category: string;
  /** Set when the answer is a bug: what was sent and what came back. */
  finding?: string;
}

type Envelope = { result?: unknown; error?: { data?: { nexa?: { code?: string } } } };

/** The Nexa code of one tRPC envelope, 'ok' for a result, or null for anything untyped. */
function envelopeCode(envelope: unknown): string | null {
  if (!envelope || typeof envelope !== 'object') return null;
  const { result, error } = envelope as Envelope;
  if (error) {
    const code = error.data?.nexa?.code;
    return typeof code === 'string' && code !== 'internal' ? code : null;
  }
  return result !== undefined ? 'ok' : null;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * Forged tokens (and odd Authorization headers) come from their own address,
 * as an attacker's would: they make that address wait (failed authentications
 * are counted per address), while the rest of the barrage, with good tokens
 * from 127.0.0.1, goes on reaching every procedure (any 127/8 address reaches
 * loopback).
 */
const FORGER_ADDRESS = '127.0.0.2';
const fromAddress = (role: string, headers?: Record<string, string>) =>
  role === 'forged' || headers?.authorization !== undefined ? FORGER_ADDRESS : undefined;

export function sendHttp(base: string, tokens: Record<string, string>, hostile: HttpCase): Promise<Verdict> {
  const { hostname, port } = new URL(base);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...hostile.headers };
  const token = tokens[hostile.role];
  if (token && !headers.authorization) headers.authorization = `Bearer ${token}`;
  const what = `${hostile.kind}: ${hostile.method} ${hostile.path.slice(0, 200)} as ${hostile.role}`;
  return new Promise((resolve) => {
    const req = request(
      {
        hostname,
        port,
        method: hostile.method,
        path: hostile.path,
        headers,
        localAddress: fromAddress(hostile.role, hostile.headers),
        // Odd headers (a content-length that lies) can leave a connection mid-request: never reuse it.
        agent: hostile.headers ? false : agent,
        timeout: ANSWER_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', () => resolve({ category: 'http reset', finding: `${what}: response aborted` }));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            return resolve({
              category: `http ${status} untyped`,
              finding: `${what}: ${status} ${text.slice(0, 200)}`,
            });
          }
          const codes = (Array.isArray(body) ? body : [body]).map(envelopeCode);
          const first = codes.find((code) => code !== 'ok') ?? 'ok';
          const untyped = codes.length === 0 || codes.includes(null);
          const serverFault = status >= 500 && !(status === 503 && codes.includes('unavailable'));
          if (untyped || serverFault)
            return resolve({
              category: `http ${status} ${first}`,
              finding: `${what}: ${status} ${text.slice(0, 300)}`,
            });
          resolve({ category: `http ${status} ${first}` });
        });
      },
    );
    req.on('timeout', () => {
      req.destroy();
      resolve({ category: 'http hang', finding: `${what}: no answer in ${ANSWER_TIMEOUT_MS} ms` });
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ category: `http ${error.code ?? 'error'}`, finding: `${what}: ${error.message}` }),
    );
    if (hostile.chunked && hostile.body) {
      const body = Buffer.from(hostile.body);
      for (let at = 0; at < body.length; at += 64 * 1024) req.write(body.subarray(at, at + 64 * 1024));
      req.end();
    } else req.end(hostile.body);
  });
}

/** Close codes a socket may legitimately end with under hostile frames. */
const acceptableCloses = new Set([1000, 1001, 1005, 1007, 1008, 1009]);

/**
 * Runs one socket's script: each frame sent in turn, each answer owed by id
 * awaited (or the socket's close), then a last whoami proves it still answers.
 */
export async function runWsScript(
  base: string,
  tokens: Record<string, string>,
  script: WsScript,
): Promise<Verdict[]> {
  const token = tokens[script.role];
  const withParams = script.unauthenticatedFrames || script.role !== 'none';
  const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/${withParams ? '?connectionParams=1' : ''}`, {
    localAddress: fromAddress(script.role),
  });
  const verdicts: Verdict[] = [];
  const what = (detail: string) => `${script.kind} as ${script.role}: ${detail}`;
  const answers = new Map<number | string, (message: Envelope) => void>();
  let closed: { code: number; reason: string } | null = null;
  const onClose: (() => void)[] = [];
  socket.on('error', () => {});
  socket.on('close', (code, reason) => {
    closed = { code, reason: reason.toString() };
    for (const listener of onClose) listener();
  });
  socket.on('message', (data) => {
    const text = data.toString();
    if (text === 'PING') return socket.send('PONG');
    if (text === 'PONG') return;
    let message: Envelope & { id?: number | string | null };
    try {
      message = JSON.parse(text);
    } catch {
      verdicts.push({ category: 'ws untyped', finding: what(`not JSON: ${text.slice(0, 200)}`) });
      return;
    }
    const answer = message.id != null ? answers.get(message.id) : undefined;
    if (answer) {
      answers.delete(message.id as number);
      answer(message);
    } else if (message.id == null) {
      const code = envelopeCode(message);
      verdicts.push(
        code
          ? { category: `ws stray ${code}` }
          : { category: 'ws stray untyped', finding: what(`stray ${text.slice(0, 300)}`) },
      );
    }
  });
  const opened = await new Promise<boolean>((resolve) => {
    socket.once('open', () => resolve(true));
    socket.once('error', () => resolve(false));
    socket.once('unexpected-response', () => resolve(false));
  });
  if (!opened) return [{ category: 'ws refused', finding: what('the upgrade failed') }];
  if (withParams && !script.unauthenticatedFrames)
    socket.send(JSON.stringify({ method: 'connectionParams', data: { token: token ?? '' } }));

  const awaitAnswer = (id: number, sent: string): Promise<Verdict> =>
    new Promise((resolve) => {
      const done = (verdict: Verdict) => {
        clearTimeout(timer);
        answers.delete(id);
        resolve(verdict);
      };
      const timer = setTimeout(
        () =>
          done({
            category: 'ws hang',
            finding: what(`no answer to id ${id} in ${ANSWER_TIMEOUT_MS} ms: ${sent}`),
          }),
        ANSWER_TIMEOUT_MS,
      );
      answers.set(id, (message) => {
        const code = envelopeCode(message);
        done(
          code
            ? { category: `ws ${code}` }
            : {
                category: 'ws untyped',
                finding: what(`answer to ${sent}: ${JSON.stringify(message).slice(0, 300)}`),
              },
        );
      });
      onClose.push(() => done(closeVerdict()));
      if (closed) done(closeVerdict());
    });
  const closeVerdict = (): Verdict => {
    const { code, reason } = closed ?? { code: 0, reason: '' };
    return acceptableCloses.has(code) || (code >= 4000 && code < 5000)
      ? { category: `ws closed ${code}` }
      : { category: `ws closed ${code}`, finding: what(`socket closed ${code} ${reason}`) };
  };

  for (const frame of script.frames) {
    if (closed) break;
    const pending = frame.answerIds.map((id) => awaitAnswer(id, String(frame.data).slice(0, 160)));
    socket.send(frame.data, { binary: frame.binary ?? false });
    verdicts.push(...(await Promise.all(pending)));
    if (frame.answerIds.length === 0) verdicts.push({ category: 'ws sent' });
  }
  if (!closed) {
    // The socket must still answer after whatever came before (unless it was refused as a whole).
    const last = awaitAnswer(999_999, 'whoami after the script');
    socket.send(JSON.stringify({ id: 999_999, method: 'query', params: { path: 'auth.whoami' } }));
    const verdict = await last;
    verdicts.push({ ...verdict, category: `${verdict.category} (last)` });
  } else if (script.frames.length > 0 && !verdicts.some((v) => v.category.startsWith('ws closed'))) {
    verdicts.push(closeVerdict());
  }
  socket.terminate();
  return verdicts;
}

/** One oversized message: the socket must close with 1009 (message too big). */
export async function sendOversizedFrame(base: string, token: string, bytes: number): Promise<Verdict> {
  const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/?connectionParams=1`);
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  socket.send(Buffer.alloc(bytes, 'x').toString());
  const code = await Promise.race([
    closed,
    new Promise<number>((resolve) => setTimeout(() => resolve(-1), ANSWER_TIMEOUT_MS)),
  ]);
  socket.terminate();
  return code === 1009
    ? { category: 'ws closed 1009' }
    : { category: `ws oversized ${code}`, finding: `a ${bytes}-byte message got close ${code}, not 1009` };
}
