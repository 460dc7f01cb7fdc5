import { visible } from '@nexa/core';

/**
 * A bell and a desktop notification (OSC 9 for iTerm2, WezTerm, Windows
 * Terminal...; OSC 777 for VTE terminals, foot, kitty), which terminals and
 * tmux pass on to the desktop. The text is escaped: it names a task and what
 * an agent asked, and an OSC ends at the first BEL or ESC in it.
 */
export function notificationBytes(text: string): string {
  // ';' separates OSC 777's fields; visible() already turned every control into text.
  const safe = visible(text).replace(/;/g, ',').slice(0, 200);
  return `\u0007\u001b]9;${safe}\u0007\u001b]777;notify;Nexa;${safe}\u0007`;
}

export type Notifier = (text: string) => void;

export const terminalNotifier =
  (stream: NodeJS.WriteStream): Notifier =>
  (text) => {
    stream.write(notificationBytes(text));
  };
