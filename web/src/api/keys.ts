// Query keys, one factory per resource. A key starts with its resource and narrows from there, so
// invalidating `userKeys.all` refetches every user query and `userKeys.lists()` only the lists.

type Params = Record<string, unknown>;
type Cursor = string | undefined;

export const sessionKeys = {
  me: ['me'] as const,
  /** The OpenAPI document (which endpoints this server has). */
  openapi: ['openapi'] as const,
  setup: ['setup'] as const,
  organizationSettings: ['organization-settings'] as const,
};

export const adminKeys = { all: ['admins'] as const };

export const apiKeyKeys = { all: ['api-keys'] as const };

export const userKeys = {
  all: ['users'] as const,
  lists: () => [...userKeys.all, 'list'] as const,
  list: (params: Params, cursor: Cursor) => [...userKeys.lists(), params, cursor] as const,
  detail: (id: string | undefined) => [...userKeys.all, id] as const,
  activationBatch: (id: string | undefined) => [...userKeys.all, 'activation-emails', id] as const,
};

export const groupKeys = {
  all: ['groups'] as const,
  lists: () => [...groupKeys.all, 'list'] as const,
  list: (params: Params, cursor: Cursor) => [...groupKeys.lists(), params, cursor] as const,
  /** The group and everything under it (members, applications). */
  detail: (id: string) => [...groupKeys.all, id] as const,
  members: (id: string, cursor: Cursor) => [...groupKeys.detail(id), 'members', cursor] as const,
  applications: (id: string) => [...groupKeys.detail(id), 'applications'] as const,
};

export const applicationKeys = {
  all: ['applications'] as const,
  lists: () => [...applicationKeys.all, 'list'] as const,
  list: (params: Params, cursor: Cursor) => [...applicationKeys.lists(), params, cursor] as const,
  /** Every application's name, for filters. */
  names: () => [...applicationKeys.all, 'all-names'] as const,
  /** The application and everything under it (its bound groups). */
  detail: (id: string | undefined) => [...applicationKeys.all, id] as const,
  groups: (id: string, cursor: Cursor) => [...applicationKeys.detail(id), 'groups', cursor] as const,
};

export const integrationKeys = {
  /** The application's integration and its sync status. */
  detail: (applicationId: string) => ['idm', applicationId] as const,
  status: (applicationId: string) => [...integrationKeys.detail(applicationId), 'status'] as const,
};

export const importKeys = {
  /** Every preview page of the application's users. */
  preview: (applicationId: string) => ['import-preview', applicationId] as const,
  previewPage: (applicationId: string, params: Params, generation: number, cursor: Cursor) =>
    [...importKeys.preview(applicationId), params, generation, cursor] as const,
  newOfSearch: (applicationId: string, q: string, generation: number) =>
    [...importKeys.preview(applicationId), 'new-of-search', q, generation] as const,
};

export const importRunKeys = {
  all: ['import-runs'] as const,
  lists: () => [...importRunKeys.all, 'list'] as const,
  list: (applicationId: string, cursor: Cursor) => [...importRunKeys.lists(), applicationId, cursor] as const,
  detail: (id: string) => [...importRunKeys.all, id] as const,
  results: (id: string, outcome: string | undefined, cursor: Cursor, processed: number) =>
    [...importRunKeys.detail(id), 'results', outcome, cursor, processed] as const,
};

export const insightKeys = {
  list: (filter: Params, cursor: Cursor) => ['insights', filter, cursor] as const,
};

export const mailKeys = {
  list: (to: string, cursor: Cursor) => ['mail', to, cursor] as const,
};

/** The few matches a search picker shows for what was typed. */
export const pickKeys = {
  search: (resource: string, q: string) => ['pick', resource, q] as const,
};

export const scimSourceKeys = {
  all: ['scim-sources'] as const,
  lists: () => [...scimSourceKeys.all, 'list'] as const,
  list: (includeDeleted: boolean) => [...scimSourceKeys.lists(), includeDeleted] as const,
  /** The source and everything under it (figures, request log). */
  detail: (id: string) => [...scimSourceKeys.all, id] as const,
  stats: (id: string) => [...scimSourceKeys.detail(id), 'stats'] as const,
  requests: (id: string, cursor: Cursor) => [...scimSourceKeys.detail(id), 'requests', cursor] as const,
  /** The removals the delete guardrail refused since its window started. */
  refused: (id: string, since: string) => [...scimSourceKeys.detail(id), 'refused', since] as const,
};
