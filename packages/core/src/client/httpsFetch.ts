import { Agent, type AgentOptions, request } from 'node:https';
import type { SecureContext } from 'node:tls';

/**
 * `fetch` for a coordinator whose certificate is checked against a CA of our
 * own: Node's global fetch cannot be given one without the undici package, so
 * this one goes through node:https. It does what tRPC's httpLink asks of
 * fetch (method, headers, a text body, a signal) and answers a whole Response.
 * A failure rejects the way fetch does, a TypeError whose cause is the
 * network's own error (ECONNREFUSED, a TLS verification code).
 */
export function fetchTrusting(secureContext: SecureContext): typeof fetch {
  // Its own pool: the shared agent would hand this client sockets verified another way, and back.
  // (Node's types leave out secureContext; tls.connect takes it from the agent's options.)
  const agent = new Agent({ keepAlive: true, secureContext } as AgentOptions);
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const fail = (cause: unknown) => reject(new TypeError('fetch failed', { cause }));
      const signal = init?.signal ?? undefined;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const headers = Object.fromEntries(new Headers(init?.headers).entries());
      const outgoing = request(url, { method: init?.method ?? 'GET', headers, agent }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', fail);
        incoming.on('end', () => {
          const answer = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) {
            if (value === undefined) continue;
            for (const one of Array.isArray(value) ? value : [value]) answer.append(name, one);
          }
          const status = incoming.statusCode ?? 502;
          const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status, statusText: incoming.statusMessage ?? '', headers: answer }));
        });
      });
      outgoing.on('error', fail);
      signal?.addEventListener(
        'abort',
        () => {
          reject(signal.reason);
          outgoing.destroy();
        },
        { once: true },
      );
      const body = init?.body;
      if (body !== undefined && body !== null) outgoing.write(typeof body === 'string' ? body : String(body));
      outgoing.end();
    });
}
