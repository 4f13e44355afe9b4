/** One thing a validation run found wrong (or worth a warning) in a message. */

export type Severity = 'error' | 'warning';

export interface Location {
  /** 1-based line in the message (or in the decoded payload, see `part`). */
  readonly line?: number;
  readonly column?: number;
  /** XPath-like path to the element or attribute, e.g. /itk:DistributionEnvelope/itk:header/@trackingid */
  readonly path?: string;
  /** Which document the line refers to: the envelope, or a decoded payload (`payload uuid_…`). */
  readonly part?: string;
}

export interface Finding {
  /** ITK error code: DE0001–DE0012, 1000, 2100, 2200, 3000. */
  readonly code: string;
  readonly codeSystem: string;
  /** The ErrorText a nack carries for this code (docs/errors.md). */
  readonly text: string;
  /** The rule that was broken, e.g. ITK-DE-COUNT-MANIFEST (docs/errors.md lists them). */
  readonly rule: string;
  /** What exactly was wrong: the ErrorDiagnosticText of a nack. */
  readonly detail: string;
  readonly severity: Severity;
  readonly location: Location;
}
