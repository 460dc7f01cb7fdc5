import { isTerminalStatus, visible } from '@nexa/core';
import { Text } from 'ink';
import { useState } from 'react';
import { cell, shortId } from '../components/cells.js';
import { Overlay } from '../components/Overlay.js';
import { TextInput } from '../components/TextInput.js';
import { useActions, useDispatch, useTuiState } from '../store/StoreContext.js';
import type { Compose, TuiState } from '../store/state.js';
import { taskTitle } from '../store/taskFilter.js';
import type { Size } from './layout.js';
import { useOverlaySend } from './useOverlaySend.js';

/** What the box says it is for, and the command that does the same from a script. */
function describe(
  compose: Compose,
  state: TuiState,
): { title: string; footer: string; nexa: string; placeholder: string } {
  const thread = state.threads[compose.threadId];
  const where = thread ? `${shortId(thread.id)} ${visible(thread.title)}` : shortId(compose.threadId);
  switch (compose.purpose) {
    case 'followUp': {
      const task = state.tasks[compose.threadId];
      return {
        title: `Message ${shortId(compose.threadId)}'s agent${task ? `: ${taskTitle(task)}` : ''}`,
        footer: `${
          task && isTerminalStatus(task.status)
            ? `it has ended: this stays in its thread (nexa continue ${compose.threadId} resumes it)`
            : 'the agent gets it as its next turn'
        } · Enter send · Esc cancel`,
        nexa: `nexa say ${compose.threadId} "text"`,
        placeholder: 'what the agent should do next',
      };
    }
    case 'reply': {
      const to = state.threadMessages[compose.threadId]?.find((m) => m.id === compose.replyTo);
      return {
        title: `Reply to ${to ? visible(to.author.name) : compose.replyTo} in ${where}`,
        footer: 'Enter send · Esc cancel',
        nexa: `nexa say ${compose.threadId} "text" --reply-to ${compose.replyTo}`,
        placeholder: 'your reply',
      };
    }
    case 'say':
      return {
        title: `Say in ${where}`,
        footer: 'Enter send · Esc cancel',
        nexa: `nexa say ${compose.threadId} "text"`,
        placeholder: 'your message',
      };
  }
}

/** `R`, `n` and `m`: one line of text posted to a thread; a failure keeps the text and says why. */
export function ComposeMessage({ width, compose }: Size & { compose: Compose }) {
  const state = useTuiState();
  const dispatch = useDispatch();
  const actions = useActions();
  const [value, setValue] = useState('');
  const { busy, error, setError, send: sendCall } = useOverlaySend();
  const { title, footer, nexa, placeholder } = describe(compose, state);
  const send = (typed: string) => {
    if (busy) return;
    if (!typed.trim()) {
      setError('type a message first (Esc cancels)');
      return;
    }
    sendCall(() =>
      actions.post(compose.threadId, typed.trim(), compose.purpose === 'reply' ? compose.replyTo : null),
    );
  };
  return (
    <Overlay title={title} width={width} height={7} footer={footer}>
      <TextInput
        value={value}
        onChange={setValue}
        placeholder={placeholder}
        onSubmit={send}
        onCancel={() => dispatch({ type: 'closeOverlay' })}
        width={width - 2}
      />
      <Text dimColor wrap="truncate">
        {cell(`same as: ${nexa}`, width - 2)}
      </Text>
      <Text color="red" wrap="truncate">
        {cell(busy ? 'sending…' : error, width - 2)}
      </Text>
    </Overlay>
  );
}
