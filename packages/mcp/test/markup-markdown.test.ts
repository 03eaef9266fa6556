import { describe, expect, it } from 'vitest';
import { markupToMarkdown, markupToText } from '../src/markup-markdown.js';

describe('markupToMarkdown', () => {
  it('renders bold and italic as Markdown emphasis and drops colours', () => {
    expect(markupToMarkdown("<b>Auth:</b> <c fg='green'>✓ signed in</c>")).toBe('**Auth:** ✓ signed in');
    expect(markupToMarkdown('<i>note</i> and <b><i>both</i></b>')).toBe('_note_ and **_both_**');
  });

  it('keeps spaces outside the markers, where CommonMark needs them', () => {
    expect(markupToMarkdown('<b> Runs: </b>3')).toBe(' **Runs:** 3');
    expect(markupToMarkdown('<b>   </b>x')).toBe('   x');
  });

  it('escapes what Markdown would read as links, HTML, code or emphasis', () => {
    expect(markupToMarkdown('[click](http://evil) <https://x> `code` *a* _b_ # not a heading')).toBe(
      '\\[click\\](http://evil) \\<https://x\\> \\`code\\` \\*a\\* \\_b\\_ \\# not a heading',
    );
    // A well-formed unknown tag is dropped, as the TUI drops it: no HTML reaches the client.
    expect(markupToMarkdown('a<img src=x>b')).toBe('ab');
  });

  it('escapes list and quote markers only at the start of a line', () => {
    expect(markupToMarkdown('- item\n1. first\na - b')).toBe('\\- item\n1\\. first\na - b');
    expect(markupToMarkdown('> quoted')).toBe('\\> quoted');
  });

  it('keeps a < that starts no tag, drops unknown and self-closing tags, survives misnesting', () => {
    expect(markupToMarkdown('a < b, <3, <user@host>')).toBe('a \\< b, \\<3, \\<user@host\\>');
    expect(markupToMarkdown('<blink>x</blink><br/>y')).toBe('xy');
    expect(markupToMarkdown('<b>one</i> two</b> three</b>')).toBe('**one two** three');
  });

  it('keeps line breaks, styles continuing across them', () => {
    expect(markupToMarkdown('<b>a\r\nb</b>\n\nc')).toBe('**a**\n**b**\n\nc');
  });

  it('merges neighbouring runs of one style', () => {
    expect(markupToMarkdown("<b>A<c fg='red'>B</c>C</b>")).toBe('**ABC**');
  });
});

describe('markupToText', () => {
  it('removes tags and escapes nothing', () => {
    expect(markupToText("<b>Runs:</b> <c fg='red'>[3]</c> a < b")).toBe('Runs: [3] a < b');
  });
});
