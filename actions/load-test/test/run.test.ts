import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';

import { ApplicationAutoScalingClient, DescribeScalingActivitiesCommand } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { MemoryLogger } from '@ecs-deploy-kit/shared';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';

import type { HttpClient, HttpRequest } from '../src/http.ts';
import { readInputs } from '../src/inputs.ts';
import { run } from '../src/run.ts';
import type { Deps } from '../src/run.ts';

const SCENARIO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');

interface Sent extends HttpRequest {
  origin: string;
}

/** Deps with an in-memory HTTP client that answers like the quiz API, and files kept in a map. */
function fakeDeps(overrides: Partial<Deps> = {}) {
  const sent: Sent[] = [];
  const files = new Map<string, string>();
  const clients: string[] = [];
  let sessions = 0;
  const deps: Deps = {
    createClient: (origin): HttpClient => {
      clients.push(origin);
      return {
        async send(request) {
          sent.push({ ...request, origin });
          await Promise.resolve();
          if (request.path === '/sessions/') return { status: 201, body: JSON.stringify({ _id: `s${++sessions}` }) };
          return { status: 200, body: '{}' };
        },
        close: async () => undefined,
        destroy: async () => undefined,
      };
    },
    readFile: async (file) => {
      const stored = files.get(file);
      if (stored !== undefined) return stored;
      return readFile(file, 'utf8');
    },
    writeFile: async (file, text) => {
      files.set(file, text);
    },
    scenarioDir: SCENARIO_DIR,
    defaultReportDir: '/reports',
    runId: 'lt-42-1',
    logger: new MemoryLogger(),
    clock: () => Date.parse('2026-12-04T10:00:00.000Z'),
    monotonic: () => performance.now(),
    wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: () => 0.25,
    cpuTimeUs: () => 0,
    ...overrides,
  };
  return { deps, sent, files, clients, logger: deps.logger as MemoryLogger };
}

function inputsOf(values: Record<string, string>) {
  return readInputs((name) => values[name] ?? '');
}

const TESTING = { 'target-url': 'http://quiz-api.testing.example.org', 'allowed-hosts': 'quiz-api.testing.example.org, quiz-api.prod.example.org, lambda.testing.example.org', rate: '50', duration: '200ms' };

