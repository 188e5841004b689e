// The import-as-sync calls (issue 14) and the portal's names for their shapes, all typed by the OpenAPI
// document; the lists of match rules, fields and outcomes mirror the server's (imports.schemas.ts, diff.ts).
import { client, data } from '../../api/client.ts';
import type { Answer, Body, ImportResult, ImportRun, Outcome, PreviewUser } from '../../api/types.ts';

export type MatchRule = NonNullable<PreviewUser['match']>['by'];
export type Change = NonNullable<PreviewUser['changes']>[number];
export type UpdatableField = Change['field'];

/** imports.schemas.ts MATCH_RULES, in the server's default order. */
export const MATCH_RULES: MatchRule[] = ['link', 'username', 'email', 'externalId'];
/** diff.ts UPDATABLE_FIELDS, in the order the portal shows them. */
export const UPDATABLE_FIELDS: UpdatableField[] = [
  'email',
  'firstname',
  'middlename',
  'lastname',
  'displayname',
  'jobTitle',
  'department',
  'costCenter',
  'employeeType',
  'employeeIdentifier',
  'organization',
  'addresses',
  'phoneNumbers',
];

/** imports.schemas.ts RESULT_OUTCOMES. */
export const RESULT_OUTCOMES: Outcome[] = [
  'created',
  'linked',
  'updated',
  'skipped',
  'failed',
  'deleted',
  'suspended',
  'reverted',
  'unlinked',
];

export const RULE_LABELS: Record<MatchRule, string> = {
  link: 'same remote account (linked)',
  username: 'user name',
  email: 'email',
  externalId: 'externalId = employee identifier',
};

export type UpdateFields = 'all' | UpdatableField[];

export type ImportSettings = Answer<'/api/v1/applications/{id}/import/settings'>;
export type SettingsInput = Body<'/api/v1/applications/{id}/import/settings', 'put'> & { matchBy: MatchRule[] };
export type Schedule = NonNullable<SettingsInput['schedule']>;

export type GroupPreviewPage = Answer<'/api/v1/applications/{id}/import/groups'>;
export type GroupPreviewItem = GroupPreviewPage['items'][number];

/** What POST .../import/jobs takes (remoteIds | all plus the run's options). */
export type JobBody = Body<'/api/v1/applications/{id}/import/jobs', 'post'>;
export type RunAnswer = { run: ImportRun & { results?: ImportResult[] } };

/** GET /import-runs/:id/undo: what the undo would do, counted for the confirmation. */
export type UndoPlan = Answer<'/api/v1/import-runs/{id}/undo'>;

const app = (id: string) => ({ params: { path: { id } } });

export const importApi = {
  startUsers: (id: string, body: JobBody) =>
    data(client.POST('/api/v1/applications/{id}/import/jobs', { ...app(id), body })) as Promise<RunAnswer>,
  groups: (id: string, query: { limit: number; cursor?: string }, signal?: AbortSignal) =>
    data(client.GET('/api/v1/applications/{id}/import/groups', { params: { path: { id }, query }, signal })),
  startGroups: (id: string, body: Body<'/api/v1/applications/{id}/import/group-jobs', 'post'>) =>
    data(client.POST('/api/v1/applications/{id}/import/group-jobs', { ...app(id), body })) as Promise<RunAnswer>,
  settings: (id: string) => data(client.GET('/api/v1/applications/{id}/import/settings', app(id))),
  saveSettings: (id: string, body: SettingsInput) => data(client.PUT('/api/v1/applications/{id}/import/settings', { ...app(id), body })),
  undoPlan: (runId: string) => data(client.GET('/api/v1/import-runs/{id}/undo', app(runId))),
  undo: (runId: string, users: 'delete' | 'suspend') =>
    data(client.POST('/api/v1/import-runs/{id}/undo', { ...app(runId), body: { users } })),
  confirm: (runId: string) => data(client.POST('/api/v1/import-runs/{id}/confirm', app(runId))),
  cancel: (runId: string) => data(client.POST('/api/v1/import-runs/{id}/cancel', app(runId))),
};
