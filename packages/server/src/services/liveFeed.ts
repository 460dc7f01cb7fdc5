import type { StoredTaskEvent } from '@nexa/core';
import { KeyedFeed } from './keyedFeed.js';

/** What an event costs a reader's buffer: its big strings, and a little for the rest. */
export function eventSize(event: StoredTaskEvent): number {
  switch (event.kind) {
    case 'output':
      return event.data.length + 64;
    case 'artifact':
      return event.patch.length + event.stat.length + 256;
    case 'agent_message':
      return event.text.length + 64;
    case 'tool_result':
      return event.output.length + 64;
    default:
      return JSON.stringify(event).length;
  }
}

/** The live feed of stored task events, by task id: what `events.tail` and task results follow. */
export class LiveFeed extends KeyedFeed<StoredTaskEvent> {
  constructor() {
    super(eventSize);
  }
}
