// The generator's translation of JSON Schema, and its types of today's document.
import { describe, expect, it } from 'vitest';
import { generateTypes, loadDocument } from './openapi.ts';
import { docComment, HTTP_METHODS, openApiToTypeScript, schemaType } from './openapi-types.ts';

describe('schemaType', () => {
  it('translates the JSON Schema that zod writes', () => {
    expect(schemaType({ type: 'string' })).toBe('string');
    expect(schemaType({ type: 'integer' })).toBe('number');
    expect(schemaType({ type: ['string', 'null'] })).toBe('string | null');
    expect(schemaType({ type: 'string', enum: ['a', "b'c"] })).toBe(`'a' | 'b\\'c'`);
    expect(schemaType({ const: true })).toBe('true');
    expect(schemaType({ type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'number' }] } })).toBe('(string | number)[]');
    expect(schemaType({ type: 'string', nullable: true })).toBe('string | null');
    expect(schemaType({})).toBe('unknown');
    expect(schemaType({ anyOf: [{ type: 'string' }, {}] })).toBe('unknown');
    expect(schemaType({ allOf: [{ $ref: '#/components/schemas/A' }, { type: 'object', properties: { b: { type: 'string' } } }] })).toBe(
      "components['schemas']['A'] & { b?: string; }",
    );
  });

  it('writes objects with required and optional members, records and closed records', () => {
    const user = { type: 'object', properties: { id: { type: 'string' }, 'x-y': { type: 'number' } }, required: ['id'] };
    expect(schemaType({ ...user, additionalProperties: false })).toBe("{ id: string; 'x-y'?: number; }");
    expect(schemaType({ type: 'object', additionalProperties: { type: 'string' } })).toBe('{ [key: string]: string; }');
    expect(schemaType({ type: 'object' })).toBe('{ [key: string]: unknown; }');
    expect(schemaType({ type: 'object', properties: {}, additionalProperties: false })).toBe('Record<string, never>');
    const closed = { type: 'object', propertyNames: { enum: ['new', 'old'] }, additionalProperties: { type: 'number' } };
    expect(schemaType(closed)).toBe('{ new: number; old: number; }');
    expect(schemaType({ type: 'object', properties: { a: { type: 'string', description: 'The A' } } })).toBe(
      '{ \n/** The A */\na?: string; }',
    );
  });

  it('wraps long descriptions and keeps them from closing the comment early', () => {
    expect(docComment(undefined)).toBe('');
    expect(docComment('a */ b')).toBe('\n/** a *\\/ b */\n');
    const long = docComment('word '.repeat(40));
    expect(long.split('\n').every((line) => line.length <= 104)).toBe(true);
  });
});

describe('openApiToTypeScript', () => {
  it('writes paths in the shape openapi-fetch reads, sharing identical error answers', () => {
    const error = { description: 'Default Response', content: { 'application/json': { schema: { type: 'object' } } } };
    const source = openApiToTypeScript({
      paths: {
        '/things/{id}': {
          get: {
            description: 'One thing.',
            parameters: [
              { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
              { name: 'q', in: 'query', schema: { type: 'string' } },
            ],
            responses: { '200': { content: { 'application/json': { schema: { type: 'string' } } } }, '404': error },
          },
          delete: { requestBody: { content: { 'application/json': { schema: { type: 'string' } } } }, responses: { '404': error } },
        },
      },
    });
    expect(source).toContain("'/things/{id}': {\n\n/** One thing. */\nget: {");
    expect(source).toContain('parameters: { query?: { q?: string; }; header?: never; path: { id: string; }; cookie?: never; }');
    expect(source).toContain("200: { headers: { [name: string]: unknown }; content: { 'application/json': string; }; };");
    expect(source).toContain("404: components['responses']['Error'];");
    expect(source).toContain("requestBody?: { content: { 'application/json': string; }; };");
    expect(source.match(/Error: \{/g)).toHaveLength(1);
    expect(source).not.toContain('put');
  });
});

describe('the generated portal types', () => {
  it('cover every operation of the current routes, formatted as the tree', async () => {
    const doc = await loadDocument();
    const source = await generateTypes(doc);
    const operations = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      HTTP_METHODS.filter((method) => item[method]).map((method) => [path, method]),
    );
    expect(operations.length).toBeGreaterThan(50);
    for (const [path, method] of operations) {
      const start = source.indexOf(`  '${path}': {\n`);
      expect(start, path).toBeGreaterThan(0);
      const end = source.indexOf('\n  };\n', start);
      expect(source.slice(start, end), `${method} ${path}`).toMatch(new RegExp(`\\n    ${method}: \\{`));
    }
    expect(source.split('\n').every((line) => line.length <= 140)).toBe(true);
    expect(source).toContain("components['responses']['Error']");
  });
});
