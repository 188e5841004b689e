/**
 * Rate limiting (token bucket, R1-R4), fault selection and the canned bodies faults answer with.
 * The socket-level parts (reset, hang, drip) live in server.ts.
 */
import type { FaultRule, RateLimit } from './quirks.ts';
import { CORE_USER, LIST_RESPONSE } from './schema.ts';
import { prng } from './seed.ts';

export interface RateDecision {
  ok: boolean;
  limit: number;
  remaining: number;
  /** Seconds until at least one request is allowed again. */
  resetSeconds: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly cfg: RateLimit;
  constructor(cfg: RateLimit, now = Date.now()) {
    this.cfg = cfg;
    this.tokens = cfg.burst;
    this.last = now;
  }

  applies(method: string, relPath: string): boolean {
    if (this.cfg.methods && !this.cfg.methods.some((m) => m.toUpperCase() === method)) return false;
    if (this.cfg.paths && !this.cfg.paths.some((p) => relPath.toLowerCase().startsWith(p.toLowerCase()))) return false;
    return true;
  }

  take(now = Date.now()): RateDecision {
    const { requestsPerSecond: rps, burst } = this.cfg;
    this.tokens = Math.min(burst, this.tokens + ((now - this.last) / 1000) * rps);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return {
        ok: true,
        limit: burst,
        remaining: Math.floor(this.tokens),
        resetSeconds: this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / rps),
      };
    }
    return { ok: false, limit: burst, remaining: 0, resetSeconds: Math.max(1, Math.ceil((1 - this.tokens) / rps)) };
  }
}

interface RuleState {
  matched: number;
  fired: number;
}

export class FaultPicker {
  private state = new WeakMap<FaultRule, RuleState>();
  private rand: () => number;
  constructor(seed: number) {
    this.rand = prng(seed);
  }

  reseed(seed: number): void {
    this.rand = prng(seed);
  }

  random(): number {
    return this.rand();
  }

  /**
   * The first rule that fires for this request. `relPath` is relative to the base path; requests
   * to the token endpoint only match rules whose path names it explicitly.
   */
  pick(
    rules: FaultRule[],
    method: string,
    relPath: string,
    isTokenEndpoint: boolean,
    tokenPath: string,
    query?: URLSearchParams,
  ): FaultRule | undefined {
    for (const rule of rules) {
      if (rule.query && !Object.entries(rule.query).every(([k, v]) => query?.get(k) === v)) continue;
      if (rule.method !== undefined) {
        const methods = Array.isArray(rule.method) ? rule.method : [rule.method];
        if (!methods.some((m) => m.toUpperCase() === method)) continue;
      }
      if (isTokenEndpoint) {
        if (rule.path?.toLowerCase() !== tokenPath.toLowerCase()) continue;
      } else if (rule.path !== undefined && !relPath.toLowerCase().startsWith(rule.path.toLowerCase())) continue;
      let st = this.state.get(rule);
      if (!st) this.state.set(rule, (st = { matched: 0, fired: 0 }));
      st.matched++;
      const n = st.matched - (rule.after ?? 0);
      if (n <= 0) continue;
      if (rule.first !== undefined && n > rule.first) continue;
      if (rule.every !== undefined && n % rule.every !== 0) continue;
      if (rule.times !== undefined && st.fired >= rule.times) continue;
      if (rule.probability !== undefined && this.rand() >= rule.probability) continue;
      st.fired++;
      return rule;
    }
    return undefined;
  }
}

export const MALFORMED_JSON =
  `{"schemas":["${LIST_RESPONSE}"],"totalResults":3,` +
  '"Resources":[{"id":"2819c223","userName":"bjensen@example.com","name":{"givenName":"Barb';

export const WRONG_ENVELOPE = { schemas: [LIST_RESPONSE], totalResults: 'abc', startIndex: '1', itemsPerPage: null, Resources: {} };

export function htmlPage(status: number): string {
  if (status === 200) {
    return (
      '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><h1>Sign in to continue</h1>' +
      '<form method="post" action="/login"><input name="username"><input name="password" type="password">' +
      '<button>Sign in</button></form></body></html>\n'
    );
  }
  return (
    `<!DOCTYPE html>\n<html><head><title>${status} Bad Gateway</title></head>` +
    `<body><center><h1>${status} Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n`
  );
}

const oversizedCache = new Map<number, string>();

/** A syntactically valid ListResponse of at least `bytes` bytes. */
export function oversizedBody(bytes: number): string {
  const cached = oversizedCache.get(bytes);
  if (cached) return cached;
  const parts: string[] = [];
  let size = 0;
  for (let n = 0; size < bytes; n++) {
    const user = JSON.stringify({
      schemas: [CORE_USER],
      id: `big-${n.toString(16).padStart(8, '0')}`,
      userName: `big.user${n}@example.com`,
      displayName: `Big User ${n}`,
      title: 'Padding to make the response large '.repeat(8),
      active: true,
    });
    parts.push(user);
    size += user.length + 1;
  }
  const body =
    `{"schemas":["${LIST_RESPONSE}"],"totalResults":${parts.length},"startIndex":1,` +
    `"itemsPerPage":${parts.length},"Resources":[${parts.join(',')}]}`;
  if (oversizedCache.size > 4) oversizedCache.clear();
  oversizedCache.set(bytes, body);
  return body;
}
