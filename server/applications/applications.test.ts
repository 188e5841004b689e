import { namedResourceSuite } from '../../test/named-resources.ts';
import { createApplication, findApplicationByIdOrName, getApplication } from './index.ts';

namedResourceSuite({
  table: 'applications',
  takenCode: 'APPLICATION_NAME_TAKEN',
  countField: 'groupCount',
  invalid: [[{ name: 'Ok', idm: {} }, 'body.idm']],
  eventsNameApplication: true,
  deletedRelations: { groups: [] },
  create: createApplication,
  get: getApplication,
  findByIdOrName: findApplicationByIdOrName,
});
