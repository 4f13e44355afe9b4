/**
 * Who plays in the demo: the patient and, for each stock end point, the ITK names its system
 * uses (one concrete address, an identity) and the person at the keyboard. The display names
 * come from the routes; the stock routes must define these four end points.
 */

export interface Person {
  readonly name: string;
  readonly role: string;
  readonly organisation?: string;
}

export interface CastMember {
  readonly endpointId: string;
  /** The address the system sends from (one of the end point's addresses, or under its subtree). */
  readonly address: string;
  readonly identity: string;
  readonly person: Person;
}

export const PATIENT = {
  nhsNumber: '9434765919',
  name: 'Jane Example',
  birthDate: '1941-03-02',
} as const;

const ODS = 'urn:nhs-uk:addressing:ods:';
const member = (endpointId: string, ods: string, org: string, name: string, role: string) => ({
  endpointId,
  address: `${ODS}${ods}`,
  identity: `urn:nhs-uk:identity:ods:${org}`,
  person: { name, role, organisation: `${ODS}${ods}` },
});

export const CAST = {
  gp: member('riverside-gp', 'A83001', 'A83001', 'Dr Ann Patel', 'GP'),
  community: member(
    'riverside-community',
    'RDE01:COMMUNITY',
    'RDE01',
    'Sam Green',
    'District nurse',
  ),
  hospice: member(
    'st-marys-hospice',
    'HOSP01',
    'HOSP01',
    'Claire Hughes',
    'Hospice clinical nurse specialist',
  ),
  ooh: member('ooh-111', 'NWAS111', 'NWAS111', 'Tom Reid', '111 clinical adviser'),
} as const satisfies Record<string, CastMember>;

export type Role = keyof typeof CAST;
export const ROLES = Object.keys(CAST) as Role[];

/** "9434765919" → "943 476 5919", as NHS numbers are written for people. */
export const spacedNhsNumber = (n: string): string =>
  n.length === 10 ? `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}` : n;
