export * from './asyncQueue.js';
export * from './duration.js';
export * from './errors.js';
export * from './ids.js';
export * from './labels.js';
export * from './schemas/index.js';
export * from './taskState.js';
export * from './version.js';
