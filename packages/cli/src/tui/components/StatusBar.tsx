import { Box, Text } from 'ink';
import { commandsIn, type KeyCommand, keyBindings, keyDescriptions, keyLabel } from '../keys/keyBindings.js';
import { counts, isQuestion, selectedId } from '../store/selectors.js';
import type { ConnectionStatus, TuiState } from '../store/state.js';
import { cell } from './cells.js';

const connectionLook: Record<ConnectionStatus, { glyph: string; color: string; text: string }> = {
  connecting: { glyph: '◌', color: 'yellow', text: 'connecting to' },
  connected: { glyph: '●', color: 'green', text: 'connected to' },
  reconnecting: { glyph: '◌', color: 'yellow', text: 'reconnecting to' },
  refused: { glyph: '✗', color: 'red', text: 'refused by' },
};

/** Connection, pending approvals (highlighted when any), running and queued: always on screen. */
export function StatusBar({ state, width }: { state: TuiState; width: number }) {
  const { connection } = state;
  const look = connectionLook[connection.status];
  const { pendingApprovals, running, queued } = counts(state);
  const approvals = `⚠ ${pendingApprovals} approval${pendingApprovals === 1 ? '' : 's'}`;
  const tally = ` │ ${running} running │ ${queued} queued`;
  const where = `${look.text} ${connection.server}`;
  const room = Math.max(0, width - 2 - approvals.length - tally.length - 3);
  return (
    <Box width={width}>
      <Text color={look.color}>{look.glyph} </Text>
      <Text wrap="truncate">{cell(where, room)}</Text>
      <Text> │ </Text>
      {pendingApprovals > 0 ? (
        <Text color="black" backgroundColor="yellow" bold>
          {approvals}
        </Text>
      ) : (
        <Text dimColor>{approvals}</Text>
      )}
      <Text>{tally}</Text>
    </Box>
  );
}

/** The line above the status bar: the answer to the last action, or the keys of this view. */
export function HintLine({ state, width }: { state: TuiState; width: number }) {
  if (state.connection.status === 'refused' && state.connection.message) {
    return (
      <Text color="red" wrap="truncate">
        {cell(state.connection.message, width)}
      </Text>
    );
  }
  if (state.flash) {
    return (
      <Text color={state.flash.tone === 'error' ? 'red' : 'green'} wrap="truncate">
        {cell(state.flash.text, width)}
      </Text>
    );
  }
  // This view's own keys first; help and quit, the same everywhere, last.
  const hints = [
    ...commandsIn(state.view).filter((command) => keyDescriptions[command].views !== 'all'),
    'help' as const,
    'quit' as const,
  ]
    .map((command) => [command, hintText(state, command)] as const)
    .filter(([, text]) => text)
    .map(([command, text]) => `${keyLabel(keyBindings[command][0] ?? { key: '?' })} ${text}`)
    .join('  ');
  return (
    <Text dimColor wrap="truncate">
      {cell(hints, width)}
    </Text>
  );
}

/** One or two words per key for the hint line; the help screen has the full sentence. */
const shortText: Partial<Record<KeyCommand, string>> = {
  quit: 'quit',
  help: 'help',
  scrollUp: 'scroll',
  scrollTop: 'top',
  scrollBottom: 'follow',
  pin: 'pin',
  zoom: 'zoom',
  toggleTools: 'tools',
  showDiff: 'diff',
  newTask: 'new',
  cancelTask: 'cancel',
  retryTask: 'retry',
  filter: 'filter',
  followUp: 'message',
  openThread: 'open',
  reply: 'reply',
  say: 'say',
  approve: 'approve',
  approveAlways: 'always',
  deny: 'deny',
  drain: 'drain',
  undrain: 'undrain',
};

/** On an agent's question (ask_human) the approval keys mean something else: `a` answers, the others do not apply. */
const onQuestion: Partial<Record<KeyCommand, string | null>> = {
  approve: 'answer',
  approveAlways: null,
  deny: null,
};

function hintText(state: TuiState, command: KeyCommand): string | undefined {
  if (state.view === 'approvals' && command in onQuestion) {
    const id = selectedId(state, 'approvals');
    const approval = id ? state.approvals[id] : undefined;
    if (approval && isQuestion(approval)) return onQuestion[command] ?? undefined;
  }
  return shortText[command];
}

/** The views and their keys; the approvals count rides on its tab too. */
export function TabBar({ state, width }: { state: TuiState; width: number }) {
  const { pendingApprovals } = counts(state);
  const tabs = [
    { view: 'tasks', label: '1 Tasks' },
    { view: 'approvals', label: `2 Approvals${pendingApprovals ? ` (${pendingApprovals})` : ''}` },
    { view: 'workers', label: `3 Workers (${state.workers.length})` },
    { view: 'threads', label: '4 Threads' },
  ] as const;
  const used = 6 + tabs.reduce((sum, tab) => sum + tab.label.length + 3, 0);
  return (
    <Box width={width}>
      <Text bold color="magenta">
        {' Nexa '}
      </Text>
      {tabs.map((tab) => (
        <Text key={tab.view} inverse={state.view === tab.view} bold={state.view === tab.view}>
          {` ${state.view === tab.view ? '›' : ' '}${tab.label} `}
        </Text>
      ))}
      <Text dimColor>
        {cell(state.filter.raw ? ` filter: ${state.filter.raw}` : '', Math.max(0, width - used))}
      </Text>
    </Box>
  );
}
