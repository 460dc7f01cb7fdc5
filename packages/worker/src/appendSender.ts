import { isNexaErrorCode, NexaError, type TaskEvent } from '@nexa/core';

export interface AppendBatch {
  taskId: string;
  attempt: number;
  events: TaskEvent[];
}

export type AppendAnswer = { ackedSeq: number } | { error: { code: string; message: string } };

interface Waiting {
  batch: AppendBatch;
  resolve: (ack: { ackedSeq: number }) => void;
  reject: (error: unknown) => void;
}

/** What one events.appendMany may carry (the coordinator's limits). */
const MAX_BATCHES = 256;
const MAX_EVENTS = 4000;

/**
 * Sends the batches of all of a worker's tasks that are ready in the same
 * turn of the event loop as one `events.appendMany`, and answers each task's
 * send on its own: a worker running many tasks sends one message per flush,
 * not one per task. Each task keeps its own retries and backoff (a refused
 * batch rejects with the NexaError a lone append would have got).
 */
export function appendSender(
  sendMany: (batches: AppendBatch[]) => Promise<AppendAnswer[]>,
): (batch: AppendBatch) => Promise<{ ackedSeq: number }> {
  let waiting: Waiting[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    while (waiting.length > 0) {
      let events = 0;
      let count = 0;
      for (const { batch } of waiting) {
        if (count === MAX_BATCHES || (count > 0 && events + batch.events.length > MAX_EVENTS)) break;
        events += batch.events.length;
        count++;
      }
      const group = waiting.slice(0, count);
      waiting = waiting.slice(count);
      sendMany(group.map((entry) => entry.batch)).then(
        (answers) =>
          group.forEach((entry, index) => {
            const answer = answers[index];
            if (answer && 'ackedSeq' in answer) entry.resolve(answer);
            else entry.reject(refusal(answer));
          }),
        (error: unknown) => {
          for (const entry of group) entry.reject(error);
        },
      );
    }
  };

  return (batch) =>
    new Promise((resolve, reject) => {
      waiting.push({ batch, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}

function refusal(answer: AppendAnswer | undefined): NexaError {
  if (!answer || !('error' in answer))
    return new NexaError('internal', 'the coordinator sent no answer for a batch');
  const { code, message } = answer.error;
  return new NexaError(isNexaErrorCode(code) ? code : 'internal', message);
}
