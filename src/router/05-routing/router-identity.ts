/** Who the router is when it sends a message of its own (acks, nacks, locator answers). */
export interface RouterIdentity {
  /** The router's own ITK address (senderAddress of what it sends). */
  readonly address: string;
  /** The router's identity (the DE's auditIdentity). */
  readonly identity: string;
}
