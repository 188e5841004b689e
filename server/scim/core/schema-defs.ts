// The attributes of RFC 7643 §4 (User, Group, Enterprise User) and §3.1 (common attributes), with the
// characteristics §8.7.1 gives them, plus where Roster is stricter (group names are unique).
import { attribute, complex, multi, text, type AttributeDef } from './attributes.ts';

const ref = (name: string, description: string, referenceTypes: string[], options = {}): AttributeDef =>
  attribute(name, 'reference', description, { referenceTypes, ...options });

const NAME = complex('name', "The components of the user's real name.", [
  text('formatted', 'The full name, including all middle names, titles and suffixes, formatted for display.'),
  text('familyName', 'The family name of the User, or last name.'),
  text('givenName', 'The given name of the User, or first name.'),
  text('middleName', 'The middle name(s) of the User.'),
  text('honorificPrefix', "The honorific prefix(es) of the User, or title (e.g. 'Ms.')."),
  text('honorificSuffix', "The honorific suffix(es) of the User, or suffix (e.g. 'III')."),
]);

const ADDRESSES = complex(
  'addresses',
  'A physical mailing address for this User.',
  [
    text('formatted', 'The full mailing address, formatted for display.'),
    text('streetAddress', 'The full street address component.'),
    text('locality', 'The city or locality component.'),
    text('region', 'The state or region component.'),
    text('postalCode', 'The zip code or postal code component.'),
    text('country', 'The country name component (ISO 3166-1 alpha-2).'),
    text('type', "A label indicating the address's function.", { canonicalValues: ['work', 'home', 'other'] }),
    attribute('primary', 'boolean', 'Whether this is the primary address; true appears at most once.'),
  ],
  { multiValued: true },
);

const GROUPS = complex(
  'groups',
  'The groups the user belongs to, directly or through nested groups.',
  [
    text('value', "The identifier of the User's group.", { mutability: 'readOnly' }),
    ref('$ref', "The URI of the User's group.", ['User', 'Group'], { mutability: 'readOnly' }),
    text('display', "A human-readable name of the User's group.", { mutability: 'readOnly' }),
    text('type', 'How the membership was derived.', { canonicalValues: ['direct', 'indirect'], mutability: 'readOnly' }),
  ],
  { multiValued: true, mutability: 'readOnly' },
);

export const USER_ATTRIBUTES: readonly AttributeDef[] = [
  text('userName', 'Unique identifier for the User, used by the user to authenticate.', { required: true, uniqueness: 'server' }),
  NAME,
  text('displayName', 'The name of the User, suitable for display to end-users.'),
  text('nickName', 'The casual way to address the user in real life.'),
  ref('profileUrl', "A fully qualified URL pointing to a page representing the User's online profile.", ['external']),
  text('title', "The user's title, such as 'Vice President'."),
  text('userType', 'Identifies the relationship between the organization and the user (e.g. Employee).'),
  text('preferredLanguage', "The User's preferred written or spoken language (RFC 7231 Accept-Language)."),
  text('locale', "The User's default location for localizing items such as currency and dates."),
  text('timezone', "The User's time zone in the IANA Time Zone database format."),
  attribute('active', 'boolean', "The User's administrative status."),
  text('password', "The User's cleartext password; never returned.", { mutability: 'writeOnly', returned: 'never' }),
  multi('emails', 'Email addresses for the user.', ['work', 'home', 'other']),
  multi('phoneNumbers', 'Phone numbers for the User.', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
  multi('ims', 'Instant messaging addresses for the User.', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
  multi('photos', 'URLs of images of the user.', ['photo', 'thumbnail'], {
    valueDef: ref('value', 'URL of a photo of the User.', ['external']),
  }),
  ADDRESSES,
  GROUPS,
  multi('entitlements', 'A list of entitlements for the User.', undefined),
  multi('roles', 'A list of roles for the User.', undefined),
  multi('x509Certificates', 'A list of certificates issued to the User.', undefined, {
    valueDef: attribute('value', 'binary', 'The value of an X.509 certificate (DER, base64).'),
  }),
];

export const ENTERPRISE_ATTRIBUTES: readonly AttributeDef[] = [
  text('employeeNumber', 'Numeric or alphanumeric identifier assigned to a person by the organization.'),
  text('costCenter', 'Identifies the name of a cost center.'),
  text('organization', 'Identifies the name of an organization.'),
  text('division', 'Identifies the name of a division.'),
  text('department', 'Identifies the name of a department.'),
  complex('manager', "The User's manager.", [
    text('value', "The id of the SCIM resource representing the User's manager."),
    ref('$ref', "The URI of the SCIM resource representing the User's manager.", ['User']),
    text('displayName', "The displayName of the User's manager.", { mutability: 'readOnly' }),
  ]),
];

export const GROUP_ATTRIBUTES: readonly AttributeDef[] = [
  // RFC 7643 says uniqueness none; Roster keeps group names unique in any letter case.
  text('displayName', 'A human-readable name for the Group.', { required: true, uniqueness: 'server' }),
  complex(
    'members',
    'A list of members of the Group.',
    [
      text('value', 'Identifier of the member of this Group.', { mutability: 'immutable' }),
      ref('$ref', 'The URI of the member resource.', ['User', 'Group'], { mutability: 'immutable' }),
      text('type', 'The type of the member.', { canonicalValues: ['User', 'Group'], mutability: 'immutable' }),
      text('display', 'A human-readable name of the member.', { mutability: 'readOnly' }),
    ],
    { multiValued: true },
  ),
];

/** RFC 7643 §3.1: on every resource, outside any schema's attribute list. */
export const COMMON_ATTRIBUTES: readonly AttributeDef[] = [
  text('id', 'A unique identifier for the resource, assigned by the service provider.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  text('externalId', 'An identifier for the resource as defined by the provisioning client.', { caseExact: true }),
  complex(
    'meta',
    'Resource metadata.',
    [
      text('resourceType', 'The name of the resource type of the resource.', { caseExact: true, mutability: 'readOnly' }),
      attribute('created', 'dateTime', 'The date and time the resource was added to the service provider.', { mutability: 'readOnly' }),
      attribute('lastModified', 'dateTime', 'The most recent date and time the resource was modified.', { mutability: 'readOnly' }),
      ref('location', 'The URI of the resource being returned.', ['uri'], { caseExact: true, mutability: 'readOnly' }),
      text('version', 'The version (weak ETag) of the resource.', { caseExact: true, mutability: 'readOnly' }),
    ],
    { mutability: 'readOnly' },
  ),
  // Not an attribute in RFC 7643's sense, but filters name it (RFC 7644 §3.4.2.2 examples).
  ref('schemas', 'The schema URNs the resource carries.', ['uri'], { multiValued: true, returned: 'always', mutability: 'readOnly' }),
];
