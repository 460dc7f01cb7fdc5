import { visible } from '@nexa/core';
import { Text, useInput } from 'ink';
import { useEffect, useState } from 'react';
import { cell, shortId } from '../components/cells.js';
import { Overlay } from '../components/Overlay.js';
import { errorLine } from '../store/reportCall.js';
import { useActions, useDispatch } from '../store/StoreContext.js';
import type { Size } from './layout.js';

const lineColor = (line: string): string | undefined =>
  line.startsWith('+++') || line.startsWith('---')
    ? 'white'
    : line.startsWith('+')
      ? 'green'
      : line.startsWith('-')
        ? 'red'
        : line.startsWith('@@')
          ? 'cyan'
          : undefined;

/** `D`: what a --repo task changed, as `nexa diff ID` prints it, scrollable; the patch's own controls shown escaped. */
export function DiffView({ taskId, width, height }: Size & { taskId: string }) {
  const actions = useActions();
  const dispatch = useDispatch();
  const [lines, setLines] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [top, setTop] = useState(0);
  useEffect(() => {
    let live = true;
    actions.diff(taskId).then(
      (patch) =>
        live &&
        setLines(visible(patch, { keepNewlines: true, keepTabs: true }).replace(/\t/g, '    ').split('\n')),
      (e: unknown) => live && setError(errorLine(e)),
    );
    return () => {
      live = false;
    };
  }, [actions, taskId]);
  const room = Math.max(1, height - 4);
  const maxTop = Math.max(0, (lines?.length ?? 0) - room);
  useInput((input, key) => {
    if (key.escape || input === 'q' || input === 'D') dispatch({ type: 'closeOverlay' });
    else if (key.downArrow || input === 'j') setTop((t) => Math.min(maxTop, t + 1));
    else if (key.upArrow || input === 'k') setTop((t) => Math.max(0, t - 1));
    else if (key.pageDown || input === ' ') setTop((t) => Math.min(maxTop, t + room));
    else if (key.pageUp) setTop((t) => Math.max(0, t - room));
    else if (input === 'g') setTop(0);
    else if (input === 'G') setTop(maxTop);
  });
  const body = error ? [error] : lines === null ? ['loading the diff…'] : lines.slice(top, top + room);
  return (
    <Overlay
      title={`Diff of ${shortId(taskId)} (nexa diff ${taskId})`}
      width={width}
      height={height}
      footer={
        lines
          ? `↑↓ PgUp PgDn g G scroll · Esc close · ${Math.min(top + room, lines.length)}/${lines.length}`
          : 'Esc close'
      }
    >
      {body.map((line, i) => {
        const color = error ? 'red' : lineColor(line);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows of a fixed window
          <Text key={i} wrap="truncate" {...(color ? { color } : {})}>
            {cell(line, width - 2)}
          </Text>
        );
      })}
    </Overlay>
  );
}
