import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { cell } from './cells.js';

/** A bordered box over the view with a title line; the caller sizes it to fit the screen. */
export function Overlay({
  title,
  width,
  height,
  footer,
  children,
}: {
  title: string;
  width: number;
  height: number;
  footer?: string;
  children: ReactNode;
}) {
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" overflow="hidden">
      <Text bold wrap="truncate">
        {cell(title, width - 2)}
      </Text>
      <Box flexDirection="column" flexGrow={1} overflow="hidden">
        {children}
      </Box>
      {footer ? (
        <Text dimColor wrap="truncate">
          {cell(footer, width - 2)}
        </Text>
      ) : null}
    </Box>
  );
}
