import { Text } from 'ink';
import { type ReactNode, useState } from 'react';
import { cell } from '../components/cells.js';
import { Overlay } from '../components/Overlay.js';
import { TextInput } from '../components/TextInput.js';
import { reportCall } from '../store/reportCall.js';
import { useDispatch } from '../store/StoreContext.js';
import type { Size } from './layout.js';

/**
 * Text a person types to settle an agent's request: a reason to deny it, or
 * the answer to its question. The agent reads the text, so an empty one is
 * refused in place; once sent, the overlay closes and the coordinator's
 * one-line outcome is flashed.
 */
export function ApprovalTextPrompt({
  width,
  approvalId,
  approved,
  send,
  title,
  height,
  footer,
  placeholder,
  whenEmpty,
  children,
}: Pick<Size, 'width'> & {
  approvalId: string;
  /** How the request is settled when the text is accepted: an answer approves, a reason denies. */
  approved: boolean;
  send: (text: string) => Promise<string>;
  title: string;
  height: number;
  footer: string;
  placeholder: string;
  /** Said when Enter is pressed on nothing. */
  whenEmpty: string;
  /** Shown above the input (the question being answered). */
  children?: ReactNode;
}) {
  const dispatch = useDispatch();
  const [value, setValue] = useState('');
  const [error, setError] = useState('');
  return (
    <Overlay title={title} width={width} height={height} footer={footer}>
      {children}
      <TextInput
        value={value}
        onChange={setValue}
        placeholder={placeholder}
        onSubmit={(typed) => {
          if (!typed.trim()) {
            setError(whenEmpty);
            return;
          }
          dispatch({ type: 'closeOverlay' });
          void reportCall(dispatch, send(typed.trim()), {
            type: 'approvalAnswered',
            id: approvalId,
            approved,
          });
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
