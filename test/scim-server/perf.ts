/**
 * Prints how fast the test server seeds and pages: `node test/scim-server/perf.ts [users] [count]`.
 * A measuring script, not a test (tests never assert wall-clock times).
 */
import { startScimServer } from './index.ts';

const users = Number(process.argv[2] ?? 100_000);
const count = Number(process.argv[3] ?? 1000);

function mb(n: number): string {
  return `${(n / 1024 / 1024).toFixed(0)} MB`;
}

const heap0 = process.memoryUsage().heapUsed;
let t = performance.now();
const server = await startScimServer({ users, groups: 20, maxLogEntries: 100_000 });
const seedMs = performance.now() - t;
console.log(`seed ${users} users + 20 groups: ${seedMs.toFixed(0)} ms, heap +${mb(process.memoryUsage().heapUsed - heap0)}`);

async function pageAll(label: string, next: (page: number, cursor: string | undefined) => string): Promise<void> {
  t = performance.now();
  server.clearRequests();
  let seen = 0;
  let cursor: string | undefined;
  for (let page = 0; ; page++) {
    const res = await fetch(next(page, cursor));
    const body = (await res.json()) as { Resources?: unknown[]; nextCursor?: string };
    seen += body.Resources?.length ?? 0;
    cursor = body.nextCursor;
    if (!body.Resources?.length || (label.startsWith('cursor') && !cursor)) break;
  }
  const ms = performance.now() - t;
  // durationMs covers the server's work up to a serialised body; the socket write and the client's parse are outside it.
  const serverMs = server.requests.reduce((sum, r) => sum + (r.durationMs ?? 0), 0);
  console.log(
    `${label}: ${seen} users, ${server.requests.length} requests, ` +
      `${ms.toFixed(0)} ms end to end (fetch + JSON parse in this process), ${serverMs.toFixed(0)} ms server-side`,
  );
}

await pageAll(`index paging count=${count}`, (page) => `${server.baseUrl}/Users?startIndex=${page * count + 1}&count=${count}`);
await pageAll(`cursor paging count=${count}`, (_p, c) => `${server.baseUrl}/Users?count=${count}&cursor=${c ?? ''}`);
const filter = encodeURIComponent('title sw "Senior"');
await pageAll(
  `filtered (title sw) index paging count=${count}`,
  (page) => `${server.baseUrl}/Users?filter=${filter}&startIndex=${page * count + 1}&count=${count}`,
);

t = performance.now();
const lookups = 200;
for (let i = 0; i < lookups; i++) {
  const u = (await (await fetch(`${server.baseUrl}/Users?startIndex=${1 + ((i * 7919) % users)}&count=1&attributes=userName`)).json()) as {
    Resources: { userName: string }[];
  };
  const f = encodeURIComponent(`userName eq "${u.Resources[0].userName.toUpperCase()}"`);
  const r = (await (await fetch(`${server.baseUrl}/Users?filter=${f}`)).json()) as { totalResults: number };
  if (r.totalResults !== 1) throw new Error('lookup failed');
}
console.log(`${lookups} userName eq lookups (+ ${lookups} single-user pages): ${(performance.now() - t).toFixed(0)} ms`);
console.log(`heap after: ${mb(process.memoryUsage().heapUsed)}, rss ${mb(process.memoryUsage().rss)}`);
await server.stop();
