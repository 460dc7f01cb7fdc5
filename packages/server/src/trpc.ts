import { isNexaErrorCode, limits, NexaError, type Role } from '@nexa/core';
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import type { Context } from './context.js';
import {
  admitCall,
  admitSubscription,
  releasedWhenDone,
  UNMETERED_CALLS,
} from './limits/connectionLimits.js';

type TRPCCode = TRPCError['code'];

const trpcCodes: Record<NexaError['code'], TRPCCode> = {
  invalid_input: 'BAD_REQUEST',
  not_found: 'NOT_FOUND',
  unauthorized: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  conflict: 'CONFLICT',
  server_unreachable: 'INTERNAL_SERVER_ERROR',
  unavailable: 'SERVICE_UNAVAILABLE',
  config: 'INTERNAL_SERVER_ERROR',
  internal: 'INTERNAL_SERVER_ERROR',
  rate_limited: 'TOO_MANY_REQUESTS',
};

/** Turns a NexaError into the tRPC error that carries it (status code and all); anything else as is. */
export function toTRPCError(error: unknown): unknown {
  if (error instanceof NexaError) {
    return new TRPCError({ code: trpcCodes[error.code], message: error.message, cause: error });
  }
  return error;
}

function describeZodError(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid input';
  const path = issue.path.join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** What travels to clients in `error.data.nexa`: the stable code and a one-line message. */
export interface NexaErrorData {
  code: NexaError['code'];
  message: string;
  hint?: string;
}

/** Errors tRPC's adapters raise before any procedure runs, said the Nexa way (with the limit). */
const edgeErrors: Partial<Record<TRPCCode, (error: TRPCError) => NexaErrorData>> = {
  PAYLOAD_TOO_LARGE: () => ({
    code: 'invalid_input',
    message: `the request is larger than the limit of ${limits.wire.messageBytes} bytes`,
  }),
  BAD_REQUEST: (error) =>
    error.message === 'Batch call exceeds maximum size'
      ? { code: 'invalid_input', message: `a batch may hold at most ${limits.wire.batchCalls} calls` }
      : { code: 'invalid_input', message: error.message },
  PARSE_ERROR: (error) => ({ code: 'invalid_input', message: `not a valid request: ${error.message}` }),
  NOT_FOUND: (error) => ({ code: 'not_found', message: error.message }),
  METHOD_NOT_SUPPORTED: (error) => ({ code: 'invalid_input', message: error.message }),
  UNSUPPORTED_MEDIA_TYPE: (error) => ({ code: 'invalid_input', message: error.message }),
  UNPROCESSABLE_CONTENT: (error) => ({ code: 'invalid_input', message: error.message }),
};

function nexaData(error: TRPCError): NexaErrorData {
  const cause = error.cause;
  if (cause instanceof NexaError) return { code: cause.code, message: cause.message, hint: cause.hint };
  if (cause instanceof ZodError) return { code: 'invalid_input', message: describeZodError(cause) };
  const code = isNexaErrorCode(error.code.toLowerCase())
    ? (error.code.toLowerCase() as NexaError['code'])
    : null;
  if (code) return { code, message: error.message };
  const edgeError = edgeErrors[error.code];
  if (edgeError) return edgeError(error);
  if (error.code === 'BAD_REQUEST') return { code: 'invalid_input', message: error.message };
  return { code: 'internal', message: error.message };
}

/**
 * Which rows a procedure may reach, by the caller's projects
 * (Principal.projects; services/projectScope.ts enforces them):
 * - `input`: its input names a project (or it defaults to the caller's); the caller must be in it.
 * - `row`: its input names a task, thread or approval; one outside the caller's projects is `not_found`.
 * - `listing`: it lists or watches across projects; only rows of the caller's projects are in it.
 * - `own`: a worker or task acts on what it was given (its session, its own task), nothing else.
 * - `none`: not about any project (tokens, workers' control, projects, audit, the caller itself).
 */
export type ProjectRule = 'input' | 'row' | 'listing' | 'own' | 'none';

/** Who may call a procedure, declared where it is defined (the router walk test checks every one has it). */
export interface Access {
  roles: readonly Role[];
  project: ProjectRule;
}

const t = initTRPC
  .context<Context>()
  .meta<Access>()
  .create({
    // Subscriptions go over the WebSocket, where a slow reader is bounded; SSE over HTTP would not be.
    sse: { enabled: false },
    errorFormatter({ shape, error }) {
      return { ...shape, data: { ...shape.data, stack: undefined, nexa: nexaData(error) } };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Maps NexaErrors thrown by queries and mutations to tRPC errors with the right status. */
const nexaErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof NexaError) throw toTRPCError(result.error.cause);
  return result;
});

/**
 * No one client may exhaust the coordinator: a subscription takes a slot of its
 * connection and principal until it ends; a query or mutation a slot of the
 * calls in flight, or gets `unavailable` (HTTP 503) when there is none.
 */
const connectionLimits = t.middleware(async ({ ctx, type, path, next }) => {
  if (type === 'subscription') {
    let release: () => void;
    try {
      release = admitSubscription(ctx, path);
    } catch (error) {
      throw toTRPCError(error);
    }
    const result = await next().catch((error: unknown) => {
      release();
      throw error;
    });
    if (!result.ok) {
      release();
      return result;
    }
    return { ...result, data: releasedWhenDone(result.data as AsyncIterable<unknown>, release) };
  }
  if (UNMETERED_CALLS.has(path)) return next();
  let release: () => void;
  try {
    release = await admitCall(ctx);
  } catch (error) {
    throw toTRPCError(error);
  }
  try {
    return await next();
  } finally {
    release();
  }
});

/**
 * A procedure for the given roles and project rule; the context's principal
 * is non-null inside. The role is checked before the call takes a slot, so
 * calls without a valid token are refused without using the budget real
 * clients share.
 */
export function procedure(access: Access) {
  const allowed = access.roles;
  return t.procedure
    .meta(access)
    .use(nexaErrors)
    .use(async ({ ctx, next, path }) => {
      const { principal } = ctx;
      if (!principal) throw toTRPCError(ctx.authError ?? new NexaError('unauthorized', 'no token was sent'));
      // A join token is shown to a box once, to make that box's own credential: nothing else.
      if (principal.join && path !== 'workers.join') {
        throw toTRPCError(
          new NexaError('forbidden', 'a join token can only join a worker', {
            hint: 'nexa worker --join-token-file FILE',
          }),
        );
      }
      if (!allowed.includes(principal.role)) {
        throw toTRPCError(
          new NexaError('forbidden', `a ${principal.role} token may not call ${path}`, {
            hint: `use a token with role ${allowed.join(' or ')}`,
          }),
        );
      }
      // A task token is good only while its attempt runs: checked on every call, as a
      // WebSocket authenticates once and outlives the attempt otherwise.
      if (principal.role === 'task') {
        try {
          await ctx.services.tokens.checkTaskAttempt(principal);
        } catch (error) {
          throw toTRPCError(error);
        }
      }
      return next({ ctx: { ...ctx, principal } });
    })
    .use(connectionLimits);
}

/** The callers of a worker's own procedures: workers, and admins (a local worker may run on the admin token). */
export const workerRoles = ['worker', 'admin'] as const;

/** The worker that this connection registered as through `workers.connect`. */
export function registeredWorker(ctx: Context): string {
  const { workerId } = ctx.connection;
  if (!workerId) {
    // Retryable: after a reconnect, calls can arrive before the session is open again.
    throw new NexaError('unavailable', 'this connection has not registered as a worker (yet)', {
      hint: 'open workers.connect on the same WebSocket first',
    });
  }
  return workerId;
}