describe('run', () => {
  it('runs the read scenario and writes both reports', async () => {
    const { deps, sent, files } = fakeDeps();
    const result = await run(inputsOf(TESTING), deps);

    expect(sent).toHaveLength(10);
    expect(new Set(sent.map((request) => request.origin))).toEqual(new Set(['http://quiz-api.testing.example.org']));
    expect(sent[0]).toMatchObject({ method: 'GET', path: '/quiz/load-test-quiz', readBody: false });
    expect(result.report.verdict).toBe('pass');
    expect(result.reportPath).toBe('/reports/report.json');
    expect(JSON.parse(files.get('/reports/report.json') as string)).toMatchObject({ schema: 'ecs-deploy-kit/load-test-report/v1', runId: 'lt-42-1', verdict: 'pass' });
    expect(files.get('/reports/report.md')).toBe(result.markdown);
  });

  it('warns when max-connections caps the pool', async () => {
    const { deps, logger } = fakeDeps();
    await run(inputsOf({ ...TESTING, 'max-connections': '4' }), deps);
    // 50/s × 200 ms × 2 calls for 20 connections, and 4 carry 50/s only while responses take 80 ms or less.
    expect(logger.text()).toContain('warning: max-connections (4) is below the 20 connections that 50 requests/s × expected-latency × 2 calls for. Responses slower than 80 ms will make requests wait');
  });

  it('sizes the pool for every step of a flow', async () => {
    const { deps, logger } = fakeDeps();
    await run(inputsOf({ ...TESTING, scenario: 'session', rate: '10', 'max-connections': '4' }), deps);
    // The session flow sends 9 requests per arrival: 90 requests/s × 200 ms × 2 calls for 36 connections.
    expect(logger.text()).toContain('below the 36 connections that 90 requests/s × expected-latency × 2 calls for');
  });

  it('sizes the pool without a warning when max-connections allows', async () => {
    const { deps, logger } = fakeDeps();
    await run(inputsOf(TESTING), deps);
    expect(logger.text()).not.toContain('max-connections');
    // The default p(99)<1500 accepts 1.5 s, so 50 requests/s get 75 connections.
    expect(logger.text()).toContain('with up to 75 keep-alive connections. They carry this job\'s peak rate while responses take at most 1500 ms');
  });

  it('sizes the pool by expected-latency above the thresholds', async () => {
    const { deps, logger } = fakeDeps();
    await run(inputsOf({ ...TESTING, thresholds: 'p(95)<300' }), deps);
    // 50/s × 200 ms × 2 gives 20 connections, which carry 50 requests/s up to 400 ms each.
    expect(logger.text()).toContain('with up to 20 keep-alive connections. They carry this job\'s peak rate while responses take at most 400 ms');
  });

  it('names the shard in the load line', async () => {
    const { deps, logger } = fakeDeps();
    await run(inputsOf({ ...TESTING, rate: '40', shard: '2/2' }), deps);
    expect(logger.text()).toContain('(job 2 of 2, which sends 1/2 of it) to http://quiz-api.testing.example.org with up to');
  });

  it('replaces scenario variables from the input', async () => {
    const { deps, sent } = fakeDeps();
    await run(inputsOf({ ...TESTING, variables: 'quizId=6405c1f5c3a1b2d4e5f60718' }), deps);
    expect(sent.filter((request) => request.path.startsWith('/quiz/')).every((request) => request.path === '/quiz/6405c1f5c3a1b2d4e5f60718')).toBe(true);
    expect(sent.some((request) => request.path.startsWith('/quiz/'))).toBe(true);
  });

  it('rejects a variable the scenario lacks', async () => {
    const { deps, sent } = fakeDeps();
    await expect(run(inputsOf({ ...TESTING, variables: 'quiz=1' }), deps)).rejects.toThrow('Input "variables": "quiz" is not a variable of scenario "read" (it declares quizId, questionSetId).');
    expect(sent).toEqual([]);
  });

  it('passes values between session steps', async () => {
    const { deps, sent } = fakeDeps();
    const result = await run(inputsOf({ ...TESTING, scenario: 'session', rate: '10' }), deps);

    const first = sent.slice(0, 9).map((request) => `${request.method} ${request.path}`);
    expect(first).toEqual([
      'GET /quiz/load-test-quiz',
      'POST /sessions/',
      'PATCH /sessions/s1',
      'PATCH /session_answers/s1/0',
      'PATCH /sessions/s1',
      'PATCH /session_answers/s1/1',
      'PATCH /sessions/s1',
      'PATCH /session_answers/s1/2',
      'PATCH /sessions/s1',
    ]);
    expect(JSON.parse(sent[1]?.body as string)).toEqual({ quiz_id: 'load-test-quiz', user_id: 'lt-42-1-user-0' });
    expect(sent.slice(2, 9).map((request) => JSON.parse(request.body as string).event ?? 'answer')).toEqual(['start-quiz', 'answer', 'dummy-event', 'answer', 'dummy-event', 'answer', 'end-quiz']);
    expect(sent[1]?.headers['content-type']).toBe('application/json');
    expect(result.report.data.iterations).toEqual({ completed: 2, failed: 0 });
  });

  it('refuses a write scenario on a production host', async () => {
    const { deps, clients } = fakeDeps();
    const inputs = inputsOf({ ...TESTING, 'target-url': 'https://quiz-api.prod.example.org', scenario: 'session' });
    await expect(run(inputs, deps)).rejects.toThrow('Scenario "session" writes data (POST, PUT, PATCH or DELETE), and "quiz-api.prod.example.org" is a production host');
    expect(clients).toEqual([]);
  });

  it('refuses a host listed in production-hosts', async () => {
    const { deps, clients } = fakeDeps();
    const inputs = inputsOf({ ...TESTING, scenario: 'session', 'production-hosts': 'quiz-api.testing.example.org' });
    await expect(run(inputs, deps)).rejects.toThrow('is a production host');
    expect(clients).toEqual([]);
  });

  it('checks allowed-hosts again before sending', async () => {
    const { deps, clients } = fakeDeps();
    const inputs = inputsOf(TESTING);
    inputs.allowedHosts = ['other.example.org'];
    await expect(run(inputs, deps)).rejects.toThrow('Host "quiz-api.testing.example.org" is not in allowed-hosts (other.example.org); no request was sent.');
    expect(clients).toEqual([]);
  });

  it('compares with a baseline file', async () => {
    const { deps: firstDeps } = fakeDeps();
    const previous = (await run(inputsOf(TESTING), firstDeps)).report;
    const { deps, files } = fakeDeps();
    files.set('previous/report.json', JSON.stringify(previous));
    const result = await run(inputsOf({ ...TESTING, baseline: 'previous/report.json' }), deps);
    expect(result.report.comparison).toMatchObject({ baseline: 'previous/report.json', conclusive: true });
  });

  it('checks the baseline file before sending load', async () => {
    const { deps, sent, files } = fakeDeps();
    files.set('notes.json', '{"schema": "other"}');
    await expect(run(inputsOf({ ...TESTING, baseline: 'missing/report.json' }), deps)).rejects.toThrow('Baseline report missing/report.json was not found.');
    await expect(run(inputsOf({ ...TESTING, baseline: 'notes.json' }), deps)).rejects.toThrow('notes.json is not a load-test report');
    expect(sent).toEqual([]);
  });

  it('runs the baseline endpoint after the target', async () => {
    const { deps, sent } = fakeDeps();
    const result = await run(inputsOf({ ...TESTING, 'baseline-url': 'https://lambda.testing.example.org/prod' }), deps);

    const origins = sent.map((request) => request.origin);
    const firstBaseline = origins.indexOf('https://lambda.testing.example.org');
    expect(firstBaseline).toBe(10);
    expect(origins.slice(firstBaseline).every((origin) => origin === 'https://lambda.testing.example.org')).toBe(true);
    expect(sent[firstBaseline]?.path).toBe('/prod/quiz/load-test-quiz');
    expect(result.report.comparison).toMatchObject({ baseline: 'https://lambda.testing.example.org/prod', conclusive: true });
  });

  it('names a missing scenario file', async () => {
    const { deps } = fakeDeps();
    await expect(run(inputsOf({ ...TESTING, scenario: 'missing/scenario.yaml' }), deps)).rejects.toThrow(
      'Input "scenario": "missing/scenario.yaml" was not found. It is neither a built-in scenario (read, session) nor a readable file at missing/scenario.yaml',
    );
  });

  it('merges shard reports', async () => {
    const shards = [];
    for (const shard of ['1/2', '2/2']) {
      const { deps } = fakeDeps();
      shards.push((await run(inputsOf({ ...TESTING, rate: '40', shard }), deps)).report);
    }
    expect(shards.map((report) => report.data.requests)).toEqual([4, 4]);

    const { deps, files, sent } = fakeDeps();
    files.set('a/report.json', JSON.stringify(shards[0]));
    files.set('b/report.json', JSON.stringify(shards[1]));
    const merged = await run(inputsOf({ 'allowed-hosts': 'quiz-api.testing.example.org', merge: 'a/report.json, b/report.json' }), deps);
    expect(sent).toEqual([]);
    expect(merged.report.data.requests).toBe(8);
    expect(merged.report.summary.targetRps).toBe(40);
    expect(merged.report.load.shardCount).toBe(2);
    expect(shards.map((report) => report.load.shardIndex)).toEqual([0, 1]);
    expect(merged.report.load.shardIndex).toBeUndefined();
    expect(merged.report.verdict).toBe('pass');
  });

  it('rejects shards of different loads', async () => {
    const shards = [];
    for (const [shard, rate] of [['1/2', '40'], ['2/2', '80']]) {
      const { deps } = fakeDeps();
      shards.push((await run(inputsOf({ ...TESTING, rate: rate as string, shard: shard as string }), deps)).report);
    }
    const { deps, files } = fakeDeps();
    files.set('a/report.json', JSON.stringify(shards[0]));
    files.set('b/report.json', JSON.stringify(shards[1]));
    await expect(run(inputsOf({ 'allowed-hosts': 'quiz-api.testing.example.org', merge: 'a/report.json, b/report.json' }), deps)).rejects.toThrow(
      'Reports a/report.json and b/report.json ran different loads (rate, stages or shard count)',
    );
  });

  it('rejects a threshold on a route the scenario lacks', async () => {
    const { deps, sent } = fakeDeps();
    await expect(run(inputsOf({ ...TESTING, thresholds: 'http_req_duration{route:getquiz}: p(95)<500' }), deps)).rejects.toThrow(
      'Input "thresholds": "http_req_duration{route:getquiz}: p(95)<500" names route "getquiz", which scenario "read" does not have (its routes: get-quiz, preflight, get-questions, health).',
    );
    expect(sent).toEqual([]);
  });

  it('rejects a shard given twice', async () => {
    const { deps: shardDeps } = fakeDeps();
    const shard = (await run(inputsOf({ ...TESTING, rate: '40', shard: '1/2' }), shardDeps)).report;
    const { deps, files } = fakeDeps();
    files.set('a/report.json', JSON.stringify(shard));
    files.set('b/report.json', JSON.stringify(shard));
    await expect(run(inputsOf({ 'allowed-hosts': 'quiz-api.testing.example.org', merge: 'a/report.json, b/report.json' }), deps)).rejects.toThrow(
      'Reports a/report.json and b/report.json are both shard 1 of 2. Give each shard\'s report.json once.',
    );
  });

  it('calls a merge with a shard missing invalid', async () => {
    const { deps: shardDeps } = fakeDeps();
    const shard = (await run(inputsOf({ ...TESTING, rate: '40', shard: '2/2' }), shardDeps)).report;
    const { deps, files } = fakeDeps();
    files.set('b/report.json', JSON.stringify(shard));
    const merged = await run(inputsOf({ 'allowed-hosts': 'quiz-api.testing.example.org', merge: 'b/report.json' }), deps);
    expect(merged.report.verdict).toBe('invalid');
    expect(merged.report.reasons[0]).toBe(
      "The reports of 1 of the 2 shards are missing, so the merged results cover only part of the target rate. Download the report.json of every shard job before merging. A shard job that failed needs the whole load test run again, because a rerun job gets a new run id.",
    );
  });
});

