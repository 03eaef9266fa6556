import { describe, expect, it } from 'vitest';
import { markupToPlainText, parseMarkup, type StyledRun } from '../src/section-markup.js';
import { parseMarkupColor } from '../src/section-markup-colors.js';

const plain = { bold: false, italic: false };
const run = (text: string, style: Partial<Omit<StyledRun, 'text'>> = {}): StyledRun => ({ text, ...plain, ...style });

describe('parseMarkup', () => {
  it('parses the guide\'s auth section', () => {
    const lines = parseMarkup("<c fg='green'>✓ Authenticated</c>\n<b>Account:</b> me@example.com\n<b>Credentials:</b> <c fg=\"red\">Missing</c>");
    expect(lines).toEqual([
      [run('✓ Authenticated', { fg: 'green' })],
      [run('Account:', { bold: true }), run(' me@example.com')],
      [run('Credentials:', { bold: true }), run(' '), run('Missing', { fg: 'red' })],
    ]);
  });

  it('plain text is one plain run per line; blank lines stay', () => {
    expect(parseMarkup('a\n\nb')).toEqual([[run('a')], [], [run('b')]]);
    expect(parseMarkup('')).toEqual([[]]);
    expect(parseMarkup('x\r\ny')).toEqual([[run('x')], [run('y')]]);
  });

  it('nests: inner colours override outer ones, closing restores them', () => {
    const [line] = parseMarkup('<c fg="red" bg="white">a<c fg="blue">b<b>c<i>d</i></b></c>e</c>f');
    expect(line).toEqual([
      run('a', { fg: 'red', bg: 'white' }),
      run('b', { fg: 'blue', bg: 'white' }),
      run('c', { fg: 'blue', bg: 'white', bold: true }),
      run('d', { fg: 'blue', bg: 'white', bold: true, italic: true }),
      run('e', { fg: 'red', bg: 'white' }),
      run('f'),
    ]);
  });

  it('a style continues across line breaks until its closing tag', () => {
    expect(parseMarkup('<b>a\nb</b>c')).toEqual([[run('a', { bold: true })], [run('b', { bold: true }), run('c')]]);
  });

  it('unclosed tags style to the end; stray closing tags are dropped', () => {
    expect(parseMarkup('<b>bold <i>both')).toEqual([[run('bold ', { bold: true }), run('both', { bold: true, italic: true })]]);
    expect(parseMarkup('</b>x</c></i>y')).toEqual([[run('xy')]]);
  });

  it('misnested closing tags remove only their own tag', () => {
    expect(parseMarkup('<b><c fg="red">x</b>y</c>z')).toEqual([[run('x', { fg: 'red', bold: true }), run('y', { fg: 'red' }), run('z')]]);
  });

  it('unknown tags are stripped and their text kept', () => {
    expect(parseMarkup('<u>under</u> <span style="x">s</span> <blink/>!')).toEqual([[run('under s !')]]);
  });

  it('a < that does not start a tag is literal', () => {
    for (const text of ['a < b', '1<2', '<3', '<<', '<', 'x <', '<user@example.com>', '<https://example.com/a?b=c>', '< b>', '<>', '</>', '<1a>']) {
      expect(markupToPlainText(text), text).toBe(text);
    }
  });

  it('a tag with a broken attribute is literal, not half-applied', () => {
    expect(markupToPlainText('<c fg="red>x')).toBe('<c fg="red>x');
    expect(markupToPlainText("<c fg='red\">x</c>")).toBe("<c fg='red\">x");
  });

  it('accepts single, double and no quotes, spaces around =, any case', () => {
    for (const markup of ["<c fg='green'>x</c>", '<c fg="green">x</c>', '<c fg=green>x</c>', '<c  fg = "green" >x</c>', '<C FG="Green">x</C>']) {
      expect(parseMarkup(markup), markup).toEqual([[run('x', { fg: 'green' })]]);
    }
  });

  it('invalid colours are ignored, valid ones kept', () => {
    expect(parseMarkup('<c fg="teal" bg="#F80">x</c>')).toEqual([[run('x', { bg: '#ff8800' })]]);
    expect(parseMarkup('<c fg="#12345">x</c><c fg>y</c><c>z</c>')).toEqual([[run('xyz')]]);
  });

  it('a <c> without a valid colour still pairs with its closing tag', () => {
    expect(parseMarkup('<c fg="red">a<c fg="nope">b</c>c</c>d')).toEqual([[run('abc', { fg: 'red' }), run('d')]]);
  });

  it('self-closing known tags style nothing', () => {
    expect(parseMarkup('a<b/>b<i />c')).toEqual([[run('abc')]]);
  });

  it('never interprets text: entities, backslash escapes and ANSI pass through', () => {
    expect(markupToPlainText('&lt;b&gt; \\n \u001b[31m ‹b›')).toBe('&lt;b&gt; \\n \u001b[31m ‹b›');
  });

  it('stays linear on hostile input', () => {
    const started = performance.now();
    parseMarkup('<c fg="'.repeat(20_000));
    parseMarkup('<c ' + 'a='.repeat(50_000));
    parseMarkup('<b>'.repeat(20_000) + '</b>'.repeat(20_000));
    parseMarkup('<c fg=red>x'.repeat(20_000));
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('parseMarkupColor', () => {
  it('knows every named colour of the spec, grey as gray', () => {
    for (const name of ['red', 'green', 'blue', 'yellow', 'cyan', 'magenta', 'white', 'black', 'orange', 'purple', 'pink', 'brown', 'gray']) {
      expect(parseMarkupColor(name)).toBe(name);
    }
    expect(parseMarkupColor('grey')).toBe('gray');
  });

  it('normalises hex and rejects the rest', () => {
    expect(parseMarkupColor('#ABC')).toBe('#aabbcc');
    expect(parseMarkupColor('#A1b2C3')).toBe('#a1b2c3');
    for (const bad of ['', '#', '#ab', '#abcd', '#ggg', 'abc', 'rgb(1,2,3)', 'redd', '#1234567']) expect(parseMarkupColor(bad), bad).toBeUndefined();
  });
});
