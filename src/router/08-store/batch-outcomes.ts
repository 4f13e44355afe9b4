/**
 * What both stores' group commit shares: the outcome of each write of a committed batch, and
 * settling every write's promise by it, in the store's own error terms.
 */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface Settleable {
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

/** Settles the writes of a batch: each by its outcome, or every one by `failed` (the whole batch). */
export function settleBatch(
  batch: readonly Settleable[],
  result: { readonly outcomes: readonly Outcome[] } | { readonly failed: unknown },
  toStoreError: (err: unknown) => Error,
): void {
  if ('failed' in result) {
    const error = toStoreError(result.failed);
    for (const op of batch) op.reject(error);
    return;
  }
  batch.forEach((op, i) => {
    const outcome = result.outcomes[i]!;
    if (outcome.ok) op.resolve(outcome.value);
    else op.reject(toStoreError(outcome.error));
  });
}
