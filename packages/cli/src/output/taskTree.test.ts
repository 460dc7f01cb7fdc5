import type { Task } from '@nexa/core';
import { describe, expect, it } from 'vitest';
import { taskTree, treeId } from './taskTree.js';

const task = (id: string, parentId: string | null) => ({ id, parentId }) as Task;

describe('taskTree', () => {
  it('puts children under their parent, grandchildren deeper, orphans at the top', () => {
    const rows = taskTree([
      task('t-4', 't-2'),
      task('t-3', null),
      task('t-2', 't-1'),
      task('t-5', 't-gone'),
      task('t-1', null),
    ]).map(treeId);
    expect(rows).toEqual(['t-3', 't-5', 't-1', '└ t-2', '  └ t-4']);
  });
});
