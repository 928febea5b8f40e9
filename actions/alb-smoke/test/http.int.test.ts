import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from '@jest/globals';
import { runActionBundle } from '@ecs-deploy-kit/action-runner';

const ACTION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FAST = { interval: '20ms', 'request-timeout': '1s' };

type Handler = (request: IncomingMessage, response: ServerResponse, index: number) => void;

const servers: Server[] = [];

/** Starts a server on 127.0.0.1 whose handler gets the 0-based index of each request. */
async function startServer(handler: Handler): Promise<{ url: string; requests: () => number }> {
  let count = 0;
  const server = createServer((request, response) => {
    handler(request, response, count);
    count += 1;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/health`, requests: () => count };
}

function reply(response: ServerResponse, status: number, headers: Record<string, string> = {}, body = '{"status":"ok"}'): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body);
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

describe('alb-smoke bundle', () => {
  it('passes on 200', async () => {
    const server = await startServer((_request, response) => reply(response, 200, { 'x-app-version': '1.4.0' }));

    const run = await runActionBundle(ACTION_DIR, { inputs: { url: server.url, ...FAST } });

    expect(run.exitCode).toBe(0);
    expect(run.outputs.status).toBe('200');
    expect(run.outputs.attempts).toBe('1');
    expect(run.outputs.version).toBe('1.4.0');
    expect(run.outputs.skipped).toBe('false');
    expect(Number(run.outputs['latency-ms'])).toBeGreaterThanOrEqual(0);
    expect(run.log).toMatch(/Attempt 1\/10: 200 in \d+ ms, version 1\.4\.0/);
    expect(run.summary).toContain(`| ${server.url} | passed | 1 |`);
  });

  it('passes after 503 retries', async () => {
    const server = await startServer((_request, response, index) => reply(response, index < 2 ? 503 : 200));

    const run = await runActionBundle(ACTION_DIR, { inputs: { url: server.url, ...FAST } });

    expect(run.exitCode).toBe(0);
    expect(run.outputs.attempts).toBe('3');
    expect(run.log).toMatch(/Attempt 1\/10: 503 in \d+ ms, not counted: status 503 is not expected \(expected 200\)/);
    expect(run.log).toMatch(/Attempt 3\/10: 200 in \d+ ms/);
  });

  it('fails wrong status with report', async () => {
    const server = await startServer((_request, response) =>
      reply(response, 404, { 'set-cookie': 'session=s3cr3tvalue', 'x-api-key': 'k3yvalue' }, '{"detail":"Not Found"}'),
    );

    const run = await runActionBundle(ACTION_DIR, { inputs: { url: server.url, ...FAST, attempts: '3' } });

    expect(run.exitCode).toBe(1);
    expect(server.requests()).toBe(3);
    expect(run.outputs.status).toBe('404');
    expect(run.outputs.attempts).toBe('3');
    expect(run.outputs['latency-ms']).toBe('');
    expect(run.log).toContain(`▸ Last response from ${server.url}`);
    expect(run.log).toContain('Status: 404');
    expect(run.log).toContain('  set-cookie: ***');
    expect(run.log).toContain('  x-api-key: ***');
    expect(run.log).toContain('{"detail":"Not Found"}');
    expect(run.stdout).not.toContain('s3cr3tvalue');
    expect(run.stdout).not.toContain('k3yvalue');
    expect(run.annotations).toEqual([
      {
        level: 'error',
        message: `alb-smoke: 1 of 1 URL(s) failed the smoke test. ${server.url} after 3 attempt(s): status 404 is not expected (expected 200). The last response of each is in the log above.`,
      },
    ]);
    expect(run.summary).toContain(`| ${server.url} | failed: status 404 is not expected (expected 200) | 3 | - | - |`);
  });

  it('does not follow redirects', async () => {
    const server = await startServer((_request, response) => reply(response, 302, { location: '/login' }, ''));

    const run = await runActionBundle(ACTION_DIR, { inputs: { url: server.url, ...FAST, attempts: '1' } });

    expect(run.exitCode).toBe(1);
    expect(server.requests()).toBe(1);
    expect(run.outputs.status).toBe('302');
    expect(run.log).toContain('status 302 (redirect to /login, not followed) is not expected (expected 200)');
  });

  it('passes after 3 new versions', async () => {
    const versions = ['1.0.0', '1.0.0', '1.1.0', '1.1.0', '1.1.0'];
    const server = await startServer((_request, response, index) => reply(response, 200, { 'x-app-version': versions[index] ?? '1.1.0' }));

    const run = await runActionBundle(ACTION_DIR, { inputs: { url: server.url, ...FAST, 'expected-version': '1.1.0' } });

    expect(run.exitCode).toBe(0);
    expect(server.requests()).toBe(5);
    expect(run.outputs.attempts).toBe('5');
    expect(run.outputs.version).toBe('1.1.0');
    expect(run.log).toMatch(/Attempt 1\/10: 200 in \d+ ms, version 1\.0\.0, not counted: version "1\.0\.0" seen, expected "1\.1\.0"/);
    expect(run.log).toMatch(/Attempt 4\/10: 200 in \d+ ms, version 1\.1\.0 \(2 of 3 in a row\)/);
    expect(run.log).toMatch(/Attempt 5\/10: 200 in \d+ ms, version 1\.1\.0 \(3 of 3 in a row\)/);
  });

  it('never passes alternating versions', async () => {
    const server = await startServer((_request, response, index) => reply(response, 200, { 'x-app-version': index % 2 === 0 ? '1.0.0' : '1.1.0' }));

    const run = await runActionBundle(ACTION_DIR, { inputs: { url: server.url, ...FAST, 'expected-version': '1.1.0', attempts: '8' } });

    expect(run.exitCode).toBe(1);
    expect(run.outputs.version).toBe('1.0.0');
    expect(run.log).toContain('cannot make 3 counted responses in a row');
    expect(run.annotations[0]?.message).toContain('version "1.0.0" seen, expected "1.1.0"');
  });

  it('fails on connection refused', async () => {
    const server = await startServer((_request, response) => reply(response, 200));
    const closed = servers.pop() as Server;
    closed.close();
    await once(closed, 'close');

    const run = await runActionBundle(ACTION_DIR, { inputs: { url: server.url, ...FAST, attempts: '2' } });

    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).toBe('');
    expect(run.outputs.attempts).toBe('2');
    expect(run.log).toMatch(/Attempt 1\/2: no response after \d+ ms, not counted: connection refused \(ECONNREFUSED\)/);
    expect(run.log).toContain('No response was received.');
    expect(run.annotations[0]?.message).toContain('connection refused (ECONNREFUSED)');
  });

  it('counts slow responses as failed', async () => {
    const server = await startServer((_request, response, index) => {
      if (index === 0) setTimeout(() => reply(response, 200), 1_500);
      else reply(response, 200);
    });

    const run = await runActionBundle(ACTION_DIR, { inputs: { url: server.url, interval: '20ms', 'request-timeout': '300ms' } });

    expect(run.exitCode).toBe(0);
    expect(run.outputs.attempts).toBe('2');
    expect(run.log).toMatch(/Attempt 1\/10: no response after \d+ ms, not counted: timed out after 300 ms \(request-timeout\)/);
  });

  it('names a bad input', async () => {
    const run = await runActionBundle(ACTION_DIR, { inputs: { url: 'http://127.0.0.1:1/health', 'expected-status': '2xx,abc' } });

    expect(run.exitCode).toBe(1);
    expect(run.annotations).toEqual([
      {
        level: 'error',
        message:
          'alb-smoke: Input "expected-status": "abc" is not a status code, range or class. Use codes from 100 to 599 such as 200, ranges such as 200-299, classes such as 2xx, separated by commas.',
      },
    ]);
    expect(run.stdout).not.toContain('    at ');
  });
});
