/**
 * Deterministic, stateless seed data. A seeded user is a pure function of (seed, index), so the
 * store materialises users only when they are read or written: 400,000 seeded users cost an index
 * array, not 400,000 objects. Ids encode the index through a keyed 32-bit permutation, so a GET by
 * id needs no id map either.
 */
import type { IdStyle } from './quirks.ts';
import { ENTERPRISE_USER } from './schema.ts';

/** 32-bit finaliser (xor-shift-multiply); good avalanche, cheap. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

function hash3(a: number, b: number, c: number): number {
  return mix32(Math.imul(a, 0x9e3779b1) ^ mix32(Math.imul(b, 0x85ebca77) ^ mix32(c + 0x632be5ab)));
}

/** Small seeded PRNG for faults and jitter. */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    return mix32(s) / 0x100000000;
  };
}

// Number#toString(16) + padStart dominated id generation in profiles; a byte table is ~20x faster.
const HEX_BYTES = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const hex8 = (n: number) => HEX_BYTES[(n >>> 24) & 255] + HEX_BYTES[(n >>> 16) & 255] + HEX_BYTES[(n >>> 8) & 255] + HEX_BYTES[n & 255];

export class IdCodec {
  readonly style: IdStyle;
  private readonly seed: number;
  private readonly keys: number[];
  constructor(seed: number, style: IdStyle) {
    this.seed = seed;
    this.style = style;
    this.keys = [1, 2, 3, 4].map((k) => hash3(seed, 0x5eed, k));
  }

  private permute(x: number): number {
    let l = x >>> 16;
    let r = x & 0xffff;
    for (const k of this.keys) {
      const nl = r;
      r = l ^ (mix32(r ^ k) & 0xffff);
      l = nl;
    }
    return ((l << 16) | r) >>> 0;
  }

  private unpermute(y: number): number {
    let l = y >>> 16;
    let r = y & 0xffff;
    for (let i = this.keys.length - 1; i >= 0; i--) {
      const nr = l;
      l = r ^ (mix32(l ^ this.keys[i]) & 0xffff);
      r = nr;
    }
    return ((l << 16) | r) >>> 0;
  }

  format(w0: number, salt: number, n: number, style: IdStyle = this.style): string {
    const w = [1, 2, 3, 4].map((k) => hex8(hash3(this.seed, n, salt + k)));
    const a = hex8(w0);
    switch (style) {
      case 'hex32':
        return a + w[0] + w[1] + w[2];
      case 'aws':
        return (
          `${a}${w[3].slice(0, 2)}-${w[0]}-${w[1].slice(0, 4)}-4${w[1].slice(5, 8)}-` +
          `${'89ab'[parseInt(w[2][0], 16) & 3]}${w[2].slice(1, 4)}-${w[2].slice(4)}${w[3]}`
        );
      case 'unusual':
        return `${a}&${w[0].slice(0, 4)} ${w[1].slice(0, 4)}+${w[2].slice(0, 6)}`;
      case 'uuid':
      default:
        return (
          `${a}-${w[0].slice(0, 4)}-4${w[0].slice(5, 8)}-` +
          `${'89ab'[parseInt(w[1][0], 16) & 3]}${w[1].slice(1, 4)}-${w[1].slice(4)}${w[2]}`
        );
    }
  }

  seededUserId(i: number): string {
    return this.format(this.permute(i), 100, i);
  }

  /** The seeded index an id stands for, if it is one of ours (verified by re-encoding). */
  decodeSeededUser(id: string, seededCount: number): number | undefined {
    if (id.length < 8 || !/^[0-9a-f]{8}/.test(id)) return undefined;
    const i = this.unpermute(parseInt(id.slice(0, 8), 16));
    if (i >= seededCount) return undefined;
    return this.seededUserId(i) === id ? i : undefined;
  }

  createdId(counter: number, style: IdStyle): string {
    return this.format(hash3(this.seed, counter, 0xc0ffee), 200, counter, style);
  }

  seededGroupId(k: number): string {
    return this.format(hash3(this.seed, k, 0x6c0), 300, k);
  }
}

