// Reading response headers as the wire carried them (Node's rawHeaders: name, value, name, value…),
// so that a header sent twice is seen twice.

/** Every value of header `name` (case-insensitive), in the order received. */
export function headerValues(rawHeaders: readonly string[], name: string): string[] {
  const wanted = name.toLowerCase();
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === wanted) out.push(rawHeaders[i + 1]!);
  return out;
}

/** The elements of a comma-separated list header (RFC 9110 §5.6.1): `GET,POST` and `GET, POST` alike. */
export function listTokens(value: string): string[] {
  return value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}