describe('run with AWS evidence', () => {
  const cloudWatch = mockClient(CloudWatchClient);
  const ecs = mockClient(ECSClient);
  const autoScaling = mockClient(ApplicationAutoScalingClient);

  beforeEach(() => {
    cloudWatch.reset();
    ecs.reset();
    autoScaling.reset();
  });

  it('fetches all metrics in one GetMetricData call', async () => {
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'alb_requests', Timestamps: [new Date('2026-12-04T10:00:00Z')], Values: [600] },
        { Id: 'ecs_cpu', Timestamps: [new Date('2026-12-04T10:00:00Z')], Values: [71.5] },
      ],
    });
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'quiz-backend-testing',
          events: [
            { createdAt: new Date('2026-12-04T10:00:30Z'), message: '(service quiz-backend-testing) has started 1 tasks.' },
            { createdAt: new Date('2026-12-04T08:00:00Z'), message: 'an older event' },
          ],
        },
      ],
    });
    autoScaling.on(DescribeScalingActivitiesCommand).resolves({
      ScalingActivities: [
        { ActivityId: 'a1', ServiceNamespace: 'ecs', ResourceId: 'service/quiz-backend-testing/quiz-backend-testing', ScalableDimension: 'ecs:service:DesiredCount', StartTime: new Date('2026-12-04T10:00:20Z'), Description: 'Setting desired count to 3.', Cause: 'alarm', StatusCode: 'Successful' },
      ],
    });

    const { deps } = fakeDeps({
      evidence: { cloudWatch: new CloudWatchClient({ region: 'ap-south-1' }), ecs: new ECSClient({ region: 'ap-south-1' }), autoScaling: new ApplicationAutoScalingClient({ region: 'ap-south-1' }) },
    });
    const inputs = inputsOf({
      ...TESTING,
      cluster: 'quiz-backend-testing',
      service: 'quiz-backend-testing',
      'load-balancer': 'app/quiz-backend-testing/50dc6c495c0c9188',
      'function-name': 'quiz-backend',
    });
    const result = await run(inputs, deps);

    const calls = cloudWatch.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input?.StartTime).toEqual(new Date('2026-12-04T10:00:00Z'));
    expect(input?.EndTime).toEqual(new Date('2026-12-04T10:01:00Z'));
    expect(input?.MetricDataQueries?.map((query) => query.Id)).toEqual([
      'alb_requests',
      'alb_target_time_p99',
      'alb_target_time_avg',
      'alb_target_5xx',
      'alb_elb_5xx',
      'alb_connection_errors',
      'ecs_cpu',
      'ecs_memory',
      'ecs_running_tasks',
      'lambda_duration_p99',
      'lambda_errors',
      'lambda_throttles',
      'lambda_concurrency',
    ]);
    expect(input?.MetricDataQueries?.[0]?.MetricStat).toEqual({
      Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Dimensions: [{ Name: 'LoadBalancer', Value: 'app/quiz-backend-testing/50dc6c495c0c9188' }] },
      Period: 60,
      Stat: 'Sum',
    });
    expect(autoScaling.commandCalls(DescribeScalingActivitiesCommand)[0]?.args[0].input).toEqual({ ServiceNamespace: 'ecs', ResourceId: 'service/quiz-backend-testing/quiz-backend-testing', ScalableDimension: 'ecs:service:DesiredCount' });

    expect(result.report.evidence?.timeline).toEqual([
      { time: '2026-12-04T10:00:20.000Z', source: 'auto-scaling', message: 'Setting desired count to 3. (Successful)' },
      { time: '2026-12-04T10:00:30.000Z', source: 'ecs-service', message: '(service quiz-backend-testing) has started 1 tasks.' },
    ]);
    expect(result.markdown).toContain('| ALB requests | total | 600 count | 600 |');
    expect(result.markdown).toContain('| ECS CPU | max of Maximum | 71.5 % | 71.5 |');
    expect(result.markdown).toContain('| Lambda errors | total | no data |  |');
  });

  it('reports a denied call and keeps the verdict', async () => {
    cloudWatch.on(GetMetricDataCommand).rejects(Object.assign(new Error('User is not authorized to perform: cloudwatch:GetMetricData'), { name: 'AccessDenied' }));
    const { deps, logger } = fakeDeps({ evidence: { cloudWatch: new CloudWatchClient({ region: 'ap-south-1' }) } });
    const result = await run(inputsOf({ ...TESTING, 'function-name': 'quiz-backend' }), deps);

    expect(result.report.verdict).toBe('pass');
    expect(result.report.evidence?.problems).toEqual([
      'GetMetricData failed, so the report lacks that evidence: GetMetricData was denied: User is not authorized to perform: cloudwatch:GetMetricData Grant this action to the role the workflow assumes.',
    ]);
    expect(logger.text()).toContain('warning: GetMetricData failed');
  });
});
