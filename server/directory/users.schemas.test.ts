// Property-based tests of the user payload validators.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createUserSchema, updateUserSchema, userProblems } from './users.schemas.ts';

const okText = (max: number) => fc.string({ maxLength: max, unit: 'grapheme' }).filter((s) => !/[\u0000-\u001f\u007f-\u009f]/.test(s));
const username = fc.stringMatching(/^[a-z0-9._@+-]{1,60}$/);
const email = fc
  .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,30}$/), fc.stringMatching(/^[a-z0-9]{1,20}$/), fc.constantFrom('com', 'org', 'io'))
  .map(([l, d, t]) => `${l}@${d}.${t}`)
  .filter((e) => !/\.\.|\.@/.test(e));
const validUser = fc.record(
  {
    username,
    email,
    firstname: okText(100),
    middlename: okText(100),
    lastname: okText(100),
    displayname: okText(256),
    jobTitle: okText(256),
    department: okText(256),
    costCenter: okText(256),
    employeeType: okText(256),
    employeeIdentifier: okText(256),
    organization: okText(256),
    state: fc.constantFrom('STAGED', 'ACTIVE', 'SUSPENDED'),
    addresses: fc.array(fc.record({ type: fc.constantFrom('work', 'home'), locality: okText(128), country: okText(128) }), {
      maxLength: 3,
    }),
    phoneNumbers: fc.array(fc.record({ type: fc.constantFrom('work', 'home'), number: fc.stringMatching(/^\+?[0-9]{3,15}$/) }), {
      maxLength: 3,
    }),
  },
  { requiredKeys: ['username', 'email'] },
);

describe('user payload validators', () => {
  it('accept every well-formed user and keep its values (trimmed)', () => {
    fc.assert(
      fc.property(validUser, (u) => {
        const r = createUserSchema.safeParse(u);
        expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
        expect(r.data?.username).toBe(u.username);
        expect(r.data?.firstname).toBe(u.firstname?.trim());
      }),
    );
  });

  it('never throw on arbitrary JSON, and always name a field when they refuse', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const problems = userProblems(v);
        for (const p of problems) expect(typeof p.message).toBe('string');
        if (typeof v !== 'object' || v === null || Array.isArray(v)) expect(problems.length).toBeGreaterThan(0);
        expect(() => updateUserSchema.safeParse(v)).not.toThrow();
      }),
    );
  });

  it('refuse any attribute over its length limit, naming that attribute', () => {
    const limits = {
      firstname: 100,
      lastname: 100,
      middlename: 100,
      displayname: 256,
      jobTitle: 256,
      department: 256,
      costCenter: 256,
      employeeType: 256,
      employeeIdentifier: 256,
      organization: 256,
      username: 100,
    } as const;
    fc.assert(
      fc.property(
        validUser,
        fc.constantFrom(...(Object.keys(limits) as (keyof typeof limits)[])),
        fc.integer({ min: 1, max: 50 }),
        (u, field, extra) => {
          const bad = { ...u, [field]: 'a'.repeat(limits[field] + extra) };
          const problems = userProblems(bad);
          expect(problems.map((p) => p.path)).toContain(field);
        },
      ),
    );
  });

  it('refuse unknown keys (including prototype-pollution names) and wrong types', () => {
    fc.assert(
      fc.property(
        validUser,
        fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'isAdmin'), fc.stringMatching(/^x[a-zA-Z]{1,10}$/)),
        fc.jsonValue(),
        (u, key, value) => {
          const bad = JSON.parse(JSON.stringify({ ...u, [key]: value ?? 1 }).replace(/}$/, `,${JSON.stringify(key)}:1}`));
          expect(createUserSchema.safeParse(bad).success).toBe(false);
        },
      ),
    );
    fc.assert(
      fc.property(
        validUser,
        fc.constantFrom('firstname', 'email', 'username', 'state', 'addresses'),
        fc.oneof(fc.integer(), fc.boolean(), fc.object()),
        (u, field, value) => {
          expect(createUserSchema.safeParse({ ...u, [field]: value }).success).toBe(false);
        },
      ),
    );
  });

  it('refuse strings that are not email addresses', () => {
    fc.assert(
      fc.property(
        validUser,
        fc.string().filter((s) => !s.includes('@')),
        (u, notEmail) => {
          expect(userProblems({ ...u, email: notEmail }).map((p) => p.path)).toContain('email');
        },
      ),
    );
  });
});
