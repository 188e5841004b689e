// `npm run lint` part: no line over 140 characters in the code (prettier wraps what it can; strings,
// comments and template literals it leaves alone, so this check catches those).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const MAX = 140;
const ROOTS = ['server', 'web/src', 'test', 'bench', 'scripts'];
const CODE = /\.(ts|tsx|js|cjs|mjs)$/;
const SKIP = new Set(['node_modules', 'dist']);

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (CODE.test(entry.name)) yield path;
  }
}

const roots = process.argv.length > 2 ? process.argv.slice(2) : ROOTS;
let long = 0;
for (const root of roots) {
  for (const file of files(root)) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.length > MAX) {
          long++;
          console.log(`${file}:${i + 1}: ${line.length} characters (at most ${MAX})`);
        }
      });
  }
}
if (long > 0) {
  console.log(`${long} line(s) over ${MAX} characters`);
  process.exit(1);
}
