import { describe, expect, it } from 'vitest';
import { EdnSyntaxError, parseEdn } from './edn.js';

describe('the EDN reader', () => {
  it.each([
    ['nil', null],
    ['true', true],
    ['-42', -42],
    ['3.5', 3.5],
    ['7N', 7],
    ['1/2', 0.5],
    [':ok', 'ok'],
    [':jepsen.history/op', 'jepsen.history/op'],
    ['"a \\"q\\" \\n\\u0041"', 'a "q" \nA'],
    ['[1, 2 ,3]', [1, 2, 3]],
    ['(1 (2))', [1, [2]]],
    ['#{:a :b}', ['a', 'b']],
    ['{:a 1 "b" [nil]}', { a: 1, b: [null] }],
    ['#inst "2020-01-01T00:00:00Z"', '2020-01-01T00:00:00Z'],
    ['[1 #_ 2 3]', [1, 3]],
    ['[1 ; comment ]\n 2]', [1, 2]],
    ['some-symbol', 'some-symbol'],
  ])('reads %s', (text, value) => {
    expect(parseEdn(text)).toEqual(value);
  });

  it.each([['[1 2'], ['{:a}'], ['"open'], [')'], ['1 2']])('rejects %s', (text) => {
    expect(() => parseEdn(text)).toThrow(EdnSyntaxError);
  });
});
