// The Insights events of the auth service: sign-in, admins, API keys, MFA, and users' passwords (which
// accounts records as 'auth' too). One builder, so each call names only what differs.
import type { InsightEventInput } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';

type EventResource = InsightEventInput['resource'];

/** What an event says besides its type, actor and resource. */
export type AuthEventDetails = Pick<InsightEventInput, 'success' | 'changes' | 'message' | 'timestamp'>;

export const authEvent = (eventType: string, actor: Actor, resource: EventResource, details: AuthEventDetails = {}): InsightEventInput => ({
  eventType,
  service: 'auth',
  actor,
  resource,
  ...details,
});

/** An admin as the resource of an event (his email stands for the username), or none that matched. */
export const adminResource = (admin: { id: string | null; email?: string | null } | undefined): EventResource => ({
  type: 'admin',
  id: admin?.id ?? null,
  username: admin?.email ?? null,
});

/** A user as the resource of an event, or none that matched. */
export const userResource = (user: { id: string; username: string } | undefined): EventResource => ({
  type: 'user',
  id: user?.id ?? null,
  username: user?.username ?? null,
});
