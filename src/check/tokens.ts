// The characters an RFC 9110 token (src/model/fetch.ts) may hold that some target's configuration
// would interpret ($ variables, % Apache's %{…}, ' and ` quotes, # comments): each target lists
// them in its dialect (src/targets/<t>/dialect.ts). No real method or header name uses them.
import { TOKEN } from '../model/fetch.js';
import { REGISTRY } from '../targets/registry.js';

export { TOKEN };
const special = [...new Set(REGISTRY.flatMap((t) => t.dialect.specialCharacters.map((c) => c.char)))].filter((c) => TOKEN.test(c));
export const CONFIG_SPECIAL = new RegExp(`[${special.map((c) => `\\${c}`).join('')}]`);

export function tokenProblem(value: string): string | null {
  if (value === '') return 'is empty';
  if (!TOKEN.test(value)) {
    const bad = [...value].find((c) => !TOKEN.test(c))!;
    const shown = bad === ' ' ? 'a space' : /[\x21-\x7e]/.test(bad) ? bad : `U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    return `is not an RFC 9110 token: it contains ${shown} (letters, digits and !#$%&'*+-.^_\`|~ only)`;
  }
  const special = CONFIG_SPECIAL.exec(value);
  if (special) return `contains ${special[0]}, which no real name uses and which nginx, Apache or Caddy would interpret inside the generated config`;
  return null;
}
