import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { runActionBundle } from '@ecs-deploy-kit/action-runner';
import { afterEach, describe, expect, it } from '@jest/globals';

import type { Report } from '../src/report.ts';
import { delayHandler, fastHandler, quizHandler, stallHandler, startServer } from './servers.ts';
import type { TestServer } from './servers.ts';

const ACTION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const servers: TestServer[] = [];
let reportDir = '';

/** Runs the built bundle with the report written to a folder that outlives the runner's temporary folder. */
async function runLoadTest(inputs: Record<string, string>) {
  reportDir = await mkdtemp(path.join(tmpdir(), 'load-test-report-'));
  return runActionBundle(ACTION_DIR, { inputs: { 'report-dir': reportDir, ...inputs }, env: {} });
}

async function serve(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const server = await startServer(...args);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  if (reportDir) await rm(reportDir, { recursive: true, force: true });
});

async function reportOf(result: { outputs: Record<string, string> }): Promise<Report> {
  return JSON.parse(await readFile(result.outputs.report as string, 'utf8')) as Report;
}

describe('load-test against 127.0.0.1', () => {
  it('passes a fast server at 200/s', async () => {
    const server = await serve(fastHandler);
    const result = await runLoadTest({ 'target-url': server.url, 'allowed-hosts': '127.0.0.1', rate: '200', duration: '3s' });

    expect(result.exitCode).toBe(0);
    expect(result.outputs.verdict).toBe('pass');
    expect(result.outputs['achieved-rps']).toBe('200');
    expect(result.outputs['error-rate']).toBe('0');
    expect(server.requests).toHaveLength(600);
    // The read scenario's weights are 8, 2, 4 and 1 of 15. Each route's count is binomial, so
    // the bounds are 5 standard deviations wide: by chance a run fails them a few times in a million.
    const routes: [string, number][] = [
      ['GET /quiz/load-test-quiz', 8 / 15],
      ['GET /sessions/preflight?', 2 / 15],
      ['GET /questions/?', 4 / 15],
      ['GET /health', 1 / 15],
    ];
    for (const [prefix, share] of routes) {
      const count = server.requests.filter((request) => request.startsWith(prefix)).length;
      const spread = 5 * Math.sqrt(600 * share * (1 - share));
      expect(count).toBeGreaterThanOrEqual(600 * share - spread);
      expect(count).toBeLessThanOrEqual(600 * share + spread);
    }
    const report = await reportOf(result);
    expect(report.data).toMatchObject({ scheduled: 600, started: 600, requests: 600, errors: 0, dropped: { late: 0, inFlightLimit: 0 } });
    // 200/s leaves the event loop mostly idle, so the measure is present and well below saturation.
    expect(report.data.generator.peakLoopUtilization).toBeGreaterThan(0);
    expect(report.data.generator.peakLoopUtilization).toBeLessThan(0.95);
    expect(result.summary).toContain('## Load test PASS: read on http://127.0.0.1:');
    expect(result.summary).toContain('xychart-beta');
  });

  it('measures a fixed 50 ms delay', async () => {
    const server = await serve(delayHandler(50));
    const result = await runLoadTest({ 'target-url': server.url, 'allowed-hosts': '127.0.0.1', rate: '100', duration: '3s' });

    expect(result.exitCode).toBe(0);
    const report = await reportOf(result);
    // The server cannot respond faster than its delay. The benchmark measures how close p50 comes to it.
    expect(report.summary.latency.p50Ms).toBeGreaterThanOrEqual(50);
    expect(report.summary.latency.minMs).toBeGreaterThanOrEqual(50);
  });

  it('shows a stall in p99', async () => {
    // Stalls the first 1 s of every 3 s: about a third of the arrivals wait up to 1 s.
    const server = await serve(stallHandler(1000, 3000));
    const result = await runLoadTest({ 'target-url': server.url, 'allowed-hosts': '127.0.0.1', rate: '100', duration: '3s', 'fail-on-verdict': 'false' });

    expect(result.exitCode).toBe(0);
    const report = await reportOf(result);
    expect(report.summary.latency.p99Ms).toBeGreaterThanOrEqual(500);
    expect(report.data.dropped).toEqual({ late: 0, inFlightLimit: 0 });
    expect(report.data.requests).toBe(300);
  });

  it('calls a run short of connections invalid', async () => {
    // Two connections to a 200 ms server carry 10 requests/s, so at 20/s the rest queue in the generator.
    const server = await serve(delayHandler(200));
    const result = await runLoadTest({ 'target-url': server.url, 'allowed-hosts': '127.0.0.1', rate: '20', duration: '2s', 'max-connections': '2', 'fail-on-verdict': 'false' });

    expect(result.exitCode).toBe(0);
    expect(result.outputs.verdict).toBe('invalid');
    const report = await reportOf(result);
    expect(report.data.requests).toBe(40);
    expect(report.data.errors).toBe(0);
    expect(report.data.generator.queuedRequests).toBeGreaterThan(10);
    expect(report.data.generator.maxQueuedMs).toBeGreaterThan(1000);
    expect(report.summary.latency.p95Ms).toBeGreaterThan(1000);
    expect(report.reasons[0]).toContain('Raise expected-latency');
    expect(result.summary).toContain('requests queued for a connection');
  });

  it('counts requests never sent as a generator limit', async () => {
    // One connection to a 200 ms server carries 5 requests/s. At 20/s for 2 s, most requests
    // are still queued when the 1 s drain after the last arrival ends.
    const server = await serve(delayHandler(200));
    const result = await runLoadTest({ 'target-url': server.url, 'allowed-hosts': '127.0.0.1', rate: '20', duration: '2s', 'max-connections': '1', 'request-timeout': '1s', 'fail-on-verdict': 'false' });

    expect(result.outputs.verdict).toBe('invalid');
    const report = await reportOf(result);
    const unsent = report.summary.routes.reduce((total, route) => total + (route.statuses['not-sent'] ?? 0), 0);
    expect(unsent).toBeGreaterThan(10);
    expect(report.data.requests).toBe(40);
    expect(server.requests.length).toBe(40 - unsent);
    expect(report.reasons[0]).toContain(`${unsent} of them were still waiting when the run ended`);
  });

  it('fails a threshold with the reason', async () => {
    const server = await serve(delayHandler(50));
    const result = await runLoadTest({ 'target-url': server.url, 'allowed-hosts': '127.0.0.1', rate: '50', duration: '1s', thresholds: 'p(95)<20\nrate<0.01' });

    expect(result.exitCode).toBe(1);
    expect(result.outputs.verdict).toBe('fail');
    const failure = result.annotations.find((annotation) => annotation.level === 'error');
    expect(failure?.message).toMatch(/^load-test: verdict fail\. Threshold p\(95\)<20 failed: measured \d+(\.\d)? ms\. Details: .*report\.md\.$/);
    expect(result.summary).toContain('| p(95)<20 |');
  });

  it('counts errors by status', async () => {
    const server = await serve((request, response) => {
      response.writeHead(request.url === '/health' ? 200 : 503);
      response.end();
    });
    const result = await runLoadTest({ 'target-url': server.url, 'allowed-hosts': '127.0.0.1', rate: '50', duration: '2s', 'fail-on-verdict': 'false' });

    const report = await reportOf(result);
    const quiz = report.summary.routes.find((route) => route.name === 'get-quiz');
    expect(quiz?.errors).toBe(quiz?.requests);
    expect(Object.keys(quiz?.statuses ?? {})).toEqual(['503']);
    expect(result.outputs.verdict).toBe('fail');
    expect(result.summary).toMatch(/\| get-quiz \| 503 \| \d+ \|/);
  });

  it('runs student sessions end to end', async () => {
    const handler = quizHandler();
    const server = await serve(handler);
    const result = await runLoadTest({ 'target-url': server.url, 'allowed-hosts': '127.0.0.1', scenario: 'session', rate: '20', duration: '2s' });

    expect(result.exitCode).toBe(0);
    expect(handler.sessions.size).toBe(40);
    for (const session of handler.sessions.values()) {
      expect(session.userId).toMatch(/^lt-.+-user-\d+$/);
      expect(session.answers).toBe(3);
      expect(session.events).toEqual(['start-quiz', 'dummy-event', 'dummy-event', 'end-quiz']);
    }
    const report = await reportOf(result);
    expect(report.data.iterations).toEqual({ completed: 40, failed: 0 });
    expect(report.summary.routes.find((route) => route.name === 'answer')?.requests).toBe(120);
  });

  it('sends nothing to a host not allowed', async () => {
    const server = await serve(fastHandler);
    const result = await runLoadTest({ 'target-url': server.url, 'allowed-hosts': 'localhost', rate: '50', duration: '1s' });

    expect(result.exitCode).toBe(1);
    expect(result.annotations.find((annotation) => annotation.level === 'error')?.message).toBe(
      `load-test: Input "target-url": host "127.0.0.1:${server.port}" is not in allowed-hosts (localhost). Add it there if this test may load it.`,
    );
    expect(server.requests).toEqual([]);
  });

  it('ends in-flight requests at the timeout', async () => {
    // A server that never responds: the run must still end by itself.
    const server = await serve(() => undefined);
    const result = await runLoadTest({ 'target-url': server.url, 'allowed-hosts': '127.0.0.1', rate: '20', duration: '1s', 'request-timeout': '1s', 'fail-on-verdict': 'false' });

    expect(result.exitCode).toBe(0);
    const report = await reportOf(result);
    expect(report.data.errors).toBe(20);
    expect(Object.values(report.summary.routes.flatMap((route) => Object.keys(route.statuses)))).toEqual(expect.arrayContaining(['timeout']));
    expect(result.durationMs).toBeLessThan(30_000);
  });
});
