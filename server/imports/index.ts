export { createImportRun, executeRun, getRun, runExists, listRuns, IMPORT_JOB, MAX_SELECTION, toResult } from './runs.service.ts';
export type { ImportRun, ImportResult, RunProgress, RunRequest } from './runs.service.ts';
export { ensureSnapshot } from './snapshot.service.ts';
export { previewPage, queryPreview } from './preview.ts';
export { expectedImport, withEstimate } from './estimate.service.ts';
export { listResults } from './runs.repository.ts';
export { PREVIEW_SORT_COLUMNS } from './snapshot.repository.ts';
export { RESULTS_CSV_KIND, importResultsCsv, resultCsvLines } from './notify.ts';
export { GroupListCache, SnapshotCache, type ImportContext } from './context.ts';
export { runSchema, resultSchema, previewItemSchema, type PreviewItem } from './imports.schemas.ts';
export { estimateSchema, previewSnapshotSchema } from './imports.schemas.ts';
export {
  RESULT_OUTCOMES,
  importSettingsSchema,
  groupPreviewItemSchema,
  runOptionsSchema,
  scheduleSchema,
  updateFieldsSchema,
  matchRuleSchema,
  type RunOptions,
  type ImportSettings,
  type GroupPreviewItem,
} from './imports.schemas.ts';
export { MATCH_RULES, DEFAULT_MATCH_RULES, type MatchRule } from './classify.ts';
export { UPDATABLE_FIELDS, type UpdatableField } from './diff.ts';
export { groupPreviewPage, type GroupPreviewPage, type GroupPreviewQuery } from './group-preview.ts';
export { createGroupImportRun, type GroupRunInput, type CreatedGroupRun } from './group-runs.service.ts';
export { getImportSettings, putImportSettings } from './settings.service.ts';
export { putImportSettingsSchema, DEFAULT_GUARDRAIL_PERCENT } from './settings.schemas.ts';
export { SCHEDULE_JOB, queueScheduleTick, scheduleTick, startDueSchedules, type ScheduleOutcome } from './scheduler.ts';
export { cancelRun, confirmRun } from './run-control.service.ts';
export { startUndo, undoPreview } from './undo.service.ts';
export { undoPreviewSchema, undoRequestSchema, type UndoPreview, type UndoRequest } from './undo.schemas.ts';
