export { colorWanted, Pane, type PaneProps } from './Pane.js';
export type { StyledRow, StyledRun } from './styledRow.js';
export { KEPT_EVENT_CHARS, TaskTranscript } from './taskTranscript.js';
export { SCROLLBACK_ROWS, TerminalBuffer } from './terminalBuffer.js';
export { useTerminalBuffer } from './useTerminalBuffer.js';
