// The real server process and CLI, as a newcomer runs them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, runCli, spawnServerProcess, startServerProcess } from './process.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-e2e-'));
const env = { ROSTER_DATA_DIR: dataDir, DATABASE_URL: '' };

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('roster server process', () => {
  it('starts on a new data folder, prints a one-time setup link that creates the first admin, and stops cleanly on SIGTERM', async () => {
    const s = await startServerProcess(env);
    try {
      expect(fs.existsSync(path.join(dataDir, 'roster.db'))).toBe(true);
      expect((fs.statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toString(8)).toBe('600');
      const link = /(http:\/\/\S+\/setup\?token=(\S+))/.exec(s.output());
      expect(link, s.output()).not.toBeNull();
      const token = link![2];
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
      expect((await fetch(`${s.url}/setup`)).headers.get('content-type')).toMatch(/text\/html/);
      const setup = await fetch(`${s.url}/api/v1/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, email: 'first@example.com', password: 'a long enough password' }),
      });
      expect(setup.status).toBe(201);
      const again = await fetch(`${s.url}/api/v1/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, email: 'second@example.com', password: 'a long enough password' }),
      });
      expect(again.status).toBe(400);
      const login = await fetch(`${s.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'first@example.com', password: 'a long enough password' }),
      });
      expect(login.status).toBe(200);
      expect(login.headers.get('x-request-id')).toBeTruthy();
      const cookie = login.headers.get('set-cookie')!.split(';')[0];
      const created = await fetch(`${s.url}/api/v1/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ username: 'persisted', email: 'persisted@example.com' }),
      });
      expect(created.status).toBe(201);
      const metrics = await fetch(`${s.url}/metrics`, { headers: { cookie } });
      expect(await metrics.text()).toContain('roster_http_request_duration_seconds');
    } finally {
      expect(await s.stop('SIGTERM')).toBe(0);
    }
  });

  it('keeps its data across restarts and then prints the sign-in hint instead of a setup link', async () => {
    const s = await startServerProcess(env);
    try {
      expect(s.output()).toContain('Sign in at');
      expect(s.output()).not.toContain('setup?token=');
    } finally {
      expect(await s.stop('SIGTERM')).toBe(0);
    }
    const list = await runCli(['users', 'list', '--json'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('"username":"persisted"');
  });

  it('refuses to start with a weak ROSTER_ADMIN_PASSWORD, saying why', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-e2e-weak-'));
    try {
      await expect(
        startServerProcess(
          { ROSTER_DATA_DIR: folder, DATABASE_URL: '', ROSTER_ADMIN_EMAIL: 'weak@example.com', ROSTER_ADMIN_PASSWORD: 'aaaaaaaaaaaaaaaa' },
          15_000,
        ),
      ).rejects.toThrow(/ROSTER_ADMIN_PASSWORD is not accepted: The password must not be one character or a short pattern repeated/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('refuses bad configuration with one message listing every problem', async () => {
    await expect(startServerProcess({ ...env, PORT: 'eighty', LOG_LEVEL: 'chatty' }, 10_000)).rejects.toThrow(
      /PORT[\s\S]*LOG_LEVEL|LOG_LEVEL[\s\S]*PORT/,
    );
  });
});

describe('readiness', () => {
  // A script or orchestrator waits for /readyz and signs in at once: the first admin from the
  // environment must exist by then (it used to be created after the server listened).
  it('answers 503 until the first admin from the environment exists, so a login right after the first 200 succeeds', async () => {
    const admin = { email: 'ready@example.com', password: 'willow signal orchard 7' };
    for (let attempt = 0; attempt < 3; attempt++) {
      const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-e2e-ready-'));
      const port = await freePort();
      const s = spawnServerProcess({
        ROSTER_DATA_DIR: folder,
        DATABASE_URL: '',
        PORT: String(port),
        ROSTER_ADMIN_EMAIL: admin.email,
        ROSTER_ADMIN_PASSWORD: admin.password,
      });
      try {
        const url = `http://127.0.0.1:${port}`;
        const seen = new Set<string>();
        for (let polls = 0; ; polls++) {
          if (polls > 2_000 || s.child.exitCode !== null) throw new Error(`never ready:\n${s.output()}`);
          const r = await fetch(`${url}/readyz`).catch(() => undefined);
          if (r?.status === 200) break;
          if (r) {
            expect(r.status).toBe(503);
            for (const w of (await r.json()).waitingFor) seen.add(w);
          }
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        const login = await fetch(`${url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(admin),
        });
        expect(login.status, s.output()).toBe(200);
        for (const w of seen) expect(['first admin', 'job queue']).toContain(w);
      } finally {
        expect(await s.stop('SIGTERM')).toBe(0);
        fs.rmSync(folder, { recursive: true, force: true });
      }
    }
  });
});

describe('roster CLI', () => {
  it('has --help on every command', async () => {
    for (const args of [
      ['--help'],
      ['serve', '--help'],
      ['migrate', '--help'],
      ['admin', 'create', '--help'],
      ['users', 'list', '--help'],
    ]) {
      const r = await runCli(args, env);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toContain('Usage: roster');
    }
  });

  it('migrates, creates an admin from stdin, and validates its arguments', async () => {
    expect((await runCli(['migrate'], env)).stdout).toMatch(/up to date|Applied/);
    const ok = await runCli(
      ['admin', 'create', '--email', 'cli@example.com', '--password-stdin', '--role', 'read_only'],
      env,
      'another long password\n',
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('Created admin cli@example.com (role read_only');
    const dup = await runCli(['admin', 'create', '--email', 'CLI@example.com', '--password-stdin'], env, 'another long password\n');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('already exists');
    const resetPassword = (email: string, password: string) =>
      runCli(['admin', 'reset-password', '--email', email, '--password-stdin'], env, `${password}\n`);
    const reset = await resetPassword('CLI@example.com', 'lantern-quartz-heron-19');
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain('Set the password of CLI@example.com');
    const weakReset = await resetPassword('cli@example.com', 'aaaaaaaaaaaaaaaa');
    expect(weakReset.code).toBe(1);
    expect(weakReset.stderr).toContain('short pattern repeated');
    const unknown = await resetPassword('nobody@example.com', 'lantern-quartz-heron-19');
    expect(unknown.code).toBe(1);

    // A lost authenticator: the CLI removes the admin's MFA (here a factor written straight into the file).
    const noMfa = await runCli(['admin', 'reset-mfa', '--email', 'cli@example.com'], env);
    expect(noMfa.code).toBe(1);
    expect(noMfa.stderr).toContain('has no MFA to reset');
    const { DatabaseSync } = await import('node:sqlite');
    const file = new DatabaseSync(path.join(dataDir, 'roster.db'));
    const cli = file.prepare("SELECT id, organization_id FROM admins WHERE email_lower = 'cli@example.com'").get() as {
      id: string;
      organization_id: string;
    };
    file
      .prepare(
        'INSERT INTO admin_mfa (admin_id, organization_id, secret_enc, recovery_code_hashes, created_at, enabled_at) ' +
          "VALUES (?, ?, 'v1:x', '[]', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
      )
      .run(cli.id, cli.organization_id);
    const resetMfa = await runCli(['admin', 'reset-mfa', '--email', 'CLI@example.com'], env);
    expect(resetMfa.code, resetMfa.stderr).toBe(0);
    expect(resetMfa.stdout).toContain('Removed the MFA of CLI@example.com');
    expect(file.prepare('SELECT count(*) AS n FROM admin_mfa').get()).toEqual({ n: 0 });
    expect(file.prepare("SELECT resource_id FROM insight_events WHERE event_type = 'admin_mfa_reset'").all()).toEqual([
      { resource_id: cli.id },
    ]);
    file.close();
    const weak = await runCli(['admin', 'create', '--email', 'weak@example.com', '--password-stdin'], env, 'short\n');
    expect(weak.stderr).toContain('12 to 128');
    const badRole = await runCli(['admin', 'create', '--email', 'x@example.com', '--role', 'root'], env);
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toContain('--role');
    const badLimit = await runCli(['users', 'list', '--limit', '-3'], env);
    expect(badLimit.code).not.toBe(0);
    expect(badLimit.stderr).toContain('--limit');
  });
});
