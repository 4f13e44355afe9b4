/**
 * The typed, immutable model of an ITK Distribution Envelope (docs/contract.md, ITK facts: Distribution Envelope).
 * Parsed by parse-envelope.ts, built by build-envelope.ts. Everything is readonly and frozen.
 */

export interface ItkAddress {
  readonly uri: string;
  /** OID; absent means the ITK address type (OID.itkAddress). */
  readonly type?: string;
}

export interface ItkIdentity {
  readonly uri: string;
  /** OID; absent means the ITK identity type (OID.itkIdentity). */
  readonly type?: string;
}

export interface ManifestItem {
  readonly id: string;
  readonly mimeType: string;
  readonly profileId?: string;
  readonly base64: boolean;
  readonly compressed: boolean;
  readonly encrypted: boolean;
}

export interface HandlingSpec {
  readonly key: string;
  readonly value: string;
}

/**
 * How a payload travels: `xml` (business XML inline), `base64` (text), `compressed` (gzip then
 * base64), `encrypted` (xenc:EncryptedData, never decrypted by the router).
 */
export type PayloadEncoding = 'xml' | 'base64' | 'compressed' | 'encrypted';

export interface Payload {
  readonly id: string;
  readonly encoding: PayloadEncoding;
  /**
   * The payload content: for `xml` and `encrypted`, the payload's element serialised as a
   * standalone XML document (namespaces declared on it); for `base64` / `compressed`, the decoded
   * (and decompressed) text. Absent when the content could not be decoded.
   */
  readonly content?: string;
  /** Namespace and local name of the payload's root element, when its content is XML. */
  readonly rootNamespace?: string;
  readonly rootName?: string;
}

export interface Envelope {
  readonly service: string;
  readonly trackingId: string;
  readonly addresses: readonly ItkAddress[];
  readonly auditIdentity: readonly ItkIdentity[];
  readonly manifest: readonly ManifestItem[];
  readonly senderAddress?: ItkAddress;
  readonly handlingSpecs: readonly HandlingSpec[];
  readonly payloads: readonly Payload[];
}

/** The handling specification values the router acts on, read from `handlingSpecs`. */
export interface Handling {
  readonly infAckRequested: boolean;
  readonly busAckRequested: boolean;
  readonly interaction?: string;
}
