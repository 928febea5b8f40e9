import { describe, expect, it } from '@jest/globals';

import { LoopMeter, buildFixedRequests, runLoad } from '../src/engine.ts';
import type { LoadOptions } from '../src/engine.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../src/http.ts';
import type { Flow } from '../src/scenario.ts';

const PLAIN: Flow = { name: 'read', weight: 1, steps: [{ name: 'get-quiz', method: 'GET', path: '/quizzes/q1', headers: { accept: 'application/json' }, extract: {} }] };

const SESSION: Flow = {
  name: 'session',
  weight: 1,
  steps: [
    { name: 'start', method: 'POST', path: '/sessions', headers: {}, body: { userId: '{{userId}}' }, extract: { sessionId: 'id' } },
    { name: 'answer', method: 'POST', path: '/sessions/{{sessionId}}/answers', headers: {}, body: { choice: 1 }, extract: {} },
    { name: 'heartbeat', method: 'POST', path: '/heartbeat', headers: {}, body: { ping: 1 }, extract: {} },
    { name: 'end', method: 'POST', path: '/sessions/end', headers: { 'x-quiz': '{{quiz}}' }, extract: {} },
  ],
};

/** Creates a client that records every request and responds at once with what `respond` returns. */
function recordingClient(respond: (request: HttpRequest) => HttpResponse): HttpClient & { sent: HttpRequest[] } {
  const sent: HttpRequest[] = [];
  return {
    sent,
    send: (request) => {
      sent.push(request);
      return Promise.resolve(respond(request));
    },
    close: () => Promise.resolve(),
    destroy: () => Promise.resolve(),
  };
}

function optionsOf(flows: Flow[], rate: number): LoadOptions {
  return {
    scenario: { name: 'test', description: '', writes: true, variables: { quiz: 'load-test-quiz' }, flows },
    runId: 'run1',
    stages: [{ durationMs: 100, targetRps: rate }],
    startRps: rate,
    shardIndex: 0,
    shardCount: 1,
    requestTimeoutMs: 1000,
    lateToleranceMs: 1_000_000,
    maxInFlight: 1000,
  };
}

function depsOf(client: HttpClient) {
  let now = 0;
  return {
    client,
    // Every reading moves the clock on, so the schedule runs without real waiting.
    clock: () => (now += 1),
    wait: () => Promise.resolve(),
    random: () => 0.5,
    cpuTimeUs: () => 0,
  };
}

describe('buildFixedRequests', () => {
  it('builds the requests of steps without templates once and leaves templated steps out', () => {
    const fixed = buildFixedRequests([PLAIN, SESSION]);
    expect([...fixed.keys()].map((step) => step.name)).toEqual(['get-quiz', 'heartbeat']);
    expect(fixed.get(PLAIN.steps[0]!)).toEqual({ method: 'GET', path: '/quizzes/q1', headers: { accept: 'application/json' }, readBody: false });
    expect(fixed.get(SESSION.steps[2]!)).toEqual({ method: 'POST', path: '/heartbeat', headers: { 'content-type': 'application/json' }, readBody: false, body: '{"ping":1}' });
  });

  it('freezes the shared requests so a client cannot change them for later iterations', () => {
    const request = buildFixedRequests([PLAIN]).get(PLAIN.steps[0]!)!;
    expect(() => {
      (request as { path: string }).path = '/other';
    }).toThrow(TypeError);
    expect(() => {
      request.headers['x-added'] = '1';
    }).toThrow(TypeError);
  });
});

