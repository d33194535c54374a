/** A count and its noun, agreeing: "1 connection", "2 connections", "1 process", "0 bytes". */
export function counted(
  count: number,
  singular: string,
  plural = /(s|x|ch|sh)$/.test(singular) ? `${singular}es` : `${singular}s`,
): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/** How an API field reads as a Lisp keyword: `tlsParameters` → `:tls-parameters`. */
export function keyword(key: string): string {
  return ':' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}
