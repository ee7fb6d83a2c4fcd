// Stage 1: the policy file as YAML with source positions. Parse problems become diagnostics.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';

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
}

const YAML_RULES: Record<string, string> = { DUPLICATE_KEY: 'duplicate-key' };

export function loadPolicyText(text: string, file: string): { loaded?: LoadedFile; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const diagnostics: Diagnostic[] = doc.errors.map((e) => {
    const { line, column } = position(e.pos[0]);
    const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return { file, line, column, severity: 'error', rule: YAML_RULES[e.code] ?? 'yaml-syntax', message };
  });
  if (diagnostics.length > 0) return { diagnostics };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { diagnostics: [{ file, line: 1, column: 1, severity: 'error', rule: 'yaml-syntax', message: (e as Error).message }] };
  }

  const locate = (path: readonly PathSegment[], part: Part = 'value'): Position => {
    let node: Node | null = doc.contents as Node | null;
    let at = node?.range?.[0] ?? 0;
    for (let i = 0; i < path.length && node; i++) {
      const seg = path[i]!;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        const key = pair.key as Node;
        const val = pair.value as Node | null;
        if (last && part === 'key') return position(key.range?.[0] ?? at);
        at = val?.range?.[0] ?? key.range?.[0] ?? at;
        node = val;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as Node | undefined;
        if (!item) break;
        at = item.range?.[0] ?? at;
        node = item;
      } else break;
    }
    return position(at);
  };
  return { loaded: { file, value, locate }, diagnostics: [] };
}
