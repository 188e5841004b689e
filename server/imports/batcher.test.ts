import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.ts';

const page = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('Batcher', () => {
  it('gathers pages until a batch holds at least the batch size', () => {
    const b = new Batcher<number>(60, 1000, () => 0);
    expect(b.add(page(0, 20))).toBeUndefined();
    expect(b.add(page(20, 20))).toBeUndefined();
    expect(b.add(page(40, 20))).toEqual(page(0, 60));
    expect(b.add(page(60, 50))).toBeUndefined();
    expect(b.add(page(110, 50))).toEqual(page(60, 100));
    expect(b.take()).toBeUndefined();
  });

  it('with size 1 every page is its own batch', () => {
    const b = new Batcher<number>(1, 1000, () => 0);
    expect(b.add(page(0, 20))).toEqual(page(0, 20));
    expect(b.add(page(20, 5))).toEqual(page(20, 5));
  });

  it('hands out a smaller batch once the interval has passed since the last one', () => {
    let now = 0;
    const b = new Batcher<number>(4000, 1000, () => now);
    expect(b.add(page(0, 10))).toBeUndefined();
    now = 999;
    expect(b.add(page(10, 10))).toBeUndefined();
    now = 1000;
    expect(b.add(page(20, 10))).toEqual(page(0, 30));
    now = 1500;
    expect(b.add(page(30, 10))).toBeUndefined();
    expect(b.take()).toEqual(page(30, 10));
  });

  it('refuses a batch size that is not a positive integer', () => {
    expect(() => new Batcher<number>(0, 1000)).toThrow(/positive integer/);
    expect(() => new Batcher<number>(1.5, 1000)).toThrow(/positive integer/);
  });
});
