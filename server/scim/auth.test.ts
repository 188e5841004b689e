import { describe, expect, it } from 'vitest';
import { OAuthClientCredentials, staticAuth, type TokenPost } from './auth.ts';
import { ScimClientError, ScimError } from './errors.ts';
import { sleep } from './limits.ts';

const CONFIG = {
  type: 'oauth2_client_credentials' as const,
  tokenUrl: 'https://idp.example.test/token',
  clientId: 'my client',
  clientSecret: 's3cret!',
  scope: 'scim',
};

function fakeIdp(behaviour: (form: Record<string, string>, headers: Record<string, string>, n: number) => Promise<unknown> | unknown) {
  const calls: Array<{ form: Record<string, string>; headers: Record<string, string> }> = [];
  const post: TokenPost = async (_url, form, headers) => {
    calls.push({ form, headers });
    return { status: 200, json: await behaviour(form, headers, calls.length) };
  };
  return { post, calls };
}

describe('static credentials', () => {
  it('builds bearer and basic headers and knows its secrets', async () => {
    const bearer = staticAuth({ type: 'bearer', token: ' tok-123 ' });
    expect(await bearer.header()).toBe('Bearer tok-123');
    expect(bearer.invalidate('Bearer tok-123')).toBe(false);
    const basic = staticAuth({ type: 'basic', username: 'admin', password: 'pä55' });
    expect(await basic.header()).toBe(`Basic ${Buffer.from('admin:pä55').toString('base64')}`);
    expect(basic.secrets()).toContain('pä55');
  });

  it('refuses unusable credentials', () => {
    expect(() => staticAuth({ type: 'bearer', token: '' })).toThrow(ScimClientError);
    expect(() => staticAuth({ type: 'bearer', token: 'a\r\nX-Evil: 1' })).toThrow(ScimClientError);
    expect(() => staticAuth({ type: 'basic', username: 'a:b', password: 'x' })).toThrow(ScimClientError);
  });
});

describe('OAuth 2.0 client credentials', () => {
  it('authenticates the client with HTTP basic (form-encoded id and secret) and sends scope', async () => {
    const idp = fakeIdp(() => ({ access_token: 'at-1', token_type: 'Bearer', expires_in: 3600 }));
    const auth = new OAuthClientCredentials(CONFIG, new URL(CONFIG.tokenUrl), idp.post);
    expect(await auth.header()).toBe('Bearer at-1');
    expect(idp.calls[0].form).toEqual({ grant_type: 'client_credentials', scope: 'scim' });
    expect(idp.calls[0].headers.authorization).toBe(`Basic ${Buffer.from('my+client:s3cret%21').toString('base64')}`);
  });

  it('caches the token and refreshes it shortly before expires_in', async () => {
    let now = 1_000_000;
    const idp = fakeIdp((_f, _h, n) => ({ access_token: `at-${n}`, token_type: 'bearer', expires_in: '600' }));
    const auth = new OAuthClientCredentials(CONFIG, new URL(CONFIG.tokenUrl), idp.post, () => now);
    expect(await auth.header()).toBe('Bearer at-1');
    now += 500_000;
    expect(await auth.header()).toBe('Bearer at-1');
    now += 45_000; // within the last minute of the 10-minute lifetime
    expect(await auth.header()).toBe('Bearer at-2');
    expect(auth.tokenRequests).toBe(2);
  });

  it('shares one in-flight token request between concurrent callers', async () => {
    const idp = fakeIdp(async () => {
      await sleep(20);
      return { access_token: 'shared', expires_in: 3600 };
    });
    const auth = new OAuthClientCredentials(CONFIG, new URL(CONFIG.tokenUrl), idp.post);
    const headers = await Promise.all(Array.from({ length: 10 }, () => auth.header()));
    expect(new Set(headers)).toEqual(new Set(['Bearer shared']));
    expect(idp.calls).toHaveLength(1);
  });

  it('throws the token away after a 401 so the next call fetches a new one', async () => {
    const idp = fakeIdp((_f, _h, n) => ({ access_token: `at-${n}`, expires_in: 3600 }));
    const auth = new OAuthClientCredentials(CONFIG, new URL(CONFIG.tokenUrl), idp.post);
    const first = await auth.header();
    expect(auth.invalidate(first)).toBe(true);
    expect(await auth.header()).toBe('Bearer at-2');
    // A stale 401 for an older token does not discard the newer one.
    auth.invalidate(first);
    expect(await auth.header()).toBe('Bearer at-2');
  });

  it('falls back to form fields when the server refuses HTTP basic, and remembers it', async () => {
    const idp = fakeIdp((form) => {
      if (!form.client_id) throw new ScimError(401, undefined, 'invalid_client');
      return { access_token: 'via-form', expires_in: 1 };
    });
    const auth = new OAuthClientCredentials(CONFIG, new URL(CONFIG.tokenUrl), idp.post);
    expect(await auth.header()).toBe('Bearer via-form');
    expect(idp.calls[1].form).toMatchObject({ client_id: 'my client', client_secret: 's3cret!' });
    expect(idp.calls[1].headers.authorization).toBeUndefined();
    auth.invalidate('Bearer via-form');
    await auth.header();
    expect(idp.calls).toHaveLength(3);
    expect(idp.calls[2].form.client_id).toBe('my client');
  });

  it('reports refusals and odd answers as AUTH_FAILED without the secret', async () => {
    const refusing = fakeIdp(() => {
      throw new ScimError(400, undefined, 'client s3cret! is not allowed');
    });
    const auth = new OAuthClientCredentials(CONFIG, new URL(CONFIG.tokenUrl), refusing.post);
    const err = await auth.header().catch((e: unknown) => e as ScimClientError);
    expect(err).toMatchObject({ code: 'AUTH_FAILED', status: 400 });
    expect((err as Error).message).not.toContain('s3cret!');

    const noToken = new OAuthClientCredentials(CONFIG, new URL(CONFIG.tokenUrl), fakeIdp(() => ({ token_type: 'bearer' })).post);
    await expect(noToken.header()).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    const mac = new OAuthClientCredentials(
      CONFIG,
      new URL(CONFIG.tokenUrl),
      fakeIdp(() => ({ access_token: 'x', token_type: 'mac' })).post,
    );
    await expect(mac.header()).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });

  it('lets a caller stop waiting for a shared token request', async () => {
    const idp = fakeIdp(async () => {
      await sleep(200);
      return { access_token: 'late' };
    });
    const auth = new OAuthClientCredentials(CONFIG, new URL(CONFIG.tokenUrl), idp.post);
    const controller = new AbortController();
    const waiting = auth.header(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await auth.header()).toBe('Bearer late');
    expect(idp.calls).toHaveLength(1);
  });
});
