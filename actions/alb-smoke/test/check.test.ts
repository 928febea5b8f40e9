import { describe, expect, it } from '@jest/globals';
import { MemoryLogger } from '@ecs-deploy-kit/shared';

import { checkUrl } from '../src/check.ts';
import type { CheckSettings } from '../src/check.ts';
import { RequestFailure } from '../src/http.ts';
import { parseBodyMatcher, parseJsonPath } from '../src/match.ts';
import { parseExpectedStatus } from '../src/status.ts';
import { fakeWorld } from './fakes.ts';
import type { Reply } from './fakes.ts';

const URL_UNDER_TEST = new URL('https://quiz.example.org/health');

function settings(overrides: Partial<CheckSettings> = {}): CheckSettings {
  return {
    method: 'GET',
    headers: new Map(),
    insecure: false,
    followRedirects: false,
    maxRedirects: 5,
    deadline: Number.MAX_SAFE_INTEGER,
    expectedStatus: parseExpectedStatus('expected-status', '200'),
    attempts: 10,
    intervalMs: 5_000,
    requestTimeoutMs: 5_000,
    versionHeader: 'x-app-version',
    consecutiveSuccesses: 1,
    ...overrides,
  };
}

async function check(replies: Reply[], overrides: Partial<CheckSettings> = {}) {
  const world = fakeWorld(replies);
  const logger = new MemoryLogger();
  const result = await checkUrl(URL_UNDER_TEST, settings(overrides), { ...world, logger });
  return { result, world, logger };
}

const withVersion = (version: string): Reply => ({ status: 200, headers: { 'x-app-version': version } });

