// Who an application manages, as SQL pieces for the repositories that need the rule (bindings here,
// provisioning's state and accounts): a user is in scope when he is a member of a group bound to the
// application. The bindings table is this module's, so the rule is written once, here.
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Db } from '../db/database.ts';
import type { DB } from '../db/schema.ts';

/** Memberships (`m`) joined to the bindings (`ag`) of their groups: the users each application manages. */
export function membersOfBoundGroups(db: Db) {
  return db.selectFrom('group_members as m').innerJoin('application_groups as ag', 'ag.group_id', 'm.group_id');
}

/**
 * EXISTS: the user is a member of a group bound to the application, the rule of who an application
 * manages. Either side is a value or a column of the outer query (`eb.val(id)`, `eb.ref('p.user_id')`).
 */
export function inApplicationScope<O, OT extends keyof O>(
  eb: ExpressionBuilder<O, OT>,
  applicationId: Expression<string>,
  userId: Expression<string>,
): Expression<SqlBool> {
  const l = eb as unknown as ExpressionBuilder<DB, 'group_members'>;
  return l.exists(
    l
      .selectFrom('group_members as scope_m')
      .innerJoin('application_groups as scope_ag', 'scope_ag.group_id', 'scope_m.group_id')
      .select('scope_m.user_id')
      .where('scope_ag.application_id', '=', applicationId)
      .where('scope_m.user_id', '=', userId),
  );
}
