// The error-code catalogue (server/shared/errors.ts): every code the server answers with is in it, with
// the status it is answered with; every code in it is used; and the OpenAPI document lists it.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { perSuite } from '../../test/suite.ts';
import { ERROR_CODE_LIST, ERROR_CODES, type ErrorCode } from '../shared/errors.ts';

const SERVER = path.resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return sources(file);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [file] : [];
  });
}

/** Where the server states a code with its status: [code, status, file]. */
function statedCodes(): Array<[string, number, string]> {
  const found: Array<[string, number, string]> = [];
  const patterns: Array<[RegExp, (m: RegExpExecArray) => [string, number]]> = [
    [/new AppError\(\s*'(\w+)',\s*(\d+)/g, (m) => [m[1], Number(m[2])]],
    [/\bconflict\(\s*'(\w+)'/g, (m) => [m[1], 409]],
    [/\bbadRequest\(\s*'(\w+)'/g, (m) => [m[1], 400]],
    [/\bstatus: (\d+),\s*code: '(\w+)'/g, (m) => [m[2], Number(m[1])]],
    [/\.code\((\d+)\)\.send\(errorBody\(\s*'(\w+)'/g, (m) => [m[2], Number(m[1])]],
    [/\[(\d+), '(\w+)', '/g, (m) => [m[2], Number(m[1])]],
  ];
  for (const file of sources(SERVER)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const [re, read] of patterns) {
      for (const m of text.matchAll(re)) found.push([...read(m), path.relative(SERVER, file)]);
    }
  }
  return found;
}

describe('error catalogue', () => {
  it('has every code the server states, with the status it answers with', () => {
    const stated = statedCodes();
    expect(stated.length).toBeGreaterThan(60);
    for (const [code, status, file] of stated) {
      expect(ERROR_CODES, `${code} in ${file}`).toHaveProperty([code]);
      expect(ERROR_CODES[code as ErrorCode].status, `${code} in ${file}`).toBe(status);
    }
  });

  it('holds no code the server never uses, and a one-line meaning for each', () => {
    const text = sources(SERVER)
      .filter((f) => !f.endsWith(path.join('shared', 'errors.ts')))
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
    for (const code of ERROR_CODE_LIST) {
      expect(text, code).toContain(`'${code}'`);
      expect(ERROR_CODES[code].meaning, code).toMatch(/^[^\n]{10,140}$/);
    }
  });
});

describe('the OpenAPI document', () => {
  const t = perSuite(() => createTestApp('sqlite'));

  it('lists the catalogue as the enum of the error body code, each code with its status and meaning', async () => {
    const doc = (await t.anonymous({ url: '/api/v1/openapi.json' })).json();
    const codeSchema = doc.components.schemas.ErrorCode;
    expect(codeSchema.enum).toEqual(ERROR_CODE_LIST);
    expect(codeSchema['x-enum-descriptions']).toEqual(ERROR_CODE_LIST.map((c) => ERROR_CODES[c].meaning));
    for (const code of ERROR_CODE_LIST) {
      expect(codeSchema.description).toContain(`- \`${code}\` (${ERROR_CODES[code].status}): ${ERROR_CODES[code].meaning}`);
    }
    expect(doc.components.schemas.Error.properties.error.properties.code).toEqual({ $ref: '#/components/schemas/ErrorCode' });
    // Routes refer to the one error body.
    expect(doc.paths['/api/v1/groups'].get.responses['401'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Error',
    });
  });

  it('answers with codes of the catalogue', async () => {
    const res = await t.anonymous({ url: '/api/v1/groups' });
    expect(res.statusCode).toBe(401);
    expect(ERROR_CODE_LIST).toContain(res.json().error.code);
  });
});
