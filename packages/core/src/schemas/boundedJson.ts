import { z } from 'zod';

/**
 * Why a free-form JSON value is too big, or null. Walks iteratively: a value
 * nested 10,000 deep must get an answer, not a stack overflow (JSON.stringify
 * recurses, and would crash the store that writes it).
 */
function jsonProblem(value: unknown, maxChars: number, maxDepth: number): string | null {
  const stack: Array<[unknown, number]> = [[value, 0]];
  let chars = 0;
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (depth > maxDepth) return `is nested deeper than the limit of ${maxDepth} levels`;
    if (typeof item === 'string') chars += item.length + 2;
    else if (Array.isArray(item)) {
      chars += item.length + 2;
      if (chars > maxChars) break;
      for (const child of item) stack.push([child, depth + 1]);
    } else if (item !== null && typeof item === 'object') {
      const entries = Object.entries(item);
      chars += 2;
      for (const [key, child] of entries) {
        chars += key.length + 4;
        if (chars > maxChars) break;
        stack.push([child, depth + 1]);
      }
    } else chars += 8;
    if (chars > maxChars) break;
  }
  return chars > maxChars ? `is larger than the limit of ${maxChars} characters as JSON` : null;
}

/** Any JSON value, bounded in size and depth; the message names `field`. */
export function boundedJson(field: string, maxChars: number, maxDepth: number) {
  return z.unknown().superRefine((value, ctx) => {
    const problem = jsonProblem(value, maxChars, maxDepth);
    if (problem) ctx.addIssue({ code: 'custom', message: `${field} ${problem}` });
  });
}
