export * from './users.service.ts';
export * from './users.schemas.ts';
export {
  insertUsers,
  findUser,
  findUsersByIds,
  findUserIdsCreatedByRun,
  findUsersByUsernameOrEmail,
  findUsersByEmployeeIdentifiers,
  type UserRecord,
} from './users.repository.ts';
export * from './changes.ts';
export * from './context.ts';
export * from './groups.service.ts';
export * from './named-resources.ts';
export * from './relations.ts';
export {
  findUserWithHash,
  findUserByLogin,
  setUserPassword,
  replacePasswordHash,
  listUsersInIdOrder,
  listUsersByPasswordStatus,
  countUsersByPasswordStatus,
  type UserWithHash,
  type PasswordStatusFilter,
} from './credentials.repository.ts';
export { fieldUpdate, updateUserFields, UPDATABLE_COLUMNS, type UpdatableColumn, type UserFieldUpdate } from './bulk-updates.ts';
export { countUsers } from './users.repository.ts';
export {
  deleteUsersInBulk,
  suspendUsersInBulk,
  restoreUserFields,
  type BulkChangeMeta,
  type BulkUser,
  type FieldRestore,
  type RestoreOutcome,
} from './bulk-removals.ts';
