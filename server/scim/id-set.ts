// The set of resource ids a listing has yielded, in 12 bytes per id (a Set of strings takes about 80):
// listings of 400,000 users must not grow memory with every id. Ids are kept as 85-bit hashes (53 in
// one array, 32 more in another); two ids colliding, so that the second is taken for a duplicate, has
// a chance of about 1 in 10^13 in a listing of a million ids.

function hashes(s: string): [number, number] {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  let h3 = 0x9e3779b9;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
    h3 = Math.imul(h3 ^ c, 2246822519);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  h3 = Math.imul(h3 ^ (h3 >>> 15), 3266489917) ^ s.length;
  // 0 marks an empty slot.
  return [4294967296 * (2097151 & h2) + (h1 >>> 0) || 1, h3 >>> 0];
}

export class IdSet {
  #keys = new Float64Array(1024);
  #checks = new Uint32Array(1024);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  has(id: string): boolean {
    const [h, c] = hashes(id);
    return this.#keys[this.#find(h, c, this.#keys, this.#checks)] !== 0;
  }

  /** Adds the id; false when it was there already. */
  add(id: string): boolean {
    const [h, c] = hashes(id);
    const at = this.#find(h, c, this.#keys, this.#checks);
    if (this.#keys[at] !== 0) return false;
    this.#keys[at] = h;
    this.#checks[at] = c;
    this.#size++;
    if (this.#size * 2 > this.#keys.length) this.#grow();
    return true;
  }

  /** Linear probing: the slot holding (h, c), or the empty slot where it belongs. */
  #find(h: number, c: number, keys: Float64Array, checks: Uint32Array): number {
    const mask = keys.length - 1;
    let i = h % keys.length;
    while (keys[i] !== 0 && (keys[i] !== h || checks[i] !== c)) i = (i + 1) & mask;
    return i;
  }

  #grow(): void {
    const keys = new Float64Array(this.#keys.length * 2);
    const checks = new Uint32Array(keys.length);
    for (let i = 0; i < this.#keys.length; i++) {
      const h = this.#keys[i];
      if (h === 0) continue;
      const at = this.#find(h, this.#checks[i], keys, checks);
      keys[at] = h;
      checks[at] = this.#checks[i];
    }
    this.#keys = keys;
    this.#checks = checks;
  }
}
