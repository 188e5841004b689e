import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactUrl } from './config.ts';

describe('config', () => {
  it('has working defaults: SQLite in ./data on port 8080', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toMatch(/^sqlite:.*data\/roster\.db$/);
    expect(c.publicUrl).toBe('http://localhost:8080');
    expect(c.logLevel).toBe('info');
  });

  it('lists every problem in one error', () => {
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', ROSTER_SECRET_KEY: 'short', ROSTER_ADMIN_EMAIL: 'a@b.co' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as ConfigError).message;
      for (const key of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'ROSTER_SECRET_KEY']) expect(msg).toContain(key);
      expect(msg).not.toContain('short');
    }
  });

  it('takes the import batch size from 1 to 20,000 users, 3,000 by default', () => {
    expect(loadConfig({}).importBatchSize).toBe(3000);
    expect(loadConfig({ ROSTER_IMPORT_BATCH_SIZE: '1' }).importBatchSize).toBe(1);
    for (const bad of ['0', '20001', '2.5', 'many'])
      expect(() => loadConfig({ ROSTER_IMPORT_BATCH_SIZE: bad })).toThrow(/ROSTER_IMPORT_BATCH_SIZE/);
  });

  it('needs the admin email and password together', () => {
    expect(() => loadConfig({ ROSTER_ADMIN_EMAIL: 'a@b.co' })).toThrow(/set together/);
  });

  it('accepts a 32-byte key as hex or base64, and redacts credentials in URLs', () => {
    expect(loadConfig({ ROSTER_SECRET_KEY: 'ab'.repeat(32) }).secretKey?.length).toBe(32);
    expect(loadConfig({ ROSTER_SECRET_KEY: Buffer.alloc(32, 1).toString('base64') }).secretKey?.length).toBe(32);
    expect(redactUrl('postgres://roster:s3cret@db:5432/roster')).toBe('postgres://roster:***@db:5432/roster');
  });

  it('trusts a number of proxy hops or listed proxies, never every hop', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,::1, fd00::/8' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      '::1',
      'fd00::/8',
    ]);
    for (const bad of ['yes', '11', '-1', '10.0.0.0/33', '10.0.0.300', 'proxy.example.com', '::1/129', '1.2.3.4/8/8']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
    }
  });

  it('takes the networks SCIM integrations may reach, and whether plain http is allowed, refusing bad entries', () => {
    expect(loadConfig({}).scimNetwork).toEqual({ allowedNetworks: [], allowHttp: false });
    expect(
      loadConfig({ ROSTER_SCIM_ALLOWED_NETWORKS: '10.0.0.0/8, 127.0.0.1,fd00::/8', ROSTER_SCIM_ALLOW_HTTP: 'true' }).scimNetwork,
    ).toEqual({ allowedNetworks: ['10.0.0.0/8', '127.0.0.1', 'fd00::/8'], allowHttp: true });
    for (const bad of ['10.0.0.0/40', 'intranet.example.com', '10.0.0'])
      expect(() => loadConfig({ ROSTER_SCIM_ALLOWED_NETWORKS: bad }), bad).toThrow(/ROSTER_SCIM_ALLOWED_NETWORKS/);
    expect(() => loadConfig({ ROSTER_SCIM_ALLOW_HTTP: 'yes' })).toThrow(/ROSTER_SCIM_ALLOW_HTTP/);
  });
});
