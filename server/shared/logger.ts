import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths never logged: credentials in requests, configs and SCIM settings. */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.clientSecret',
  '*.secret',
  '*.key',
  'headers.authorization',
  'auth.token',
  'auth.password',
  'auth.clientSecret',
];

/** Query values that are credentials (single-use link tokens) never reach the logs. */
function urlWithoutTokens(url: string): string {
  return url.replace(/([?&](?:token|code)=)[^&#]*/gi, '$1[redacted]');
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  id?: string;
}

/** The request line of every request log: method, URL without tokens, host and client address. */
function serializeRequest(req: LoggedRequest) {
  return { method: req.method, url: urlWithoutTokens(req.url ?? ''), host: req.host, remoteAddress: req.ip, requestId: req.id };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'roster' },
      serializers: { req: serializeRequest, err: pino.stdSerializers.err },
    },
    destination,
  );
}
