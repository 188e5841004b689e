export { record, recordMany, queryEvents, iterateEvents, eventCsvRow, CSV_COLUMNS } from './insights.service.ts';
export type { InsightEvent, InsightEventInput, InsightService, InsightsContext, EventQuery } from './insights.service.ts';
