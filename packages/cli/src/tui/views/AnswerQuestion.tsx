import { visible } from '@nexa/core';
import { Text } from 'ink';
import { cell, shortId } from '../components/cells.js';
import { useActions, useTuiState } from '../store/StoreContext.js';
import { ApprovalTextPrompt } from './ApprovalTextPrompt.js';
import type { Size } from './layout.js';

/** `a` on an agent's question (ask_human): the answer is text the agent reads, not allow or deny. */
export function AnswerQuestion({ width, approvalId }: Size & { approvalId: string }) {
  const actions = useActions();
  const approval = useTuiState().approvals[approvalId];
  const question = approval ? visible(approval.action.replace(/\s+/g, ' ')) : approvalId;
  return (
    <ApprovalTextPrompt
      width={width}
      approvalId={approvalId}
      approved={true}
      send={(text) => actions.answer(approvalId, text)}
      title={`Answer ${approval ? `${shortId(approval.taskId)} ${approval.agent}` : approvalId}`}
      height={7}
      footer={`the agent reads your answer · Enter send · Esc back · nexa answer ${approvalId} "text"`}
      placeholder="your answer"
      whenEmpty="type an answer: the agent is waiting for it"
    >
      <Text wrap="truncate">{cell(`? ${question}`, width - 2)}</Text>
    </ApprovalTextPrompt>
  );
}
