import { visible } from '@nexa/core';
import { Box, Text } from 'ink';
import { cut } from './eventLines.js';
import type { StyledRow } from './styledRow.js';
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
export function Pane({ title, buffer, width, height, scrollBack, follow, focused, color }: PaneProps) {
  useTerminalBuffer(buffer);
  if (width < 1 || height < 1) return null;
  const bodyRows = height - 1;
  // Sized here, during render, so this very frame reads rows of the new size.
  buffer.resize(width, Math.max(1, bodyRows));
  const back = follow ? 0 : Math.min(Math.max(0, scrollBack), buffer.maxScrollBack);
  const rows = bodyRows > 0 ? buffer.visibleRows(back).slice(0, bodyRows) : [];
  const colored = color ?? colorWanted();
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Header title={title} width={width} follow={follow} scrolledBy={back} focused={focused} />
      {rows.map((row, y) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a row is its position on screen
        <Row key={y} row={row} width={width} color={colored} />
      ))}
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
    <Box height={1} width={props.width} overflow="hidden">
      <Text wrap="truncate" inverse={props.focused} dimColor={!props.focused} bold={props.focused}>
        {line}
      </Text>
    </Box>
  );
}

function Row({ row, width, color }: { row: StyledRow; width: number; color: boolean }) {
  return (
    <Box height={1} width={width} overflow="hidden">
      <Text wrap="truncate">
        {row.length === 0
          ? ' '
          : row.map((run, x) => (
              <Text
                // biome-ignore lint/suspicious/noArrayIndexKey: runs are positions in the row
                key={x}
                color={color ? run.fg : undefined}
                backgroundColor={color ? run.bg : undefined}
                bold={run.bold}
                dimColor={run.dim}
                italic={run.italic}
                underline={run.underline}
                inverse={run.inverse}
              >
                {run.text}
              </Text>
            ))}
      </Text>
    </Box>
  );
}
