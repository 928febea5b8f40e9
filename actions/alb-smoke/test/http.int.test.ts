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
const timers: NodeJS.Timeout[] = [];

/** Runs `action` after `ms`, with a timer the test cleanup clears so no response outlives its test. */
function later(ms: number, action: () => void): void {
  timers.push(setTimeout(action, ms));
}

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
  for (const timer of timers.splice(0)) clearTimeout(timer);
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
    expect(run.summary).toMatch(`| ${server.url} | failed: status 404 is not expected (expected 200) | 3 | `);
    expect(run.summary).toMatch(/\| 3 \| \d+ \/ \d+ ms \| - \|/);
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
      if (index === 0) later(1_500, () => reply(response, 200));
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

  it('retries reset connections', async () => {
    const server = await startServer((request, response, index) => {
      if (index < 2) request.socket.destroy();
      else reply(response, 200);
    });

    const run = await runActionBundle(ACTION_DIR, { inputs: { url: server.url, ...FAST } });

    expect(run.exitCode).toBe(0);
    expect(run.outputs.attempts).toBe('3');
    expect(run.log).toMatch(/Attempt 1\/10: no response after \d+ ms, not counted: connection reset \(ECONNRESET\) before a complete response/);
  });

  it('fails a wrong body', async () => {
    const server = await startServer((_request, response) => reply(response, 200, { 'content-type': 'text/html' }, '<h1>Welcome to nginx!</h1>'));

    const run = await runActionBundle(ACTION_DIR, { inputs: { url: server.url, ...FAST, attempts: '2', 'expected-body': '/"status":\\s*"ok"/' } });

    expect(run.exitCode).toBe(1);
    expect(run.log).toContain('not counted: body does not match /"status":\\s*"ok"/ (expected-body)');
    expect(run.log).toContain('<h1>Welcome to nginx!</h1>');
  });

  it('fails a redirect loop', async () => {
    const server = await startServer((request, response) => reply(response, 302, { location: request.url === '/health' ? '/login' : '/health' }, ''));

    const run = await runActionBundle(ACTION_DIR, { inputs: { url: server.url, ...FAST, attempts: '1', 'follow-redirects': 'true' } });
    const origin = new URL(server.url).origin;

    expect(run.exitCode).toBe(1);
    expect(server.requests()).toBe(2);
    expect(run.log).toContain(`not counted: redirect loop: ${origin}/health -> ${origin}/login -> ${origin}/health`);
    expect(run.outputs.status).toBe('302');
  });

  it('follows a redirect', async () => {
    const server = await startServer((request, response) => {
      if (request.url === '/health') reply(response, 308, { location: '/health/' }, '');
      else reply(response, 200, { 'x-app-version': '2.0.0' });
    });

    const run = await runActionBundle(ACTION_DIR, { inputs: { url: server.url, ...FAST, 'follow-redirects': 'true', 'expected-version': '2.0.0' } });

    expect(run.exitCode).toBe(0);
    expect(server.requests()).toBe(6);
    expect(run.log).toMatch(/Attempt 3\/10: 200 in \d+ ms after 1 redirect\(s\) to http:\/\/127\.0\.0\.1:\d+\/health\/, version 2\.0\.0 \(3 of 3 in a row\)/);
  });

  it('sends method, headers and Host', async () => {
    const seen: Array<{ method?: string; host?: string; authorization?: string }> = [];
    const server = await startServer((request, response) => {
      seen.push({ method: request.method, host: request.headers.host, authorization: request.headers.authorization });
      reply(response, 200);
    });

    const run = await runActionBundle(ACTION_DIR, {
      inputs: { url: server.url, ...FAST, method: 'post', headers: 'Authorization: Bearer s3cr3t-t0ken\nX-Trace: 1', host: 'quiz-testing.example.org' },
    });

    expect(run.exitCode).toBe(0);
    expect(seen).toEqual([{ method: 'POST', host: 'quiz-testing.example.org', authorization: 'Bearer s3cr3t-t0ken' }]);
    expect(run.log).toContain('POST, Host quiz-testing.example.org, headers authorization, x-trace, redirects not followed');
    expect(run.log).not.toContain('s3cr3t-t0ken');
    expect(run.masked).toContain('Bearer s3cr3t-t0ken');
  });

  it('checks each path', async () => {
    const server = await startServer((request, response) => reply(response, request.url === '/api/health' ? 200 : 404));
    const base = server.url.replace(/\/health$/, '/api');

    const run = await runActionBundle(ACTION_DIR, { inputs: { url: base, paths: '/health\n/missing', ...FAST, attempts: '1' } });

    expect(run.exitCode).toBe(1);
    expect(run.summary).toContain(`| ${base}/health | passed | 1 |`);
    expect(run.summary).toContain(`| ${base}/missing | failed: status 404 is not expected (expected 200) | 1 |`);
    expect(run.outputs.attempts).toBe('2');
  });

  it('reads a JSON version', async () => {
    const server = await startServer((_request, response, index) => reply(response, 200, {}, JSON.stringify({ build: { sha: index < 1 ? '0ld5ha' : 'n3w5ha' } })));

    const run = await runActionBundle(ACTION_DIR, {
      inputs: { url: server.url, ...FAST, 'expected-version': 'n3w5ha', 'version-json-path': '$.build.sha', 'consecutive-successes': '2' },
    });

    expect(run.exitCode).toBe(0);
    expect(run.outputs.version).toBe('n3w5ha');
    expect(run.log).toContain('version 0ld5ha, not counted: version "0ld5ha" seen at $.build.sha, expected "n3w5ha"');
    expect(run.summary).toMatch(/\| passed \| 3 \| \d+ \/ \d+ ms \| n3w5ha \|/);
  });

  it('rejects responses over max-latency', async () => {
    const server = await startServer((_request, response, index) => {
      if (index === 0) later(400, () => reply(response, 200));
      else reply(response, 200);
    });

    const run = await runActionBundle(ACTION_DIR, { inputs: { url: server.url, ...FAST, 'max-latency': '250ms' } });

    expect(run.exitCode).toBe(0);
    expect(run.outputs.attempts).toBe('2');
    expect(run.log).toMatch(/Attempt 1\/10: 200 in \d+ ms, not counted: took \d+ ms, more than max-latency 250 ms/);
  });

  it('stops at the overall timeout', async () => {
    const server = await startServer((_request, response) => reply(response, 503));

    const run = await runActionBundle(ACTION_DIR, { inputs: { url: server.url, interval: '200ms', timeout: '500ms', attempts: '100' } });

    expect(run.exitCode).toBe(1);
    expect(server.requests()).toBeLessThanOrEqual(4);
    expect(run.log).toContain('Stopping: the overall timeout (timeout) ran out after');
    expect(run.annotations[0]?.message).toContain('the overall timeout (timeout) ran out after');
  });
});
