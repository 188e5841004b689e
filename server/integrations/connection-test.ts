// "Test connection": what the SCIM server offers and every problem found, in plain words.
import { randomBytes } from 'node:crypto';
import { ENTERPRISE_USER, isScimClientError, isScimError, type ScimClient, type ServiceProviderConfig } from '../scim/index.ts';
import { type Clock, systemClock } from '../shared/clock.ts';
import type { Capabilities, Problem, TestResult } from './integrations.schemas.ts';

/** Plain words for a failed request; `fatal` problems stop the remaining checks. */
export function describeFailure(err: unknown, step: string): Problem & { fatal: boolean } {
  if (isScimError(err)) {
    if (err.status === 401)
      return {
        code: 'BAD_CREDENTIALS',
        severity: 'error',
        fatal: true,
        message: `The SCIM server refused the credentials (401) when ${step}. Check the token or password.`,
      };
    if (err.status === 403)
      return {
        code: 'FORBIDDEN',
        severity: 'error',
        fatal: true,
        message: `The credentials were accepted but are not allowed to ${step} (403). Check the token's permissions or scope.`,
      };
    if (err.status === 404)
      return {
        code: 'NOT_FOUND',
        severity: 'error',
        fatal: false,
        message: `Nothing was found when ${step} (404): the base URL may be wrong (it usually ends in /scim/v2).`,
      };
    return { code: 'SCIM_ERROR', severity: 'error', fatal: false, message: `The SCIM server failed when ${step}: ${err.message}` };
  }
  if (isScimClientError(err)) {
    const fatal = ['NETWORK', 'TLS', 'TIMEOUT', 'UNSAFE_URL', 'AUTH_FAILED', 'INVALID_CONFIG', 'ABORTED'].includes(err.code);
    const prefix: Record<string, string> = {
      NETWORK: 'The SCIM server cannot be reached',
      TLS: 'The TLS (https) connection failed',
      TIMEOUT: 'The SCIM server did not answer in time',
      NOT_SCIM: 'The address answered, but not like a SCIM server',
      INVALID_JSON: 'The address answered, but not with SCIM JSON',
      REDIRECT_REFUSED: 'The SCIM server redirected the request',
      UNSAFE_URL: 'The address is not allowed',
      AUTH_FAILED: 'Getting an access token failed',
    };
    const code = err.code === 'NOT_SCIM' || err.code === 'INVALID_JSON' ? 'NOT_SCIM' : err.code;
    return { code, severity: 'error', fatal, message: `${prefix[err.code] ?? 'The request failed'} when ${step}: ${err.message}` };
  }
  return { code: 'UNEXPECTED', severity: 'error', fatal: true, message: `An unexpected error happened when ${step}.` };
}

function capabilitiesOf(spc: ServiceProviderConfig | undefined): Capabilities {
  return {
    patch: spc?.patch.supported ?? false,
    filter: spc?.filter.supported ?? false,
    filterMaxResults: spc?.filter.maxResults,
    sort: spc?.sort.supported ?? false,
    bulk: spc?.bulk.supported ?? false,
    etag: spc?.etag.supported ?? false,
    changePassword: spc?.changePassword.supported ?? false,
    maxPageSize: spc?.pagination?.maxPageSize ?? spc?.filter.maxResults,
    cursorPagination: spc?.pagination?.cursor ?? false,
    indexPagination: spc?.pagination?.index ?? true,
    groups: false,
    enterpriseUser: false,
    authenticationSchemes: (spc?.authenticationSchemes ?? []).map((s) => s.type ?? s.name ?? 'unknown'),
  };
}

type Fail = (err: unknown, step: string) => boolean | undefined;

/** Whether the server lists groups, when its /ResourceTypes did not say (a failure to list is a problem). */
async function probeGroups(client: ScimClient, signal: AbortSignal | undefined, fail: Fail): Promise<boolean> {
  try {
    const listing = client.listGroups({ signal, pageSize: 1, maxPages: 1 });
    for await (const _page of listing.pages()) break;
    return true;
  } catch (err) {
    if (!(isScimError(err) && (err.status === 404 || err.status === 501))) fail(err, 'listing groups');
    return false;
  }
}

