// RFC 9110 §5.6.2 token grammar, and the characters a token may hold that a server config would
// interpret ($ is an nginx variable, % an Apache format specifier).
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
export const CONFIG_SPECIAL = /[$%]/;

export function tokenProblem(value: string): string | null {
  if (value === '') return 'is empty';
  if (!TOKEN.test(value)) return 'is not an RFC 9110 token (letters, digits and !#$%&\'*+-.^_`|~ only)';
  if (CONFIG_SPECIAL.test(value)) return 'contains $ or %, which nginx and Apache would interpret inside the generated config';
  return null;
}
