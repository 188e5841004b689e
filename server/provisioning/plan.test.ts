import { describe, expect, it } from 'vitest';
import { toScimUser } from '../scim/index.ts';
import { userRow } from '../../test/factories.ts';
import { pendingAccount, type AccountRow, type DirectoryUserRow } from './accounts.repository.ts';
import { mergeForPut } from './apply-users.ts';
import { desiredAttributes, planUser, remoteView, type Candidate, type PlanOptions } from './plan.ts';
import { runPool } from './pool.ts';

const user = (over: Partial<DirectoryUserRow> = {}): DirectoryUserRow =>
  userRow('ada', {
    id: 'u1',
    organization_id: 'o',
    firstname: 'Ada',
    lastname: 'Lovelace',
    displayname: '',
    job_title: 'Engineer',
    created_at: '',
    updated_at: '',
    ...over,
  });

/** An account that was created with what user() has now. */
const account = (over: Partial<AccountRow> = {}): AccountRow => ({
  ...pendingAccount('a', 'o', 'u1', 'ada', ''),
  remote_id: 'r1',
  pushed_attributes: JSON.stringify(desiredAttributes(user())),
  pushed_active: 1,
  status: 'ok',
  last_operation: 'create',
  ...over,
});

const link = {
  organization_id: 'o',
  application_id: 'a',
  user_id: 'u1',
  remote_id: 'r1',
  remote_user_name: 'ada',
  origin: 'provision' as const,
  created_at: '',
  updated_at: '',
};
const opts: PlanOptions = { deprovision: 'deactivate', retryOrphaned: false };
const c = (over: Partial<Candidate>): Candidate => ({ userId: 'u1', user: user(), inScope: true, ...over });

describe('planUser', () => {
  it('creates an ACTIVE user in scope who has no account, and nothing for STAGED or out-of-scope users', () => {
    expect(planUser(c({}), opts)?.kind).toBe('create');
    expect(planUser(c({ user: user({ state: 'STAGED' }) }), opts)).toBeNull();
    expect(planUser(c({ inScope: false }), opts)).toBeNull();
  });

  it('decides updates from what was pushed, without the server, and sends nothing when nothing changed', () => {
    expect(planUser(c({ account: account(), link }), opts)).toBeNull();
    // Only case and spacing differ: equal after normalisation (C18).
    expect(planUser(c({ user: user({ email: 'ADA@example.com ' }), account: account(), link }), opts)).toBeNull();
    expect(planUser(c({ user: user({ job_title: 'CTO' }), account: account(), link }), opts)?.kind).toBe('update');
    expect(planUser(c({ account: account({ pushed_active: 0 }), link }), opts)?.kind).toBe('update');
    // An imported link with nothing pushed yet: the server decides (GET at execution).
    expect(planUser(c({ link }), opts)).toMatchObject({ kind: 'update', remoteId: 'r1' });
  });

  it('on a full reconcile compares with the listing: drift is updated, a missing account verified', () => {
    const same = remoteView(toScimUser({ ...desiredAttributes(user()), id: 'u1', active: true }));
    const drifted = remoteView({ ...toScimUser({ ...desiredAttributes(user()), id: 'u1', active: true }), title: 'Intern' });
    expect(planUser(c({ account: account(), link }), { ...opts, remote: new Map([['r1', same]]) })).toBeNull();
    expect(planUser(c({ account: account(), link }), { ...opts, remote: new Map([['r1', drifted]]) })?.kind).toBe('update');
    expect(planUser(c({ account: account(), link }), { ...opts, remote: new Map() })?.kind).toBe('verify');
  });

  it('deprovisions managed accounts of suspended, out-of-scope and deleted users, per the setting', () => {
    expect(planUser(c({ user: user({ state: 'SUSPENDED' }), account: account(), link }), opts)?.kind).toBe('deprovision');
    expect(planUser(c({ inScope: false, account: account(), link }), opts)?.kind).toBe('deprovision');
    expect(planUser(c({ user: undefined, inScope: false, account: account() }), opts)).toMatchObject({
      kind: 'deprovision',
      remoteId: 'r1',
    });
    expect(planUser(c({ inScope: false, account: account() }), { ...opts, deprovision: 'delete' })?.kind).toBe('delete');
    // Already deactivated: nothing; a deleted user's tombstone is dropped.
    expect(planUser(c({ inScope: false, account: account({ pushed_active: 0 }), link }), opts)).toBeNull();
    expect(planUser(c({ user: undefined, inScope: false, account: account({ pushed_active: 0 }) }), opts)?.kind).toBe('forget');
  });

  it('never deprovisions an account Roster did not manage (an import link only)', () => {
    expect(planUser(c({ inScope: false, link }), opts)).toBeNull();
    expect(planUser(c({ user: user({ state: 'SUSPENDED' }), link }), opts)).toBeNull();
  });

  it('leaves orphaned accounts alone unless asked', () => {
    const orphan = account({ remote_id: null, status: 'orphaned', pushed_attributes: null, pushed_active: null });
    expect(planUser(c({ account: orphan }), opts)).toBeNull();
    expect(planUser(c({ account: orphan }), { ...opts, retryOrphaned: true })?.kind).toBe('create');
  });
});

describe('mergeForPut', () => {
  it('keeps what Roster does not map (vendor extensions, nickName, manager) and replaces what it maps', () => {
    const current = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', 'urn:x:vendor'],
      id: 'r1',
      meta: { version: 'W/"1"' },
      userName: 'ada',
      title: 'Old',
      nickName: 'A',
      'urn:x:vendor': { plan: 'pro' },
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Old', manager: { value: 'm1' } },
    };
    const out = mergeForPut(current, toScimUser({ ...desiredAttributes(user()), id: 'u1', active: true }));
    expect(out).toMatchObject({
      userName: 'ada',
      title: 'Engineer',
      nickName: 'A',
      'urn:x:vendor': { plan: 'pro' },
      active: true,
      externalId: 'u1',
    });
    expect(out.id).toBeUndefined();
    expect(out.meta).toBeUndefined();
    expect(out['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']).toEqual({ manager: { value: 'm1' } });
    expect(out.schemas).toContain('urn:x:vendor');
  });
});

describe('runPool', () => {
  it('runs at most `limit` at once across batches and hands back what never started after an abort', async () => {
    async function* source() {
      for (let b = 0; b < 5; b++) yield Array.from({ length: 10 }, (_, i) => b * 10 + i);
    }
    const controller = new AbortController();
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    const r = await runPool(source(), 3, controller.signal, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((res) => setTimeout(res, 1));
      running--;
      done.push(n);
      if (done.length === 20) controller.abort();
    });
    expect(peak).toBe(3);
    const rest: number[] = [...r.notStarted];
    for (let next = await r.rest.next(); !next.done; next = await r.rest.next()) rest.push(...next.value);
    expect([...done, ...rest].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(done.length).toBeLessThan(50);
  });
});
