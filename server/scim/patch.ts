// PatchOp building (RFC 7644 §3.5.2). User updates replace only what changed; group membership
// moves in add/remove deltas of at most `chunkSize` members per request (G1), never a
// replace-all or remove-all (G2).
import { valuePath } from './filter.ts';
import type { DirectoryAttributeName, DirectoryContactType, DirectoryUserAttributes } from './mapping.ts';
import { ENTERPRISE_USER, SCHEMAS, type PatchOperation, type ScimAddress, type ScimPatchOp, type ScimUser } from './types.ts';

export function patchOp(operations: PatchOperation[]): ScimPatchOp {
  return { schemas: [SCHEMAS.patchOp], Operations: operations };
}

export const replaceOp = (path: string, value: unknown): PatchOperation => ({ op: 'replace', path, value });
const addOp = (path: string, value: unknown): PatchOperation => ({ op: 'add', path, value });
const removeOp = (path: string): PatchOperation => ({ op: 'remove', path });

/** The SCIM path of each single-valued directory attribute (PATCH building; inbound SCIM's error messages). */
export const SCIM_PATHS: Partial<Record<DirectoryAttributeName, string>> = {
  username: 'userName',
  firstname: 'name.givenName',
  middlename: 'name.middleName',
  lastname: 'name.familyName',
  displayname: 'displayName',
  jobTitle: 'title',
  employeeType: 'userType',
  employeeIdentifier: `${ENTERPRISE_USER}:employeeNumber`,
  costCenter: `${ENTERPRISE_USER}:costCenter`,
  organization: `${ENTERPRISE_USER}:organization`,
  department: `${ENTERPRISE_USER}:department`,
};

function hasType(list: Array<{ type?: string }> | undefined, type: string): boolean {
  return (list ?? []).some((item) => item.type?.trim().toLowerCase() === type);
}

function scimAddress(a: NonNullable<DirectoryUserAttributes['addresses']>[number]): ScimAddress {
  const out: ScimAddress = { type: a.type };
  for (const key of ['streetAddress', 'locality', 'region', 'postalCode', 'country'] as const) {
    const v = a[key]?.trim();
    if (v) out[key] = v;
  }
  return out;
}

/**
 * Typed multi-valued attributes (phoneNumbers, addresses): per type, replace the entry the server
 * has, add one it lacks, remove one we no longer have. Without the current resource we cannot
 * target entries, so the whole attribute is replaced.
 */
function typedOps<T extends { type: DirectoryContactType }>(
  attribute: 'phoneNumbers' | 'addresses',
  wanted: T[],
  toScim: (item: T) => object,
  current: ScimUser | undefined,
): PatchOperation[] {
  const rows = wanted.map((item) => ({ ...toScim(item), type: item.type }));
  if (!current) return rows.length ? [replaceOp(attribute, rows)] : [removeOp(attribute)];
  const ops: PatchOperation[] = [];
  const existing = current[attribute] as Array<{ type?: string }> | undefined;
  for (const type of ['work', 'home'] as const) {
    const row = rows.find((r) => r.type === type);
    const present = hasType(existing, type);
    if (row && present) ops.push(replaceOp(valuePath(attribute, 'type', type), row));
    else if (row) ops.push(addOp(attribute, [row]));
    else if (present) ops.push(removeOp(valuePath(attribute, 'type', type)));
  }
  return ops;
}

export interface UserPatchOptions {
  /** The resource as the server has it; lets email/phone/address changes target one entry. */
  current?: ScimUser;
  /** Also set `active`. */
  active?: boolean;
}

/** PATCH operations that bring the server's user to `desired` for the `changed` attributes. */
export function buildUserPatch(
  changed: readonly DirectoryAttributeName[],
  desired: DirectoryUserAttributes,
  options: UserPatchOptions = {},
): PatchOperation[] {
  const ops: PatchOperation[] = [];
  const { current } = options;
  for (const key of new Set(changed)) {
    const path = SCIM_PATHS[key];
    if (path) {
      const v = (desired[key] as string | undefined)?.trim();
      // userName is never removed: servers refuse it (C13) and a user without one is invalid.
      if (v) ops.push(replaceOp(path, v));
      else if (key !== 'username') ops.push(removeOp(path));
    } else if (key === 'email') {
      const v = desired.email?.trim();
      const hasWork = hasType(current?.emails, 'work');
      if (v && hasWork) ops.push(replaceOp(valuePath('emails', 'type', 'work', 'value'), v));
      else if (v) ops.push(replaceOp('emails', [{ value: v, type: 'work', primary: true }]));
      else if (hasWork) ops.push(removeOp(valuePath('emails', 'type', 'work')));
      else if (!current || current.emails?.length) ops.push(removeOp('emails'));
    } else if (key === 'phoneNumbers') {
      const wanted = (desired.phoneNumbers ?? []).filter((p) => p.number?.trim());
      ops.push(...typedOps('phoneNumbers', wanted, (p) => ({ value: p.number.trim() }), current));
    } else if (key === 'addresses') {
      const wanted = (desired.addresses ?? []).filter((a) => Object.keys(scimAddress(a)).length > 1);
      ops.push(...typedOps('addresses', wanted, scimAddress, current));
    }
  }
  if (options.active !== undefined) ops.push(replaceOp('active', options.active));
  return ops;
}

/**
 * Whether repeating the operation is harmless, so a PATCH may be retried after an ambiguous
 * failure: replace and remove are; `add` is only for members (a set) — adding an email twice
 * would duplicate it.
 */
export function isIdempotentPatch(operations: readonly PatchOperation[]): boolean {
  return operations.every((o) => {
    const op = String(o.op).toLowerCase();
    return op === 'replace' || op === 'remove' || (op === 'add' && o.path?.toLowerCase() === 'members');
  });
}

export interface MemberPatchOptions {
  /** Member changes per request; AWS allows 100 (G1). */
  chunkSize?: number;
  /**
   * 'filter' (RFC): `remove` with path `members[value eq "id"]`, one operation per member.
   * 'value' (Entra style): `remove` with path `members` and a value list.
   */
  removeStyle?: 'filter' | 'value';
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function uniqueIds(ids: readonly string[]): string[] {
  return [...new Set(ids.map((id) => String(id)).filter((id) => id !== ''))];
}

/** Membership deltas as PatchOp bodies, each with at most `chunkSize` member changes. */
export function buildMemberPatches(add: readonly string[], remove: readonly string[], options: MemberPatchOptions = {}): ScimPatchOp[] {
  const size = Math.max(1, Math.floor(options.chunkSize ?? 100));
  const out: ScimPatchOp[] = [];
  for (const chunk of chunks(uniqueIds(add), size)) {
    out.push(
      patchOp([
        addOp(
          'members',
          chunk.map((value) => ({ value })),
        ),
      ]),
    );
  }
  for (const chunk of chunks(uniqueIds(remove), size)) {
    if (options.removeStyle === 'value') {
      out.push(patchOp([{ op: 'remove', path: 'members', value: chunk.map((value) => ({ value })) }]));
    } else {
      out.push(patchOp(chunk.map((id) => removeOp(valuePath('members', 'value', id)))));
    }
  }
  return out;
}
