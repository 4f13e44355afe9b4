/**
 * Who the simulated end point is: the addresses it claims (as in the routes), the address it
 * answers from and its ITK identity. Pure look-ups.
 */

export interface SimulatorSelf {
  /** The end point id (its queue is `<prefix>.endpoint.<id>`). */
  readonly endpointId: string;
  /** The addresses it claims, as in the routes: exact, or `…:*` for a whole subtree. */
  readonly addresses: readonly string[];
  /**
   * The address it answers from when the message gives no better one (an address of the
   * message's address list, or of a plan it owns, that it claims). Default: its first exact address.
   */
  readonly address?: string;
  /** Its ITK identity (auditIdentity, reportingIdentity). Default: derived from the address. */
  readonly identity?: string;
}

/** Whether `self` claims `uri`: one of its exact addresses, or strictly under a subtree it claims. */
export function claims(self: SimulatorSelf, uri: string): boolean {
  return self.addresses.some((claimed) =>
    claimed.endsWith(':*')
      ? uri.length > claimed.length - 1 && uri.startsWith(claimed.slice(0, -1))
      : claimed === uri,
  );
}

/** `urn:nhs-uk:addressing:ods:A83001` → `urn:nhs-uk:identity:ods:A83001`. */
export const identityFor = (address: string): string =>
  address.replace(/^urn:nhs-uk:addressing:/, 'urn:nhs-uk:identity:');

/** The address and identity a reply goes out with. */
export interface ReplyFrom {
  readonly address: string;
  readonly identity: string;
}

/**
 * The first of `candidates` that `self` claims, else its configured address, else its first exact
 * address. Undefined when it has none to answer from (an end point with only subtree claims and
 * a message that names no address under them).
 */
export function replyFrom(
  self: SimulatorSelf,
  candidates: readonly (string | undefined)[],
): ReplyFrom | undefined {
  const address =
    candidates.find((uri): uri is string => uri !== undefined && claims(self, uri)) ??
    self.address ??
    self.addresses.find((a) => !a.endsWith(':*'));
  if (address === undefined) return undefined;
  return { address, identity: self.identity ?? identityFor(self.address ?? address) };
}
