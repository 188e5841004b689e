// A resource per describe block: `const t = perSuite(() => createTestApp(dialect))` opens it before the
// block's first test and closes it after its last, in place of the same beforeAll/afterAll pair in
// every test file.
import { afterAll, beforeAll } from 'vitest';

/**
 * Stands for what `open()` resolves to: property reads (methods bound to it) and writes go to the
 * opened resource. Call it in a describe callback; use the result only inside its hooks and tests.
 */
export function perSuite<T extends { close(): Promise<void> }>(open: () => Promise<T>): T;
/** The same for a resource closed another way (a test SCIM server's `stop()`). */
export function perSuite<T extends object>(open: () => Promise<T>, close: (resource: T) => Promise<void>): T;
export function perSuite<T extends object>(
  open: () => Promise<T>,
  close = (resource: T) => (resource as T & { close(): Promise<void> }).close(),
): T {
  let current: T | undefined;
  beforeAll(async () => {
    current = await open();
  });
  afterAll(async () => {
    if (current) await close(current);
  });
  const opened = (): T => {
    if (!current) throw new Error('perSuite: the resource is used before its beforeAll has opened it');
    return current;
  };
  return new Proxy({} as T, {
    get(_, key) {
      const target = opened();
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set: (_, key, value) => Reflect.set(opened(), key, value),
    has: (_, key) => Reflect.has(opened(), key),
  });
}
