import { describe, expect, it } from 'vitest';
import { isScimErrorBody, parseScimError, redact, sanitizeServerText, ScimError } from './errors.ts';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

function fromJson(status: number, body: unknown) {
  return parseScimError(status, body, JSON.stringify(body));
}

describe('parseScimError', () => {
  it('reads an RFC error with status as a string or an integer (T1)', () => {
    const a = fromJson(409, { schemas: [ERROR], status: '409', scimType: 'uniqueness', detail: 'userName already exists' });
    const b = fromJson(409, { schemas: [ERROR], status: 409, scimType: 'uniqueness', detail: 'userName already exists' });
    for (const e of [a, b]) {
      expect(e).toBeInstanceOf(ScimError);
      expect(e.status).toBe(409);
      expect(e.scimType).toBe('uniqueness');
      expect(e.detail).toBe('userName already exists');
      expect(e.isConflict).toBe(true);
    }
  });

  it('uses the HTTP status when the body has none (T3) or disagrees', () => {
    expect(fromJson(404, { schemas: [ERROR], detail: 'User not found' }).status).toBe(404);
    expect(fromJson(400, { status: '500', detail: 'x' }).status).toBe(400);
  });

  it('reads SCIM 1.1 style Errors arrays (T2)', () => {
    const e = fromJson(400, { Errors: [{ description: 'Start index too big. Consider filtering by id gt', code: 400 }] });
    expect(e.status).toBe(400);
    expect(e.detail).toContain('Start index too big');
  });

  it('reduces an HTML page to its title, without tags (T4)', () => {
    const html =
      '<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>p{}</style></head>' +
      '<body><h1>Bad &amp; gateway</h1><script>x()</script></body></html>';
    const e = parseScimError(502, undefined, html);
    expect(e.status).toBe(502);
    expect(e.detail).toBe('502 Bad Gateway');
    expect(e.message).not.toMatch(/[<>]/);
  });

  it('falls back to plain words for empty bodies and JSON without a message', () => {
    expect(parseScimError(404, undefined, '').detail).toBe('the resource was not found');
    expect(fromJson(503, {}).detail).toBe('the service is unavailable');
  });

  it('never keeps stack traces (T7)', () => {
    const python =
      "invalid literal for int() with base 10: 'abc'\nTraceback (most recent call last):\n" +
      '  File "/srv/provider.py", line 529, in wsgi_app\n' +
      '    response = getattr(self, f"call_{endpoint}")(request, **args)\nValueError: invalid literal';
    const e = fromJson(500, { schemas: [ERROR], status: '500', detail: python });
    expect(e.detail).toBe("invalid literal for int() with base 10: 'abc'");
    const java =
      'java.lang.NullPointerException: boom\n\tat com.acme.scim.UserService.get(UserService.java:42)\n\tat com.acme.Main.run(Main.java:7)';
    expect(parseScimError(500, undefined, java).detail).toBe('the server had an internal error');
    const node =
      'TypeError: Cannot read properties of undefined\n    at handler (/app/src/users.js:10:5)\n    at process.tick (node:internal)';
    const n = parseScimError(500, undefined, node);
    expect(n.detail).toBe('TypeError: Cannot read properties of undefined');
    expect(n.message).not.toMatch(/users\.js|node:internal/);
  });

  it('keeps only sane scimType values and short details', () => {
    expect(fromJson(400, { scimType: 'invalid filter; drop table', detail: 'x' }).scimType).toBeUndefined();
    const long = fromJson(400, { detail: 'word '.repeat(500) });
    expect(long.detail.length).toBeLessThanOrEqual(300);
  });

  it('reads OAuth-style and generic JSON errors', () => {
    expect(fromJson(401, { error: 'invalid_client', error_description: 'Client authentication failed' }).detail).toBe(
      'Client authentication failed',
    );
    expect(fromJson(400, { error: { message: 'bad thing' } }).detail).toBe('bad thing');
  });

  it('treats a 200 that carries an error body as an error', () => {
    expect(isScimErrorBody({ schemas: [ERROR], status: '400' })).toBe(true);
    expect(isScimErrorBody({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] })).toBe(false);
    expect(parseScimError(200, { schemas: [ERROR], status: 400, detail: 'no' }, '').status).toBe(400);
  });
});

describe('redaction', () => {
  it('removes credentials a server echoes back', () => {
    const echoed = [
      'Authorization: Bearer abcdef123456789',
      'header Authorization=Basic dXNlcjpwYXNz was rejected',
      'password=hunter2&user=x',
      '{"client_secret":"s3cr3t-value"}',
      'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefgh',
      'see https://admin:pw@example.test/x',
    ].join('\n');
    const out = sanitizeServerText(echoed, { maxLength: 2000 });
    for (const secret of ['abcdef123456789', 'dXNlcjpwYXNz', 'hunter2', 's3cr3t-value', 'eyJhbGciOiJIUzI1NiJ9', 'admin:pw']) {
      expect(out).not.toContain(secret);
    }
  });

  it('removes known secrets verbatim wherever they appear', () => {
    expect(redact('your key tok-123456 is invalid', ['tok-123456'])).toBe('your key [redacted] is invalid');
    const e = parseScimError(401, { detail: 'token tok-123456 expired' }, '', { secrets: ['tok-123456'] });
    expect(e.message).not.toContain('tok-123456');
  });
});
