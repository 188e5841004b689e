import { Readable } from 'node:stream';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { type App, cursorSchema, initiatedBySchema, limitSchema, pageOf, queryBoolean, routeOptions } from '../common.ts';
import { actorOf } from '../auth.ts';
import { csvLine } from '../../shared/csv.ts';
import { CSV_COLUMNS, eventCsvRow, iterateEvents, queryEvents } from '../../insights/index.ts';

const adminRoute = routeOptions('admin', ['insights']);

const EXPORT_MAX = 1_000_000;

const timestamp = z.iso.datetime({ offset: true, message: 'must be an RFC 3339 timestamp' }).transform((v) => new Date(v).toISOString());

const eventSchema = z.object({
  id: z.string(),
  timestamp: z.string(),
  eventType: z.string(),
  service: z.string(),
  success: z.boolean(),
  initiatedBy: initiatedBySchema,
  resource: z.object({ type: z.string(), id: z.string().nullable(), username: z.string().optional() }),
  application: z.object({ id: z.string(), name: z.string() }).optional(),
  importRunId: z.string().optional(),
  changes: z.unknown().optional(),
  message: z.string().optional(),
  clientIp: z.string().optional(),
});

export function insightsRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  app.get(
    '/api/v1/insights/events',
    adminRoute({
      description: 'Directory Insights events, newest first. format=csv exports every matching event (ignores limit and cursor).',
      querystring: z
        .object({
          from: timestamp.optional(),
          to: timestamp.optional(),
          eventType: z
            .string()
            .max(1000)
            .regex(/^[a-z_]+(,[a-z_]+)*$/, 'comma-separated event types')
            .optional(),
          initiatedBy: z.string().max(100).optional(),
          resourceId: z.string().max(100).optional(),
          applicationId: z.string().max(100).optional(),
          success: queryBoolean.optional(),
          limit: limitSchema,
          cursor: cursorSchema,
          format: z.enum(['json', 'csv']).default('json'),
        })
        .strict(),
      response: { 200: pageOf(eventSchema).or(z.string()) },
    }),
    async (request, reply) => {
      const actor = actorOf(request);
      const { limit, cursor, format, eventType, ...rest } = request.query;
      const filter = { ...rest, organizationId: actor.organizationId, eventTypes: eventType?.split(',') };
      if (format === 'csv') {
        async function* lines() {
          yield csvLine([...CSV_COLUMNS]);
          for await (const e of iterateEvents({ db }, filter, EXPORT_MAX)) yield csvLine(eventCsvRow(e));
        }
        reply.header('content-type', 'text/csv; charset=utf-8');
        reply.header('content-disposition', 'attachment; filename="insights-events.csv"');
        return reply.send(Readable.from(lines()) as never);
      }
      return queryEvents({ db }, { ...filter, limit, cursor });
    },
  );
}
