import { expect, it } from 'vitest';
import { namedResourceSuite } from '../../test/named-resources.ts';
import { createGroup, findGroupByIdOrName, getGroup } from './groups.service.ts';

namedResourceSuite(
  {
    table: 'groups',
    takenCode: 'GROUP_NAME_TAKEN',
    countField: 'memberCount',
    deletedRelations: { memberCount: 0, applications: [] },
    create: createGroup,
    get: getGroup,
    findByIdOrName: findGroupByIdOrName,
  },
  (t) => {
    it('documents the group endpoints in the OpenAPI document', async () => {
      const doc = (await t.anonymous({ method: 'GET', url: '/api/v1/openapi.json' })).json();
      for (const path of [
        '/api/v1/groups',
        '/api/v1/groups/{id}',
        '/api/v1/groups/{id}/members',
        '/api/v1/groups/{id}/members/{userId}',
        '/api/v1/groups/{id}/applications',
      ]) {
        expect(doc.paths, path).toHaveProperty([path]);
      }
    });
  },
);
