import { describe, expect, it } from 'vitest';
import type { Json } from '../../history/types.js';
import { StateTable } from './engine.js';
import { MODELS } from './models.js';

describe('the search state table', () => {
  it('gives equal states one id, however many primitive states came before them', () => {
    const table = new StateTable(MODELS.register);
    // Primitive states take ids without hashes; object states after them need their hashes kept.
    for (let i = 0; i < 300; i++) expect(table.intern(i)).toBe(i);
    const objects: Json[] = [];
    for (let i = 0; i < 200; i++) objects.push({ a: i, b: [i, 'x'] });
    const ids = objects.map((o) => table.intern(o));
    expect(new Set(ids).size).toBe(200);
    // The same values, built again with their keys in another order: the same ids.
    for (let i = 0; i < 200; i++) expect(table.intern({ b: [i, 'x'], a: i })).toBe(ids[i]);
    for (let i = 0; i < 300; i++) expect(table.intern(i)).toBe(i);
    expect(table.states.length).toBe(500);
  });

  it('finds kv states by their hash and text', () => {
    const kv = MODELS.kv;
    const table = new StateTable(kv);
    const ids = ['', 'a', 'ab', 'b'].map((text) => table.intern(kv.init(text) as Json));
    expect(new Set(ids).size).toBe(4);
    expect(table.intern(kv.init('ab') as Json)).toBe(ids[2]);
  });
});
