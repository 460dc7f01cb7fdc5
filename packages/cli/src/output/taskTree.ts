import type { Task } from '@nexa/core';

/** A task with how deep it sits under the tasks shown with it. */
export interface TaskInTree {
  task: Task;
  depth: number;
}

/**
 * Tasks ordered as a tree: each child right under its parent (children in
 * the order given), a task whose parent is not in the list at the top.
 */
export function taskTree(tasks: readonly Task[]): TaskInTree[] {
  const ids = new Set(tasks.map((t) => t.id));
  const children = new Map<string, Task[]>();
  const roots: Task[] = [];
  for (const task of tasks) {
    if (task.parentId && ids.has(task.parentId) && task.parentId !== task.id) {
      const siblings = children.get(task.parentId) ?? [];
      siblings.push(task);
      children.set(task.parentId, siblings);
    } else roots.push(task);
  }
  const ordered: TaskInTree[] = [];
  const seen = new Set<string>();
  const stack: TaskInTree[] = roots.reverse().map((task) => ({ task, depth: 0 }));
  while (stack.length > 0) {
    const next = stack.pop() as TaskInTree;
    if (seen.has(next.task.id)) continue;
    seen.add(next.task.id);
    ordered.push(next);
    const below = children.get(next.task.id) ?? [];
    for (let i = below.length - 1; i >= 0; i--) stack.push({ task: below[i] as Task, depth: next.depth + 1 });
  }
  return ordered;
}

/** A task id indented to its depth, as the first cell of a tree listing. */
export function treeId({ task, depth }: TaskInTree): string {
  return depth === 0 ? task.id : `${'  '.repeat(depth - 1)}└ ${task.id}`;
}
