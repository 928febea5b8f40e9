import { describe, expect, it } from '@jest/globals';

import { evaluateThresholds, parseThresholds } from '../src/thresholds.ts';
import type { ThresholdSource } from '../src/thresholds.ts';

describe('parseThresholds', () => {
  it.each([
    ['p(95)<500', { metric: 'http_req_duration', aggregation: { kind: 'percentile', percentile: 95 }, operator: '<', value: 500 }],
    ['p(99.9) <= 2s', { metric: 'http_req_duration', aggregation: { kind: 'percentile', percentile: 99.9 }, operator: '<=', value: 2000 }],
    ['avg<200', { metric: 'http_req_duration', aggregation: { kind: 'avg' }, operator: '<', value: 200 }],
    ['med<100ms', { metric: 'http_req_duration', aggregation: { kind: 'med' }, operator: '<', value: 100 }],
    ['rate<0.01', { metric: 'http_req_failed', aggregation: { kind: 'rate' }, operator: '<', value: 0.01 }],
    ['rate<1%', { metric: 'http_req_failed', aggregation: { kind: 'rate' }, operator: '<', value: 0.01 }],
    ['dropped==0', { metric: 'dropped', aggregation: { kind: 'count' }, operator: '==', value: 0 }],
    ['achieved >= 95%', { metric: 'achieved', aggregation: { kind: 'count' }, operator: '>=', value: 0.95 }],
    ['achieved>=0.9', { metric: 'achieved', operator: '>=', value: 0.9 }],
    ['http_req_duration{route:answer}: p(99)<800', { metric: 'http_req_duration', route: 'answer', aggregation: { kind: 'percentile', percentile: 99 }, value: 800 }],
    ['http_req_failed{name:create-session}: rate<0.05', { metric: 'http_req_failed', route: 'create-session', value: 0.05 }],
  ])('parses %s', (text, expected) => {
    const [threshold] = parseThresholds(text);
    expect(threshold).toMatchObject(expected);
  });

  it('splits lines and commas', () => {
    const thresholds = parseThresholds('p(95)<500, p(99)<1500\n# comment\n\nhttp_req_duration{route:answer}: p(90)<300, max<2000');
    expect(thresholds.map((threshold) => threshold.source)).toEqual([
      'p(95)<500',
      'p(99)<1500',
      'http_req_duration{route:answer}: p(90)<300',
      'http_req_duration{route:answer}: max<2000',
    ]);
    expect(thresholds[3]).toMatchObject({ route: 'answer', aggregation: { kind: 'max' } });
  });

  it('starts a new prefix anywhere on a line', () => {
    const thresholds = parseThresholds('p(95)<300, http_req_duration{route:get-quiz}:p(99)<800, http_req_failed{route:answer}: rate<0.05');
    expect(thresholds.map((threshold) => threshold.source)).toEqual(['p(95)<300', 'http_req_duration{route:get-quiz}: p(99)<800', 'http_req_failed{route:answer}: rate<0.05']);
    expect(thresholds[0]?.route).toBeUndefined();
    expect(thresholds[1]).toMatchObject({ route: 'get-quiz', value: 800 });
    expect(thresholds[2]).toMatchObject({ metric: 'http_req_failed', route: 'answer', value: 0.05 });
  });

  it('reads the k6 options mapping', () => {
    const thresholds = parseThresholds("http_req_duration: ['p(95)<500', 'p(99)<1500']\n'http_req_duration{route:answer}': ['p(99)<800']\nhttp_req_failed: ['rate<0.01']");
    expect(thresholds).toHaveLength(4);
    expect(thresholds[2]).toMatchObject({ route: 'answer', value: 800 });
    expect(thresholds[3]).toMatchObject({ metric: 'http_req_failed', value: 0.01 });
  });

  it('uses the defaults when empty', () => {
    expect(parseThresholds('  \n').map((threshold) => threshold.source)).toEqual(['p(95)<500', 'p(99)<1500', 'rate<0.01', 'dropped==0', 'achieved>=95%']);
  });

  it.each([
    ['p95<500', 'is not a threshold'],
    ['p(0)<5', 'above 0 and at most 100'],
    ['latency: p(95)<5', 'unknown metric "latency"'],
    ['http_req_failed: p(95)<5', 'does not apply to http_req_failed'],
    ['rate<5ms', 'time unit only applies to latency'],
  ])('rejects %s', (text, message) => {
    expect(() => parseThresholds(text)).toThrow(message);
  });
});

describe('evaluateThresholds', () => {
  const source: ThresholdSource = {
    latencyMs: (route, aggregation) => {
      if (route === 'missing') return undefined;
      if (aggregation.kind === 'percentile') return route === 'answer' ? 900 : aggregation.percentile * 5;
      return 100;
    },
    errorRate: () => 0.02,
    dropped: () => 0,
    achievedFraction: () => 0.96,
  };

  it('passes and fails by measured values', () => {
    const results = evaluateThresholds(parseThresholds('p(95)<500\np(99)<400\nrate<0.01\ndropped==0\nachieved>=95%\nhttp_req_duration{route:answer}: p(99)<800'), source);
    expect(results).toEqual([
      { source: 'p(95)<500', actual: 475, display: '475 ms', passed: true },
      { source: 'p(99)<400', actual: 495, display: '495 ms', passed: false },
      { source: 'rate<0.01', actual: 0.02, display: '2 %', passed: false },
      { source: 'dropped==0', actual: 0, display: '0', passed: true },
      { source: 'achieved>=95%', actual: 0.96, display: '96 %', passed: true },
      { source: 'http_req_duration{route:answer}: p(99)<800', actual: 900, display: '900 ms', passed: false },
    ]);
  });

  it('fails a route without requests', () => {
    const [result] = evaluateThresholds(parseThresholds('http_req_duration{route:missing}: p(95)<500'), source);
    expect(result).toEqual({ source: 'http_req_duration{route:missing}: p(95)<500', passed: false });
  });
});
