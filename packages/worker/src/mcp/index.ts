export {
  createNexaMcpServer,
  type NexaMcpOptions,
  type RunNexaMcpOptions,
  runNexaMcp,
} from './server.js';
export type { McpIdentity, NexaTool } from './tool.js';
export { nexaTools } from './tools/index.js';
