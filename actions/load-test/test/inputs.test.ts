import { describe, expect, it } from '@jest/globals';

import { parseVariables, readInputs } from '../src/inputs.ts';

function reader(values: Record<string, string>) {
  return (name: string): string => values[name] ?? '';
}

const BASE = { 'target-url': 'https://quiz-api.testing.example.org', 'allowed-hosts': 'quiz-api.testing.example.org' };

describe('readInputs', () => {
  it('applies defaults', () => {
    const inputs = readInputs(reader(BASE));
    expect(inputs).toMatchObject({
      scenario: 'read',
      stages: [{ durationMs: 60_000, targetRps: 10 }],
      startRps: 10,
      requestTimeoutMs: 10_000,
      expectedLatencyMs: 200,
      maxConnections: 256,
      shardIndex: 0,
      shardCount: 1,
      merge: [],
      tolerance: 0.1,
      aws: {},
      failStep: true,
    });
    expect(inputs.thresholds.map((threshold) => threshold.source)).toEqual(['p(95)<500', 'p(99)<1500', 'rate<0.01', 'dropped==0', 'achieved>=95%']);
  });

  it('reads stages, shard and AWS identifiers', () => {
    const inputs = readInputs(
      reader({
        ...BASE,
        stages: '30s:50, 2m:50, 30s:0',
        shard: '2/4',
        cluster: 'quiz-backend-testing',
        service: 'arn:aws:ecs:ap-south-1:123456789012:service/quiz-backend-testing/quiz-backend-testing',
        'load-balancer': 'arn:aws:elasticloadbalancing:ap-south-1:123456789012:loadbalancer/app/quiz-backend-testing/50dc6c495c0c9188',
        'target-group': 'arn:aws:elasticloadbalancing:ap-south-1:123456789012:targetgroup/quiz-backend-testing/73e2d6bc24d8a067',
        'function-name': 'arn:aws:lambda:ap-south-1:123456789012:function:quiz-backend',
        tolerance: '5%',
      }),
    );
    expect(inputs.stages).toEqual([
      { durationMs: 30_000, targetRps: 50 },
      { durationMs: 120_000, targetRps: 50 },
      { durationMs: 30_000, targetRps: 0 },
    ]);
    expect(inputs.startRps).toBe(0);
    expect([inputs.shardIndex, inputs.shardCount]).toEqual([1, 4]);
    expect(inputs.aws).toEqual({
      cluster: 'quiz-backend-testing',
      service: 'quiz-backend-testing',
      loadBalancer: 'app/quiz-backend-testing/50dc6c495c0c9188',
      targetGroup: 'targetgroup/quiz-backend-testing/73e2d6bc24d8a067',
      functionName: 'quiz-backend',
    });
    expect(inputs.tolerance).toBe(0.05);
    expect(readInputs(reader({ ...BASE, tolerance: '0.2' })).tolerance).toBe(0.2);
  });

  it('accepts wildcard and port entries in allowed-hosts', () => {
    expect(readInputs(reader({ 'target-url': 'https://api.testing.example.org', 'allowed-hosts': '*.testing.example.org' })).targetUrl.host).toBe('api.testing.example.org');
    expect(readInputs(reader({ 'target-url': 'http://127.0.0.1:8000', 'allowed-hosts': '127.0.0.1:8000' })).targetUrl.port).toBe('8000');
  });

  it.each([
    [{ 'target-url': 'https://quiz-api.testing.example.org' }, 'Input "allowed-hosts": is required but was empty.'],
    [{ ...BASE, 'allowed-hosts': 'other.example.org' }, 'Input "target-url": host "quiz-api.testing.example.org" is not in allowed-hosts (other.example.org).'],
    [{ ...BASE, 'allowed-hosts': '*.example.org:8443' }, 'is not in allowed-hosts'],
    [{ 'target-url': 'https://example.org', 'allowed-hosts': '*.example.org' }, 'is not in allowed-hosts'],
    [{ 'target-url': 'http://127.0.0.1:8000', 'allowed-hosts': '*.0.0.1' }, 'Input "target-url": host "127.0.0.1:8000" is not in allowed-hosts (*.0.0.1).'],
    [{ ...BASE, 'baseline-url': 'https://lambda.example.org' }, 'Input "baseline-url": host "lambda.example.org" is not in allowed-hosts'],
    [{ ...BASE, 'target-url': 'ftp://quiz-api.testing.example.org' }, '"ftp:" is not supported'],
    [{ ...BASE, 'target-url': 'https://user:pw@quiz-api.testing.example.org' }, 'contains credentials'],
    [{ ...BASE, rate: 'fast' }, 'Input "rate": "fast" is not a rate.'],
    [{ ...BASE, rate: '0' }, 'Input "rate": "0" is not a rate.'],
    [{ ...BASE, duration: '10' }, 'Input "duration": "10" is not a duration.'],
    [{ ...BASE, duration: '7h' }, 'longer than the 6 h'],
    [{ ...BASE, stages: '30s-50' }, 'Input "stages": "30s-50" is not DURATION:RATE.'],
    [{ ...BASE, stages: '30s:0' }, 'every stage has rate 0'],
    [{ ...BASE, shard: '5/4' }, 'Input "shard": "5/4" is not INDEX/COUNT'],
    [{ ...BASE, thresholds: 'p95<1' }, 'Input "thresholds": "p95<1" is not a threshold.'],
    [{ ...BASE, cluster: 'quiz-backend-testing' }, 'Input "service": must be set together with cluster'],
    [{ ...BASE, 'load-balancer': 'quiz-alb' }, 'Input "load-balancer": "quiz-alb" is neither an ARN nor app/NAME/ID.'],
    [{ ...BASE, baseline: 'old.json', 'baseline-url': 'https://quiz-api.testing.example.org' }, 'and baseline-url are both set'],
    [{ ...BASE, tolerance: 'ten' }, 'Input "tolerance": "ten" is not a percentage.'],
    [{ ...BASE, tolerance: '1.5' }, 'Input "tolerance": "1.5" is ambiguous. Write a percentage such as 1.5% or a fraction below 1 such as 0.1.'],
  ])('rejects %j', (values, message) => {
    expect(() => readInputs(reader(values))).toThrow(message);
  });

  it('needs no target-url to merge', () => {
    const inputs = readInputs(reader({ 'allowed-hosts': 'quiz-api.testing.example.org', merge: 'a/report.json\nb/report.json' }));
    expect(inputs.merge).toEqual(['a/report.json', 'b/report.json']);
  });
});

describe('parseVariables', () => {
  it('reads NAME=VALUE lines', () => {
    expect(parseVariables('quizId = 6405c1f5c3a1b2d4e5f60718\n\n  note=a=b  \n')).toEqual({ quizId: '6405c1f5c3a1b2d4e5f60718', note: 'a=b' });
  });

  it('reads an empty input as none', () => {
    expect(parseVariables('')).toEqual({});
  });

  it.each([
    ['quizId', 'line 1 is not KEY=VALUE'],
    ['quiz id=1', '"quiz id" is not a variable name'],
    ['quizId=', '"quizId" has an empty value'],
    ['quizId=1\nquizId=2', '"quizId" is given twice'],
  ])('rejects %j', (raw, message) => {
    expect(() => parseVariables(raw)).toThrow(message);
    expect(() => parseVariables(raw)).toThrow('Input "variables"');
  });
});
