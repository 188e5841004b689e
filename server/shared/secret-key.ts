// The key that encrypts secrets at rest: ROSTER_SECRET_KEY, else a key file generated once in the data folder.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, tightenFile } from './private-files.ts';

const SECRET_KEY_FILE = 'secret.key';

export function loadOrCreateSecretKey(dataDir: string, fromConfig?: Buffer): Buffer {
  if (fromConfig) return fromConfig;
  const file = path.join(dataDir, SECRET_KEY_FILE);
  try {
    const hex = fs.readFileSync(file, 'utf8').trim();
    tightenFile(file);
    if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`${file} does not hold a 64-hex-character key`);
    return Buffer.from(hex, 'hex');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  ensurePrivateDir(dataDir);
  const key = randomBytes(32);
  try {
    // wx: never overwrite a key another process wrote a moment ago.
    fs.writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSecretKey(dataDir);
    throw err;
  }
}
