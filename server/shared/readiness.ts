// What a process still waits for before it can serve: /readyz answers 503 naming these until the set is empty.
// Start-up steps register themselves before the server listens (so a probe never sees "ready" too early)
// and clear themselves when done.
export class Readiness {
  readonly #waiting = new Set<string>();

  wait(what: string): void {
    this.#waiting.add(what);
  }

  done(what: string): void {
    this.#waiting.delete(what);
  }

  /** In the order the steps were registered. */
  get waitingFor(): string[] {
    return [...this.#waiting];
  }
}
