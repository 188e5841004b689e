// The discovery documents: /Schemas (RFC 7643 §7, §8.7.1) and /ResourceTypes (RFC 7643 §6), built
// from the same definitions the filter, PATCH and projection code use, so they describe exactly
// what is served.
import { SCHEMAS } from '../types.ts';
import type { AttributeDef } from './attributes.ts';
import { RESOURCE_TYPES, SCHEMA_DEFS } from './schema.ts';

function attributeDocument(def: AttributeDef): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    name: def.name,
    type: def.type,
    multiValued: def.multiValued,
    description: def.description,
    required: def.required,
    caseExact: def.caseExact,
    mutability: def.mutability,
    returned: def.returned,
    uniqueness: def.uniqueness,
  };
  if (def.canonicalValues) doc.canonicalValues = [...def.canonicalValues];
  if (def.referenceTypes) doc.referenceTypes = [...def.referenceTypes];
  if (def.subAttributes) doc.subAttributes = def.subAttributes.map(attributeDocument);
  return doc;
}

function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

export function schemaDocuments(baseUrl: string): Record<string, unknown>[] {
  const base = trimBase(baseUrl);
  return SCHEMA_DEFS.map((schema) => ({
    schemas: [SCHEMAS.schema],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeDocument),
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${schema.id}` },
  }));
}

export function resourceTypeDocuments(baseUrl: string): Record<string, unknown>[] {
  const base = trimBase(baseUrl);
  return Object.values(RESOURCE_TYPES).map((type) => ({
    schemas: [SCHEMAS.resourceType],
    id: type.name,
    name: type.name,
    endpoint: type.endpoint,
    description: type.description,
    schema: type.schema,
    schemaExtensions: type.schemaExtensions.map((e) => ({ ...e })),
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/${type.name}` },
  }));
}
