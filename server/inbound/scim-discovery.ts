// /ServiceProviderConfig (RFC 7643 5): what Roster's SCIM endpoint supports, exactly. /Schemas and
// /ResourceTypes come from the SCIM core's attribute definitions (scim/core/schema.ts).
import { MAX_RESULTS } from './scim-list.ts';

export function serviceProviderConfig(baseUrl: string): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    pagination: { index: true, cursor: false, defaultPaginationMethod: 'index', defaultPageSize: 100, maxPageSize: MAX_RESULTS },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: 'The token of a SCIM source (Identity Management > SCIM sources), sent as Authorization: Bearer',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}
