import { isAbsolute, resolve } from 'node:path';
import { NexaError, type Principal } from '@nexa/core';
import { readCredentials, writeCredentials } from '@nexa/core/config';
import { ClientCommand } from '../clientCommand.js';

/** A JWT is well under 1 KiB: anything past this piped in is the wrong input. */
const MAX_TOKEN_BYTES = 64 * 1024;

interface LoggedIn {
  server: string;
  subject: string;
  role: Principal['role'];
  projects: string[] | null;
  ca: string | null;
}

async function pipedToken(): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    bytes += buffer.length;
    if (bytes > MAX_TOKEN_BYTES) throw new NexaError('invalid_input', 'what was piped in is not a token');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8').trim();
}

export default class Login extends ClientCommand<typeof Login> {
  static override summary =
    'Remember a coordinator: its URL, your token for it and the CA its certificate is checked with.';
  static override description =
    'Checks the token with the coordinator, then records it (and --ca, as an absolute path) in ~/.config/nexa/credentials.json (mode 0600) under the server URL, and makes that server the default. The token comes from NEXA_TOKEN, --token, or stdin when piped: never type it into a command line other users can read.';
  static override examples = [
    'NEXA_TOKEN=... <%= config.bin %> login --server https://nexa.example.com:7420 --ca ~/nexa-ca.crt',
    'pass show nexa | <%= config.bin %> login --server https://nexa.example.com',
  ];

  async run(): Promise<LoggedIn> {
    const { flags } = this;
    if (!flags.server) {
      throw new NexaError('invalid_input', 'name the coordinator with --server URL', {
        hint: 'e.g. nexa login --server https://nexa.example.com:7420 --ca ca.crt',
      });
    }
    const token = flags.token || process.env.NEXA_TOKEN || (process.stdin.isTTY ? '' : await pipedToken());
    if (!token) {
      throw new NexaError('invalid_input', 'no token to log in with', {
        hint: 'set NEXA_TOKEN, or pipe it in (an admin makes one with `nexa token create`)',
      });
    }
    (this.flags as { token?: string }).token = token;
    const principal = await this.call((client) => client.auth.whoami.query());
    const server = this.settings?.server ?? flags.server;
    const ca = flags.ca ? (isAbsolute(flags.ca) ? flags.ca : resolve(flags.ca)) : null;
    const credentials = await readCredentials();
    credentials.servers[server] = { token, ...(ca ? { ca } : {}) };
    credentials.defaultServer = server;
    const path = await writeCredentials(credentials);
    const loggedIn = {
      server,
      subject: principal.subject,
      role: principal.role,
      projects: principal.projects,
      ca,
    };
    if (!this.jsonEnabled()) {
      const projects = principal.projects === null ? 'every project' : principal.projects.join(', ');
      this.log(
        `logged in to ${server} as ${principal.subject} (${principal.role}; ${projects}); saved in ${path}`,
      );
    }
    return loggedIn;
  }
}
