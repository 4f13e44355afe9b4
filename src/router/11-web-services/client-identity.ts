/**
 * Who is calling: the end point whose `certificates` names the TLS client certificate, by its
 * subject CN or by `sha256:<hex>` (the SHA-256 fingerprint of its DER). The handshake has already
 * proved that the certificate chains to `webServices.tls.ca`. Pure.
 */
import { certificateKey } from '../01-config/routes-config.js';

export interface PeerFacts {
  /** Subject CN (a certificate may carry several; each is tried). */
  readonly commonNames: readonly string[];
  /** `AB:CD:…` as Node gives it. */
  readonly fingerprint256: string;
}

/** The facts of a Node peer certificate (`tlsSocket.getPeerCertificate()`). */
export function peerFacts(cert: { subject?: unknown; fingerprint256?: string }): PeerFacts {
  const cn = (cert.subject as Record<string, string | string[] | undefined> | undefined)?.CN;
  return {
    commonNames: cn === undefined ? [] : Array.isArray(cn) ? cn : [cn],
    fingerprint256: cert.fingerprint256 ?? '',
  };
}

export type CallerIdentity =
  | { readonly endpointId: string; readonly certificate: string }
  | { readonly endpointId?: undefined; readonly refusal: string };

export function identifyCaller(
  peer: PeerFacts,
  certificates: ReadonlyMap<string, string>,
): CallerIdentity {
  const fingerprint = certificateKey(`sha256:${peer.fingerprint256}`);
  // A CN that looks like a fingerprint is never read as one.
  const names = peer.commonNames.filter((cn) => !cn.trim().toLowerCase().startsWith('sha256:'));
  for (const key of [fingerprint, ...names]) {
    const endpointId = certificates.get(key);
    if (endpointId) return { endpointId, certificate: key };
  }
  const cn = peer.commonNames.length > 0 ? `CN=${peer.commonNames.join(',')}` : 'no CN';
  return {
    refusal: `the client certificate (${cn}, ${fingerprint}) is not listed by any end point`,
  };
}
