// What the admin asks of a users run besides the selection: create only, link the users that exist, or
// link and take the application's values of chosen fields; a dry run; a Roster group for the users; the
// candidate picked for each conflict. One choice of fields per run (the API's update.fields): a
// field's checkbox in any user's diff is the same choice as in the run's options.
import { useState } from 'react';
import type { PreviewUser } from '../../api/types.ts';
import { plural } from '../../lib/format.ts';
import { UPDATABLE_FIELDS, type JobBody, type UpdatableField } from './api.ts';
import { selectedCount, type Selection } from './selection.ts';

export type RunMode = 'create' | 'link' | 'update';

export interface RunChoice {
  mode: RunMode;
  fields: ReadonlySet<UpdatableField>;
  dryRun: boolean;
  group: { id: string; name: string } | null;
  /** remoteId -> the directory user picked for a conflict. */
  resolve: ReadonlyMap<string, string>;
}

export const initialChoice = (): RunChoice => ({
  mode: 'link',
  fields: new Set(UPDATABLE_FIELDS),
  dryRun: false,
  group: null,
  resolve: new Map(),
});

export function useRunChoice() {
  const [choice, setChoice] = useState<RunChoice>(initialChoice);
  const set = (patch: Partial<RunChoice>) => setChoice((c) => ({ ...c, ...patch }));
  /** A field's checkbox (in the options or in a user's diff); ticking one asks for updates, of that field when none were asked. */
  const toggleField = (field: UpdatableField, on: boolean) =>
    setChoice((c) => {
      const fields = new Set(c.mode === 'update' ? c.fields : []);
      if (on) fields.add(field);
      else fields.delete(field);
      return { ...c, fields, mode: on ? 'update' : c.mode };
    });
  const setFields = (fields: UpdatableField[]) => set({ fields: new Set(fields) });
  const pick = (remoteId: string, userId: string | null) =>
    setChoice((c) => {
      const resolve = new Map(c.resolve);
      if (userId) resolve.set(remoteId, userId);
      else resolve.delete(remoteId);
      return { ...c, resolve };
    });
  return { choice, set, toggleField, setFields, pick, reset: () => setChoice(initialChoice()) };
}

export type RunChoiceState = ReturnType<typeof useRunChoice>;

/** The request: only what differs from the API's defaults (link: true, no update, no dry run). */
export function jobBody(sel: Selection, c: RunChoice): JobBody {
  const body: JobBody = sel.kind === 'allNew' ? { all: true } : { remoteIds: [...sel.users.keys()] };
  if (sel.kind === 'allNew' && sel.excluded.size) body.exclude = [...sel.excluded];
  if (c.mode === 'create') body.link = false;
  if (c.mode === 'update') body.update = { fields: c.fields.size === UPDATABLE_FIELDS.length ? 'all' : [...c.fields] };
  if (c.dryRun) body.dryRun = true;
  if (c.group) body.groupId = c.group.id;
  const resolve = sel.kind === 'ids' ? [...c.resolve].filter(([remoteId]) => sel.users.has(remoteId)) : [];
  if (resolve.length) body.resolve = resolve.map(([remoteId, userId]) => ({ remoteId, userId }));
  return body;
}

export interface Plan {
  create: number;
  link: number;
  update: number;
  skip: number;
  fail: number;
}

/** What the run will do to one selected user, as the preview says (the server decides, this informs). */
function planOf(u: PreviewUser, c: RunChoice): keyof Plan {
  if (u.status === 'new') return 'create';
  if (u.status === 'invalid') return 'fail';
  if (u.status === 'conflict' && !c.resolve.has(u.remoteId)) return 'skip';
  const changes = c.mode === 'update' && (u.changes ?? []).some((ch) => c.fields.has(ch.field));
  if (changes) return 'update';
  const linked = u.status === 'exists' && u.match?.by === 'link';
  return c.mode !== 'create' && !linked ? 'link' : 'skip';
}

export function planFor(sel: Selection, c: RunChoice): Plan {
  const plan: Plan = { create: 0, link: 0, update: 0, skip: 0, fail: 0 };
  if (sel.kind === 'allNew') return { ...plan, create: selectedCount(sel) };
  for (const u of sel.users.values()) plan[planOf(u, c)]++;
  return plan;
}

/** The start button's words: "Import 20 users: create 12, link 3, update 5". */
export function startLabel(sel: Selection, c: RunChoice): string {
  const n = selectedCount(sel);
  if (n === 0) return c.dryRun ? 'Dry run' : 'Import';
  // {all: true} is every user of the application: those that exist are linked or updated as chosen.
  if (sel.kind === 'allNew') {
    const others = c.mode === 'create' ? '' : `, ${c.mode === 'update' ? 'link or update' : 'link'} the users that exist`;
    return `${c.dryRun ? 'Dry run of' : 'Import'} ${plural(n, 'user')}: create ${n}${others}`;
  }
  const plan = planFor(sel, c);
  const parts = (['create', 'link', 'update', 'skip', 'fail'] as const).filter((k) => plan[k] > 0).map((k) => `${k} ${plan[k]}`);
  const what = `${plural(n, 'user')}: ${parts.join(', ')}`;
  return c.dryRun ? `Dry run of ${what}` : `Import ${what}`;
}
