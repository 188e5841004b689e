// An admin sets a user's password: the policy, a scrypt hash with its own salt, status ACTIVE, and an
// Insights event that names the admin and never holds the password.
import { assertPasswordPolicy, hashPassword } from '../auth/index.ts';
import type { DbContext } from '../db/context.ts';
import { inTransaction } from '../db/database.ts';
import { findUser, getUser, type User } from '../directory/index.ts';
import type { Actor } from '../shared/actor.ts';
import { notFound } from '../shared/errors.ts';
import { setPasswordIn } from './activation.service.ts';

export async function setPasswordByAdmin({ db, clock }: DbContext, actor: Actor, userId: string, password: string): Promise<User> {
  const before = await findUser(db, actor.organizationId, userId);
  if (!before) throw notFound('User', userId);
  assertPasswordPolicy(password, before, 'body.password');
  // scrypt takes a while: outside the transaction, so it holds no lock meanwhile.
  const passwordHash = await hashPassword(password);
  return inTransaction(db, async (trx) => {
    const user = await findUser(trx, actor.organizationId, userId);
    if (!user) throw notFound('User', userId);
    const now = clock.now().toISOString();
    await setPasswordIn({ db: trx, clock }, actor, user, { passwordHash, at: now, message: 'password set by an admin' });
    return getUser({ db: trx }, actor.organizationId, userId);
  });
}
