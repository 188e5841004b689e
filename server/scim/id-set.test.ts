import { describe, expect, it } from 'vitest';
import { IdSet } from './id-set.ts';

describe('IdSet', () => {
  it('behaves like a Set of strings for has, add and size, across growth', () => {
    const s = new IdSet();
    const ref = new Set<string>();
    for (let i = 0; i < 50_000; i++) {
      const id = i % 7 === 0 ? `dup-${i % 1000}` : `${i.toString(36)}-${(i * 2654435761) % 100000}`;
      expect(s.add(id)).toBe(!ref.has(id));
      ref.add(id);
    }
    expect(s.size).toBe(ref.size);
    for (const id of ['dup-3', '1-2654435761', 'never-added', '']) expect(s.has(id)).toBe(ref.has(id));
    expect(s.has('x9z-not-there')).toBe(false);
  });
});
