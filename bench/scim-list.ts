// Lists every user of the test SCIM server with the ScimClient and reports the listing rate.
// The server runs in a child process so the client's peak RSS is its own and both sides get a
// CPU. Usage: npm run bench:scim -- [--users 100000] [--page-size 1000] [--latency-ms 20] [--concurrency 4]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ScimClient } from '../server/scim/index.ts';
import { TEST_NETWORK } from '../test/network.ts';

const USAGE = `Usage: node bench/scim-list.ts [--users N] [--page-size N] [--latency-ms N] [--concurrency N]
  --users N         users seeded into the test SCIM server (default 100000)
  --page-size N     resources asked for per page, 1-1000 (default 1000; the server serves at most 1000)
  --latency-ms N    the server answers each request this much later, 0-10000 (default 0)
  --concurrency N   the client's concurrency, 1-64: pages after the first are read that many at a time (default 4)
`;

function positiveInt(name: string, raw: string, max: number, min = 1): number {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    process.stderr.write(`--${name} must be a whole number from ${min} to ${max}, got '${raw}'\n\n${USAGE}`);
    process.exit(2);
  }
  return Number(raw);
}

let parsed;
try {
  parsed = parseArgs({
    strict: true,
    allowPositionals: false,
    options: {
      users: { type: 'string', default: '100000' },
      'page-size': { type: 'string', default: '1000' },
      'latency-ms': { type: 'string', default: '0' },
      concurrency: { type: 'string', default: '4' },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (parsed.values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const users = positiveInt('users', parsed.values.users, 10_000_000);
const pageSize = positiveInt('page-size', parsed.values['page-size'], 1000);
const latencyMs = positiveInt('latency-ms', parsed.values['latency-ms'], 10_000, 0);
const concurrency = positiveInt('concurrency', parsed.values.concurrency, 64);

const cli = fileURLToPath(new URL('../test/scim-server/cli.ts', import.meta.url));
const token = randomBytes(18).toString('base64url');

/** Starts the server on a free port and resolves to the base URL it prints as its first stdout line. */
async function startServer(): Promise<{ child: ChildProcess; baseUrl: string; stderr: () => string }> {
  const args = [cli, '--port', '0', '--users', String(users), '--token', token, '--no-log', '--latency', String(latencyMs)];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the SCIM server exited with ${code} before it was ready:\n${stderr}`)));
  });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`the SCIM server did not start in 30 s:\n${stderr}`)), 30_000).unref(),
  );
  try {
    const baseUrl = (await Promise.race([first, timeout])).trim();
    if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(baseUrl)) throw new Error(`unexpected first line from the SCIM server: ${baseUrl}`);
    return { child, baseUrl, stderr: () => stderr };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

const server = await startServer();
const stop = () => {
  server.child.kill('SIGTERM');
  process.exit(130);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

const client = new ScimClient({
  network: TEST_NETWORK,
  baseUrl: server.baseUrl,
  auth: { type: 'bearer', token },
  rateLimit: null,
  concurrency,
  // The caps guard production listings; here they only need to stay out of the way.
  paging: { pageSize, maxPages: Math.ceil(users / pageSize) * 2 + 10, maxResources: users + 1000, deadlineMs: 30 * 60_000 },
});

let listed = 0;
let exitCode = 0;
const started = performance.now();
try {
  const listing = client.listUsers();
  for await (const page of listing.pages()) listed += page.length;
  const seconds = (performance.now() - started) / 1000;
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  const s = listing.stats;
  console.log(
    `SCIM list benchmark: ${users} users from the test SCIM server (child process), page size ${pageSize}, ` +
      `latency ${latencyMs} ms, concurrency ${concurrency}`,
  );
  console.log(`  listed          ${listed} users${listed === users ? '' : ` (expected ${users})`}`);
  console.log(`  pages           ${s.pages} (${s.requests} requests, mode ${s.modesUsed.join(' -> ')}, stop: ${s.stopReason})`);
  const p = s.parallel;
  const parallel = p.used ? `yes${p.fellBack ? `, fell back: ${p.fellBack}` : ''}` : `no (${p.notUsed})`;
  console.log(`  in parallel     ${parallel}`);
  console.log(`  total time      ${seconds.toFixed(2)} s`);
  console.log(`  rate            ${Math.round(listed / seconds).toLocaleString('en-US')} users/s`);
  console.log(`  client peak RSS ${rssMiB.toFixed(0)} MiB`);
  if (listed !== users) exitCode = 1;
} catch (err) {
  process.stderr.write(`listing failed after ${listed} users: ${(err as Error).message}\n${server.stderr()}`);
  exitCode = 1;
} finally {
  await client.close();
  await stopServer(server.child);
}
process.exit(exitCode);
