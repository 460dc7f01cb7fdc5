import { type AgentName, agentKind, agentNames, type SandboxName, sandboxNames } from '@nexa/core';
import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import { runDefaults, splitCommand, taskSpecFromFlags } from '../../lib/taskSpecFlags.js';
import { cell } from '../components/cells.js';
import { Overlay } from '../components/Overlay.js';
import { TextInput } from '../components/TextInput.js';
import { errorLine } from '../store/reportCall.js';
import { useActions, useDispatch } from '../store/StoreContext.js';
import type { Size } from './layout.js';
import { useOverlaySend } from './useOverlaySend.js';

const fields = ['agent', 'what', 'repo', 'labels', 'sandbox'] as const;
type Field = (typeof fields)[number];
const sandboxChoices = ['auto', ...sandboxNames] as const;

interface FormValues {
  agent: AgentName;
  what: string;
  repo: string;
  labels: string;
  sandbox: (typeof sandboxChoices)[number];
}

const whatLabel = (agent: AgentName) => {
  const kind = agentKind(agent);
  return kind.needsCommand ? `${kind.input} | agent command` : kind.input;
};

const whatExample = (agent: AgentName) => {
  const kind = agentKind(agent);
  if (kind.input === 'command') return 'make test';
  return kind.needsCommand ? 'fix it | claude-agent-acp' : 'fix the failing test';
};

/**
 * `n`: a new task, checked exactly as `nexa run` checks its flags (the same
 * function builds the spec), so the error lines are the same too.
 */
export function buildSpec(values: FormValues) {
  const agent = values.agent;
  const kind = agentKind(agent);
  let args: string[];
  let agentCmd: string | undefined;
  if (kind.input === 'command') args = values.what.trim() ? splitCommand(values.what) : [];
  else if (kind.needsCommand) {
    const [prompt = '', command = ''] = values.what.split('|');
    args = prompt.trim() ? [prompt.trim()] : [];
    agentCmd = command.trim() || undefined;
  } else args = values.what.trim() ? [values.what.trim()] : [];
  return taskSpecFromFlags(
    {
      ...runDefaults,
      agent,
      'agent-cmd': agentCmd,
      env: [],
      label: values.labels.split(/[\s,]+/).filter(Boolean),
      repo: values.repo.trim() || undefined,
      sandbox: values.sandbox === 'auto' ? undefined : (values.sandbox as SandboxName),
    },
    args,
  );
}

export function NewTaskForm({ width, height }: Size) {
  const actions = useActions();
  const dispatch = useDispatch();
  const [values, setValues] = useState<FormValues>({
    agent: 'shell',
    what: '',
    repo: '',
    labels: '',
    sandbox: 'auto',
  });
  const [focus, setFocus] = useState<Field>('what');
  const { busy, error, setError, send } = useOverlaySend();

  const move = (by: number) =>
    setFocus((current) => fields[(fields.indexOf(current) + by + fields.length) % fields.length] ?? 'what');
  const cycle = <T,>(options: readonly T[], value: T, by: number): T =>
    options[(options.indexOf(value) + by + options.length) % options.length] as T;

  const submit = () => {
    if (busy) return;
    let spec: ReturnType<typeof buildSpec>;
    try {
      spec = buildSpec(values);
    } catch (e) {
      setError(errorLine(e));
      return;
    }
    send(() => actions.submit(spec));
  };
  const cancel = () => dispatch({ type: 'closeOverlay' });

  useInput((_input, key) => {
    if (key.tab || key.downArrow) move(key.shift ? -1 : 1);
    else if (key.upArrow) move(-1);
    else if (key.escape) cancel();
    else if (key.return && (focus === 'agent' || focus === 'sandbox')) submit();
    else if ((key.leftArrow || key.rightArrow) && focus === 'agent') {
      setValues((v) => ({ ...v, agent: cycle(agentNames, v.agent, key.leftArrow ? -1 : 1) }));
    } else if ((key.leftArrow || key.rightArrow) && focus === 'sandbox') {
      setValues((v) => ({ ...v, sandbox: cycle(sandboxChoices, v.sandbox, key.leftArrow ? -1 : 1) }));
    }
  });

  const labelWidth = 24;
  const inputWidth = Math.max(10, width - 4 - labelWidth);
  const text = (field: 'what' | 'repo' | 'labels', placeholder: string) => (
    <TextInput
      value={values[field]}
      onChange={(value) => setValues((v) => ({ ...v, [field]: value }))}
      onSubmit={submit}
      onCancel={cancel}
      width={inputWidth}
      focused={focus === field}
      placeholder={placeholder}
    />
  );
  const row = (field: Field, label: string, input: React.ReactNode) => (
    <Box key={field}>
      <Text bold={focus === field}>{cell(`${focus === field ? '›' : ' '} ${label}`, labelWidth)}</Text>
      {input}
    </Box>
  );
  const choice = (field: 'agent' | 'sandbox', options: readonly string[]) => (
    <Text wrap="truncate">
      {options.map((option) => (option === values[field] ? `[${option}] ` : ` ${option}  `)).join('')}
    </Text>
  );
  return (
    <Overlay
      title="New task (as nexa run)"
      width={width}
      height={height}
      footer="Tab/↑↓ field · ←→ choose · Enter submit · Esc cancel"
    >
      {row('agent', 'agent', choice('agent', agentNames))}
      {row('what', whatLabel(values.agent), text('what', whatExample(values.agent)))}
      {row('repo', 'repo (optional)', text('repo', 'path or URL on the worker'))}
      {row('labels', 'labels (optional)', text('labels', 'gpu=1,team=web'))}
      {row('sandbox', 'sandbox', choice('sandbox', sandboxChoices))}
      <Text color="red" wrap="truncate">
        {cell(busy ? 'submitting…' : error, width - 2)}
      </Text>
    </Overlay>
  );
}
