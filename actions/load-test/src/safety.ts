/** Host checks made before any request is sent. */
import { isIP } from 'node:net';

/**
 * True when `host` (hostname or hostname:port, lowercase) is in the list. An entry matches the
 * hostname with any port unless it names a port; `*.example.org` matches any subdomain of
 * example.org but not example.org itself. A wildcard never matches an IP address, because
 * `*.0.0.1` would match 10.0.0.1 as well as 127.0.0.1.
 */
export function isHostAllowed(url: URL, allowedHosts: readonly string[]): boolean {
  const hostname = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowedHosts.some((raw) => {
    const entry = raw.trim().toLowerCase();
    const [entryHost = '', entryPort] = splitHostPort(entry);
    if (entryPort !== undefined && entryPort !== port) return false;
    if (entryHost.startsWith('*.')) {
      if (isIP(hostname.replace(/^\[|\]$/g, '')) !== 0) return false;
      return hostname.endsWith(entryHost.slice(1)) && hostname.length > entryHost.length - 1;
    }
    return hostname === entryHost;
  });
}

function splitHostPort(entry: string): [string, string | undefined] {
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    const rest = entry.slice(close + 1);
    return [entry.slice(0, close + 1), rest.startsWith(':') ? rest.slice(1) : undefined];
  }
  const colon = entry.lastIndexOf(':');
  return colon > 0 && entry.indexOf(':') === colon ? [entry.slice(0, colon), entry.slice(colon + 1)] : [entry, undefined];
}

// A DNS label that marks production: `prod`, `production`, or one joined with a hyphen
// (`api-prod`, `prod-eu`).
const PRODUCTION_LABEL = /^(?:prod|production)(?:-.*)?$|^.*-(?:prod|production)$/;

/** True when the host is listed in productionHosts or one of its DNS labels marks production. */
export function isProductionHost(url: URL, productionHosts: readonly string[]): boolean {
  if (productionHosts.length > 0 && isHostAllowed(url, productionHosts)) return true;
  return url.hostname.toLowerCase().split('.').some((label) => PRODUCTION_LABEL.test(label));
}
