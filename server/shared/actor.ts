import { z } from 'zod';

/** Who did something. Travels through services into Insights. */
export interface Actor {
  type: 'admin' | 'api_key' | 'system' | 'user' | 'scim_source';
  id: string | null;
  email?: string | null;
  /** The actor's name where it has no email (a SCIM source). */
  name?: string | null;
  /** Role that authorised the request (admins and API keys). */
  role?: 'admin' | 'read_only';
  organizationId: string;
  clientIp?: string | null;
}

/** Who did something, as the API shows it (runs, events, batches). */
export const initiatedBySchema = z.object({
  type: z.string(),
  id: z.string().nullable(),
  email: z.string().optional(),
  name: z.string().optional().describe('The name of an actor without an email (a SCIM source)'),
});

export const DEFAULT_ORGANIZATION_ID = '00000000-0000-7000-8000-000000000001';

export const systemActor = (organizationId = DEFAULT_ORGANIZATION_ID): Actor => ({
  type: 'system',
  id: null,
  organizationId,
});
