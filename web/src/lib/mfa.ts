/** What proves the second factor: a code from the authenticator app (spaces dropped) or a recovery code. */
export const mfaProof = (useRecovery: boolean, value: string) =>
  useRecovery ? { recoveryCode: value.trim() } : { code: value.replace(/\s/g, '') };
