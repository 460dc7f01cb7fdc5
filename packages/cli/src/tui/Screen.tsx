import { Box, Text } from 'ink';
import { useState } from 'react';
import { cell } from './components/cells.js';
import { Overlay } from './components/Overlay.js';
import { HintLine, StatusBar, TabBar } from './components/StatusBar.js';
import { TextInput } from './components/TextInput.js';
import { useActions, useDispatch, useTuiState } from './store/StoreContext.js';
import { AnswerQuestion } from './views/AnswerQuestion.js';
import { ApprovalsView } from './views/ApprovalsView.js';
import { ApprovalTextPrompt } from './views/ApprovalTextPrompt.js';
import { ComposeMessage } from './views/ComposeMessage.js';
import { DiffView } from './views/DiffView.js';
import { HelpView } from './views/HelpView.js';
import { CHROME_ROWS, frameHeight, type Size } from './views/layout.js';
import { NewTaskForm } from './views/NewTaskForm.js';
import { TasksView } from './views/TasksView.js';
import { ThreadsView } from './views/ThreadsView.js';
import { WorkersView } from './views/WorkersView.js';

/**
 * The whole frame for a terminal `cols`×`rows`: tab bar, the view (or the
 * overlay over it), the hint line and the status bar. It is never taller
 * than `rows - 1` (see frameHeight), so Ink never clears the screen.
 */
export function Screen({ cols, rows }: { cols: number; rows: number }) {
  const state = useTuiState();
  const height = frameHeight(rows);
  const body: Size = { width: cols, height: Math.max(1, height - CHROME_ROWS) };
  return (
    <Box flexDirection="column" width={cols} height={height}>
      <TabBar state={state} width={cols} />
      <Box height={body.height} width={cols}>
        <Body size={body} />
      </Box>
      <HintLine state={state} width={cols} />
      <StatusBar state={state} width={cols} />
    </Box>
  );
}

function Body({ size }: { size: Size }) {
  const state = useTuiState();
  const overlay = state.overlay;
  if (overlay) {
    switch (overlay.kind) {
      case 'help':
        return <HelpView {...size} />;
      case 'newTask':
        return <NewTaskForm {...size} />;
      case 'diff':
        return <DiffView {...size} taskId={overlay.taskId} />;
      case 'confirm':
        return <Confirm {...size} question={overlay.question} />;
      case 'filter':
        return <FilterPrompt {...size} />;
      case 'denyReason':
        return <DenyPrompt {...size} approvalId={overlay.approvalId} />;
      case 'compose':
        return <ComposeMessage {...size} compose={overlay.compose} />;
      case 'answer':
        return <AnswerQuestion {...size} approvalId={overlay.approvalId} />;
    }
  }
  switch (state.view) {
    case 'tasks':
      return <TasksView {...size} />;
    case 'approvals':
      return <ApprovalsView {...size} />;
    case 'workers':
      return <WorkersView {...size} />;
    case 'threads':
      return <ThreadsView {...size} />;
  }
}

function Confirm({ width, question }: Size & { question: string }) {
  return (
    <Overlay title="Confirm" width={width} height={5} footer="y yes · n or Esc no">
      <Text wrap="truncate">{cell(question, width - 2)}</Text>
    </Overlay>
  );
}

function FilterPrompt({ width }: Size) {
  const state = useTuiState();
  const dispatch = useDispatch();
  const [value, setValue] = useState(state.filter.raw);
  return (
    <Overlay
      title="Filter tasks"
      width={width}
      height={5}
      footer="status:S agent:A worker:W label:K=V text · Enter apply · Esc cancel"
    >
      <TextInput
        value={value}
        onChange={setValue}
        onSubmit={(typed) => {
          dispatch({ type: 'setFilter', raw: typed });
          dispatch({ type: 'closeOverlay' });
        }}
        onCancel={() => dispatch({ type: 'closeOverlay' })}
        width={width - 2}
      />
    </Overlay>
  );
}

function DenyPrompt({ width, approvalId }: Size & { approvalId: string }) {
  const actions = useActions();
  const approval = useTuiState().approvals[approvalId];
  return (
    <ApprovalTextPrompt
      width={width}
      approvalId={approvalId}
      approved={false}
      send={(reason) => actions.deny(approvalId, reason)}
      title={`Deny ${approval ? `${approval.tool}: ${approval.action}` : approvalId}`}
      height={6}
      footer="the agent is told this reason · Enter deny · Esc back"
      placeholder="why (the agent reads it)"
      whenEmpty="type a reason: the agent is told it, so it can try another way"
    />
  );
}