// Short, varied name lists with non-ASCII names on purpose: clients must survive them.
const FIRST = [
  'Ada',
  'Alan',
  'Grace',
  'Linus',
  'Zoë',
  'José',
  'Łukasz',
  'Søren',
  'François',
  'Ana',
  'Mei',
  'Hiroshi',
  'Aarav',
  'Fatima',
  'Oluwaseun',
  'Björn',
  'Noémie',
  'Chloé',
  'Mateo',
  'Sofia',
  'Liam',
  'Olivia',
  'Noah',
  'Emma',
  'Yuki',
  'Priya',
  'Omar',
  'Leila',
  'Ivan',
  'Olga',
  'Ingrid',
  'Sven',
  'Élodie',
  'Raúl',
  'Thành',
  'Kwame',
  'Amara',
  'Daniel',
  'Sarah',
  'Michael',
  'Laura',
  'David',
  'Maria',
  'Jan',
  'Katarzyna',
  'Giulia',
  'Marco',
  'Aylin',
  'Emre',
  'Hana',
  'Siobhán',
  'Seán',
  'Ólafur',
  'Zuzana',
  'Tomáš',
  'Renée',
  'André',
  'Jürgen',
  'Dagný',
  'Wei',
];
const LAST = [
  'Müller',
  'García',
  'Kowalski',
  "O'Brien",
  'Nguyễn',
  'Størmer',
  'Šimunović',
  'Ångström',
  'van der Berg',
  'Smith',
  'Johnson',
  'Brown',
  'Williams',
  'Jones',
  'Miller',
  'Davis',
  'Rodríguez',
  'Martínez',
  'Hernández',
  'López',
  'González',
  'Wilson',
  'Anderson',
  'Taylor',
  'Thomas',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Pérez',
  'Thompson',
  'White',
  'Harris',
  'Sánchez',
  'Clark',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Hill',
  'Green',
  'Adams',
  'Baker',
  'Nelson',
  'Carter',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Novák',
  'Dvořák',
  'Yılmaz',
  'Kaya',
  'Tanaka',
  'Suzuki',
  'Kim',
  'Park',
  'Chen',
  'Wang',
  'Singh',
  'Patel',
  'Okafor',
  'Mensah',
  'Haddad',
  'Nowak',
  'Wiśniewski',
  'Lindqvist',
  'Johansson',
  'Jensen',
  'Rossi',
  'Ferrari',
  'Dubois',
  'Lefèvre',
  'Moreau',
  'de la Cruz',
  'Silva',
  'Santos',
  'Oliveira',
  'Costa',
  'Ivanov',
];
const TITLES = [
  'Software Engineer',
  'Senior Software Engineer',
  'Engineering Manager',
  'Product Manager',
  'Account Executive',
  'Sales Development Representative',
  'Marketing Specialist',
  'Financial Analyst',
  'HR Business Partner',
  'Support Engineer',
  'Legal Counsel',
  'Office Manager',
  'Data Scientist',
  'Product Designer',
  'IT Administrator',
  'Chief of Staff',
  'VP Engineering',
  'Recruiter',
  'Accountant',
  'Operations Lead',
];
/** Teams that are both departments and groups. */
const TEAMS = [
  'Engineering',
  'Sales',
  'Marketing',
  'Finance',
  'Human Resources',
  'Customer Support',
  'Legal',
  'Operations',
  'Product',
  'Design',
];
const DEPARTMENTS = [...TEAMS, 'IT', 'Research & Development'];
const USER_TYPES = ['Employee', 'Employee', 'Employee', 'Contractor', 'Intern'];
const LOCALES = ['en-US', 'de-DE', 'fr-FR', 'pl-PL', 'pt-BR', 'ja-JP'];
const CITIES: [locality: string, region: string, postalCode: string, country: string, street: string][] = [
  ['Berlin', 'BE', '10115', 'DE', 'Hauptstraße'],
  ['München', 'BY', '80331', 'DE', 'Leopoldstraße'],
  ['São Paulo', 'SP', '01310-100', 'BR', 'Avenida Paulista'],
  ['Kraków', 'MA', '31-042', 'PL', 'ul. Floriańska'],
  ['Zürich', 'ZH', '8001', 'CH', 'Bahnhofstrasse'],
  ['Paris', 'IDF', '75001', 'FR', 'Rue de Rivoli'],
  ['London', '', 'EC1A 1BB', 'GB', 'Aldersgate Street'],
  ['New York', 'NY', '10001', 'US', 'Broadway'],
  ['San Francisco', 'CA', '94105', 'US', 'Market Street'],
  ['Tokyo', '13', '100-0001', 'JP', 'Chiyoda'],
  ['Toronto', 'ON', 'M5H 2N2', 'CA', 'King Street West'],
  ['Reykjavík', '', '101', 'IS', 'Laugavegur'],
];
const GROUP_NAMES = [
  ...TEAMS,
  'IT Admins',
  'All Staff – Berlin',
  'Zürich Office',
  'Contractors',
  'Managers',
  'On-Call',
  'Security Champions',
  'Interns 2024',
  'Data & Analytics',
  'Executives',
];

