export { makeTlsFiles, type TlsFiles } from './tlsFiles.js';
