export { createImportRun, executeRun, getRun, runExists, listRuns, IMPORT_JOB, MAX_SELECTION, toResult } from './runs.service.ts';
export type { ImportRun, ImportResult, RunProgress } from './runs.service.ts';
export { ensureSnapshot, queryPreview } from './snapshot.service.ts';
export { listResults } from './runs.repository.ts';
export { PREVIEW_SORT_COLUMNS } from './snapshot.repository.ts';
export { RESULTS_CSV_KIND, importResultsCsv, resultCsvLines } from './notify.ts';
export { SnapshotCache, type ImportContext } from './context.ts';
export { runSchema, resultSchema, previewItemSchema, type PreviewItem } from './imports.schemas.ts';
