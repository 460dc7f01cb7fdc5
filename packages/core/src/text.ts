/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC, CR,
 * BS...), DEL, C1 controls (U+009B is a one-byte CSI in some terminals) and
 * the Unicode bidirectional overrides and isolates that reorder what is
 * displayed. Text from a task, an agent or a worker may carry them to make
 * one thing look like another (`curl … | sh` shown as `ls -la`).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
export const TERMINAL_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const ALL_CONTROLS = new RegExp(TERMINAL_CONTROLS.source, 'g');

const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\x1b' };

/**
 * The text with every terminal control shown escaped (`\x1b`, `\r`,
 * `\u202e`), so a listing shows what is true. With `keepNewlines`, line
 * breaks stay (for whole messages), with `keepTabs` tabs (for file contents); table cells and values escape them too,
 * so a value cannot fake a row of its own.
 */
export function visible(text: string, options: { keepNewlines?: boolean; keepTabs?: boolean } = {}): string {
  return text.replace(ALL_CONTROLS, (char) => {
    if (char === '\n' && options.keepNewlines) return char;
    if (char === '\t' && options.keepTabs) return char;
    const code = char.charCodeAt(0);
    return (
      named[char] ??
      (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
    );
  });
}
