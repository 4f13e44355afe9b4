/** `*` globs, as route conditions use them: `*` matches any run of characters, nothing else is special. */

/** Compiles glob patterns into one anchored regular expression that matches any of them. */
export function compileGlobs(patterns: readonly string[]): RegExp {
  const alternatives = patterns.map((pattern) =>
    pattern
      .split('*')
      .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*'),
  );
  return new RegExp(`^(?:${alternatives.join('|')})$`, 's');
}

/** Whether a pattern has a glob in it (otherwise it names exactly one value). */
export function isGlob(pattern: string): boolean {
  return pattern.includes('*');
}
