import { describe, expect, it } from 'vitest';
import { parseMarkup } from '@opperator/protocol';
import { wrapMarkupLines } from '../src/wrap-markup.js';

const text = (lines: ReturnType<typeof wrapMarkupLines>) => lines.map((line) => line.map((run) => run.text).join(''));

describe('wrapMarkupLines', () => {
  it('keeps short lines, and breaks long ones after a space within the width, losing no character', () => {
    const source = "<b>Next:</b> Set the secret: opperator secret set invoice_monitor_gmail_client_id";
    const rows = wrapMarkupLines(parseMarkup(source), 30);
    expect(text(rows).every((row) => row.length <= 30)).toBe(true);
    expect(text(rows).join('')).toBe('Next: Set the secret: opperator secret set invoice_monitor_gmail_client_id');
    expect(text(rows)[0]).toBe('Next: Set the secret: ');
    expect(text(wrapMarkupLines(parseMarkup('short\nlines'), 30))).toEqual(['short', 'lines']);
  });

  it('keeps each character\'s style across the break, and hard-breaks a word longer than the width', () => {
    const rows = wrapMarkupLines(parseMarkup("<c fg='green'>abcdefghij</c>"), 4);
    expect(text(rows)).toEqual(['abcd', 'efgh', 'ij']);
    expect(rows.every((row) => row.every((run) => run.fg === 'green'))).toBe(true);
  });
});
