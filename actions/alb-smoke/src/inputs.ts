import { InputError, optionalString, parseDuration, parseInteger, parseList } from '@ecs-deploy-kit/shared';
import type { InputReader } from '@ecs-deploy-kit/shared';

import { displayUrl } from './redact.ts';
import { parseExpectedStatus } from './status.ts';
import type { StatusMatcher } from './status.ts';

export interface Inputs {
  urls: URL[];
  expectedStatus: StatusMatcher;
  /** Maximum requests per URL. */
  attempts: number;
  /** Wait between two requests to the same URL, in milliseconds. */
  intervalMs: number;
  /** Time allowed for one request, response body included, in milliseconds. */
  requestTimeoutMs: number;
  expectedVersion?: string;
  /** Lowercase name of the response header that carries the version. */
  versionHeader: string;
  /** Counted responses needed in a row for a URL to pass. */
  consecutiveSuccesses: number;
  /** The ECS service whose desiredCount decides whether the test is skipped. */
  service?: { cluster: string; service: string };
}

// RFC 9110 token characters, which are the characters a header name may contain.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function readInputs(read: InputReader): Inputs {
  const urls = parseUrls('url', read('url'));
  const expectedStatus = parseExpectedStatus('expected-status', read('expected-status'));
  const attempts = parseInteger('attempts', read('attempts'), 10, { min: 1, max: 1000 });
  const intervalMs = parseDuration('interval', read('interval'), 5_000);
  const requestTimeoutMs = parseDuration('request-timeout', read('request-timeout'), 5_000);
  if (requestTimeoutMs < 1) throw new InputError('request-timeout', `"${read('request-timeout').trim()}" is too short. Use at least 1ms, e.g. 5s.`);

  const expectedVersion = optionalString(read('expected-version'));
  const versionHeader = parseHeaderName('version-header', read('version-header'));

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

  const inputs: Inputs = { urls, expectedStatus, attempts, intervalMs, requestTimeoutMs, versionHeader, consecutiveSuccesses };
  if (expectedVersion !== undefined) inputs.expectedVersion = expectedVersion;
  const service = parseService(read('cluster'), read('service'));
  if (service) inputs.service = service;
  return inputs;
}

function parseUrls(name: string, raw: string): URL[] {
  const items = parseList(raw);
  if (items.length === 0) throw new InputError(name, 'is required but was empty. Give one or more http:// or https:// URLs, one per line or comma-separated.');

  return items.map((item) => {
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      throw new InputError(name, `"${item}" is not a URL. Give a full URL such as https://api.example.org/health.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new InputError(name, `"${displayUrl(url)}" uses ${url.protocol.replace(/:$/, '')}, but only http and https are supported.`);
    }
    return url;
  });
}

function parseHeaderName(name: string, raw: string): string {
  const value = raw.trim() === '' ? 'x-app-version' : raw.trim();
  if (!HEADER_NAME.test(value)) throw new InputError(name, `"${value}" is not a valid HTTP header name. Use letters, digits and -, e.g. x-app-version.`);
  return value.toLowerCase();
}

function parseService(rawCluster: string, rawService: string): { cluster: string; service: string } | undefined {
  const cluster = optionalString(rawCluster);
  const service = optionalString(rawService);
  if (cluster === undefined && service === undefined) return undefined;
  if (cluster === undefined) throw new InputError('cluster', `is empty but service "${service}" is set. Set both cluster and service, or neither.`);
  if (service === undefined) throw new InputError('service', `is empty but cluster "${cluster}" is set. Set both cluster and service, or neither.`);
  return { cluster, service };
}
