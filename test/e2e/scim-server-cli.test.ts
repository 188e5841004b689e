// The test SCIM server's command line, as a real process: it starts, prints its base URL, serves
// with the quirks it was given, stops on SIGTERM, and refuses bad arguments with exit code 2.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

type Obj = Record<string, any>;

describe('cli', () => {
  const cli = fileURLToPath(new URL('../scim-server/cli.ts', import.meta.url));
  const run = (args: string[]) => spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

  it('starts, prints the base URL, serves, and stops on SIGTERM', async () => {
    const child = run([
      '--port',
      '0',
      '--users',
      '7',
      '--token',
      'secret',
      '--quirks',
      'maxPageSize=5,totalResultsIsPageCount=true',
      '--latency',
      '1',
    ]);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      child.on('exit', (code) => reject(new Error(`cli exited early with ${code}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scim\/v2$/);
    const r = await fetch(`${url}/Users?count=100`, { headers: { authorization: 'Bearer secret' } });
    expect(((await r.json()) as Obj).totalResults).toBe(5);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('rejects bad arguments with a clear message and exit code 2', async () => {
    for (const args of [
      ['--users', 'many'],
      ['--quirks', 'nope=1'],
      ['--quirks', 'maxPageSize=abc'],
      ['--fault', 'explode'],
      ['--token', 'a', '--basic', 'u:p'],
      ['--bogus'],
    ]) {
      const child = run(args);
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      expect(code, args.join(' ')).toBe(2);
      expect(err, args.join(' ')).toMatch(/^scim-server: /);
    }
  });
});
