import type { NexaTool } from '../tool.js';
import { askHuman } from './askHuman.js';
import { kvGet } from './kvGet.js';
import { kvList } from './kvList.js';
import { kvSet } from './kvSet.js';
import { listThreads } from './listThreads.js';
import { postMessage } from './postMessage.js';
import { readThread } from './readThread.js';
import { spawnTask } from './spawnTask.js';
import { taskStatus } from './taskStatus.js';
import { waitForReply } from './waitForReply.js';
import { waitTask } from './waitTask.js';
import { whoIsOnline } from './whoIsOnline.js';

/** Every tool `nexa mcp` offers. Adding one: a file here and one line. */
export const nexaTools: readonly NexaTool[] = [
  postMessage,
  readThread,
  listThreads,
  waitForReply,
  kvGet,
  kvSet,
  kvList,
  spawnTask,
  waitTask,
  taskStatus,
  whoIsOnline,
  askHuman,
];
