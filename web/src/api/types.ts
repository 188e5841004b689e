// Names for the API's shapes, all derived from the generated OpenAPI types (openapi.gen.ts): a field
// renamed on the server breaks the portal's type check, not the portal.
import type { paths } from './openapi.gen.ts';

type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';
type Operation<P extends keyof paths, M extends Method> = M extends keyof paths[P] ? paths[P][M] : never;
type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type Responses<O> = O extends { responses: infer R } ? R : never;
type Success<R> = R extends { 200: infer A } ? A : R extends { 201: infer A } ? A : R extends { 202: infer A } ? A : never;

/** The JSON body of the successful answer of `method path`. */
export type Answer<P extends keyof paths, M extends Method = 'get'> = Json<Success<Responses<Operation<P, M>>>>;
/** The JSON request body of `method path`. */
export type Body<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
/** The query parameters of `method path`. */
export type QueryOf<P extends keyof paths, M extends Method = 'get'> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
/** One item of a list's page. */
export type Item<P extends keyof paths> = ItemOf<Answer<P>>;
type ItemOf<A> = A extends { items: (infer T)[] } ? T : never;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total?: number;
}

export type Me = Answer<'/api/v1/auth/me'>;
export type Admin = Item<'/api/v1/admins'>;
export type Role = Admin['role'];
/** POST /api/v1/auth/login: a session, or the first step of an MFA sign-in. */
export type LoginResponse = Answer<'/api/v1/auth/login', 'post'>;
export type TotpEnrolment = Answer<'/api/v1/auth/mfa/totp', 'post'>;
export type OrganizationSettings = Answer<'/api/v1/organization/settings'>;
export type ApiKey = Item<'/api/v1/api-keys'>;

export type User = Answer<'/api/v1/users/{id}'>;
export type UserState = User['state'];
export type PasswordStatus = User['passwordStatus'];
export type Address = User['addresses'][number];
export type PhoneNumber = User['phoneNumbers'][number];
export type ContactType = Address['type'];
/** What an admin edits of a user. */
export type UserAttributes = Omit<User, 'id' | 'state' | 'passwordStatus' | 'createdAt' | 'updatedAt' | 'source'>;
export type Group = Answer<'/api/v1/groups/{id}'>;
export type Member = Item<'/api/v1/groups/{id}/members'>;
export type Application = Answer<'/api/v1/applications/{id}'>;

export type Integration = Answer<'/api/v1/applications/{id}/idm'>;
export type IntegrationStatus = Integration['status'];
export type IdmSettings = Integration['settings'];
export type AuthType = NonNullable<Integration['auth']>['type'];
export type Capabilities = NonNullable<Integration['capabilities']>;
export type TestResult = NonNullable<Integration['lastTest']>;
export type Problem = TestResult['problems'][number];
export type IntegrationInput = Body<'/api/v1/applications/{id}/idm', 'put'>;
export type AuthInput = IntegrationInput['auth'];

export type PreviewPage = Answer<'/api/v1/applications/{id}/import/users'>;
export type PreviewUser = PreviewPage['items'][number];
export type PreviewStatus = PreviewUser['status'];
export type ImportRun = Answer<'/api/v1/import-runs/{id}'>;
export type RunStatus = ImportRun['status'];
export type ImportResult = Item<'/api/v1/import-runs/{id}/results'>;
export type Outcome = ImportResult['outcome'];

export type InsightEvent = Item<'/api/v1/insights/events'>;
export type OutboxMail = Answer<'/api/v1/mail/outbox/{id}'>;

export type SyncRun = Answer<'/api/v1/applications/{id}/idm/syncs/{syncId}'>;
export type SyncRunStatus = SyncRun['status'];
export type ProvisioningStatus = Answer<'/api/v1/applications/{id}/idm/status'>;
export type FailedOperation = ProvisioningStatus['failed']['items'][number];
