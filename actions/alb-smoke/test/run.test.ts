import { readFile } from 'node:fs/promises';

import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListServicesCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import type { DescribeServicesCommandOutput, Task } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TargetHealthDescription, TargetHealthReasonEnum, TargetHealthStateEnum } from '@aws-sdk/client-elastic-load-balancing-v2';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { ActionError, MemoryLogger } from '@ecs-deploy-kit/shared';
import { mockClient } from 'aws-sdk-client-mock';

import { readInputs } from '../src/inputs.ts';
import { run } from '../src/run.ts';
import { failureMessage, percentile, renderOutputs, renderSummary } from '../src/summary.ts';
import { fakeWorld } from './fakes.ts';
import type { Reply } from './fakes.ts';

const ecsMock = mockClient(ECSClient);
const elbMock = mockClient(ElasticLoadBalancingV2Client);

const CLUSTER_ARN = 'arn:aws:ecs:ap-south-1:123456789012:cluster/quiz-backend-testing';
const TARGET_GROUP_ARN = 'arn:aws:elasticloadbalancing:ap-south-1:123456789012:targetgroup/quiz-backend-testing/0a1b2c3d4e5f6a7b';
const REVISION_41 = 'arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz-backend-testing:41';
const REVISION_40 = 'arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz-backend-testing:40';
const SERVICE_INPUTS = { url: 'https://quiz.example.org/health', cluster: 'quiz-backend-testing', service: 'quiz-backend-testing', interval: '2s' };

function task(id: string, taskDefinitionArn: string, ip: string): Task {
  return {
    taskArn: `arn:aws:ecs:ap-south-1:123456789012:task/quiz-backend-testing/${id}`,
    clusterArn: CLUSTER_ARN,
    taskDefinitionArn,
    lastStatus: 'RUNNING',
    attachments: [{ type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: ip }] }],
  };
}

function target(ip: string, state: TargetHealthStateEnum, reason?: TargetHealthReasonEnum, description?: string): TargetHealthDescription {
  return { Target: { Id: ip, Port: 8000 }, TargetHealth: { State: state, Reason: reason, Description: description } };
}

/** Mocks ECS with the fixture service running task n1 of revision 41 and task o1 of revision 40. */
async function mockTwoRevisions(): Promise<void> {
  ecsMock.on(DescribeServicesCommand).resolves(await describeServicesFixture(1));
  const tasks = [task('n1', REVISION_41, '10.0.1.5'), task('o1', REVISION_40, '10.0.1.9')];
  ecsMock.on(ListTasksCommand).resolves({ taskArns: tasks.map((item) => item.taskArn as string) });
  ecsMock.on(DescribeTasksCommand).resolves({ tasks });
}

async function describeServicesFixture(desiredCount: number): Promise<DescribeServicesCommandOutput> {
  const text = await readFile(new URL('./fixtures/describe-services.json', import.meta.url), 'utf8');
  const output = JSON.parse(text) as DescribeServicesCommandOutput;
  for (const service of output.services ?? []) service.desiredCount = desiredCount;
  return output;
}

function inputsOf(values: Record<string, string>) {
  return readInputs((name) => values[name] ?? '');
}

async function runWith(values: Record<string, string>, replies: Reply[]) {
  const world = fakeWorld(replies);
  const logger = new MemoryLogger();
  const result = await run(inputsOf(values), {
    ...world,
    logger,
    ecs: new ECSClient({ region: 'ap-south-1' }),
    elb: new ElasticLoadBalancingV2Client({ region: 'ap-south-1' }),
  });
  return { result, world, logger };
}

beforeEach(() => {
  ecsMock.reset();
  elbMock.reset();
});

