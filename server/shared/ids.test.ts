import { describe, expect, it } from 'vitest';
import { newId, UUID_RE } from './ids.ts';

describe('newId', () => {
  it('makes unique RFC 9562 version 7 UUIDs that sort in creation order', () => {
    const ids = Array.from({ length: 5000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 50)) {
      expect(id).toMatch(UUID_RE);
      expect(id[14]).toBe('7');
      expect('89ab').toContain(id[19]);
    }
    expect([...ids].sort()).toEqual(ids);
  });
});
