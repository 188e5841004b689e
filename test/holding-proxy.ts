// A proxy in front of the test SCIM server that holds list requests, so that tests observe a read of
// the application still going on without any timing (the preview's tests).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A proxy in front of the SCIM server: the first list request passes, later ones wait for release(). */
export type HoldingProxy = Awaited<ReturnType<typeof holdingProxy>>;

export async function holdingProxy(target: string) {
  const { origin } = new URL(target);
  let allowed = 1;
  let passed = 0;
  let refuse = 0;
  let opened = Promise.withResolvers<void>();
  const listRequests: string[] = [];
  const server = http.createServer((req, res) => {
    void (async () => {
      if (/\/Users(\?|$)/.test(req.url ?? '')) {
        listRequests.push(req.url ?? '');
        while (passed >= allowed) await opened.promise;
        passed++;
        if (refuse > 0) {
          refuse--;
          res.writeHead(403, { 'content-type': 'application/scim+json' });
          res.end(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '403', detail: 'held back' }));
          return;
        }
      }
      const answer = await fetch(`${origin}${req.url}`, {
        method: req.method,
        headers: { authorization: req.headers.authorization ?? '', accept: 'application/scim+json' },
      });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/scim+json' });
      res.end(await answer.text());
    })().catch((err: unknown) => res.destroy(err as Error));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${new URL(target).pathname}`;
  const let_ = (n: number) => {
    allowed += n;
    const o = opened;
    opened = Promise.withResolvers<void>();
    o.resolve();
  };
  return {
    baseUrl,
    listRequests,
    release: (n = 1) => let_(n),
    /** From now on, one more list request passes and later ones wait again. */
    hold: () => {
      allowed = passed + 1;
    },
    releaseAll: () => let_(1_000_000),
    /**
     * List requests are refused (403) until `passAgain`: the read fails. Not only the next one: pages
     * are read in parallel, and a refused page read ahead of a fallback to one page at a time is
     * dropped and asked for again.
     */
    failFromNow: () => {
      refuse = Number.POSITIVE_INFINITY;
      let_(1_000_000);
    },
    passAgain: () => {
      refuse = 0;
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
