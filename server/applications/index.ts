export {
  createApplication,
  getApplication,
  findApplication,
  findApplicationByIdOrName,
  listApplications,
  listApplicationsOfGroup,
  updateApplication,
  deleteApplication,
  toApplication,
  applicationRef,
} from './applications.service.ts';
export type { Application, ApplicationInput, ApplicationPatch, ApplicationQuery } from './applications.service.ts';
export { APPLICATIONS } from './applications.service.ts';
export * from './context.ts';
export { bindGroup, unbindGroup, listApplicationIdsOfUser, isUserInScope, listUserIdsInScope } from './bindings.service.ts';
export * from './changes.ts';
