/**
 * What a viewer must not read: a patient's identifiers. Bodies and care plans are for operators
 * only; texts shown to a viewer (event details, quarantine reasons) have any run of ten digits
 * (an NHS number, spaced 3-3-4 or not) masked, in case a reason quoted one.
 */
import type { Role } from './roles.js';

const NHS_NUMBER = /(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)/g;

export const maskNhsNumbers = (text: string): string => text.replace(NHS_NUMBER, '••••••••••');

/** The text as `role` may see it. */
export const forRole = (role: Role, text: string | null | undefined): string | null =>
  text === null || text === undefined ? null : role === 'viewer' ? maskNhsNumbers(text) : text;
