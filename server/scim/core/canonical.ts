// A resource as a client sent it, with every attribute the schemas define in its canonical spelling
// (names are case-insensitive, RFC 7643 2.1): `USERNAME` is `userName`, `Emails[].Value` is
// `emails[].value`, an extension's URN in any case is the extension's URN. Attributes no schema
// defines keep the client's spelling. Keys that would reach Object.prototype are dropped.
import { findAttribute, type AttributeDef } from './attributes.ts';
import { attributesOf, extensionUrn, type ResourceTypeName } from './schema.ts';
import { isRecord, type JsonObject } from '../util.ts';

const UNSAFE = new Set(['__proto__', 'constructor', 'prototype']);

function canonicalObject(o: JsonObject, defs: readonly AttributeDef[], resourceType?: ResourceTypeName): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) {
    if (UNSAFE.has(k)) continue;
    if (resourceType && k.toLowerCase() === 'schemas') {
      out.schemas = v;
      continue;
    }
    const ext = resourceType ? extensionUrn(resourceType, k) : undefined;
    if (ext !== undefined) {
      out[ext] = isRecord(v) ? canonicalObject(v, attributesOf(resourceType!, ext)) : v;
      continue;
    }
    const def = findAttribute(defs, k);
    const subs = def?.subAttributes ?? [];
    const inner = (x: unknown) => (isRecord(x) ? canonicalObject(x, subs) : x);
    out[def?.name ?? k] = Array.isArray(v) ? v.map(inner) : inner(v);
  }
  return out;
}

export function canonicalResource(resource: JsonObject, resourceType: ResourceTypeName): JsonObject {
  return canonicalObject(resource, attributesOf(resourceType), resourceType);
}
