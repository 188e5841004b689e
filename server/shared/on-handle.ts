// A service function that only reads through its repository takes the context first like every other
// (ARCHITECTURE.md, "Context first") and hands the repository its handle: one wrapper for all of them.

/** `read` (handle first) as a service function (context first): `export const isMember = onHandle(repo.isMember)`. */
export const onHandle =
  <H, A extends unknown[], R>(read: (db: H, ...args: A) => R) =>
  (ctx: { db: H }, ...args: A): R =>
    read(ctx.db, ...args);
