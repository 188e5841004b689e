/** Time source, replaceable in tests that need to move time (session expiry, lockouts). */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
export const isoNow = (clock: Clock = systemClock) => clock.now().toISOString();
