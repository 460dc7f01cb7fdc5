import type { Key } from 'ink';
import type { ViewName } from '../store/state.js';

/**
 * Every key the TUI answers, in one table (the shape of gemini-cli's
 * keyBindings.ts): the commands are a closed set, the bindings and the
 * descriptions are tables typed over it, and the matcher is derived from
 * them. Adding a key is one row in each table; the compiler asks for both.
 */
export const commands = [
  'quit',
  'help',
  'nextView',
  'showTasks',
  'showApprovals',
  'showWorkers',
  'showThreads',
  'moveUp',
  'moveDown',
  'scrollUp',
  'scrollDown',
  'scrollTop',
  'scrollBottom',
  'pin',
  'zoom',
  'toggleTools',
  'showDiff',
  'newTask',
  'cancelTask',
  'retryTask',
  'filter',
  'followUp',
  'openThread',
  'reply',
  'say',
  'approve',
  'approveAlways',
  'deny',
  'drain',
  'undrain',
  'back',
] as const;
export type KeyCommand = (typeof commands)[number];

/** A key as Ink reports it: a printable character, or one of Ink's named keys. */
export type NamedKey = 'up' | 'down' | 'pageUp' | 'pageDown' | 'return' | 'escape' | 'tab';
export interface KeyBinding {
  key: string | NamedKey;
  named?: boolean;
  ctrl?: boolean;
}

const char = (key: string): KeyBinding => ({ key });
const named = (key: NamedKey): KeyBinding => ({ key, named: true });

export const keyBindings: Record<KeyCommand, readonly KeyBinding[]> = {
  quit: [char('q'), { key: 'c', ctrl: true }],
  help: [char('?')],
  nextView: [named('tab')],
  showTasks: [char('1')],
  showApprovals: [char('2')],
  showWorkers: [char('3')],
  showThreads: [char('4')],
  moveUp: [named('up'), char('k')],
  moveDown: [named('down'), char('j')],
  scrollUp: [named('pageUp')],
  scrollDown: [named('pageDown')],
  scrollTop: [char('g')],
  scrollBottom: [char('G')],
  pin: [char('p')],
  zoom: [named('return')],
  toggleTools: [char('t')],
  showDiff: [char('D')],
  newTask: [char('n')],
  cancelTask: [char('c')],
  retryTask: [char('r')],
  filter: [char('/')],
  followUp: [char('m')],
  openThread: [named('return')],
  reply: [char('R')],
  say: [char('n')],
  approve: [char('a')],
  approveAlways: [char('A')],
  deny: [char('d')],
  drain: [char('x')],
  undrain: [char('u')],
  back: [named('escape')],
};

export interface KeyDescription {
  /** What the key does, for the help screen. */
  text: string;
  /** The same action as a command line, so everything the TUI does can be scripted. */
  nexa: string | null;
  /** Where the key works; 'all' means in every view. */
  views: readonly ViewName[] | 'all';
}

