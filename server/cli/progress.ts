/** A progress bar on stderr (a line every few seconds when stderr is not a terminal). */
export class ProgressBar {
  readonly #out: NodeJS.WriteStream;
  readonly #started = performance.now();
  #lastLine = 0;

  constructor(out: NodeJS.WriteStream = process.stderr) {
    this.#out = out;
  }

  update(done: number, total: number, detail = ''): void {
    const now = performance.now();
    const rate = done / Math.max(0.001, (now - this.#started) / 1000);
    const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
    const text = `${done}/${total} ${pct}%  ${rate.toFixed(0)}/s${detail ? `  ${detail}` : ''}`;
    if (this.#out.isTTY) {
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      this.#out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K`);
    } else if (now - this.#lastLine > 5000 || done === total) {
      this.#lastLine = now;
      this.#out.write(`${text}\n`);
    }
  }

  done(): void {
    if (this.#out.isTTY) this.#out.write('\n');
  }
}
