import { describe, expect, it } from '@jest/globals';
import { MemoryLogger } from '@ecs-deploy-kit/shared';

import { checkUrl } from '../src/check.ts';
import type { CheckSettings } from '../src/check.ts';
import { RequestFailure } from '../src/http.ts';
import { parseExpectedStatus } from '../src/status.ts';
import { fakeWorld } from './fakes.ts';
import type { Reply } from './fakes.ts';

const URL_UNDER_TEST = new URL('https://quiz.example.org/health');

function settings(overrides: Partial<CheckSettings> = {}): CheckSettings {
  return {
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
});
