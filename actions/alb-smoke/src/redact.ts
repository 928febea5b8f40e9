// Headers that carry credentials by definition, and name fragments that suggest one.
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-amz-security-token']);
const SECRET_NAME = /token|secret|passw|api[-_]?key|session|credential|auth|cookie|signature/i;

export const MASK = '***';

export function isSecretName(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase()) || SECRET_NAME.test(name);
}

/** Returns the header value to print: the value itself, or a mask for secret-looking headers. */
export function printableHeaderValue(name: string, value: string): string {
  return isSecretName(name) ? MASK : value;
}

/**
 * Formats a URL for logs and summaries with its user name, password and secret-looking query
 * parameters (`?token=…`, `?api_key=…`) masked.
 */
export function displayUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.username !== '') copy.username = MASK;
  if (copy.password !== '') copy.password = MASK;
  for (const name of [...copy.searchParams.keys()]) {
    if (isSecretName(name)) copy.searchParams.set(name, MASK);
  }
  return copy.href;
}

/** Formats a Location header like displayUrl, keeping a relative location relative. */
export function displayLocation(location: string): string {
  if (URL.canParse(location)) return displayUrl(new URL(location));

  const base = 'http://relative.invalid';
  if (!URL.canParse(location, base)) return location;
  const masked = new URL(displayUrl(new URL(location, base)));
  return `${masked.pathname}${masked.search}${masked.hash}`;
}
