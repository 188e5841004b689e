// Turns an OpenAPI 3.1 document into TypeScript types in the shape openapi-fetch reads (`paths`, the
// format openapi-typescript writes). openapi-typescript itself needs TypeScript's JS API, which the
// native TypeScript 7 compiler this project uses does not have; the document's schemas come from zod
// and use a small part of JSON Schema, which this covers (an unknown keyword widens to `unknown`).

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  items?: JsonSchema | JsonSchema[];
  prefixItems?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  nullable?: boolean;
  description?: string;
}

interface MediaObject {
  schema?: JsonSchema;
}

export interface ResponseObject {
  description?: string;
  content?: Record<string, MediaObject>;
}

interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
}

interface OperationObject {
  description?: string;
  summary?: string;
  parameters?: ParameterObject[];
  requestBody?: { required?: boolean; content?: Record<string, MediaObject> };
  responses?: Record<string, ResponseObject>;
}

export interface OpenApiDocument {
  paths?: Record<string, Record<string, OperationObject | ParameterObject[] | undefined>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const PARAMETER_PLACES = ['query', 'header', 'path', 'cookie'] as const;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

const literal = (value: unknown): string => (typeof value === 'string' ? `'${value.replace(/[\\']/g, '\\$&')}'` : JSON.stringify(value));
// Status codes stay numbers: openapi-fetch picks answers by numeric keys (200, 404).
const key = (name: string): string => (IDENTIFIER.test(name) || /^[1-9]\d*$/.test(name) ? name : literal(name));

/** A JSDoc block for a description (or nothing), its lines at most about 100 characters. */
export function docComment(text: string | undefined, indent = ''): string {
  if (!text?.trim()) return '';
  const words = text.replace(/\*\//g, '*\\/').split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  for (const word of words) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + word.length < 100) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  // The leading line break keeps the comment on the member it describes, not after the one before.
  if (lines.length === 1) return `\n${indent}/** ${lines[0]} */\n`;
  return `\n${indent}/**\n${lines.map((l) => `${indent} * ${l}`).join('\n')}\n${indent} */\n`;
}

const union = (parts: string[]): string => {
  const unique = [...new Set(parts)];
  if (unique.includes('unknown')) return 'unknown';
  return unique.length === 0 ? 'never' : unique.join(' | ');
};
const group = (type: string): string => (/[|&]/.test(type) && !/^[{(]/.test(type) ? `(${type})` : type);

function refType(ref: string): string {
  const match = /^#\/components\/(schemas|responses)\/(.+)$/.exec(ref);
  if (!match) return 'unknown';
  return `components[${literal(match[1])}][${literal(match[2].replace(/~1/g, '/').replace(/~0/g, '~'))}]`;
}

function objectType(schema: JsonSchema): string {
  const required = new Set(schema.required ?? []);
  const members = Object.entries(schema.properties ?? {}).map(
    ([name, property]) => `${docComment(property.description)}${key(name)}${required.has(name) ? '' : '?'}: ${schemaType(property)};`,
  );
  const extra = schema.additionalProperties;
  if (extra !== false && (extra !== undefined || members.length === 0)) {
    const value = extra === undefined || extra === true ? 'unknown' : schemaType(extra);
    const names = schema.propertyNames?.enum;
    // A record over a closed set of names (zod's z.record(z.enum(...), ...)) has every name.
    if (names && members.length === 0) return `{ ${names.map((n) => `${key(String(n))}: ${value};`).join(' ')} }`;
    members.push(`[key: string]: ${value};`);
  }
  return members.length === 0 ? 'Record<string, never>' : `{ ${members.join(' ')} }`;
}

function typeOf(schema: JsonSchema, type: string): string {
  switch (type) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'null':
      return type;
    case 'integer':
      return 'number';
    case 'array':
      if (schema.prefixItems) return `[${schema.prefixItems.map(schemaType).join(', ')}]`;
      if (Array.isArray(schema.items)) return `[${schema.items.map(schemaType).join(', ')}]`;
      return `${group(schema.items ? schemaType(schema.items) : 'unknown')}[]`;
    case 'object':
      return objectType(schema);
    default:
      return 'unknown';
  }
}

/** The TypeScript type of a JSON schema. */
export function schemaType(schema: JsonSchema | boolean | undefined): string {
  if (schema === undefined || schema === true) return 'unknown';
  if (schema === false) return 'never';
  let type: string;
  if (schema.$ref) type = refType(schema.$ref);
  else if (schema.const !== undefined) type = literal(schema.const);
  else if (schema.enum) type = union(schema.enum.map(literal));
  else if (schema.anyOf ?? schema.oneOf) type = union((schema.anyOf ?? schema.oneOf ?? []).map(schemaType));
  else if (schema.allOf) type = schema.allOf.map((s) => group(schemaType(s))).join(' & ') || 'unknown';
  else if (Array.isArray(schema.type)) type = union(schema.type.map((t) => typeOf(schema, t)));
  else if (schema.type) type = typeOf(schema, schema.type);
  else if (schema.properties) type = objectType(schema);
  else type = 'unknown';
  return schema.nullable && type !== 'unknown' ? union([type, 'null']) : type;
}

function contentType(content: Record<string, MediaObject> | undefined): string {
  const entries = Object.entries(content ?? {});
  if (entries.length === 0) return 'content?: never;';
  return `content: { ${entries.map(([media, m]) => `${literal(media)}: ${schemaType(m.schema)};`).join(' ')} };`;
}

function responseType(response: ResponseObject): string {
  return `{ headers: { [name: string]: unknown }; ${contentType(response.content)} }`;
}

function parametersType(parameters: ParameterObject[]): string {
  const places = PARAMETER_PLACES.map((place) => {
    const own = parameters.filter((p) => p.in === place);
    if (own.length === 0) return `${place}?: never;`;
    const optional = own.every((p) => !p.required) ? '?' : '';
    const members = own.map((p) => `${docComment(p.description)}${key(p.name)}${p.required ? '' : '?'}: ${schemaType(p.schema)};`);
    return `${place}${optional}: { ${members.join(' ')} };`;
  });
  return `{ ${places.join(' ')} }`;
}

/** Identical error answers (the one error body) are written once, as components['responses'][name]. */
class SharedResponses {
  readonly byJson = new Map<string, { name: string; type: string }>();

  typeFor(status: string, response: ResponseObject): string {
    if (!/^(4|5|default)/.test(status)) return responseType(response);
    const json = JSON.stringify(response);
    let shared = this.byJson.get(json);
    if (!shared) {
      shared = { name: this.byJson.size === 0 ? 'Error' : `Error${this.byJson.size + 1}`, type: responseType(response) };
      this.byJson.set(json, shared);
    }
    return `components['responses'][${literal(shared.name)}]`;
  }
}

function operationType(op: OperationObject, inherited: ParameterObject[], shared: SharedResponses): string {
  const own = op.parameters ?? [];
  const parameters = [...inherited.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)), ...own];
  const body = op.requestBody?.content
    ? `requestBody${op.requestBody.required ? '' : '?'}: { ${contentType(op.requestBody.content)} };`
    : 'requestBody?: never;';
  const responses = Object.entries(op.responses ?? {}).map(([status, r]) => `${key(status)}: ${shared.typeFor(status, r)};`);
  return `{\nparameters: ${parametersType(parameters)};\n${body}\nresponses: { ${responses.join(' ')} };\n}`;
}

/** The `paths` and `components` types of the document, as one TypeScript module's source. */
export function openApiToTypeScript(doc: OpenApiDocument, header = ''): string {
  const shared = new SharedResponses();
  const paths = Object.entries(doc.paths ?? {}).map(([path, item]) => {
    const inherited = (item.parameters ?? []) as ParameterObject[];
    // Methods the path lacks are left out: openapi-fetch offers only the ones present.
    const methods = HTTP_METHODS.flatMap((method) => {
      const op = item[method] as OperationObject | undefined;
      return op ? [`${docComment(op.summary ?? op.description)}${method}: ${operationType(op, inherited, shared)};`] : [];
    });
    return `${literal(path)}: {\n${methods.join('\n')}\n};`;
  });
  const schemas = Object.entries(doc.components?.schemas ?? {}).map(([name, s]) => `${key(name)}: ${schemaType(s)};`);
  const responses = [...shared.byJson.values()].map((r) => `${key(r.name)}: ${r.type};`);
  return [
    header,
    `export interface paths {\n${paths.join('\n')}\n}`,
    'export type webhooks = Record<string, never>;',
    `export interface components {\nschemas: {\n${schemas.join('\n')}\n};\nresponses: {\n${responses.join('\n')}\n};`,
    'parameters: never;\nrequestBodies: never;\nheaders: never;\npathItems: never;\n}',
    'export type $defs = Record<string, never>;',
    'export type operations = Record<string, never>;',
    '',
  ].join('\n');
}
