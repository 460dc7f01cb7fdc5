import { Text, useInput } from 'ink';
import { useState } from 'react';
import { cell } from '../components/cells.js';
import { Overlay } from '../components/Overlay.js';
import { commands, keyBindings, keyDescriptions, keyLabel } from '../keys/keyBindings.js';
import type { Size } from './layout.js';

/** Every key, what it does, where, and the `nexa` command that does the same from a script. */
export function HelpView({ width, height }: Size) {
  const inner = width - 2;
  const keyWidth = 14;
  const nexaWidth = Math.min(40, Math.floor(inner * 0.4));
  const textWidth = inner - keyWidth - nexaWidth;
  const rows = commands.map((command) => {
    const { text, nexa, views } = keyDescriptions[command];
    const where = views === 'all' ? '' : ` (${views.join(', ')})`;
    return (
      <Text key={command} wrap="truncate">
        <Text bold>{cell(keyBindings[command].map(keyLabel).join(' '), keyWidth)}</Text>
        {cell(`${text}${where}`, textWidth)}
        <Text dimColor>{cell(nexa ?? '', nexaWidth)}</Text>
      </Text>
    );
  });
  const room = height - 4;
  const [offset, setOffset] = useState(0);
  const maxOffset = Math.max(0, rows.length - room);
  useInput((input, key) => {
    if (key.downArrow || input === 'j' || key.pageDown)
      setOffset((o) => Math.min(maxOffset, o + (key.pageDown ? room : 1)));
    if (key.upArrow || input === 'k' || key.pageUp)
      setOffset((o) => Math.max(0, o - (key.pageUp ? room : 1)));
  });
  const shownOffset = Math.min(offset, maxOffset);
  return (
    <Overlay
      title="Keys (each action is also a nexa command)"
      width={width}
      height={height}
      footer={maxOffset > 0 ? `Esc closes · ↑↓ scroll (${shownOffset + room}/${rows.length})` : 'Esc closes'}
    >
      {rows.slice(shownOffset, shownOffset + room)}
    </Overlay>
  );
}
