import { InputError, isArn, optionalString, parseBoolean, parseDuration, parseInteger, parseList } from '@ecs-deploy-kit/shared';
import type { InputReader } from '@ecs-deploy-kit/shared';

import { parseBodyMatcher, parseJsonPath } from './match.ts';
import type { BodyMatcher } from './match.ts';
import { displayUrl } from './redact.ts';
import { parseExpectedStatus } from './status.ts';
import type { StatusMatcher } from './status.ts';

export interface Inputs {
  urls: URL[];
  /** Request method, uppercase. */
  method: string;
  /** Request headers as given; their values are secrets and never printed. */
  headers: Map<string, string>;
  /** Host header to send instead of the URL's host; the connection still goes to the URL's address. */
  host?: string;
  /** TLS server name (SNI) and the name the certificate must match, when not the URL's host. */
  tlsServerName?: string;
  /** Accept any TLS certificate. */
  insecure: boolean;
  expectedStatus: StatusMatcher;
  expectedBody?: BodyMatcher;
  /** Maximum requests per URL. */
  attempts: number;
  /** Wait between two requests to the same URL, and between two target health reads, in milliseconds. */
  intervalMs: number;
  /** Time allowed for one request, redirects and response body included, in milliseconds. */
  requestTimeoutMs: number;
  /** A response slower than this does not count, in milliseconds. */
  maxLatencyMs?: number;
  /** Time allowed for the whole step (target health and every URL), in milliseconds. */
  timeoutMs: number;
  followRedirects: boolean;
  /** Redirects followed per request before the attempt fails. */
  maxRedirects: number;
  expectedVersion?: string;
  /** Lowercase name of the response header that carries the version. */
  versionHeader: string;
  /** Field names and array indexes leading to the version in a JSON body. */
  versionJsonPath?: { text: string; segments: Array<string | number> };
  /** Counted responses needed in a row for a URL to pass. */
  consecutiveSuccesses: number;
  /** The ECS service whose desiredCount decides whether the test is skipped, and whose tasks the target health check follows. */
  service?: { cluster: string; service: string };
  /** Target groups to check; empty means the service's own target groups. */
  targetGroupArns: string[];
  /** Wait for healthy targets before the HTTP checks. */
  waitForTargets: boolean;
  /** Time allowed for the targets to turn healthy, in milliseconds. */
  targetHealthTimeoutMs: number;
}

// RFC 9110 token characters, which are the characters a header name and a method may contain.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// A host name or IPv4 address with an optional port, or a bracketed IPv6 address with one.
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export function readInputs(read: InputReader): Inputs {
  const urls = parseUrls(read('url'), read('paths'));
  const method = parseMethod(read('method'));
  const headers = parseHeaders('headers', read('headers'));
  const host = parseHost('host', read('host'));
  const tlsServerName = parseHost('tls-server-name', read('tls-server-name'));
  const insecure = parseBoolean('insecure', read('insecure'), false);

  const expectedStatus = parseExpectedStatus('expected-status', read('expected-status'));
  const expectedBody = parseBodyMatcher('expected-body', read('expected-body'));
  const attempts = parseInteger('attempts', read('attempts'), 10, { min: 1, max: 1000 });
  const intervalMs = parseDuration('interval', read('interval'), 5_000);
  const requestTimeoutMs = parsePositiveDuration('request-timeout', read('request-timeout'), 5_000);
  const maxLatency = optionalString(read('max-latency'));
  const timeoutMs = parsePositiveDuration('timeout', read('timeout'), 10 * 60_000);
  const followRedirects = parseBoolean('follow-redirects', read('follow-redirects'), false);
  const maxRedirects = parseInteger('max-redirects', read('max-redirects'), 5, { min: 1, max: 50 });

  const expectedVersion = optionalString(read('expected-version'));
  const versionHeader = parseHeaderName('version-header', read('version-header'));
  const versionJsonPath = optionalString(read('version-json-path'));

  // One counted response is enough when no version is checked: an old task also returns 200,
  // so a streak only guards against old tasks when the version is compared.
  const consecutiveSuccesses = parseInteger('consecutive-successes', read('consecutive-successes'), expectedVersion ? 3 : 1, {
    min: 1,
    max: 1000,
  });
  if (consecutiveSuccesses > attempts) {
    throw new InputError(
      'attempts',
      `${attempts} attempts can never give ${consecutiveSuccesses} consecutive successes (consecutive-successes). Raise attempts to at least ${consecutiveSuccesses}.`,
    );
  }

  const inputs: Inputs = {
    urls,
    method,
    headers,
    insecure,
    expectedStatus,
    attempts,
    intervalMs,
    requestTimeoutMs,
    timeoutMs,
    followRedirects,
    maxRedirects,
    versionHeader,
    consecutiveSuccesses,
    targetGroupArns: parseTargetGroupArns('target-group-arn', read('target-group-arn')),
    waitForTargets: parseBoolean('wait-for-targets', read('wait-for-targets'), true),
    targetHealthTimeoutMs: parsePositiveDuration('target-health-timeout', read('target-health-timeout'), 5 * 60_000),
  };
  if (host !== undefined) inputs.host = host;
  if (tlsServerName !== undefined) inputs.tlsServerName = tlsServerName;
  if (expectedBody !== undefined) inputs.expectedBody = expectedBody;
  if (maxLatency !== undefined) inputs.maxLatencyMs = parsePositiveDuration('max-latency', maxLatency, 0);
  if (expectedVersion !== undefined) inputs.expectedVersion = expectedVersion;
  if (versionJsonPath !== undefined) inputs.versionJsonPath = { text: versionJsonPath, segments: parseJsonPath('version-json-path', versionJsonPath) };
  const service = parseService(read('cluster'), read('service'));
  if (service) inputs.service = service;
  return inputs;
}

