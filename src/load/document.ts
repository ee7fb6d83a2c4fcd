// Stage 1: the policy file as YAML with source positions. Parse problems become diagnostics.
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { byPosition, type Diagnostic } from '../diagnostics.js';

export type PathSegment = string | number;
export type Part = 'key' | 'value';

export interface Position {
  line: number;
  column: number;
}

export interface LoadedFile {
  file: string;
  /** The document as plain data (maps become objects, sequences arrays). */
  value: unknown;
  /** Where the node at `path` starts: its key (for map entries) or its value. */
  locate(path: readonly PathSegment[], part?: Part): Position;
  /**
   * Problems found while loading that did not stop it (duplicate keys, unknown tags): the check
   * reports them beside its own findings, so that one run lists every mistake.
   */
  problems?: Diagnostic[];
  /**
   * With duplicate keys: the same file read with the first of each duplicate instead of the last,
   * so that the checks report the mistakes in both values in one run (issue 9).
   */
  firstWins?: LoadedFile;
}

const describeKey = (key: string): string => (key === '' ? 'the empty key' : `key "${key}"`);

export function loadPolicyText(text: string, file: string): { loaded?: LoadedFile; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  // Duplicate keys are found below (with the key's name and its first position) rather than by the
  // parser, so that they do not hide the rest of the file's mistakes.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, strict: true });
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const at = (offset: number, rule: string, message: string): Diagnostic => ({ file, ...position(offset), severity: 'error', rule, message });
  const firstLine = (message: string): string => {
    // The parser is recursive: thousands of nested [ or { end in a RangeError it reports as an error.
    if (/maximum call stack/i.test(message)) return 'the YAML nests too deeply (a policy file needs four levels)';
    const line = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return line.charAt(0).toLowerCase() + line.slice(1);
  };

  const fatal: Diagnostic[] = doc.errors.map((e) => at(e.pos[0], 'yaml-syntax', firstLine(e.message)));
  if (fatal.length > 0) return { diagnostics: fatal };

  const problems: Diagnostic[] = doc.warnings.map((w) =>
    at(w.pos[0], 'yaml-syntax', w.code === 'TAG_RESOLVE_FAILED' ? `${firstLine(w.message)}; a policy file needs no YAML tags` : firstLine(w.message)),
  );
  const structural = structureProblems(doc, at);
  problems.push(...structural.problems);
  if (structural.fatal.length > 0) return { diagnostics: [...structural.fatal, ...problems].sort(byPosition) };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { diagnostics: [at(0, 'yaml-syntax', (e as Error).message), ...problems].sort(byPosition) };
  }
  const loaded: LoadedFile = { file, value, locate: locator(doc, position), problems };
  if (structural.problems.some((d) => d.rule === 'duplicate-key')) {
    const first = doc.clone();
    keepFirstOfDuplicates(first);
    loaded.firstWins = { file, value: first.toJS({ maxAliasCount: 100 }), locate: locator(first, position) };
  }
  return { loaded, diagnostics: [] };
}

/** Removes the later pairs of duplicate keys from every map. */
function keepFirstOfDuplicates(doc: Document): void {
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      map.items = map.items.filter((pair) => {
        const key = pair.key as Node | null;
        if (key !== null && !isScalar(key)) return true;
        const name = scalarKey(key?.value ?? null);
        if (seen.has(name)) return false;
        seen.add(name);
        return true;
      });
    },
  });
}

/** Where the node at a data path starts in the document. */
function locator(doc: Document, position: (offset: number) => Position): LoadedFile['locate'] {
  return (path: readonly PathSegment[], part: Part = 'value'): Position => {
    let node: Node | null = doc.contents as Node | null;
    let offset = node?.range?.[0] ?? 0;
    for (let i = 0; i < path.length && node; i++) {
      const seg = path[i]!;
      const last = i === path.length - 1;
      if (isMap(node)) {
        // The last of duplicate keys: the one whose value the data holds.
        const pair = [...node.items].reverse().find((p) => isPair(p) && isScalar(p.key) && scalarKey(p.key.value) === String(seg));
        if (!pair) break;
        const key = pair.key as Node;
        const val = pair.value as Node | null;
        if (last && part === 'key') return position(key.range?.[0] ?? offset);
        offset = val?.range?.[0] ?? key.range?.[0] ?? offset;
        node = val;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as Node | undefined;
        if (!item) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else break;
    }
    return position(offset);
  };
}

/** How a scalar key becomes a property name in the data (`null:` and `~:` become ""). */
function scalarKey(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/**
 * Duplicate keys (not fatal), collection keys and aliases to no anchor (fatal: the data cannot be
 * built from them).
 */
function structureProblems(
  doc: Document,
  at: (offset: number, rule: string, message: string) => Diagnostic,
): { fatal: Diagnostic[]; problems: Diagnostic[] } {
  const fatal: Diagnostic[] = [];
  const problems: Diagnostic[] = [];
  const lineOf = (offset: number) => at(offset, '', '').line;
  visit(doc, {
    Map(_, map) {
      const first = new Map<string, number>();
      for (const pair of map.items) {
        const key = pair.key as Node | null;
        const offset = key?.range?.[0] ?? map.range?.[0] ?? 0;
        if (key !== null && !isScalar(key)) {
          fatal.push(at(offset, 'yaml-syntax', 'a map key must be a plain string, not a list, a map or an alias'));
          continue;
        }
        const name = scalarKey(key?.value ?? null);
        const seen = first.get(name);
        if (seen === undefined) first.set(name, offset);
        else problems.push(at(offset, 'duplicate-key', `duplicate ${describeKey(name)} (first at line ${lineOf(seen)}); a key may appear once per map`));
      }
    },
    Alias(_, alias) {
      if (isAlias(alias) && alias.resolve(doc) === undefined) {
        fatal.push(at(alias.range?.[0] ?? 0, 'yaml-syntax', `the alias *${alias.source} refers to no anchor defined before it`));
      }
    },
  });
  return { fatal, problems };
}
