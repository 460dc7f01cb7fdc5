import { DEFAULT_PROJECT, NexaError, ProjectName } from '@nexa/core';
import { resolveClientSettings } from '@nexa/core/config';
import { type Command, Flags } from '@oclif/core';
import type { NexaClient } from './client/createClient.js';
import { NexaCommand } from './nexaCommand.js';

/** --server, --token and --ca: where a command finds its coordinator, and how it knows it is the one. */
export const clientFlags = {
  server: Flags.string({
    description:
      'Coordinator URL. Default: $NEXA_SERVER, then the credentials file, then http://127.0.0.1:7420.',
    helpGroup: 'GLOBAL',
  }),
  token: Flags.string({
    description: "Access token. Default: $NEXA_TOKEN, then the credentials file's token for the server.",
    helpGroup: 'GLOBAL',
  }),
  ca: Flags.string({
    description:
      "PEM file of the CA that signed an https server's certificate (a private CA), trusted besides the system's. Default: $NEXA_CA, then the credentials file's ca for the server.",
    helpGroup: 'GLOBAL',
  }),
};

/** --project: the project a command works in (tasks, threads, keys). */
export const projectFlags = {
  project: Flags.string({
    description:
      "The project to work in (tasks, threads, keys). Default: $NEXA_PROJECT, else your token's only project, else default.",
    env: 'NEXA_PROJECT',
    helpGroup: 'GLOBAL',
  }),
};

/** The --project flag's value, checked: a bad name is one line saying what a project name is. */
export function projectName(flag: string | undefined): string {
  const parsed = ProjectName.safeParse(flag ?? DEFAULT_PROJECT);
  if (!parsed.success) {
    throw new NexaError('invalid_input', `--project "${flag}": ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}

/**
 * The --project flag's value, checked, or undefined when none was given: the
 * coordinator then picks the token's own (its only project, else `default`).
 */
export function chosenProject(flag: string | undefined): string | undefined {
  return flag === undefined ? undefined : projectName(flag);
}

/** A command that talks to a coordinator through a client made on first use. */
export abstract class ClientCommand<T extends typeof Command> extends NexaCommand<T> {
  static override baseFlags = clientFlags;

  private connection: { client: NexaClient; close(): Promise<void> } | undefined;

  /** The coordinator client, resolved from flags, env and the credentials file. */
  protected async client(): Promise<NexaClient> {
    if (!this.connection) {
      const flags = this.flags as { server?: string; token?: string; ca?: string };
      this.settings = await resolveClientSettings({ server: flags.server, token: flags.token, ca: flags.ca });
      const { createClient } = await import('./client/createClient.js');
      this.connection = createClient(this.settings);
    }
    return this.connection.client;
  }

  /** Runs a client call, turning transport and server failures into NexaErrors. */
  protected async call<R>(request: (client: NexaClient) => Promise<R>): Promise<R> {
    const client = await this.client();
    try {
      return await request(client);
    } catch (error) {
      throw await this.translate(error);
    }
  }

  protected override async finally(error: Error | undefined): Promise<void> {
    await this.connection?.close();
    return super.finally(error);
  }
}
