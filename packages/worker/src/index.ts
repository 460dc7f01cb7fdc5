export { defaultWorkerName, type RunningWorker, startWorker, type WorkerOptions } from './worker.js';
