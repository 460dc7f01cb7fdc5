export * from './clientSettings.js';
export * from './credentials.js';
export * from './paths.js';
export * from './serverCa.js';
export * from './serverUrl.js';