describe('run', () => {
  it('skips a service scaled to zero', async () => {
    ecsMock.on(DescribeServicesCommand).resolves(await describeServicesFixture(0));

    const { result, world, logger } = await runWith(
      { url: 'https://quiz.example.org/health', cluster: 'quiz-backend-testing', service: 'quiz-backend-testing' },
      [],
    );

    expect(result.skipped).toBe(true);
    expect(world.requests).toEqual([]);
    expect(ecsMock.commandCalls(DescribeServicesCommand)[0]?.args[0].input).toEqual({
      cluster: 'quiz-backend-testing',
      services: ['quiz-backend-testing'],
    });
    expect(logger.lines).toContain(
      'notice: Skipping the smoke test: service "quiz-backend-testing" in cluster "quiz-backend-testing" has desiredCount 0, so no task serves these URLs.',
    );
    expect(renderOutputs(result)).toEqual({ status: '', 'latency-ms': '', attempts: '0', version: '', skipped: 'true' });
    expect(renderSummary(result)).toContain('### Smoke test skipped');
  });

  it('checks a running service', async () => {
    await mockTwoRevisions();
    elbMock.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [target('10.0.1.5', 'healthy')] });

    const { result, world } = await runWith(SERVICE_INPUTS, [{ status: 200, latencyMs: 31, headers: { 'x-app-version': '1.4.0' } }]);

    expect(result.skipped).toBe(false);
    expect(result.passed).toBe(true);
    expect(world.requests).toEqual(['https://quiz.example.org/health']);
    expect(renderOutputs(result)).toEqual({ status: '200', 'latency-ms': '31', attempts: '1', version: '1.4.0', skipped: 'false' });
  });

  it('waits for deployed targets', async () => {
    await mockTwoRevisions();
    elbMock
      .on(DescribeTargetHealthCommand)
      .resolvesOnce({ TargetHealthDescriptions: [target('10.0.1.9', 'healthy'), target('10.0.1.5', 'initial', 'Elb.RegistrationInProgress', 'Target registration is in progress')] })
      .resolvesOnce({
        TargetHealthDescriptions: [
          target('10.0.1.9', 'healthy'),
          target('10.0.1.5', 'unhealthy', 'Target.ResponseCodeMismatch', 'Health checks failed with these codes: [503]'),
        ],
      })
      .resolves({
        TargetHealthDescriptions: [
          target('10.0.1.9', 'draining', 'Target.DeregistrationInProgress', 'Target deregistration is in progress'),
          target('10.0.1.5', 'healthy'),
        ],
      });

    const { result, world, logger } = await runWith(SERVICE_INPUTS, [{ status: 200 }]);

    expect(result.passed).toBe(true);
    expect(elbMock.commandCalls(DescribeTargetHealthCommand)).toHaveLength(3);
    expect(elbMock.commandCalls(DescribeTargetHealthCommand)[0]?.args[0].input).toEqual({ TargetGroupArn: TARGET_GROUP_ARN });
    expect(ecsMock.commandCalls(ListTasksCommand)[0]?.args[0].input).toEqual({
      cluster: 'quiz-backend-testing',
      serviceName: 'quiz-backend-testing',
      desiredStatus: 'RUNNING',
    });
    expect(ecsMock.commandCalls(DescribeTasksCommand)[0]?.args[0].input.tasks).toHaveLength(2);
    expect(world.sleeps.slice(0, 2)).toEqual([2_000, 2_000]);
    const waitLines = logger.lines.slice(logger.lines.indexOf('[Wait for healthy targets]') + 1, logger.lines.indexOf('[Check https://quiz.example.org/health]'));
    expect(waitLines).toEqual([
      'Waiting for healthy tasks of the PRIMARY deployment of service "quiz-backend-testing" in quiz-backend-testing.',
      'Deployed revision: quiz-backend-testing:41 (PRIMARY deployment ecs-svc/4412349977301662209, COMPLETED).',
      'Target 10.0.1.9:8000 in quiz-backend-testing (not a RUNNING task of the deployed revision): healthy',
      'Target 10.0.1.5:8000 in quiz-backend-testing: initial (Elb.RegistrationInProgress: Target registration is in progress)',
      'Target 10.0.1.5:8000 in quiz-backend-testing: unhealthy (Target.ResponseCodeMismatch: Health checks failed with these codes: [503])',
      'Target 10.0.1.9:8000 in quiz-backend-testing (not a RUNNING task of the deployed revision): draining (Target.DeregistrationInProgress: Target deregistration is in progress)',
      'Target 10.0.1.5:8000 in quiz-backend-testing: healthy',
      'Targets healthy after 4000 ms: 1 in quiz-backend-testing.',
    ]);
    expect(renderSummary(result)).toContain('Targets of quiz-backend-testing:41 healthy after 4s (quiz-backend-testing: 1 of 1 healthy).');
  });

  it('ignores healthy old revision', async () => {
    await mockTwoRevisions();
    elbMock.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        target('10.0.1.9', 'healthy'),
        target('10.0.1.5', 'unhealthy', 'Target.Timeout', 'Request timed out'),
      ],
    });

    const { result, world, logger } = await runWith({ ...SERVICE_INPUTS, 'target-health-timeout': '10s' }, []);

    expect(result.passed).toBe(false);
    expect(world.requests).toEqual([]);
    const message = failureMessage(result);
    expect(message).toBe(
      'Smoke test failed before any request: targets not healthy within 10s (target-health-timeout): 0 of 1 target(s) of quiz-backend-testing:41 healthy in quiz-backend-testing. Each target\'s state is in the log above.',
    );
    expect(renderSummary(result)).toBe(
      [
        '### Smoke test failed',
        '',
        'Targets of quiz-backend-testing:41 not healthy within 10s (quiz-backend-testing: 0 of 1 healthy).',
        '',
        '| Target | Target group | Deployed revision | State | Reason |',
        '| --- | --- | --- | --- | --- |',
        '| 10.0.1.9:8000 | quiz-backend-testing | no | healthy | - |',
        '| 10.0.1.5:8000 | quiz-backend-testing | yes | unhealthy | Target.Timeout: Request timed out |',
        '',
      ].join('\n'),
    );
    expect(logger.text()).toContain('[Targets not healthy]');
    expect(logger.text()).toContain('Target 10.0.1.5:8000 in quiz-backend-testing: unhealthy (Target.Timeout: Request timed out)');
    expect(renderOutputs(result)).toEqual({ status: '', 'latency-ms': '', attempts: '0', version: '', skipped: 'false' });
  });

  it('follows a rollback', async () => {
    const rolledBack = await describeServicesFixture(1);
    const primary = rolledBack.services?.[0]?.deployments?.[0];
    if (primary) Object.assign(primary, { id: 'ecs-svc/2', taskDefinition: REVISION_40, rolloutState: 'IN_PROGRESS' });
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce(await describeServicesFixture(1))
      .resolvesOnce(await describeServicesFixture(1))
      .resolves(rolledBack);
    const tasks = [task('o1', REVISION_40, '10.0.1.9')];
    ecsMock.on(ListTasksCommand).resolves({ taskArns: tasks.map((item) => item.taskArn as string) });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks });
    elbMock.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [target('10.0.1.9', 'healthy')] });

    const { result, logger } = await runWith(SERVICE_INPUTS, [{ status: 200 }]);

    expect(result.passed).toBe(true);
    expect(logger.lines).toContain(
      'warning: The PRIMARY deployment now runs quiz-backend-testing:40, not quiz-backend-testing:41 (ecs-svc/2, IN_PROGRESS): the service rolled back or a newer deployment started. Waiting for quiz-backend-testing:40 instead.',
    );
  });

  it('waits for every desired task', async () => {
    const output = await describeServicesFixture(2);
    ecsMock.on(DescribeServicesCommand).resolves(output);
    const tasks = [task('n1', REVISION_41, '10.0.1.5'), task('n2', REVISION_41, '10.0.2.7')];
    ecsMock.on(ListTasksCommand).resolves({ taskArns: tasks.map((item) => item.taskArn as string) });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks });
    elbMock
      .on(DescribeTargetHealthCommand)
      .resolvesOnce({ TargetHealthDescriptions: [target('10.0.1.5', 'healthy')] })
      .resolves({ TargetHealthDescriptions: [target('10.0.1.5', 'healthy'), target('10.0.2.7', 'healthy')] });

    const { result, logger } = await runWith(SERVICE_INPUTS, [{ status: 200 }]);

    expect(result.passed).toBe(true);
    expect(elbMock.commandCalls(DescribeTargetHealthCommand)).toHaveLength(2);
    expect(logger.lines).toContain('Targets healthy after 2000 ms: 2 in quiz-backend-testing.');
  });

  it('checks a target group alone', async () => {
    elbMock.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [target('10.0.3.3', 'healthy')] });

    const { result } = await runWith({ url: 'https://quiz.example.org/health', 'target-group-arn': TARGET_GROUP_ARN }, [{ status: 200 }]);

    expect(result.passed).toBe(true);
    expect(ecsMock.calls()).toHaveLength(0);
    expect(elbMock.commandCalls(DescribeTargetHealthCommand)[0]?.args[0].input).toEqual({ TargetGroupArn: TARGET_GROUP_ARN });
  });

  it('skips targets when told', async () => {
    ecsMock.on(DescribeServicesCommand).resolves(await describeServicesFixture(1));

    const { result } = await runWith({ ...SERVICE_INPUTS, 'wait-for-targets': 'false' }, [{ status: 200 }]);

    expect(result.passed).toBe(true);
    expect(elbMock.calls()).toHaveLength(0);
  });

  it('explains denied ListTasks', async () => {
    ecsMock.on(DescribeServicesCommand).resolves(await describeServicesFixture(1));
    const denied = Object.assign(new Error('User is not authorized to perform: ecs:ListTasks'), { name: 'AccessDeniedException' });
    ecsMock.on(ListTasksCommand).rejects(denied);

    const promise = runWith(SERVICE_INPUTS, []);

    await expect(promise).rejects.toThrow('ecs:ListTasks was denied');
  });

  it('explains denied DescribeTargetHealth', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: elasticloadbalancing:DescribeTargetHealth'), { name: 'AccessDenied' });
    elbMock.on(DescribeTargetHealthCommand).rejects(denied);

    const promise = runWith({ url: 'https://quiz.example.org/health', 'target-group-arn': TARGET_GROUP_ARN }, []);

    await expect(promise).rejects.toThrow('elasticloadbalancing:DescribeTargetHealth was denied');
  });

  it('names services when not found', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'quiz-backend-testng', reason: 'MISSING' }] });
    ecsMock.on(ListServicesCommand).resolves({
      serviceArns: ['arn:aws:ecs:ap-south-1:123456789012:service/quiz-backend-testing/quiz-backend-testing'],
    });

    const promise = runWith({ url: 'https://quiz.example.org/health', cluster: 'quiz-backend-testing', service: 'quiz-backend-testng' }, []);

    await expect(promise).rejects.toThrow(ActionError);
    await expect(promise).rejects.toThrow(
      'Service "quiz-backend-testng" not found in cluster "quiz-backend-testing". Services in this cluster: quiz-backend-testing.',
    );
  });

  it('explains denied DescribeServices', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: ecs:DescribeServices'), { name: 'AccessDeniedException' });
    ecsMock.on(DescribeServicesCommand).rejects(denied);

    const promise = runWith({ url: 'https://quiz.example.org/health', cluster: 'c', service: 's' }, []);

    await expect(promise).rejects.toThrow('ecs:DescribeServices was denied');
  });

  it('reports the last response on failure', async () => {
    const body = `{"detail":"database unavailable"}${'x'.repeat(3000)}`;
    const { result, logger } = await runWith({ url: 'https://quiz.example.org/health', attempts: '2', interval: '1s' }, [
      { status: 503 },
      { status: 503, body, headers: { 'content-type': 'application/json', 'set-cookie': 'session=abc123secret', 'x-app-version': '1.3.9' } },
    ]);
    const log = logger.text();

    expect(result.passed).toBe(false);
    expect(log).toContain('[Last response from https://quiz.example.org/health]');
    expect(log).toContain('Failed after 2 attempt(s): status 503 is not expected (expected 200)');
    expect(log).toContain('Status: 503');
    expect(log).toContain('  content-type: application/json');
    expect(log).toContain('  set-cookie: ***');
    expect(log).not.toContain('abc123secret');
    expect(log).toContain(`Body (first 2048 of ${body.length} bytes):\n{"detail":"database unavailable"}`);
    expect(log).not.toContain('x'.repeat(2100));
    expect(failureMessage(result)).toBe(
      '1 of 1 URL(s) failed the smoke test. https://quiz.example.org/health after 2 attempt(s): status 503 is not expected (expected 200). The last response of each is in the log above.',
    );
  });

  it('summarizes each URL', async () => {
    const { result } = await runWith(
      { url: 'https://a.example/health\nhttps://user:pw@b.example/health?token=t0ps3cret', attempts: '1', 'expected-version': 'v2', 'consecutive-successes': '1' },
      [
        { status: 200, latencyMs: 12, headers: { 'x-app-version': 'v2' } },
        { status: 200, latencyMs: 15, headers: { 'x-app-version': 'v1' } },
      ],
    );

    expect(renderSummary(result)).toBe(
      [
        '### Smoke test failed',
        '',
        '| URL | Result | Attempts | Latency p50 / max | Version seen |',
        '| --- | --- | --- | --- | --- |',
        '| https://a.example/health | passed | 1 | 12 / 12 ms | v2 |',
        '| https://***:***@b.example/health?token=*** | failed: version "v1" seen, expected "v2" | 1 | 15 / 15 ms | v1 |',
        '',
      ].join('\n'),
    );
    expect(renderOutputs(result)).toEqual({ status: '200', 'latency-ms': '12', attempts: '2', version: 'v1', skipped: 'false' });
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    expect(percentile([30, 10, 20], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([5, 1, 9], 100)).toBe(9);
  });
});
