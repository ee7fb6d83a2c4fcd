// The anatomy of a policy check, after ESLint's rules: a stable id, a severity, a docs line, an
// optional named opt-out, and a pure function from one policy to findings.
import type { Severity } from '../diagnostics.js';
import type { Part, PathSegment } from '../load/document.js';
import type { OriginMatcher } from '../model/types.js';
import { safeParseOrigin } from './origin-facts.js';
import { analyzeRegex, type RegexAnalysis } from './regex-samples.js';

export const DANGER_NAMES = ['null-origin', 'insecure-origins', 'public-suffix-wildcard'] as const;
export type DangerName = (typeof DANGER_NAMES)[number];

/** A problem found in the file, located by its YAML path. */
export interface Finding {
  rule: string;
  path: PathSegment[];
  /** Point at the key of a map entry instead of its value. */
  part?: Part;
  /** The rendered text (user data already quoted and escaped). */
  message: string;
  /** Which of the rule's messages; absent for rules that still render their own text. */
  messageId?: string;
  /** Overrides the rule's severity (a rule that is an error only in some cases). */
  severity?: Severity;
}

/** User data for a message template: strings are the user's (quoted and escaped when rendered). */
export type MessageData = Readonly<Record<string, string | number>>;

interface Located {
  path: PathSegment[];
  part?: Part;
  severity?: Severity;
}

/**
 * What a rule reports: a message of its `messages` by id, with the data it names (ESLint's
 * `context.report({ messageId, data })`). Rules never render user text themselves.
 */
export type RuleFinding = Located & { messageId: string; data?: MessageData };

/** One policy as the rules see it: raw data, possibly ill-typed where the schema check complained. */
export interface PolicyInput {
  name: string;
  raw: Record<string, unknown>;
  /** ['policies', name] */
  path: PathSegment[];
  /** The valid names in its dangerouslyAllow. */
  dangerouslyAllow: ReadonlySet<DangerName>;
  /** How many of its regex entries the rules analyze (the file's MAX_REGEXES budget left for it). */
  regexBudget?: number;
}

export interface Rule {
  id: string;
  severity: Severity;
  /** One line for the README and --help: what the rule refuses and why. */
  docs: string;
  /** The dangerouslyAllow name that silences it, if any. */
  optOut?: DangerName;
  /**
   * The rule's messages by id (ESLint's `meta.messages`). In a template, `{{name}}` is the datum
   * quoted with every control, bidi and line-separator character escaped (src/text/escape.ts);
   * `{{=name}}` is the datum escaped but not quoted, for text the rule computed itself.
   */
  messages: Readonly<Record<string, string>>;
  check(policy: PolicyInput): RuleFinding[];
  /** Findings across the policies of one file (a prefix in two policies …); policies opted out are included. */
  checkFile?(policies: readonly PolicyInput[]): RuleFinding[];
}

// Typed accessors for rules: they look only at fields of the expected type and leave the rest to
// the schema check, so a file with many mistakes still yields every one of them.
export const stringList = (v: unknown): { value: string; index: number }[] =>
  Array.isArray(v) ? v.flatMap((value, index) => (typeof value === 'string' ? [{ value, index }] : [])) : [];

export const originEntries = (p: PolicyInput): { value: string; index: number }[] => stringList(p.raw.origins);

export const regexEntries = (p: PolicyInput): { value: string; index: number }[] =>
  Array.isArray(p.raw.origins)
    ? p.raw.origins.flatMap((e, index) =>
        e && typeof e === 'object' && typeof (e as { regex?: unknown }).regex === 'string' ? [{ value: (e as { regex: string }).regex, index }] : [],
      )
    : [];

export const isCredentialed = (p: PolicyInput): boolean => p.raw.credentials === true;

export type ParsedOrigin = { value: string; index: number; matcher: Extract<OriginMatcher, { kind: 'exact' | 'pattern' }> };

// Several rules read every origin: each list is parsed once per run (10,003 origins: once, not four times).
const parsedLists = new WeakMap<readonly unknown[], readonly ParsedOrigin[]>();

/** The string origins entries that parse (origin-syntax reports the others), with their matcher. */
export const parsedOrigins = (p: PolicyInput): readonly ParsedOrigin[] => {
  const list = p.raw.origins;
  if (!Array.isArray(list)) return [];
  let parsed = parsedLists.get(list);
  if (parsed === undefined) {
    parsed = originEntries(p).flatMap(({ value, index }) => {
      const matcher = value === '*' || value === 'null' ? null : safeParseOrigin(value);
      return matcher ? [{ value, index, matcher }] : [];
    });
    parsedLists.set(list, parsed);
  }
  return parsed;
};

/** The regex entries that pass regex-syntax, with what they accept. */
export const analyzedRegexes = (p: PolicyInput): { value: string; index: number; analysis: RegexAnalysis }[] =>
  regexEntries(p).slice(0, p.regexBudget ?? Infinity).flatMap(({ value, index }) => {
    const analysis = analyzeRegex(value);
    return analysis ? [{ value, index, analysis }] : [];
  });

/** Case-insensitive membership of a header name. */
export const hasName = (list: { value: string }[], name: string): boolean => list.some((e) => e.value.toLowerCase() === name.toLowerCase());
