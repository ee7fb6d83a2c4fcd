// How a target writes a plan value (types.ts HeaderValue) as text: the joining rule of a list header
// made once, so that no target joins lists itself.
import type { HeaderValue } from './types.js';

export type ListValue = Extract<HeaderValue, { kind: 'list' }>;

export interface ListText {
  /** The header's value when the reflected request header is empty or absent (or reflection is off); null: no header. */
  alone: string | null;
  /** Text written before the reflected request header's value when that value is non-empty (`""` when nothing is listed). */
  beforeRequest: string;
}

export function listText(v: ListValue): ListText {
  const listed = v.listed.join(', ');
  return v.listed.length > 0 ? { alone: listed, beforeRequest: `${listed}, ` } : { alone: null, beforeRequest: '' };
}
