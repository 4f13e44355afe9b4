/** The OIDs ITK 2.x names: address and identity types, and the code systems of its error codes. */
export const OID = {
  itkAddress: '2.16.840.1.113883.2.1.3.2.4.18.22',
  itkIdentity: '2.16.840.1.113883.2.1.3.2.4.18.27',
  deErrors: '2.16.840.1.113883.2.1.3.2.4.17.516',
  toolkitErrors: '2.16.840.1.113883.2.1.3.2.4.17.268',
  businessAckErrors: '2.16.840.1.113883.2.1.3.2.4.17.433',
} as const;