export const keyDescriptions: Record<KeyCommand, KeyDescription> = {
  quit: { text: 'quit', nexa: null, views: 'all' },
  help: { text: 'this help', nexa: 'nexa --help', views: 'all' },
  nextView: { text: 'next view', nexa: null, views: 'all' },
  showTasks: { text: 'tasks view', nexa: 'nexa tasks list', views: 'all' },
  showApprovals: { text: 'approvals view', nexa: 'nexa approvals list', views: 'all' },
  showWorkers: { text: 'workers view, and who is on line', nexa: 'nexa workers list', views: 'all' },
  showThreads: { text: 'threads view', nexa: 'nexa threads list', views: 'all' },
  moveUp: { text: 'select the row above', nexa: null, views: 'all' },
  moveDown: { text: 'select the row below', nexa: null, views: 'all' },
  scrollUp: { text: 'scroll the pane back (stops following)', nexa: 'nexa logs ID', views: ['tasks'] },
  scrollDown: { text: 'scroll the pane forward', nexa: 'nexa logs ID', views: ['tasks'] },
  scrollTop: { text: 'pane: oldest output kept', nexa: 'nexa logs ID', views: ['tasks'] },
  scrollBottom: { text: 'pane: newest output, follow', nexa: 'nexa logs ID --follow', views: ['tasks'] },
  pin: { text: 'pin or unpin the task to a pane (up to 4)', nexa: null, views: ['tasks'] },
  zoom: { text: 'zoom the panes to the full screen', nexa: 'nexa logs ID --follow', views: ['tasks'] },
  toggleTools: { text: 'expand or collapse tool calls', nexa: 'nexa logs ID', views: ['tasks'] },
  showDiff: { text: "the task's diff (--repo tasks)", nexa: 'nexa diff ID', views: ['tasks'] },
  newTask: { text: 'new task', nexa: 'nexa run', views: ['tasks'] },
  cancelTask: { text: 'cancel the task (asks first)', nexa: 'nexa cancel ID', views: ['tasks'] },
  retryTask: { text: 'retry the task', nexa: 'nexa retry ID', views: ['tasks'] },
  filter: {
    text: 'filter: status:S agent:A worker:W label:K=V text',
    nexa: 'nexa tasks list --status S',
    views: ['tasks'],
  },
  followUp: {
    text: "message the task's agent (its next turn)",
    nexa: 'nexa say ID "text"',
    views: ['tasks'],
  },
  openThread: {
    text: 'open the thread: ↑↓ move over its messages',
    nexa: 'nexa thread show ID',
    views: ['threads'],
  },
  reply: {
    text: 'reply to the selected message',
    nexa: 'nexa say THREAD "text" --reply-to MSG',
    views: ['threads'],
  },
  say: { text: 'say something new in the thread', nexa: 'nexa say THREAD "text"', views: ['threads'] },
  approve: {
    text: 'approve once; a question: answer it (nexa answer ID "text")',
    nexa: 'nexa approve ID',
    views: ['approvals'],
  },
  approveAlways: { text: 'approve always', nexa: 'nexa approve ID --always', views: ['approvals'] },
  deny: { text: 'deny, with a reason', nexa: 'nexa deny ID --reason R', views: ['approvals'] },
  drain: { text: 'drain the worker: no new tasks', nexa: 'nexa workers drain ID', views: ['workers'] },
  undrain: { text: 'undrain the worker', nexa: 'nexa workers undrain ID', views: ['workers'] },
  back: { text: 'close, unzoom, back to the thread list', nexa: null, views: 'all' },
};

function namedKeyHeld(key: Key, name: NamedKey): boolean {
  return {
    up: key.upArrow,
    down: key.downArrow,
    pageUp: key.pageUp,
    pageDown: key.pageDown,
    return: key.return,
    escape: key.escape,
    tab: key.tab && !key.shift,
  }[name];
}

function matches(binding: KeyBinding, input: string, key: Key): boolean {
  if (binding.named) return namedKeyHeld(key, binding.key as NamedKey);
  if (Boolean(binding.ctrl) !== key.ctrl) return false;
  return input === binding.key;
}

const worksIn = (command: KeyCommand, view: ViewName): boolean => {
  const { views } = keyDescriptions[command];
  return views === 'all' || views.includes(view);
};

/** The command a key press means in a view, if any. */
export function commandFor(input: string, key: Key, view: ViewName): KeyCommand | undefined {
  return commands.find(
    (command) =>
      worksIn(command, view) && keyBindings[command].some((binding) => matches(binding, input, key)),
  );
}

/** How a binding is written on screen: "q", "Ctrl-C", "PgUp". */
export function keyLabel(binding: KeyBinding): string {
  if (binding.ctrl) return `Ctrl-${binding.key.toUpperCase()}`;
  if (!binding.named) return binding.key;
  return { up: '↑', down: '↓', pageUp: 'PgUp', pageDown: 'PgDn', return: 'Enter', escape: 'Esc', tab: 'Tab' }[
    binding.key as NamedKey
  ];
}

/** The commands that work in a view, for the help screen and the status bar's hints. */
export function commandsIn(view: ViewName): KeyCommand[] {
  return commands.filter((command) => worksIn(command, view));
}
