import type { Task } from '@nexa/core';

/**
 * What `/` narrows the task list to: `status:running agent:claude worker:gpu-1
 * label:team=web` plus free text matched against the id, title and last line.
 */
export interface TaskFilter {
  raw: string;
  text: string;
  status?: string;
  agent?: string;
  worker?: string;
  label?: { key: string; value?: string };
}

export function parseTaskFilter(raw: string): TaskFilter {
  const filter: TaskFilter = { raw, text: '' };
  const words: string[] = [];
  for (const word of raw.trim().split(/\s+/).filter(Boolean)) {
    const [field, ...rest] = word.split(':');
    const value = rest.join(':');
    if (rest.length === 0 || value === '') words.push(word);
    else if (field === 'status') filter.status = value;
    else if (field === 'agent') filter.agent = value;
    else if (field === 'worker') filter.worker = value;
    else if (field === 'label') {
      const [key = '', labelValue] = value.split('=');
      filter.label = labelValue === undefined ? { key } : { key, value: labelValue };
    } else words.push(word);
  }
  filter.text = words.join(' ').toLowerCase();
  return filter;
}

export function taskTitle(task: Pick<Task, 'prompt' | 'command'>): string {
  return (task.prompt ?? task.command.join(' ')).replace(/\s+/g, ' ').trim();
}

export function matchesFilter(task: Task, filter: TaskFilter): boolean {
  if (filter.status && !task.status.startsWith(filter.status)) return false;
  if (filter.agent && task.agent !== filter.agent) return false;
  if (filter.worker && task.workerName !== filter.worker && task.workerId !== filter.worker) return false;
  if (filter.label) {
    const value = task.labels[filter.label.key];
    if (value === undefined || (filter.label.value !== undefined && value !== filter.label.value))
      return false;
  }
  if (!filter.text) return true;
  const haystack = `${task.id} ${taskTitle(task)} ${task.lastLine ?? ''}`.toLowerCase();
  return haystack.includes(filter.text);
}
