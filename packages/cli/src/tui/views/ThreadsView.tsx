import type { Thread } from '@nexa/core';
import { Box, Text } from 'ink';
import { ago } from '../../output/format.js';
import { cell, shortId } from '../components/cells.js';
import { useClock } from '../components/useClock.js';
import { useTuiState } from '../store/StoreContext.js';
import { openThreadId, openThreadRows, selectedMessageId, threadList } from '../store/threadSelectors.js';
import { listBesideArea, type Size, windowStart } from './layout.js';
import { threadLines } from './threadLines.js';

/** Where the list and the open thread go: the thread gets the larger share. */
const threadsShare = { beside: 0.4, above: 0.35 };

/** The project's threads, newest activity first, and the open one as a tree by reply, live. */
export function ThreadsView({ width, height }: Size) {
  const state = useTuiState();
  const threads = threadList(state);
  const now = useClock(threads.length > 0);
  if (threads.length === 0) {
    return (
      <Box height={height} width={width}>
        <Text dimColor wrap="truncate">
          {cell('No threads yet. Every task has one; nexa threads create TITLE makes a free one.', width)}
        </Text>
      </Box>
    );
  }
  const layout = listBesideArea({ width, height }, threadsShare);
  return (
    <Box flexDirection={layout.sideBySide ? 'row' : 'column'} width={width} height={height}>
      <ThreadList threads={threads} size={layout.list} now={now} />
      {layout.sideBySide ? <Box width={1} /> : null}
      <OpenThread size={layout.area} now={now} />
    </Box>
  );
}

function ThreadList({ threads, size, now }: { threads: Thread[]; size: Size; now: number }) {
  const state = useTuiState();
  const chosen = openThreadId(state);
  const index = Math.max(
    0,
    threads.findIndex((thread) => thread.id === chosen),
  );
  const rows = Math.max(1, size.height - 1);
  const start = windowStart(index, threads.length, rows);
  const col = { id: 8, messages: 6, activity: 9 };
  const title = Math.max(8, size.width - 1 - col.id - col.messages - col.activity);
  const listFocused = state.threadFocus === 'list';
  return (
    <Box flexDirection="column" width={size.width} height={size.height}>
      <Text bold wrap="truncate">
        {' '}
        {cell('THREAD', col.id)}
        {cell('TITLE', title)}
        {cell('MSGS', col.messages, 'right')}
        {cell('ACTIVE', col.activity, 'right')}
      </Text>
      {threads.slice(start, start + rows).map((thread) => {
        const selected = thread.id === chosen;
        return (
          <Text key={thread.id} inverse={selected && listFocused} bold={selected} wrap="truncate">
            {selected ? '›' : ' '}
            {cell(shortId(thread.id), col.id)}
            {cell(thread.title, title)}
            {cell(String(thread.messages), col.messages, 'right')}
            {cell(
              ago(thread.lastMessageAt ?? thread.createdAt, now).replace(' ago', ''),
              col.activity,
              'right',
            )}
          </Text>
        );
      })}
    </Box>
  );
}

function OpenThread({ size, now }: { size: Size; now: number }) {
  const state = useTuiState();
  const id = openThreadId(state);
  const thread = id ? state.threads[id] : undefined;
  if (!thread || size.height < 2) return null;
  const rows = openThreadRows(state);
  const focused = state.threadFocus === 'messages';
  const selected = selectedMessageId(state);
  const body = Math.max(1, size.height - 1);
  const lines = threadLines(rows, {
    selectedId: focused ? selected : null,
    bodyLines: 3,
    selectedBodyLines: Math.max(3, body - 2),
    now,
  });
  const header = `${shortId(thread.id)} · ${thread.title} · ${thread.messages} message${thread.messages === 1 ? '' : 's'} · nexa thread show ${thread.id}`;
  let shown: typeof lines;
  if (lines.length <= body) shown = lines;
  else if (focused && selected) {
    // Keep the selected message's head on screen, with as much of its body as fits.
    const at = lines.findIndex((line) => line.messageId === selected);
    shown = lines.slice(Math.min(Math.max(0, at - 1), lines.length - body)).slice(0, body);
  } else shown = lines.slice(-body); // following: the newest at the bottom
  return (
    <Box flexDirection="column" width={size.width} height={size.height}>
      <Text inverse={focused} dimColor={!focused} bold wrap="truncate">
        {cell(header, size.width)}
      </Text>
      {rows.length === 0 ? (
        <Text dimColor wrap="truncate">
          {cell(
            thread.messages === 0 ? 'No messages yet: n says something.' : 'loading the thread…',
            size.width,
          )}
        </Text>
      ) : (
        shown.map((line, i) => {
          const mark = focused && line.messageId === selected;
          return (
            <Text
              // biome-ignore lint/suspicious/noArrayIndexKey: lines of a fixed window
              key={i}
              wrap="truncate"
              inverse={mark && line.head}
              bold={line.head}
              dimColor={line.dim ?? false}
              {...(line.color ? { color: line.color } : {})}
            >
              {cell(line.text, size.width)}
            </Text>
          );
        })
      )}
    </Box>
  );
}
