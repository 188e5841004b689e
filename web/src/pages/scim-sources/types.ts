// Names for the SCIM sources' API shapes, derived from the generated OpenAPI types like api/types.ts.
import type { Answer, Body, Item } from '../../api/types.ts';

export type ScimSource = Answer<'/api/v1/scim-sources/{id}'>;
export type CreatedScimSource = Answer<'/api/v1/scim-sources', 'post'>;
export type SourceSettings = ScimSource['settings'];
export type SettingsInput = NonNullable<Body<'/api/v1/scim-sources', 'post'>['settings']>;
export type SourceRequest = Item<'/api/v1/scim-sources/{id}/requests'>;
export type SourceStats = Answer<'/api/v1/scim-sources/{id}/stats'>;
export type StatusCounts = SourceStats['requests']['lastHour'];
