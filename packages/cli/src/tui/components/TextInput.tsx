import { Text, useInput } from 'ink';
import { useRef } from 'react';
import { cell } from './cells.js';

/**
 * One line of typed text. Controlled: the parent keeps the value. Printable
 * characters append, Backspace deletes, Enter submits, Esc cancels; a paste
 * arrives as one string, its line breaks made spaces and its other control
 * characters dropped.
 */
export function TextInput({
  value,
  onChange,
  onSubmit,
  onCancel,
  width,
  focused = true,
  placeholder = '',
}: {
  value: string;
  onChange(value: string): void;
  /** Gets the text as typed so far, keys in the same burst included (the parent's value may not have caught up). */
  onSubmit(value: string): void;
  onCancel(): void;
  width: number;
  focused?: boolean;
  placeholder?: string;
}) {
  // Keys that arrive together (a paste, then Enter) are handed over before the parent renders
  // again: each must build on the text the one before it made, not on the last render's.
  const latest = useRef(value);
  latest.current = value;
  const change = (next: string) => {
    latest.current = next;
    onChange(next);
  };
  useInput(
    (input, key) => {
      if (key.return) onSubmit(latest.current);
      else if (key.escape) onCancel();
      else if (key.backspace || key.delete) change([...latest.current].slice(0, -1).join(''));
      else if (!key.ctrl && !key.meta && !key.tab && !key.upArrow && !key.downArrow && input) {
        // Text typed quickly and then Enter can arrive as one chunk ("fix it\r"): that is the
        // text and Enter. Line breaks inside a paste are spaces: one line is one message.
        const enter = input.length > 1 && /^[^\r\n]*\r$/.test(input);
        const printable = input
          .replace(/\r$/, enter ? '' : '\r')
          .replace(/[\r\n]+/g, ' ')
          // biome-ignore lint/suspicious/noControlCharactersInRegex: a pasted control character is not text
          .replace(/[\u0000-\u001f\u007f]/g, '');
        if (printable) change(latest.current + printable);
        if (enter) onSubmit(latest.current);
      }
    },
    { isActive: focused },
  );
  if (value === '') {
    return (
      <Text dimColor wrap="truncate">
        {cell(`${focused ? '▏' : ''}${placeholder}`, width)}
      </Text>
    );
  }
  const visibleText = [...value].slice(-Math.max(1, width - 1)).join('');
  return <Text wrap="truncate">{cell(`${visibleText}${focused ? '▏' : ''}`, width)}</Text>;
}
