// What a SCIM request of a source runs with: the directory's context (its changes reach provisioning in
// the request's transaction), the source as the actor of every change, and the endpoint's address.
import type { ActivationContext } from '../accounts/index.ts';
import type { Db } from '../db/database.ts';
import type { DirectoryContext } from '../directory/index.ts';
import type { Actor } from '../shared/actor.ts';
import type { CountCache } from '../shared/count-cache.ts';
import { ScimRequestError } from '../scim/index.ts';
import type { ScimSource } from './source.ts';

export interface ScimContext extends DirectoryContext {
  source: ScimSource;
  actor: Actor;
  /** `<PUBLIC_URL>/scim/v2`: the base of every `location` and `$ref`. */
  baseUrl: string;
  /** For the activation email of a new user, when the source sends one. */
  activation: ActivationContext;
  counts?: CountCache;
  /**
   * Called in the request's transaction before a user is deleted or suspended by the source, before
   * anything else is written (the delete guardrail, guardrail.ts); throws GuardrailPausedError to refuse.
   */
  beforeRemoval(db: Db, userId: string, kind: 'delete' | 'suspend'): Promise<void>;
}

export const scimNotFound = (type: 'User' | 'Group', id: string) =>
  new ScimRequestError(404, undefined, `${type} ${JSON.stringify(id.slice(0, 100))} not found`);

/** RFC 7644 3.14: a stale If-Match is 412. `*` matches any version. */
export function checkIfMatch(ifMatch: string | undefined, version: string): void {
  if (ifMatch === undefined) return;
  const tags = ifMatch.split(',').map((t) => t.trim());
  const bare = (t: string) => t.replace(/^W\//, '');
  if (tags.includes('*') || tags.some((t) => bare(t) === bare(version))) return;
  throw new ScimRequestError(
    412,
    undefined,
    `The resource has changed: its version is ${version}, the request was for ${ifMatch.slice(0, 100)}`,
  );
}
