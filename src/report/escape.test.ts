import { describe, expect, it } from 'vitest';
import { esc, inlineScript, scriptJson, shortJson } from './escape.js';

describe('esc', () => {
  it('turns markup into text', () => {
    expect(esc('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(esc(`"'&`)).toBe('&quot;&#39;&amp;');
    expect(esc(null)).toBe('');
    expect(esc(3)).toBe('3');
  });
});

describe('scriptJson', () => {
  it('cannot end the script element or a line, and round-trips', () => {
    const value = { key: '</script><script>alert(1)</script>', line: 'a\u2028b\u2029c', amp: '<!-- & -->' };
    const json = scriptJson(value);
    expect(json).not.toMatch(/<|>|&|\u2028|\u2029/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('inlineScript', () => {
  it('breaks a closing script tag inside library code', () => {
    expect(inlineScript('var s = "</script>"; var t = "<!--";')).toBe(
      'var s = "<\\/script>"; var t = "<\\!--";',
    );
  });
});

describe('shortJson', () => {
  it('cuts long values', () => {
    expect(shortJson('x'.repeat(100), 10)).toBe(`"${'x'.repeat(8)}…`);
    expect(shortJson(undefined)).toBe('?');
    expect(shortJson([1, 2])).toBe('[1,2]');
  });
});
