import { text } from 'node:stream/consumers';

/**
 * Reads a secret: all of stdin when asked to (`--password-stdin`) or when stdin is not a terminal
 * (piped, as in scripts and tests; one trailing newline dropped), otherwise from a prompt that
 * echoes nothing of what is typed.
 */
export async function readSecret(question: string, fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) return (await text(process.stdin)).replace(/\r?\n$/, '');
  // Loaded only when a terminal is asked: scripts and piped input never pay for it.
  const { default: password } = await import('@inquirer/password');
  return password({ message: question });
}
