// `npm install`, `npm start` and `npm test` first run scripts/check-node.cjs: on an old Node.js it must say
// in one line what is needed and how to get it, and exit non-zero before anything else runs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './process.ts';

const SCRIPT = path.join(ROOT, 'scripts/check-node.cjs');
const { nodeVersionProblem } = createRequire(import.meta.url)(SCRIPT) as { nodeVersionProblem: (v: string) => string | undefined };
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

// Makes this Node.js report an old version to the script, the way Node 20 itself would.
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-node-version-'));
const fakeOld = path.join(folder, 'old-node.cjs');
fs.writeFileSync(fakeOld, "Object.defineProperty(process, 'version', { value: 'v20.20.2' });\n");
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

function run(node: string, args: string[]) {
  return spawnSync(node, args, { encoding: 'utf8' });
}

describe('the Node.js version check', () => {
  it('accepts 24 and newer and names the version and the way to get Node 24 otherwise', () => {
    for (const ok of ['v24.0.0', 'v24.22.3', 'v25.1.0', 'v100.0.0']) expect(nodeVersionProblem(ok)).toBeUndefined();
    for (const old of ['v20.20.2', 'v22.12.0', 'v18.0.0', 'v23.99.99', 'garbage']) {
      const problem = nodeVersionProblem(old)!;
      expect(problem).toContain('Roster needs Node.js 24 or newer');
      expect(problem).toContain(old);
      expect(problem).toContain('nvm install 24');
      expect(problem).not.toContain('\n');
    }
  });

  it('runs first in npm install, npm start and npm test', () => {
    expect(pkg.scripts.preinstall).toBe('node scripts/check-node.cjs');
    expect(pkg.scripts.prestart.startsWith('node scripts/check-node.cjs && ')).toBe(true);
    expect(pkg.scripts.pretest).toBe('node scripts/check-node.cjs');
  });

  it('passes quietly on this Node.js and fails with exactly one line on an old one', () => {
    const current = run(process.execPath, [SCRIPT]);
    expect(current.status).toBe(0);
    expect(current.stdout + current.stderr).toBe('');

    const old = run(process.execPath, ['--require', fakeOld, SCRIPT]);
    expect(old.status).toBe(1);
    expect(old.stdout).toBe('');
    expect(old.stderr.trimEnd().split('\n')).toEqual([nodeVersionProblem('v20.20.2')]);
  });

  // Where the machine also has a real older Node.js (Debian's /usr/bin/node here), run the script with it too.
  const systemNode = '/usr/bin/node';
  const systemMajor = fs.existsSync(systemNode) ? Number(/^v(\d+)/.exec(run(systemNode, ['--version']).stdout)?.[1]) : NaN;
  it.runIf(systemMajor < 24)(`fails with one line on ${systemNode} (Node ${systemMajor})`, () => {
    const old = run(systemNode, [SCRIPT]);
    expect(old.status).toBe(1);
    expect(old.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(old.stderr).toContain('Roster needs Node.js 24 or newer');
  });
});
