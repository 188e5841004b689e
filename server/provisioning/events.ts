// Insights events about an application's provisioning as a whole (paused, resumed, confirmed).
import type { InsightEventInput } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';

/** An event whose resource is the application itself, so its trail lists it. */
export const applicationEvent = (
  eventType: string,
  actor: Actor,
  app: { id: string; name: string },
  details: Pick<InsightEventInput, 'changes' | 'message'>,
): InsightEventInput => ({
  eventType,
  service: 'provisioning',
  actor,
  application: { id: app.id, name: app.name },
  resource: { type: 'application', id: app.id, username: app.name },
  ...details,
});
