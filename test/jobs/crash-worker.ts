// Test fixture (queue.contract.test.ts): a worker process whose handler never returns. The test kills
// it with SIGKILL once it has claimed a job, to prove the job is not lost.
// Usage: node crash-worker.ts <embedded|pg-boss> <database url> <job name> <leaseMs>
import { openDatabase } from '../../server/db/database.ts';
import { createJobQueue } from '../../server/jobs/index.ts';

const [kind, url, name, leaseMs] = process.argv.slice(2);
if ((kind !== 'embedded' && kind !== 'pg-boss') || !url || !name || !leaseMs) {
  process.stderr.write('usage: crash-worker.ts <embedded|pg-boss> <url> <name> <leaseMs>\n');
  process.exit(2);
}
const database = openDatabase(url, { poolSize: 2 });
const queue = createJobQueue(database, { kind, connectionString: url, leaseMs: Number(leaseMs), pollIntervalMs: 50 });
queue.work(name, async (_payload, ctx) => {
  process.stdout.write(`claimed ${ctx.id} ${ctx.attempt}\n`);
  await new Promise(() => {});
});
await queue.start();
process.stdout.write('started\n');
