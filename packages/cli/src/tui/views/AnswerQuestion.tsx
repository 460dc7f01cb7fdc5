import { NexaError, visible } from '@nexa/core';
import { Text } from 'ink';
import { useState } from 'react';
import { cell, shortId } from '../components/cells.js';
import { Overlay } from '../components/Overlay.js';
import { TextInput } from '../components/TextInput.js';
import { useActions, useDispatch, useTuiState } from '../store/StoreContext.js';
import type { Size } from './layout.js';

/** `a` on an agent's question (ask_human): the answer is text the agent reads, not allow or deny. */
export function AnswerQuestion({ width, approvalId }: Size & { approvalId: string }) {
  const dispatch = useDispatch();
  const actions = useActions();
  const approval = useTuiState().approvals[approvalId];
  const [value, setValue] = useState('');
  const [error, setError] = useState('');
  const question = approval ? visible(approval.action.replace(/\s+/g, ' ')) : approvalId;
  return (
    <Overlay
      title={`Answer ${approval ? `${shortId(approval.taskId)} ${approval.agent}` : approvalId}`}
      width={width}
      height={7}
      footer={`the agent reads your answer · Enter send · Esc back · nexa answer ${approvalId} "text"`}
    >
      <Text wrap="truncate">{cell(`? ${question}`, width - 2)}</Text>
      <TextInput
        value={value}
        onChange={setValue}
        placeholder="your answer"
        onSubmit={(typed) => {
          if (!typed.trim()) {
            setError('type an answer: the agent is waiting for it');
            return;
          }
          dispatch({ type: 'closeOverlay' });
          actions.answer(approvalId, typed.trim()).then(
            (line) => {
              dispatch({ type: 'approvalAnswered', id: approvalId, approved: true });
              dispatch({ type: 'flash', flash: { tone: 'info', text: line } });
            },
            (e: unknown) =>
              dispatch({
                type: 'flash',
                flash: { tone: 'error', text: e instanceof NexaError ? e.toLine() : String(e) },
              }),
          );
        }}
        onCancel={() => dispatch({ type: 'closeOverlay' })}
        width={width - 2}
      />
      <Text color="red" wrap="truncate">
        {cell(error, width - 2)}
      </Text>
    </Overlay>
  );
}
