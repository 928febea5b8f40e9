import { afterEach, describe, expect, it } from '@jest/globals';

import { errorKind, undiciClient } from '../src/http.ts';
import type { HttpClient } from '../src/http.ts';
import { fastHandler, startServer } from './servers.ts';
import type { TestServer } from './servers.ts';

describe('undiciClient', () => {
  let server: TestServer | undefined;
  let client: HttpClient | undefined;

  afterEach(async () => {
    await client?.destroy();
    await server?.close();
    client = undefined;
    server = undefined;
  });

  it('returns the status and the body only when the caller reads it', async () => {
    server = await startServer(fastHandler);
    client = undiciClient(server.url, { connections: 2, requestTimeoutMs: 2000 });
    const read = await client.send({ method: 'GET', path: '/quizzes/q1', headers: {}, readBody: true });
    const discarded = await client.send({ method: 'GET', path: '/quizzes/q2', headers: {}, readBody: false });
    expect(read).toEqual({ status: 200, body: '{"ok":true}', connectionWaitMs: expect.any(Number) });
    expect(discarded).toEqual({ status: 200, connectionWaitMs: expect.any(Number) });
    expect(server.requests).toEqual(['GET /quizzes/q1', 'GET /quizzes/q2']);
  });

  it('sends the body and joins chunked responses', async () => {
    const received: { method?: string; contentType?: string; body: string }[] = [];
    server = await startServer((request, response, body) => {
      received.push({ method: request.method, contentType: request.headers['content-type'], body });
      response.writeHead(201, { 'content-type': 'application/json' });
      response.write('{"id":');
      setTimeout(() => response.end('"s1"}'), 20);
    });
    client = undiciClient(server.url, { connections: 1, requestTimeoutMs: 2000 });
    const response = await client.send({ method: 'POST', path: '/sessions', headers: { 'content-type': 'application/json' }, body: '{"userId":"u1"}', readBody: true });
    expect(response).toEqual({ status: 201, body: '{"id":"s1"}', connectionWaitMs: expect.any(Number) });
    expect(received).toEqual([{ method: 'POST', contentType: 'application/json', body: '{"userId":"u1"}' }]);
  });

  it('queues requests beyond the pool size instead of failing them', async () => {
    server = await startServer((request, response, body) => setTimeout(() => fastHandler(request, response, body), 30));
    client = undiciClient(server.url, { connections: 1, requestTimeoutMs: 2000 });
    const active = client;
    const responses = await Promise.all(Array.from({ length: 5 }, (_, index) => active.send({ method: 'GET', path: `/${index}`, headers: {}, readBody: false })));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
  });

  it('measures the wait for a free connection', async () => {
    server = await startServer((request, response, body) => setTimeout(() => fastHandler(request, response, body), 200));
    client = undiciClient(server.url, { connections: 1, requestTimeoutMs: 2000 });
    const active = client;
    const [first, second] = await Promise.all([0, 1].map((index) => active.send({ method: 'GET', path: `/${index}`, headers: {}, readBody: false })));
    // The first request waits only for the connection to open; the second waits for the first response.
    expect(first?.connectionWaitMs).toBeLessThan(150);
    expect(second?.connectionWaitMs).toBeGreaterThanOrEqual(190);
  });

  it('marks requests still queued at destroy as not sent', async () => {
    server = await startServer((request, response, body) => setTimeout(() => fastHandler(request, response, body), 300));
    client = undiciClient(server.url, { connections: 1, requestTimeoutMs: 2000 });
    const active = client;
    const outcomes = [0, 1].map((index) => active.send({ method: 'GET', path: `/${index}`, headers: {}, readBody: false }).then(() => 'ok', errorKind));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await active.destroy();
    // The first request was on the connection and is aborted; the second never left the pool's queue.
    expect(await Promise.all(outcomes)).toEqual(['aborted', 'not-sent']);
  });

  it('rejects with a timeout when the response headers do not come in time', async () => {
    server = await startServer(() => undefined);
    client = undiciClient(server.url, { connections: 1, requestTimeoutMs: 100 });
    const error = await client.send({ method: 'GET', path: '/', headers: {}, readBody: false }).catch((caught: unknown) => caught);
    expect(errorKind(error)).toBe('timeout');
  });

  it('rejects requests still in flight as aborted when destroyed', async () => {
    server = await startServer(() => undefined);
    client = undiciClient(server.url, { connections: 1, requestTimeoutMs: 5000 });
    const pending = client.send({ method: 'GET', path: '/', headers: {}, readBody: false }).catch((caught: unknown) => caught);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await client.destroy();
    expect(errorKind(await pending)).toBe('aborted');
  });

  it('rejects with the connection error when nothing listens', async () => {
    const closed = await startServer(fastHandler);
    await closed.close();
    client = undiciClient(closed.url, { connections: 1, requestTimeoutMs: 1000 });
    const error = await client.send({ method: 'GET', path: '/', headers: {}, readBody: false }).catch((caught: unknown) => caught);
    expect(errorKind(error)).toBe('ECONNREFUSED');
  });
});
