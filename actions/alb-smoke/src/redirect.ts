import { RequestFailure } from './http.ts';
import type { HttpRequest, HttpResponse, HttpSend } from './http.ts';
import { displayLocation, displayUrl, isSecretName } from './redact.ts';

/** Settings that every request of one attempt shares. */
export interface ExchangeSettings {
  method: string;
  /** Lowercase header names; values are never printed. */
  headers: Map<string, string>;
  host?: string;
  tlsServerName?: string;
  insecure: boolean;
  requestTimeoutMs: number;
  followRedirects: boolean;
  maxRedirects: number;
}

export interface Exchange {
  response: HttpResponse;
  /** The URL of the final response: the requested URL, or the last redirect target. */
  url: URL;
  redirects: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Sends one request and, with followRedirects, follows its redirects within one request
 * timeout. A redirect back to a URL already visited fails as a loop, and more than
 * maxRedirects redirects fail as too many. The Host override, TLS server name and secret-looking
 * headers are sent to the original origin only, so a redirect to another site does not
 * receive the credentials.
 */
export async function exchange(url: URL, settings: ExchangeSettings, send: HttpSend, clock: () => number): Promise<Exchange> {
  const deadline = clock() + settings.requestTimeoutMs;
  const visited = [url.href];
  let current = url;
  let method = settings.method;

  for (let redirects = 0; ; redirects += 1) {
    const remainingMs = Math.max(1, deadline - clock());
    const response = await send(requestFor(current, url, method, settings, remainingMs));
    const location = response.headers.location;
    if (!settings.followRedirects || !REDIRECT_STATUSES.has(response.status) || location === undefined) {
      return { response, url: current, redirects };
    }

    const next = resolveLocation(location, current);
    if (visited.includes(next.href)) {
      const loop = [...visited.slice(visited.indexOf(next.href)), next.href].map((item) => displayUrl(new URL(item)));
      throw new RequestFailure('redirect', `redirect loop: ${loop.join(' -> ')}`, response);
    }
    if (redirects + 1 > settings.maxRedirects) {
      throw new RequestFailure('redirect', `more than ${settings.maxRedirects} redirects (max-redirects), the last to ${displayUrl(next)}`, response);
    }

    visited.push(next.href);
    // RFC 9110 section 15.4: a 303 is followed with GET, and user agents also switch a POST to
    // GET on 301 and 302. 307 and 308 keep the method.
    if (response.status === 303 && method !== 'HEAD') method = 'GET';
    if ((response.status === 301 || response.status === 302) && method === 'POST') method = 'GET';
    current = next;
  }
}

function requestFor(url: URL, original: URL, method: string, settings: ExchangeSettings, timeoutMs: number): HttpRequest {
  const sameOrigin = url.origin === original.origin;
  const headers: Record<string, string> = {};
  for (const [name, value] of settings.headers) {
    if (sameOrigin || !isSecretName(name)) headers[name] = value;
  }
  if (sameOrigin && settings.host !== undefined) headers.host = settings.host;

  const request: HttpRequest = { url, method, headers, insecure: settings.insecure, timeoutMs };
  if (sameOrigin && settings.tlsServerName !== undefined) request.tlsServerName = settings.tlsServerName;
  return request;
}

function resolveLocation(location: string, base: URL): URL {
  let next: URL;
  try {
    next = new URL(location, base);
  } catch {
    throw new RequestFailure('redirect', `redirect to "${displayLocation(location)}", which is not a valid URL`);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new RequestFailure('redirect', `redirect to ${displayUrl(next)}, which is not an http or https URL`);
  }
  return next;
}
