import { visible } from '@nexa/core';
import { Box, Text } from 'ink';
import { memo } from 'react';
import { cut } from './eventLines.js';
import { styledRowToAnsi } from './styledRow.js';
import type { TerminalBuffer } from './terminalBuffer.js';
import { useTerminalBuffer } from './useTerminalBuffer.js';

export interface PaneProps {
  /** What the pane shows, e.g. "t-3f2a claude fix the build"; cut to fit, controls escaped. */
  title: string;
  buffer: TerminalBuffer;
  /** The pane's size in cells, header included: it never draws outside it. */
  width: number;
  height: number;
  /** Rows up from the bottom of the output; ignored while following. */
  scrollBack: number;
  follow: boolean;
  focused: boolean;
  /** Colours on; off when the person set NO_COLOR (https://no-color.org). */
  color?: boolean;
}

/** Whether the person asked for no colour: NO_COLOR set to anything but the empty string. */
export const colorWanted = (env: NodeJS.ProcessEnv = process.env) => !env.NO_COLOR;

/**
 * A task's terminal: a one-line header, then exactly `height - 1` rows of
 * its buffer, never wrapped, never taller than `height` (Ink clears the
 * whole screen when a frame outgrows the terminal). The buffer is kept at
 * the pane's size, so a task's cursor moves land where it meant them.
 */
export const Pane = memo(PaneBody);

// Memoized: a key press re-renders the screen, and a pane whose props did not change (the
// buffer signals its own changes) need not read its rows and build its strings again.
function PaneBody({ title, buffer, width, height, scrollBack, follow, focused, color }: PaneProps) {
  useTerminalBuffer(buffer);
  if (width < 1 || height < 1) return null;
  const bodyRows = height - 1;
  // Sized here, during render, so this very frame reads rows of the new size.
  buffer.resize(width, Math.max(1, bodyRows));
  const back = follow ? 0 : Math.min(Math.max(0, scrollBack), buffer.maxScrollBack);
  const rows = bodyRows > 0 ? buffer.visibleRows(back).slice(0, bodyRows) : [];
  const colored = color ?? colorWanted();
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Header title={title} width={width} follow={follow} scrolledBy={back} focused={focused} />
      {rows.length > 0 ? (
        // One text for the whole body: a row per element would cost Ink a layout node and a
        // measure each, every frame. Rows are exactly `width` cells (the terminal's size), so
        // nothing wraps; truncate is the safety net.
        <Text wrap="truncate">
          {rows.map((row) => (row.length === 0 ? ' ' : styledRowToAnsi(row, colored))).join('\n')}
        </Text>
      ) : null}
    </Box>
  );
}

function Header(props: {
  title: string;
  width: number;
  follow: boolean;
  scrolledBy: number;
  focused: boolean;
}) {
  const where = props.follow || props.scrolledBy === 0 ? 'follow' : `scrolled ↑${props.scrolledBy}`;
  const room = Math.max(0, props.width - where.length - 1);
  const title = cut(visible(props.title), room).padEnd(room);
  const line = cut(`${title} ${where}`, props.width);
  return (
    <Box height={1} width={props.width}>
      <Text wrap="truncate" inverse={props.focused} dimColor={!props.focused} bold={props.focused}>
        {line}
      </Text>
    </Box>
  );
}
