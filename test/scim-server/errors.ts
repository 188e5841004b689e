/**
 * A failure that maps to one SCIM error response (RFC 7644 §3.12). Handlers throw it; the HTTP
 * layer turns it into a body shaped by the `errorStyle` quirk.
 */
export class ScimHttpError extends Error {
  readonly status: number;
  readonly scimType: string | undefined;
  readonly headers: Record<string, string>;
  constructor(status: number, scimType: string | undefined, detail: string, headers: Record<string, string> = {}) {
    super(detail);
    this.name = 'ScimHttpError';
    this.status = status;
    this.scimType = scimType;
    this.headers = headers;
  }
}

export const badRequest = (scimType: string | undefined, detail: string) => new ScimHttpError(400, scimType, detail);
export const notFound = (detail: string) => new ScimHttpError(404, undefined, detail);
export const conflict = (detail: string) => new ScimHttpError(409, 'uniqueness', detail);
export const invalidFilter = (detail: string) => new ScimHttpError(400, 'invalidFilter', detail);
export const invalidValue = (detail: string) => new ScimHttpError(400, 'invalidValue', detail);
export const invalidSyntax = (detail: string) => new ScimHttpError(400, 'invalidSyntax', detail);
export const invalidPath = (detail: string) => new ScimHttpError(400, 'invalidPath', detail);
export const noTarget = (detail: string) => new ScimHttpError(400, 'noTarget', detail);
export const mutability = (detail: string) => new ScimHttpError(400, 'mutability', detail);

/**
 * A Python-looking traceback, like the one scim2-server puts in `detail` (T7/F6): clients must not
 * show such text to users, and tests need something that looks the part.
 */
export function stackTraceText(message: string, where: 'filter' | 'internal'): string {
  const frames =
    where === 'filter'
      ? [
          ['scim_server/provider.py', 529, 'wsgi_app', 'response = getattr(self, f"call_{endpoint}")(request, **args)'],
          ['scim_server/provider.py', 300, 'query_resource', 'total_results, results = self.backend.query_resources('],
          ['scim_server/backend.py', 270, 'query_resources', 'tree = SCIMParser().parse(token_stream)'],
          ['scim_filter_parser/parser.py', 244, 'error', 'raise SCIMParserError(f"Parsing error at: {p}")'],
        ]
      : [
          ['scim_server/provider.py', 529, 'wsgi_app', 'response = getattr(self, f"call_{endpoint}")(request, **args)'],
          ['scim_server/backend.py', 112, 'get_resource', 'return self._resources[resource_type][resource_id]'],
        ];
  const body = frames
    .map(([file, line, fn, code]) => `  File "/srv/app/site-packages/${file}", line ${line}, in ${fn}\n    ${code}`)
    .join('\n');
  const exc = where === 'filter' ? 'scim_filter_parser.parser.SCIMParserError' : 'KeyError';
  return `${message}\nTraceback (most recent call last):\n${body}\n${exc}: ${message}\n`;
}
