export {
  createApplication,
  getApplication,
  findApplicationByIdOrName,
  listApplications,
  listApplicationsOfGroup,
  updateApplication,
  deleteApplication,
} from './applications.service.ts';
export type { Application, ApplicationInput, ApplicationPatch, ApplicationQuery } from './applications.service.ts';
export * from './context.ts';
export { bindGroup, unbindGroup, listApplicationIdsOfUser, isUserInScope, listUserIdsInScope } from './bindings.service.ts';
export * from './changes.ts';
export { inApplicationScope, membersOfBoundGroups } from './scope.ts';
