// Roster's data folder and database files hold password hashes, sessions and encrypted secrets: only
// the user Roster runs as may read them. Folders Roster creates are 0700 and its files 0600; files an
// older version left world-readable are tightened when opened.
import fs from 'node:fs';

/** Creates the folder (and missing parents) 0700; an existing one of ours that others may read is tightened. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.statSync(dir);
  // A shared folder (sticky bit, as /tmp) or someone else's is never ours to change.
  const ours = st.uid === process.getuid?.() && (st.mode & 0o1000) === 0;
  if (ours && (st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}

/** Makes sure the file exists (empty when new) and only its owner can read or write it. */
export function ensurePrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  tightenFile(file);
}

/** 0600 for a file of ours that others may read; missing files are fine. */
export function tightenFile(file: string): void {
  try {
    const st = fs.statSync(file);
    if (st.uid === process.getuid?.() && (st.mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
