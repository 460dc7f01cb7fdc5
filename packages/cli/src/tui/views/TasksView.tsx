import { Box, Text } from 'ink';
import { cell, shortId, statusGlyphs } from '../components/cells.js';
import { usePaneSource } from '../feeds/PaneSourcesContext.js';
import { Pane } from '../panes/Pane.js';
import { useTuiState } from '../store/StoreContext.js';
import { selectedId, visiblePaneIds } from '../store/selectors.js';
import { scrolledBack } from '../store/state.js';
import { taskTitle } from '../store/taskFilter.js';
import { paneGrid, type Size, tasksLayout } from './layout.js';
import { TaskList } from './TaskList.js';

/** The default view: the task list beside (or above) live panes of the selected or pinned tasks. */
export function TasksView({ width, height }: Size) {
  const state = useTuiState();
  const layout = tasksLayout({ width, height }, state.zoomed);
  const ids = visiblePaneIds(state);
  return (
    <Box flexDirection={layout.sideBySide ? 'row' : 'column'} width={width} height={height}>
      {layout.list ? <TaskList {...layout.list} /> : null}
      {layout.sideBySide ? <Box width={1} /> : null}
      <PaneArea ids={ids} area={layout.panes} />
    </Box>
  );
}

function PaneArea({ ids, area }: { ids: string[]; area: Size }) {
  if (ids.length === 0 || area.height < 2) return null;
  const grid = paneGrid(ids.length, area);
  let next = 0;
  return (
    <Box flexDirection="column" width={area.width} height={area.height}>
      {grid.map((row, r) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: grid rows have no identity of their own
        <Box key={r} flexDirection="row" height={row[0]?.height ?? 0}>
          {row.map((size) => {
            const id = ids[next++];
            return id ? <PaneSlot key={id} taskId={id} size={size} /> : null;
          })}
        </Box>
      ))}
    </Box>
  );
}

/** One task's pane: its header, then its output as the task's terminal shows it. */
function PaneSlot({ taskId, size }: { taskId: string; size: Size }) {
  const state = useTuiState();
  const task = state.tasks[taskId];
  const source = usePaneSource(taskId, Math.max(1, size.width), Math.max(1, size.height - 1));
  const scrollBack = source ? scrolledBack(state.scrollBack[taskId], source.buffer.maxScrollBack) : 0;
  const focused = selectedId(state, 'tasks') === taskId;
  const pinned = state.pinned.includes(taskId);
  const glyph = task ? statusGlyphs[task.status].glyph : '?';
  const title = `${pinned ? '⚑ ' : ''}${glyph} ${shortId(taskId)} ${task ? `${task.status} · ${taskTitle(task)}` : ''}`;
  if (!source) {
    return (
      <Box width={size.width} height={size.height}>
        <Text dimColor wrap="truncate">
          {cell(title, size.width)}
        </Text>
      </Box>
    );
  }
  return (
    <Pane
      title={title}
      buffer={source.buffer}
      width={size.width}
      height={size.height}
      scrollBack={scrollBack}
      follow={scrollBack === 0}
      focused={focused}
    />
  );
}
