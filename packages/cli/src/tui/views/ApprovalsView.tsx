import { type Approval, type Risk, visible } from '@nexa/core';
import { Box, Text } from 'ink';
import { cell, shortId, span } from '../components/cells.js';
import { useClock } from '../components/useClock.js';
import { useTuiState } from '../store/StoreContext.js';
import { isQuestion, pendingApprovals, selectedId } from '../store/selectors.js';
import { windowStart } from './layout.js';

const riskColors: Record<Risk, string> = {
  read: 'green',
  write: 'yellow',
  execute: 'red',
  network: 'magenta',
};

/** The queue across every worker and agent, oldest first, and the selected request in full. */
export function ApprovalsView({ width, height }: { width: number; height: number }) {
  const state = useTuiState();
  const queue = pendingApprovals(state);
  const now = useClock(queue.length > 0);
  if (queue.length === 0) {
    return (
      <Box height={height} width={width}>
        <Text dimColor wrap="truncate">
          {cell('No agent is waiting for an answer. New requests appear here as they arrive.', width)}
        </Text>
      </Box>
    );
  }
  const chosen = selectedId(state, 'approvals');
  const listHeight = Math.min(queue.length + 1, Math.max(3, Math.floor(height * 0.4)));
  const index = Math.max(
    0,
    queue.findIndex((a) => a.id === chosen),
  );
  const start = windowStart(index, queue.length, listHeight - 1);
  const selected = queue[index];
  const col = { task: 8, agent: 8, worker: 10, tool: 10, risk: 8, age: 6, left: 8 };
  const action = Math.max(8, width - 1 - Object.values(col).reduce((a, b) => a + b, 0));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">
        {' '}
        {cell('TASK', col.task)}
        {cell('AGENT', col.agent)}
        {cell('WORKER', col.worker)}
        {cell('TOOL', col.tool)}
        {cell('RISK', col.risk)}
        {cell('AGE', col.age)}
        {cell('LEFT', col.left)}
        {cell('ACTION', action)}
      </Text>
      {queue.slice(start, start + listHeight - 1).map((approval) => {
        const isSelected = approval.id === selected?.id;
        const task = state.tasks[approval.taskId];
        return (
          <Text key={approval.id} inverse={isSelected} wrap="truncate">
            {isSelected ? '›' : ' '}
            {cell(shortId(approval.taskId), col.task)}
            {cell(approval.agent, col.agent)}
            {cell(task?.workerName ?? '-', col.worker)}
            {cell(approval.tool, col.tool)}
            <Text color={riskColors[approval.risk]}>{cell(approval.risk, col.risk)}</Text>
            {cell(span(now - Date.parse(approval.createdAt)), col.age)}
            {cell(span(Date.parse(approval.expiresAt) - now), col.left)}
            {cell(approval.action, action)}
          </Text>
        );
      })}
      {selected ? <ApprovalDetail approval={selected} width={width} height={height - listHeight} /> : null}
    </Box>
  );
}

/** The request in full: what it would run, which paths, and the diff of an edit, cut to the space left. */
function ApprovalDetail({ approval, width, height }: { approval: Approval; width: number; height: number }) {
  const lines = isQuestion(approval) ? questionLines(approval, width) : requestLines(approval, width);
  const shown =
    lines.length > height
      ? [
          ...lines.slice(0, height - 1),
          { text: `… ${lines.length - height + 1} more lines: nexa approvals list --json`, dim: true },
        ]
      : lines;
  return (
    <Box flexDirection="column" height={height}>
      {shown.map((line, i) => (
        <Text
          // biome-ignore lint/suspicious/noArrayIndexKey: the lines of one request, in a fixed order
          key={i}
          wrap="truncate"
          {...(line.color ? { color: line.color } : {})}
          bold={line.bold ?? false}
          dimColor={line.dim ?? false}
        >
          {cell(line.text, width)}
        </Text>
      ))}
    </Box>
  );
}

type DetailLine = { text: string; color?: string; bold?: boolean; dim?: boolean };

/** An agent's question (ask_human): the question in full, answered with text, never allowed or denied. */
function questionLines(approval: Approval, width: number): DetailLine[] {
  return [
    { text: '─'.repeat(width), dim: true },
    { text: `? ${approval.agent} asks:`, bold: true, color: 'yellow' },
    { text: `task ${approval.taskId}  request ${approval.id}`, dim: true },
    ...visible(approval.action, { keepNewlines: true })
      .split('\n')
      .map((text) => ({ text: `  ${text}` })),
    { text: `a answer with text · nexa answer ${approval.id} "text"`, dim: true },
  ];
}

function requestLines(approval: Approval, width: number): DetailLine[] {
  const lines: DetailLine[] = [
    { text: '─'.repeat(width), dim: true },
    { text: `${approval.tool}: ${approval.action}`, bold: true },
    { text: `task ${approval.taskId}  request ${approval.id}`, dim: true },
  ];
  if (approval.command) {
    for (const line of visible(approval.command, { keepNewlines: true }).split('\n')) {
      lines.push({ text: `$ ${line}` });
    }
  }
  for (const path of approval.paths ?? []) lines.push({ text: `  ${path}` });
  if (approval.diff) {
    for (const line of approval.diff.split('\n')) {
      const color = line.startsWith('+')
        ? 'green'
        : line.startsWith('-')
          ? 'red'
          : line.startsWith('@@')
            ? 'cyan'
            : undefined;
      lines.push(color ? { text: line, color } : { text: line });
    }
  }
  lines.push({ text: 'a approve · A approve always · d deny with a reason', dim: true });
  return lines;
}