describe('checkUrl', () => {
  it('passes on the first 200', async () => {
    const { result, world, logger } = await check([{ status: 200, latencyMs: 42 }]);

    expect(result.passed).toBe(true);
    expect(result.attempts).toBe(1);
    expect(result.lastStatus).toBe(200);
    expect(result.lastSuccessLatencyMs).toBe(42);
    expect(world.sleeps).toEqual([]);
    expect(logger.lines).toEqual(['Attempt 1/10: 200 in 42 ms']);
  });

  it('retries a 503 after the interval', async () => {
    const { result, world, logger } = await check([{ status: 503 }, { status: 503 }, { status: 200 }]);

    expect(result.passed).toBe(true);
    expect(result.attempts).toBe(3);
    expect(world.sleeps).toEqual([5_000, 5_000]);
    expect(logger.lines[0]).toBe('Attempt 1/10: 503 in 10 ms, not counted: status 503 is not expected (expected 200)');
  });

  it('fails when attempts run out', async () => {
    const { result, world } = await check([{ status: 404 }, { status: 404 }, { status: 404 }], { attempts: 3 });

    expect(result.passed).toBe(false);
    expect(result.attempts).toBe(3);
    expect(result.reason).toBe('status 404 is not expected (expected 200)');
    expect(result.lastResponse?.status).toBe(404);
    expect(world.sleeps).toEqual([5_000, 5_000]);
  });

  it('reports an unfollowed redirect', async () => {
    const { result } = await check([{ status: 302, headers: { location: 'https://login.example.org/' } }], { attempts: 1 });

    expect(result.reason).toBe('status 302 (redirect to https://login.example.org/, not followed) is not expected (expected 200)');
  });

  it('masks secrets in a redirect', async () => {
    const { result } = await check([{ status: 302, headers: { location: '/callback?code=1&token=abc123' } }], { attempts: 1 });

    expect(result.reason).toBe('status 302 (redirect to /callback?code=1&token=***, not followed) is not expected (expected 200)');
  });

  it('accepts a redirect when expected', async () => {
    const { result } = await check([{ status: 301, headers: { location: '/v2/' } }], {
      expectedStatus: parseExpectedStatus('expected-status', '2xx,301'),
    });

    expect(result.passed).toBe(true);
  });

  it('needs consecutive new versions', async () => {
    const replies = [withVersion('1.0.0'), withVersion('1.1.0'), withVersion('1.1.0'), withVersion('1.0.0'), withVersion('1.1.0'), withVersion('1.1.0'), withVersion('1.1.0')];
    const { result, logger } = await check(replies, { expectedVersion: '1.1.0', consecutiveSuccesses: 3 });

    expect(result.passed).toBe(true);
    expect(result.attempts).toBe(7);
    expect(result.version).toBe('1.1.0');
    expect(logger.lines[0]).toBe('Attempt 1/10: 200 in 10 ms, version 1.0.0, not counted: version "1.0.0" seen, expected "1.1.0"');
    expect(logger.lines[2]).toBe('Attempt 3/10: 200 in 10 ms, version 1.1.0 (2 of 3 in a row)');
    expect(logger.lines[6]).toBe('Attempt 7/10: 200 in 10 ms, version 1.1.0 (3 of 3 in a row)');
  });

  it('never passes alternating versions', async () => {
    const replies = Array.from({ length: 10 }, (_, index) => withVersion(index % 2 === 0 ? '1.0.0' : '1.1.0'));
    const { result, world } = await check(replies, { expectedVersion: '1.1.0', consecutiveSuccesses: 3 });

    expect(result.passed).toBe(false);
    expect(result.version).toBe('1.0.0');
    expect(result.reason).toBe('version "1.0.0" seen, expected "1.1.0"');
    // Attempt 9 is old, and one attempt left cannot make 3 in a row, so the 10th is not sent.
    expect(world.requests).toHaveLength(9);
  });

  it('finds the version in the body', async () => {
    const { result } = await check([{ status: 200, body: '{"status":"ok","version":"2.0.1"}' }], { expectedVersion: '2.0.1' });

    expect(result.passed).toBe(true);
    expect(result.version).toBe('2.0.1');
  });

  it('names a missing version', async () => {
    const { result } = await check([{ status: 200, body: '{"status":"ok"}' }], { expectedVersion: '2.0.1', attempts: 1 });

    expect(result.passed).toBe(false);
    expect(result.reason).toBe('version "2.0.1" not found in header x-app-version or the body');
  });

  it('counts a timeout as a failed attempt', async () => {
    const timeout = new RequestFailure('timeout', 'timed out after 5000 ms (request-timeout)');
    const { result, logger } = await check([timeout, { status: 200 }]);

    expect(result.passed).toBe(true);
    expect(result.attempts).toBe(2);
    expect(logger.lines[0]).toBe('Attempt 1/10: no response after 5 ms, not counted: timed out after 5000 ms (request-timeout)');
  });

  it('keeps the last response after a refusal', async () => {
    const refused = new RequestFailure('connection-refused', 'connection refused (ECONNREFUSED)');
    const { result } = await check([{ status: 502 }, refused], { attempts: 2 });

    expect(result.passed).toBe(false);
    expect(result.reason).toBe('connection refused (ECONNREFUSED)');
    expect(result.lastResponse?.status).toBe(502);
  });

  it('counts a matching body', async () => {
    const expectedBody = parseBodyMatcher('expected-body', '/"status":\\s*"ok"/');
    const { result, logger } = await check([{ status: 200, body: '<html>cached error page</html>' }, { status: 200, body: '{"status": "ok"}' }], { expectedBody });

    expect(result.passed).toBe(true);
    expect(logger.lines[0]).toBe('Attempt 1/10: 200 in 10 ms, not counted: body does not match /"status":\\s*"ok"/ (expected-body)');
  });

  it('names a missing substring', async () => {
    const expectedBody = parseBodyMatcher('expected-body', 'quiz-backend');
    const { result } = await check([{ status: 200, body: 'Welcome to nginx' }], { expectedBody, attempts: 1 });

    expect(result.reason).toBe('body does not contain "quiz-backend" (expected-body)');
  });

  it('rejects a slow response', async () => {
    const { result, logger } = await check([{ status: 200, latencyMs: 900 }, { status: 200, latencyMs: 120 }], { maxLatencyMs: 500 });

    expect(result.passed).toBe(true);
    expect(result.latenciesMs).toEqual([900, 120]);
    expect(result.lastSuccessLatencyMs).toBe(120);
    expect(logger.lines[0]).toBe('Attempt 1/10: 200 in 900 ms, not counted: took 900 ms, more than max-latency 500 ms');
  });

  it('reads the version from JSON', async () => {
    const versionJsonPath = { text: 'build.sha', segments: parseJsonPath('version-json-path', 'build.sha') };
    const replies = [
      { status: 200, body: '{"build":{"sha":"0ld"}}', headers: { 'x-app-version': 'abc123' } },
      { status: 200, body: 'not json' },
      { status: 200, body: '{"build":{}}' },
      { status: 200, body: '{"build":{"sha":"abc123"}}' },
    ];
    const { result, logger } = await check(replies, { expectedVersion: 'abc123', versionJsonPath });

    expect(result.passed).toBe(true);
    expect(result.version).toBe('abc123');
    expect(logger.lines.slice(0, 3)).toEqual([
      'Attempt 1/10: 200 in 10 ms, version 0ld, not counted: version "0ld" seen at build.sha, expected "abc123"',
      'Attempt 2/10: 200 in 10 ms, not counted: the body is not JSON (version-json-path build.sha)',
      'Attempt 3/10: 200 in 10 ms, not counted: the JSON body has no such field (version-json-path build.sha)',
    ]);
  });

  it('sends method, headers and host', async () => {
    const headers = new Map([['authorization', 'Bearer t0k3n']]);
    const { world } = await check([{ status: 200 }], { method: 'HEAD', headers, host: 'quiz.example.org', tlsServerName: 'internal.example.org', insecure: true });

    expect(world.sent[0]).toEqual({
      url: URL_UNDER_TEST,
      method: 'HEAD',
      headers: { authorization: 'Bearer t0k3n', host: 'quiz.example.org' },
      tlsServerName: 'internal.example.org',
      insecure: true,
      timeoutMs: 5_000,
    });
  });

  it('follows redirects when told', async () => {
    const replies: Reply[] = [{ status: 301, headers: { location: '/health/' } }, { status: 200, headers: { 'x-app-version': '2' } }];
    const { result, world, logger } = await check(replies, { followRedirects: true });

    expect(result.passed).toBe(true);
    expect(world.requests).toEqual(['https://quiz.example.org/health', 'https://quiz.example.org/health/']);
    expect(logger.lines[0]).toBe('Attempt 1/10: 200 in 20 ms after 1 redirect(s) to https://quiz.example.org/health/, version 2');
  });

  it('detects a redirect loop', async () => {
    const replies = [{ status: 302, headers: { location: '/a' } }, { status: 302, headers: { location: '/b' } }, { status: 302, headers: { location: '/a' } }];
    const { result } = await check(replies, { followRedirects: true, attempts: 1 });

    expect(result.passed).toBe(false);
    expect(result.reason).toBe('redirect loop: https://quiz.example.org/a -> https://quiz.example.org/b -> https://quiz.example.org/a');
    expect(result.lastStatus).toBe(302);
  });

  it('stops after max redirects', async () => {
    const replies = [1, 2, 3].map((index) => ({ status: 307, headers: { location: `/hop${index}` } }));
    const { result, world } = await check(replies, { followRedirects: true, maxRedirects: 2, attempts: 1 });

    expect(result.reason).toBe('more than 2 redirects (max-redirects), the last to https://quiz.example.org/hop3');
    expect(world.requests).toHaveLength(3);
  });

  it('drops secrets across origins', async () => {
    const headers = new Map([
      ['authorization', 'Bearer t0k3n'],
      ['accept-language', 'en'],
    ]);
    const replies = [{ status: 302, headers: { location: 'https://login.example.net/' } }, { status: 200 }];
    const { world } = await check(replies, { followRedirects: true, headers, host: 'quiz.example.org', method: 'POST' });

    expect(world.sent[1]?.headers).toEqual({ 'accept-language': 'en' });
    expect(world.sent[1]?.method).toBe('GET');
  });

  it('stops at the overall timeout', async () => {
    const { result, world, logger } = await check([{ status: 503 }, { status: 503 }, { status: 200 }], { deadline: 1_000_000 + 6_000 });

    expect(result.passed).toBe(false);
    expect(result.timedOut).toBe(true);
    expect(world.requests).toHaveLength(2);
    expect(result.reason).toBe(
      'the overall timeout (timeout) ran out after 2 attempt(s). The last attempt did not count: status 503 is not expected (expected 200)',
    );
    expect(logger.lines.at(-1)).toBe(`Stopping: ${result.reason}`);
  });
});
