export { credentialPath, readCredential, type WorkerCredential, workerCredential } from './credential.js';
export { defaultWorkerName, type RunningWorker, startWorker, type WorkerOptions } from './worker.js';