const SPECIAL_FOLD: Record<string, string> = { ł: 'l', Ł: 'L', ø: 'o', Ø: 'O', ß: 'ss', đ: 'd', Đ: 'D', ı: 'i', æ: 'ae', Æ: 'AE' };

/** ASCII, lower-case, letters and digits only: `Łukasz` -> `lukasz`, `O'Brien` -> `obrien`. */
function asciiFold(s: string): string {
  return s
    .replace(/[łŁøØßđĐıæÆ]/g, (c) => SPECIAL_FOLD[c] ?? c)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

const FIRST_FOLD = FIRST.map(asciiFold);
const LAST_FOLD = LAST.map(asciiFold);
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** 2023-01-01T00:00:00Z: seeded users were created over the following months. */
const SEED_EPOCH = Date.UTC(2023, 0, 1);
const DAY = 86_400_000;

export interface SeededUser {
  created: number;
  lastModified: number;
  data: Record<string, unknown>;
}

export class UserSeeder {
  private readonly seed: number;
  private readonly codec: IdCodec;
  constructor(seed: number, codec: IdCodec) {
    this.seed = seed;
    this.codec = codec;
  }

  private r(i: number, k: number): number {
    return hash3(this.seed, i, k);
  }

  private names(i: number): { f: number; l: number } {
    return { f: this.r(i, 1) % FIRST.length, l: this.r(i, 2) % LAST.length };
  }

  displayName(i: number): string {
    const { f, l } = this.names(i);
    return `${FIRST[f]} ${LAST[l]}`;
  }

  userName(i: number): string {
    const { f, l } = this.names(i);
    const n = i + 1;
    if (this.r(i, 5) % 23 === 0) return `${cap(FIRST_FOLD[f])}.${cap(LAST_FOLD[l])}${n}@Example.com`;
    return `${FIRST_FOLD[f]}.${LAST_FOLD[l]}${n}@example.com`;
  }

  /** Inverse of userName(): the index a userName could belong to, if it has the seeded shape. */
  static indexFromUserName(lower: string): number | undefined {
    const m = /\.[a-z]*?(\d+)@example\.com$/.exec(lower);
    return m ? Number(m[1]) - 1 : undefined;
  }

  /** Lower-cased email values user i is generated with. */
  emailValues(i: number): string[] {
    const { f, l } = this.names(i);
    const n = i + 1;
    const out = [`${FIRST_FOLD[f]}.${LAST_FOLD[l]}${n}@example.com`];
    if (this.r(i, 6) % 5 === 0) out.push(`${FIRST_FOLD[f]}${n}@mail.example.net`);
    return out;
  }

  static indexFromEmail(lower: string): number | undefined {
    const m = /(\d+)@(example\.com|mail\.example\.net)$/.exec(lower);
    return m ? Number(m[1]) - 1 : undefined;
  }

  externalId(i: number): string | undefined {
    return (i + 1) % 10 === 3 ? `hr-${100000 + i + 1}` : undefined;
  }

  static indexFromExternalId(value: string): number | undefined {
    const m = /^hr-(\d+)$/.exec(value);
    return m ? Number(m[1]) - 100000 - 1 : undefined;
  }

  user(i: number): SeededUser {
    const { f, l } = this.names(i);
    const n = i + 1;
    const first = FIRST[f];
    const last = LAST[l];
    const local = `${FIRST_FOLD[f]}.${LAST_FOLD[l]}${n}`;
    const middle = this.r(i, 3) % 7 === 0 ? FIRST[this.r(i, 4) % FIRST.length] : undefined;
    const emails: Record<string, unknown>[] = [{ value: `${local}@example.com`, type: 'work', primary: true }];
    if (this.r(i, 6) % 5 === 0) emails.push({ value: `${FIRST_FOLD[f]}${n}@mail.example.net`, type: 'home' });
    const data: Record<string, unknown> = {};
    const externalId = this.externalId(i);
    if (externalId) data.externalId = externalId;
    data.userName = this.userName(i);
    data.name = {
      formatted: middle ? `${first} ${middle} ${last}` : `${first} ${last}`,
      familyName: last,
      givenName: first,
      ...(middle ? { middleName: middle } : {}),
    };
    data.displayName = `${first} ${last}`;
    data.title = TITLES[this.r(i, 8) % TITLES.length];
    data.userType = USER_TYPES[this.r(i, 16) % USER_TYPES.length];
    if (this.r(i, 17) % 6 === 0) data.locale = LOCALES[this.r(i, 20) % LOCALES.length];
    data.active = this.r(i, 7) % 12 !== 0;
    data.emails = emails;
    const phoneRoll = this.r(i, 13);
    if (phoneRoll % 2 === 0) {
      const phones: Record<string, unknown>[] = [
        { value: `+1 555 01${String(phoneRoll % 100).padStart(2, '0')} ${String(n % 10000).padStart(4, '0')}`, type: 'work' },
      ];
      if (this.r(i, 14) % 3 === 0) phones.push({ value: `+49 151 ${String(this.r(i, 21) % 100000000).padStart(8, '0')}`, type: 'mobile' });
      data.phoneNumbers = phones;
    }
    if (this.r(i, 15) % 3 === 0) {
      const [locality, region, postalCode, country, street] = CITIES[this.r(i, 22) % CITIES.length];
      const streetAddress = `${street} ${1 + (this.r(i, 23) % 180)}`;
      data.addresses = [
        {
          type: 'work',
          streetAddress,
          locality,
          ...(region ? { region } : {}),
          postalCode,
          country,
          formatted: `${streetAddress}\n${postalCode} ${locality}\n${country}`,
          primary: true,
        },
      ];
    }
    const ext: Record<string, unknown> = {
      employeeNumber: String(100000 + n),
      costCenter: `CC-${1000 + (this.r(i, 10) % 90) * 10}`,
      organization: 'Example Corp',
      department: DEPARTMENTS[this.r(i, 9) % DEPARTMENTS.length],
    };
    if (i > 0 && this.r(i, 11) % 4 !== 0) {
      const j = this.r(i, 12) % i;
      ext.manager = { value: this.codec.seededUserId(j), displayName: this.displayName(j) };
    }
    data[ENTERPRISE_USER] = ext;
    const created = SEED_EPOCH + i * 40_000 + (this.r(i, 18) % 40_000);
    const lastModified = created + (this.r(i, 19) % (300 * DAY));
    return { created, lastModified, data };
  }
}

export interface SeededGroup {
  id: string;
  created: number;
  lastModified: number;
  data: Record<string, unknown>;
  memberIndexes: number[];
}

export function seedGroups(seed: number, codec: IdCodec, groups: number, users: number, membersPerGroup?: number): SeededGroup[] {
  const out: SeededGroup[] = [];
  for (let k = 0; k < groups; k++) {
    const base = GROUP_NAMES[k % GROUP_NAMES.length];
    const displayName = k < GROUP_NAMES.length ? base : `${base} ${Math.floor(k / GROUP_NAMES.length) + 1}`;
    const roll = hash3(seed, k, 0x9a);
    let size = membersPerGroup ?? (roll % 9 === 0 ? 0 : 2 + (roll % 24));
    size = Math.min(size, users);
    const picked = new Set<number>();
    // Distinct members: draw until we have enough; for big groups relative to users walk sequentially.
    if (size > users / 2) for (let i = 0; picked.size < size; i++) picked.add((roll + i) % users);
    else for (let d = 0; picked.size < size; d++) picked.add(hash3(seed, k * 7919 + d, 0x3e) % users);
    const data: Record<string, unknown> = { displayName };
    if (k % 3 === 1) data.externalId = `grp-${1000 + k}`;
    const created = SEED_EPOCH + k * 3_600_000;
    out.push({ id: codec.seededGroupId(k), created, lastModified: created + (roll % (30 * DAY)), data, memberIndexes: [...picked] });
  }
  return out;
}