/** The write check: a clearly named, inactive test user is created and deleted again. */
async function tryWrite(client: ScimClient, signal: AbortSignal | undefined, fail: Fail): Promise<'passed' | 'failed'> {
  const tag = randomBytes(6).toString('hex');
  const userName = `roster-connection-test-${tag}@example.invalid`;
  let createdId: string | undefined;
  try {
    const created = await client.createUser(
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName,
        externalId: `roster-connection-test-${tag}`,
        name: { givenName: 'Roster', familyName: 'Connection Test' },
        displayName: 'Roster connection test (safe to delete)',
        emails: [{ value: userName, type: 'work', primary: true }],
        active: false,
      },
      { signal },
    );
    createdId = created.id;
    if (!createdId) throw new Error('no id');
  } catch (err) {
    fail(err, 'creating the test user');
  }
  if (!createdId) return 'failed';
  try {
    await client.deleteUser(createdId, { signal });
    return 'passed';
  } catch (err) {
    fail(err, `deleting the test user ${userName} (delete it by hand)`);
    return 'failed';
  }
}

export async function testConnection(
  client: ScimClient,
  opts: { writeCheck?: boolean; signal?: AbortSignal; needGroups?: boolean; clock?: Clock } = {},
): Promise<TestResult> {
  const started = performance.now();
  const problems: Problem[] = [];
  const signal = opts.signal;
  let writeCheck: TestResult['writeCheck'] = 'skipped';
  const finish = (caps: Capabilities): TestResult => ({
    ok: !problems.some((p) => p.severity === 'error'),
    testedAt: (opts.clock ?? systemClock).now().toISOString(),
    durationMs: Math.round(performance.now() - started),
    capabilities: caps,
    problems,
    writeCheck,
  });
  const fail = (err: unknown, step: string) => {
    const { fatal, ...problem } = describeFailure(err, step);
    problems.push(problem);
    return fatal;
  };

  let spc: ServiceProviderConfig | undefined;
  try {
    spc = await client.getServiceProviderConfig({ signal });
  } catch (err) {
    if (isScimError(err) && err.status === 404) {
      problems.push({
        code: 'NO_SERVICE_PROVIDER_CONFIG',
        severity: 'warning',
        message: 'The server has no /ServiceProviderConfig; capabilities are guessed by probing.',
      });
    } else if (fail(err, 'reading /ServiceProviderConfig')) {
      return finish(capabilitiesOf(undefined));
    }
  }
  const caps = capabilitiesOf(spc);

  let groupsKnown = false;
  try {
    const types = await client.getResourceTypes({ signal });
    caps.groups = types.some((t) => t.name.toLowerCase() === 'group' || /\/groups$/i.test(t.endpoint));
    caps.enterpriseUser = types.some((t) => t.schemaExtensions.some((e) => e.schema === ENTERPRISE_USER));
    groupsKnown = types.length > 0;
  } catch (err) {
    if (!(isScimError(err) && err.status === 404) && fail(err, 'reading /ResourceTypes')) return finish(caps);
  }

  try {
    const listing = client.listUsers({
      signal,
      pageSize: 1,
      maxPages: 1,
      mode: caps.cursorPagination && !caps.indexPagination ? 'cursor' : 'auto',
    });
    for await (const _page of listing.pages()) break;
    caps.userCount = listing.stats.totalResults;
  } catch (err) {
    if (fail(err, 'listing users')) return finish(caps);
  }

  if (!groupsKnown && (await probeGroups(client, signal, fail))) caps.groups = true;
  if (!caps.groups) {
    problems.push({
      code: 'NO_GROUPS_ENDPOINT',
      severity: opts.needGroups ? 'error' : 'warning',
      message: opts.needGroups
        ? 'The server has no Groups endpoint, but group management is on: turn it off or use another base URL.'
        : 'The server has no Groups endpoint: users can be provisioned, groups cannot.',
    });
  }

  if (opts.writeCheck) writeCheck = await tryWrite(client, signal, fail);
  return finish(caps);
}
