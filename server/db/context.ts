// The context a service function takes as its first parameter: the database handle it runs on (the
// caller's transaction when there is one) and whatever else it uses, declared by the module as an
// interface that extends this one. Nothing comes from module state; deps.ts builds the real ones.
import type { Clock } from '../shared/clock.ts';
import type { Db } from './database.ts';

export interface DbContext {
  db: Db;
  clock: Clock;
}

/** The same context on another handle: a service calling others inside its own transaction. */
export function onDb<C extends { db: Db }>(ctx: C, db: Db): C {
  return { ...ctx, db };
}

/**
 * A repository function (handle first) as a service function (context first), for services that only
 * read through their repository: `export const isMember = onHandle(repo.isMember)`.
 */
export const onHandle =
  <H, A extends unknown[], R>(read: (db: H, ...args: A) => R) =>
  (ctx: { db: H }, ...args: A): R =>
    read(ctx.db, ...args);