/** Parses `url`, and with `paths` joins each path to the one base URL. */
function parseUrls(rawUrls: string, rawPaths: string): URL[] {
  const urls = parseList(rawUrls).map(parseUrl);
  if (urls.length === 0) throw new InputError('url', 'is required but was empty. Give one or more http:// or https:// URLs, one per line or comma-separated.');

  const paths = parseList(rawPaths);
  if (paths.length === 0) return urls;
  const base = urls[0] as URL;
  if (urls.length > 1) {
    throw new InputError('url', `has ${urls.length} URLs, but with paths it must be one base URL such as https://api.example.org. Give one URL, or drop paths.`);
  }
  if (base.search !== '' || base.hash !== '') {
    throw new InputError('url', `"${displayUrl(base)}" has a query or fragment, so it cannot be a base URL for paths. Put the query in each path.`);
  }

  // Joining by text keeps the base path: base https://x/api and path /health give https://x/api/health.
  const basePath = base.pathname.replace(/\/+$/, '');
  return paths.map((item) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(item) || item.startsWith('//')) {
      throw new InputError('paths', `"${item}" is a URL, not a path. Give paths such as /health, or put full URLs in url.`);
    }
    const joined = new URL(base.href);
    const relative = new URL(item.startsWith('/') ? item : `/${item}`, 'http://path.invalid');
    joined.pathname = `${basePath}${relative.pathname}`;
    joined.search = relative.search;
    return joined;
  });
}

function parseUrl(item: string): URL {
  let url: URL;
  try {
    url = new URL(item);
  } catch {
    throw new InputError('url', `"${item}" is not a URL. Give a full URL such as https://api.example.org/health.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError('url', `"${displayUrl(url)}" uses ${url.protocol.replace(/:$/, '')}, but only http and https are supported.`);
  }
  return url;
}

function parseMethod(raw: string): string {
  const value = raw.trim() === '' ? 'GET' : raw.trim().toUpperCase();
  if (!TOKEN.test(value)) throw new InputError('method', `"${raw.trim()}" is not an HTTP method. Use GET, HEAD, POST or another method name.`);
  if (value === 'CONNECT') throw new InputError('method', 'CONNECT opens a tunnel and has no response to check. Use GET or HEAD.');
  return value;
}

/**
 * Parses `Name: value` lines. Messages name the line and the header, never the value, since
 * header values are often credentials.
 */
export function parseHeaders(name: string, raw: string): Map<string, string> {
  const headers = new Map<string, string>();
  raw.split('\n').forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const separator = trimmed.indexOf(':');
    const header = separator > 0 ? trimmed.slice(0, separator).trim() : '';
    if (!TOKEN.test(header)) {
      throw new InputError(name, `line ${index + 1} is not "Name: value". Write one header per line, e.g. "Authorization: Bearer …".`);
    }
    const key = header.toLowerCase();
    if (key === 'host') throw new InputError(name, `line ${index + 1} sets Host. Use the host input, which also sets the TLS server name.`);
    if (headers.has(key)) throw new InputError(name, `header "${header}" is given twice (line ${index + 1}). Keep one.`);
    headers.set(key, trimmed.slice(separator + 1).trim());
  });
  return headers;
}

function parseHost(name: string, raw: string): string | undefined {
  const value = optionalString(raw);
  if (value === undefined) return undefined;
  if (!HOST.test(value)) throw new InputError(name, `"${value}" is not a host name. Give a name such as api.example.org, with an optional :port.`);
  return value;
}

function parseHeaderName(name: string, raw: string): string {
  const value = raw.trim() === '' ? 'x-app-version' : raw.trim();
  if (!TOKEN.test(value)) throw new InputError(name, `"${value}" is not a valid HTTP header name. Use letters, digits and -, e.g. x-app-version.`);
  return value.toLowerCase();
}

function parsePositiveDuration(name: string, raw: string, fallbackMs: number): number {
  const value = parseDuration(name, raw, fallbackMs);
  if (value < 1) throw new InputError(name, `"${raw.trim()}" is too short. Use at least 1ms, e.g. 5s.`);
  return value;
}

function parseTargetGroupArns(name: string, raw: string): string[] {
  const arns = parseList(raw);
  for (const arn of arns) {
    if (!isArn(arn) || !arn.includes(':targetgroup/')) {
      throw new InputError(name, `"${arn}" is not a target group ARN. Give arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>.`);
    }
  }
  return [...new Set(arns)];
}

function parseService(rawCluster: string, rawService: string): { cluster: string; service: string } | undefined {
  const cluster = optionalString(rawCluster);
  const service = optionalString(rawService);
  if (cluster === undefined && service === undefined) return undefined;
  if (cluster === undefined) throw new InputError('cluster', `is empty but service "${service}" is set. Set both cluster and service, or neither.`);
  if (service === undefined) throw new InputError('service', `is empty but cluster "${cluster}" is set. Set both cluster and service, or neither.`);
  return { cluster, service };
}
