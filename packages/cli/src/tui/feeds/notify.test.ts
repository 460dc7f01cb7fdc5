import { describe, expect, it } from 'vitest';
import { notificationBytes } from './notify.js';

describe('notifications', () => {
  it('ring the bell and send OSC 9 and OSC 777 naming the task and what it needs', () => {
    const bytes = notificationBytes('t-3f2a claude needs approval: Bash rm -rf build');
    expect(bytes.startsWith('\u0007')).toBe(true);
    expect(bytes).toContain('\u001b]9;t-3f2a claude needs approval: Bash rm -rf build\u0007');
    expect(bytes).toContain('\u001b]777;notify;Nexa;t-3f2a claude needs approval: Bash rm -rf build\u0007');
  });

  it('cannot be ended early or turned into other sequences by what an agent asked', () => {
    const bytes = notificationBytes('Bash echo \u0007\u001b]52;c;cHduZWQ=\u0007\u001b[2J');
    // The only BELs are the bell and the two terminators; no ESC but the two openers.
    expect(bytes.split('\u0007')).toHaveLength(4);
    expect(bytes.split('\u001b')).toHaveLength(3);
    expect(bytes).toContain('\\x1b]52');
  });
});
