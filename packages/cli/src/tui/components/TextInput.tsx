import { Text, useInput } from 'ink';
import { cell } from './cells.js';

/**
 * One line of typed text. Controlled: the parent keeps the value. Printable
 * characters append, Backspace deletes, Enter submits, Esc cancels; a paste
 * arrives as one string and its control characters are dropped.
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
  onSubmit(): void;
  onCancel(): void;
  width: number;
  focused?: boolean;
  placeholder?: string;
}) {
  useInput(
    (input, key) => {
      if (key.return) onSubmit();
      else if (key.escape) onCancel();
      else if (key.backspace || key.delete) onChange([...value].slice(0, -1).join(''));
      else if (!key.ctrl && !key.meta && !key.tab && !key.upArrow && !key.downArrow && input) {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: a pasted control character is not text
        const printable = input.replace(/[\u0000-\u001f\u007f]/g, '');
        if (printable) onChange(value + printable);
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
