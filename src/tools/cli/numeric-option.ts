/**
 * Parsers for numeric command-line options: a value that is not a number in range is a usage
 * error (exit 2) naming the option and what it takes, never a NaN passed on.
 */
import { InvalidArgumentError } from 'commander';

/** A whole number in [min, max] (commander adds the option's name to the message). */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text) => {
    const n = /^\s*[+]?\d+\s*$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(
        `'${text}' is not a whole number${max === Number.MAX_SAFE_INTEGER ? ` ≥ ${min}` : ` from ${min} to ${max}`}.`,
      );
    return n;
  };
}

/** A decimal number in [min, max] (seconds, a scale). */
export function decimalNumber(min: number, max = Number.MAX_VALUE): (text: string) => number {
  return (text) => {
    const n = /^\s*[+]?(\d+(\.\d*)?|\.\d+)\s*$/.test(text) ? Number(text) : NaN;
    if (!Number.isFinite(n) || n < min || n > max)
      throw new InvalidArgumentError(
        `'${text}' is not a number${max === Number.MAX_VALUE ? ` ≥ ${min}` : ` from ${min} to ${max}`}.`,
      );
    return n;
  };
}
