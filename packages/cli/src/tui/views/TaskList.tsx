import type { Task } from '@nexa/core';
import { Box, Text } from 'ink';
import { cell, elapsed, money, shortId, statusGlyphs } from '../components/cells.js';
import { useClock } from '../components/useClock.js';
import { useTuiState } from '../store/StoreContext.js';
import { selectedId, type TaskGroup, taskGroups } from '../store/selectors.js';
import { taskTitle } from '../store/taskFilter.js';
import { windowStart } from './layout.js';

type Line = { kind: 'group'; group: TaskGroup } | { kind: 'task'; task: Task };

/** Column widths for a list `width` wide: the title and last line share what is left. */
function columns(width: number) {
  const fixed = { glyph: 2, id: 7, agent: 8, worker: 10, elapsed: 7, cost: 7 };
  const rest = Math.max(10, width - 2 - Object.values(fixed).reduce((a, b) => a + b, 0));
  // Room for the last line of output only when the title keeps enough to be recognised.
  const title = rest >= 36 ? Math.floor(rest * 0.45) : rest;
  return { ...fixed, title, last: rest - title };
}

/**
 * The task list grouped by what needs the person. Only the rows that fit are
 * rendered (a window around the selection), so 10,000 tasks cost what 20 do.
 */
export function TaskList({ width, height }: { width: number; height: number }) {
  const state = useTuiState();
  const groups = taskGroups(state);
  const lines: Line[] = groups.flatMap((group) =>
    group.tasks.length === 0
      ? []
      : [{ kind: 'group' as const, group }, ...group.tasks.map((task) => ({ kind: 'task' as const, task }))],
  );
  const now = useClock(groups.some((g) => g.title === 'Running' && g.tasks.length > 0));
  if (lines.length === 0) {
    const filtered = state.filter.raw ? ` matching "${state.filter.raw}" (/ to change)` : '';
    return (
      <Box width={width} height={height} flexDirection="column">
        <Text dimColor wrap="truncate">
          {cell(`No tasks${filtered}. Press n for a new one, or: nexa run -- echo hello`, width)}
        </Text>
      </Box>
    );
  }
  const chosen = selectedId(state, 'tasks');
  const selectedLine = Math.max(
    0,
    lines.findIndex((line) => line.kind === 'task' && line.task.id === chosen),
  );
  const start = windowStart(selectedLine, lines.length, height);
  const col = columns(width);
  return (
    <Box width={width} height={height} flexDirection="column">
      {lines.slice(start, start + height).map((line) =>
        line.kind === 'group' ? (
          <Text key={`g-${line.group.title}`} bold wrap="truncate">
            {cell(`${line.group.title} (${line.group.tasks.length})`, width)}
          </Text>
        ) : (
          <TaskRow
            key={line.task.id}
            task={line.task}
            selected={line.task.id === chosen}
            col={col}
            now={now}
          />
        ),
      )}
    </Box>
  );
}

function TaskRow({
  task,
  selected,
  col,
  now,
}: {
  task: Task;
  selected: boolean;
  col: ReturnType<typeof columns>;
  now: number;
}) {
  const { glyph, color } = statusGlyphs[task.status];
  const detail =
    task.status === 'queued'
      ? (task.waitingFor ?? 'waiting for a worker')
      : (task.lastLine ?? task.reason ?? '');
  return (
    <Text inverse={selected} wrap="truncate">
      {selected ? '›' : ' '}
      <Text color={color}>{cell(glyph, col.glyph)}</Text>
      {cell(shortId(task.id), col.id)}
      {cell(taskTitle(task), col.title)}
      {cell(` ${task.agent}`, col.agent)}
      {cell(task.workerName ?? '-', col.worker)}
      {cell(elapsed(task, now), col.elapsed, 'right')}
      {cell(money(task.costUsd), col.cost, 'right')}
      {col.last > 0 ? <Text dimColor={!selected}>{` ${cell(detail, col.last - 1)}`}</Text> : null}
    </Text>
  );
}
