/** A provisioning plan that cannot be made from the given routes and options. */
export class ProvisionError extends Error {
  /** Stable error code, for logs and exit codes. */
  readonly code = 'ITK_ROUTER_PROVISION_INVALID';
  /** The same input fails the same way until someone changes it. */
  readonly retryable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProvisionError';
  }
}
