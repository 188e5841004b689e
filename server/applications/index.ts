export {
  createApplication, getApplication, findApplication, findApplicationByIdOrName, listApplications, listApplicationsOfGroup,
  updateApplication, deleteApplication, toApplication, applicationRef, APPLICATION_NAME_MAX, APPLICATION_DESCRIPTION_MAX,
} from './applications.service.ts';
export type { Application, ApplicationInput, ApplicationPatch, ApplicationQuery } from './applications.service.ts';
export { bindGroup, unbindGroup, listApplicationIdsOfUser, isUserInScope, listUserIdsInScope } from './bindings.service.ts';
