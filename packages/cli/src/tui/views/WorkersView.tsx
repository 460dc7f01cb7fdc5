import type { PresenceEntry, WorkerInfo } from '@nexa/core';
import { Box, Text } from 'ink';
import { ago } from '../../output/format.js';
import { cell } from '../components/cells.js';
import { useTuiState } from '../store/StoreContext.js';
import { selectedId } from '../store/selectors.js';
import { windowStart } from './layout.js';

const statusColors: Record<string, string> = {
  online: 'green',
  draining: 'yellow',
  lost: 'red',
  offline: 'gray',
};

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '-' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

/** Every worker: status, labels, load, sandboxes, agents (and why some cannot run), version, last seen. */
export function WorkersView({ width, height }: { width: number; height: number }) {
  const state = useTuiState();
  if (state.workers.length === 0) {
    return (
      <Box height={height} width={width} flexDirection="column">
        <Text dimColor wrap="truncate">
          {cell('No worker has connected. Start one: nexa worker --server URL --token T', width)}
        </Text>
        {presenceLines(state.presence).map((line) => (
          <Text key={line} wrap="truncate">
            {cell(line, width)}
          </Text>
        ))}
      </Box>
    );
  }
  const chosen = selectedId(state, 'workers');
  const index = Math.max(
    0,
    state.workers.findIndex((w) => w.id === chosen),
  );
  const listHeight = Math.min(state.workers.length + 1, Math.max(3, height - 6));
  const start = windowStart(index, state.workers.length, listHeight - 1);
  const col = { name: 14, status: 10, load: 7, sandboxes: 16, version: 9, seen: 9 };
  const rest = Math.max(12, width - 1 - Object.values(col).reduce((a, b) => a + b, 0));
  const agents = Math.floor(rest / 2);
  const labels = rest - agents;
  const selected = state.workers[index];
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">
        {' '}
        {cell('NAME', col.name)}
        {cell('STATUS', col.status)}
        {cell('LOAD', col.load)}
        {cell('LABELS', labels)}
        {cell('SANDBOXES', col.sandboxes)}
        {cell('AGENTS', agents)}
        {cell('VERSION', col.version)}
        {cell('SEEN', col.seen)}
      </Text>
      {state.workers.slice(start, start + listHeight - 1).map((worker) => (
        <WorkerRow
          key={worker.id}
          worker={worker}
          selected={worker.id === selected?.id}
          col={{ ...col, agents, labels }}
        />
      ))}
      {selected ? (
        <WorkerDetail
          worker={selected}
          presence={state.presence}
          width={width}
          height={height - listHeight}
        />
      ) : null}
    </Box>
  );
}

function WorkerRow({
  worker,
  selected,
  col,
}: {
  worker: WorkerInfo;
  selected: boolean;
  col: Record<'name' | 'status' | 'load' | 'labels' | 'sandboxes' | 'agents' | 'version' | 'seen', number>;
}) {
  return (
    <Text inverse={selected} wrap="truncate">
      {selected ? '›' : ' '}
      {cell(worker.name, col.name)}
      <Text color={statusColors[worker.status]}>{cell(worker.status, col.status)}</Text>
      {cell(`${worker.running}/${worker.capacity}`, col.load)}
      {cell(labelText(worker.labels), col.labels)}
      {cell(worker.sandboxes.join(','), col.sandboxes)}
      {cell(worker.agents.join(','), col.agents)}
      {cell(worker.version, col.version)}
      {cell(
        worker.status === 'online' || worker.status === 'draining' ? 'now' : ago(worker.lastSeenAt),
        col.seen,
      )}
    </Text>
  );
}

/** Why an agent is not offered, and the keys: what a person needs to act on the worker. */
function WorkerDetail({
  worker,
  presence,
  width,
  height,
}: {
  worker: WorkerInfo;
  presence: readonly PresenceEntry[];
  width: number;
  height: number;
}) {
  const unavailable = worker.unavailableAgents ?? [];
  const lines = [
    `${worker.name} (${worker.id})`,
    ...unavailable.map(({ agent, reason }) => `  ${agent} not ready: ${reason}`),
    worker.status === 'draining'
      ? `u undrain · nexa workers undrain ${worker.name}`
      : `x drain · nexa workers drain ${worker.name}`,
    ...presenceLines(presence),
  ];
  return (
    <Box flexDirection="column" height={Math.max(0, height)}>
      <Text dimColor>{'─'.repeat(width)}</Text>
      {lines.slice(0, Math.max(0, height - 1)).map((line) => (
        <Text key={line} wrap="truncate">
          {cell(line, width)}
        </Text>
      ))}
    </Box>
  );
}

/**
 * Who else is here (`nexa who`): people with a session open now, then the
 * ones seen lately, and how many agents run. Workers are the table above.
 */
export function presenceLines(presence: readonly PresenceEntry[]): string[] {
  const people = presence
    .filter((entry) => entry.kind === 'person')
    .sort((a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name));
  if (people.length === 0 && presence.length === 0) return [];
  const seen = (entry: PresenceEntry) => (entry.online ? 'on line' : `seen ${ago(entry.lastSeenAt)}`);
  const agents = presence.filter((entry) => entry.kind === 'agent' && entry.online).length;
  return [
    `People (nexa who): ${
      people.length === 0
        ? 'nobody else'
        : people
            .map((entry) => `${entry.name} ${entry.detail ? `${entry.detail} ` : ''}${seen(entry)}`)
            .join(' · ')
    }`,
    `Agents running: ${agents}`,
  ];
}