describe('runLoad', () => {
  it('sends the same request for a step without templates on every arrival', async () => {
    const client = recordingClient(() => ({ status: 200 }));
    const data = await runLoad(optionsOf([PLAIN], 100), depsOf(client));
    expect(data.started).toBe(10);
    expect(client.sent).toHaveLength(10);
    expect(client.sent.every((request) => request.path === '/quizzes/q1' && request.headers.accept === 'application/json')).toBe(true);
    expect(data.iterations).toEqual({ completed: 10, failed: 0 });
    expect(data.routes.map((route) => [route.name, route.requests, route.errors])).toEqual([['get-quiz', 10, 0]]);
  });

  it('counts requests queued for a connection', async () => {
    const client = recordingClient(() => ({ status: 200, connectionWaitMs: 400 }));
    const data = await runLoad({ ...optionsOf([PLAIN], 100), lateToleranceMs: 100 }, depsOf(client));
    expect(data.dropped).toEqual({ late: 0, inFlightLimit: 0 });
    expect(data.generator.queuedRequests).toBe(10);
    expect(data.generator.maxQueuedMs).toBeGreaterThanOrEqual(400);
    expect(data.serviceHistogram).toBeDefined();
  });

  it('counts no queue when connections are free', async () => {
    const client = recordingClient(() => ({ status: 200, connectionWaitMs: 1 }));
    const data = await runLoad({ ...optionsOf([PLAIN], 100), lateToleranceMs: 100 }, depsOf(client));
    expect(data.generator.queuedRequests).toBe(0);
    expect(data.generator.maxQueuedMs).toBeLessThan(100);
  });

  it('fills templates per iteration and passes extracted values to later steps', async () => {
    let next = 1;
    const client = recordingClient((request) => (request.path === '/sessions' ? { status: 201, body: JSON.stringify({ id: `s${next++}` }) } : { status: 200 }));
    const data = await runLoad(optionsOf([SESSION], 20), depsOf(client));
    expect(data.iterations).toEqual({ completed: 2, failed: 0 });
    expect(client.sent.map((request) => `${request.method} ${request.path} ${request.body ?? ''} ${request.headers['x-quiz'] ?? ''}`.trim())).toEqual([
      'POST /sessions {"userId":"run1-user-0"}',
      'POST /sessions/s1/answers {"choice":1}',
      'POST /heartbeat {"ping":1}',
      'POST /sessions/end  load-test-quiz',
      'POST /sessions {"userId":"run1-user-1"}',
      'POST /sessions/s2/answers {"choice":1}',
      'POST /heartbeat {"ping":1}',
      'POST /sessions/end  load-test-quiz',
    ]);
  });

  it('numbers iterations across shards', async () => {
    const client = recordingClient(() => ({ status: 201, body: '{"id":"s1"}' }));
    const flow: Flow = { name: 'start', weight: 1, steps: [{ name: 'start', method: 'POST', path: '/sessions?user={{userId}}', headers: {}, extract: {} }] };
    await runLoad({ ...optionsOf([flow], 40), shardIndex: 1, shardCount: 2 }, depsOf(client));
    expect(client.sent.map((request) => request.path)).toEqual(['/sessions?user=run1-user-1', '/sessions?user=run1-user-3']);
  });

  it('ends an iteration when a value to extract is missing from the response', async () => {
    const client = recordingClient(() => ({ status: 201, body: '{}' }));
    const data = await runLoad(optionsOf([SESSION], 20), depsOf(client));
    expect(data.iterations).toEqual({ completed: 0, failed: 2 });
    expect(client.sent.map((request) => request.path)).toEqual(['/sessions', '/sessions']);
    // The step counts as failed, so the error rate shows the broken flow.
    expect(data.errors).toBe(2);
    expect(data.routes).toEqual([expect.objectContaining({ name: 'start', requests: 2, errors: 2, statuses: { 'extract-failed': 2 } })]);
  });
});

describe('LoopMeter', () => {
  /** Creates a fake event loop whose busy and idle milliseconds the test sets. */
  function loop() {
    const time = { active: 0, idle: 0 };
    return { time, read: () => ({ ...time }) };
  }

  it('keeps the busiest window', () => {
    const { time, read } = loop();
    const meter = new LoopMeter(read, 1000);
    time.active = 300;
    time.idle = 700;
    meter.sample(1000);
    time.active += 990;
    time.idle += 10;
    meter.sample(2000);
    time.active += 100;
    time.idle += 900;
    meter.sample(3000);
    expect(meter.peak).toBeCloseTo(0.99, 5);
    expect(meter.average()).toBeCloseTo(1390 / 3000, 5);
  });

  it('waits for a window to end', () => {
    const { time, read } = loop();
    const meter = new LoopMeter(read, 1000);
    time.active = 999;
    time.idle = 1;
    meter.sample(999);
    expect(meter.peak).toBe(0);
    meter.sample(1000);
    expect(meter.peak).toBeCloseTo(0.999, 5);
  });

  it('reports the peak from a load run', async () => {
    const { time, read } = loop();
    const client = recordingClient(() => {
      time.active += 9;
      time.idle += 1;
      return { status: 200 };
    });
    const data = await runLoad({ ...optionsOf([PLAIN], 100), stages: [{ durationMs: 3000, targetRps: 100 }] }, { ...depsOf(client), eventLoop: read });
    expect(data.generator.peakLoopUtilization).toBeCloseTo(0.9, 5);
    expect(data.generator.loopUtilization).toBeCloseTo(0.9, 5);
  });
});
