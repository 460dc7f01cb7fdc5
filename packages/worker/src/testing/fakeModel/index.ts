/** Scripted stand-ins for model providers' APIs, on 127.0.0.1, for tests of real agent CLIs. */
export { startFakeAnthropic } from './anthropic.js';
export { startFakeOpenAI, writeCodexConfig } from './openai.js';
export { commandsIn, nextStep } from './script.js';
export type { FakeModelServer } from './server.js';
