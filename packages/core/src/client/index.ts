export * from './busyRetry.js';
export * from './connectionState.js';
export * from './createNexaClient.js';
export * from './errors.js';
export * from './reconnectDelay.js';
export * from './tlsTrust.js';
export * from './webSocketClient.js';
