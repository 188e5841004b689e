// A users run's `groupId`: once its last batch has committed, every user the run created, linked or
// updated joins the group through the directory's membership service (events as the directory records
// them, and provisioning told, so the group's applications provision them). The memberships that were
// new are recorded with them (import_run_group_joins), so that an undo takes back those and no other.
// Adding is idempotent, so a resumed run simply adds them all again (and records the ones it adds). A
// dry run adds nobody.
import { onDb } from '../db/context.ts';
import { inTransaction } from '../db/database.ts';
import { addGroupMembers, findGroup } from '../directory/index.ts';
import type { ImportContext } from './context.ts';
import type { RunContext } from './run-lifecycle.ts';
import { optionsOf, RunStopped } from './runs.model.ts';
import * as repo from './runs.repository.ts';

/** Users per transaction: each one is a pair, an event, a provisioning hint and the record of the join. */
const GROUP_CHUNK = 500;
const JOINS = new Set(['created', 'linked', 'updated']);

export async function addRunUsersToGroup(deps: ImportContext, ctx: RunContext): Promise<void> {
  const { run } = ctx;
  const { groupId } = optionsOf(run);
  if (!groupId || run.dry_run === 1) return;
  if (!(await findGroup(deps, run.organization_id, groupId))) {
    throw new RunStopped(`the group ${groupId} the users were to join no longer exists; the users are imported`);
  }
  let after = -1;
  for (;;) {
    const page = await repo.listResults(deps.db, run.id, after, GROUP_CHUNK);
    if (page.length === 0) return;
    after = page[page.length - 1].seq;
    const ids = page.filter((r) => JOINS.has(r.outcome) && r.user_id).map((r) => r.user_id!);
    if (ids.length === 0) continue;
    await inTransaction(deps.db, async (trx) => {
      const added = await addGroupMembers(onDb(deps, trx), ctx.actor, groupId, ids);
      await repo.insertGroupJoins(trx, run.id, added);
    });
  }
}
