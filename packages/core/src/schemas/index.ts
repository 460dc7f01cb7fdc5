export * from './approval.js';
export * from './auth.js';
export * from './conversation.js';
export * from './event.js';
export * from './task.js';
export * from './team.js';
export * from './worker.js';
