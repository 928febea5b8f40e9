import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { Deployment, Service, TaskDefinition } from '@aws-sdk/client-ecs';
import { MemoryLogger } from '@ecs-deploy-kit/shared';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';

import { renderFailureText, renderSummary } from '../src/report.ts';
import { run } from '../src/run.ts';
import type { Deps } from '../src/run.ts';
import {
  NEW_ARN,
  NEW_ID,
  OLD_ARN,
  REGION,
  ROLLBACK_ID,
  SERVICE,
  fakeTime,
  inputs,
  newDeployment,
  oldDeployment,
  readFixture,
  service,
  steadyService,
  stoppedTask,
} from './helpers.ts';

const ecsMock = mockClient(ECSClient);
const logsMock = mockClient(CloudWatchLogsClient);

const FIXTURE = readFixture<{ taskDefinition: TaskDefinition; tags: Array<{ key: string; value: string }> }>('describe-task-definition.json');
const THROTTLED = (): Error => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
const NO_FAMILY = (): Error => Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' });
const COMPLETED: Partial<Deployment> = { rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${NEW_ID} completed.` };

function setup(cancelAfterChecks?: number) {
  const time = fakeTime();
  const logger = new MemoryLogger();
  let checks = 0;
  const deps: Deps = {
    ecs: new ECSClient({ region: REGION }),
    logs: new CloudWatchLogsClient({ region: REGION }),
    region: REGION,
    logger,
    clock: time.clock,
    sleep: time.sleep,
    random: time.random,
    setSecret: () => undefined,
  };
  if (cancelAfterChecks !== undefined) deps.cancelled = () => ++checks > cancelAfterChecks;
  return { time, logger, deps };
}

function mockStart(afterUpdate: Service = service([newDeployment(), oldDeployment()])): void {
  ecsMock.on(DescribeTaskDefinitionCommand).rejects(NO_FAMILY());
  ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: NEW_ARN } });
  ecsMock.on(UpdateServiceCommand).resolves({ service: afterUpdate });
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
}

function mockPolls(...polls: Service[]): void {
  let chain = ecsMock.on(DescribeServicesCommand).resolvesOnce({ services: [steadyService()] });
  for (const polled of polls) chain = chain.resolvesOnce({ services: [polled] });
  chain.rejects(new Error('unexpected extra DescribeServices call'));
}

beforeEach(() => {
  ecsMock.reset();
  logsMock.reset();
});

describe('registration', () => {
  it('reuses the latest ACTIVE revision when the file holds the same task definition', async () => {
    const { deps, logger } = setup();
    mockStart();
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: FIXTURE.taskDefinition, tags: FIXTURE.tags });
    mockPolls(service([newDeployment({ taskDefinition: OLD_ARN, runningCount: 1, ...COMPLETED })]));
    ecsMock.on(UpdateServiceCommand).resolves({ service: service([newDeployment({ taskDefinition: OLD_ARN })]) });

    const outcome = await run(inputs(), deps);

    expect(outcome.taskDefinition.arn).toBe(OLD_ARN);
    expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)[0]?.args[0].input).toEqual({ taskDefinition: 'quiz-backend-testing', include: ['TAGS'] });
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input.taskDefinition).toBe(OLD_ARN);
    expect(logger.text()).toContain('The latest revision quiz-backend-testing:41 already has this task definition, so it is reused and nothing is registered.');
  });

  it('registers when the latest revision differs', async () => {
    const { deps } = setup();
    mockStart();
    const [container] = FIXTURE.taskDefinition.containerDefinitions ?? [];
    const changed = { ...FIXTURE.taskDefinition, containerDefinitions: [{ ...container, image: `${container?.image}-previous` }] };
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: changed, tags: FIXTURE.tags });
    mockPolls(service([newDeployment({ runningCount: 1, ...COMPLETED })]));

    const outcome = await run(inputs(), deps);

    expect(outcome.taskDefinition.arn).toBe(NEW_ARN);
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
  });

  it('retries a throttled RegisterTaskDefinition with growing, jittered waits', async () => {
    const { deps, logger, time } = setup();
    mockStart();
    ecsMock.on(RegisterTaskDefinitionCommand).rejectsOnce(THROTTLED()).rejectsOnce(THROTTLED()).resolves({ taskDefinition: { taskDefinitionArn: NEW_ARN } });
    mockPolls(service([newDeployment({ runningCount: 1, ...COMPLETED })]));

    await run(inputs(), deps);

    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(3);
    // random() is 0.5, so each wait is three quarters of its cap: 1s, then 2s.
    expect(time.sleeps.slice(0, 2)).toEqual([750, 1_500]);
    expect(logger.lines).toContain('RegisterTaskDefinition was throttled (attempt 1 of 6); trying again in 0.8s.');
    expect(logger.lines).toContain('RegisterTaskDefinition was throttled (attempt 2 of 6); trying again in 1.5s.');
  });

  it('gives up after six throttled attempts', async () => {
    const { deps } = setup();
    mockStart();
    ecsMock.on(RegisterTaskDefinitionCommand).rejects(THROTTLED());
    mockPolls();

    await expect(run(inputs(), deps)).rejects.toThrow('RegisterTaskDefinition failed for family "quiz-backend-testing": Rate exceeded');
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(6);
  });
});

describe('UpdateService', () => {
  it('sends desiredCount and forceNewDeployment only when set', async () => {
    const { deps } = setup();
    mockStart(service([newDeployment({ desiredCount: 2 }), oldDeployment()]));
    mockPolls(service([newDeployment({ desiredCount: 2, runningCount: 2, ...COMPLETED })]));

    await run(inputs({ desiredCount: 2, forceNewDeployment: true }), deps);

    expect(ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toEqual({
      cluster: 'quiz-backend-testing',
      service: SERVICE,
      taskDefinition: NEW_ARN,
      desiredCount: 2,
      forceNewDeployment: true,
    });
  });

  it('returns at once without polling when the new desired count is 0', async () => {
    const { deps, time } = setup();
    mockStart(service([newDeployment({ desiredCount: 0 }), oldDeployment({ desiredCount: 0 })]));
    mockPolls();

    const outcome = await run(inputs({ desiredCount: 0 }), deps);

    expect(outcome.succeeded).toBe(true);
    expect(outcome.results[0]?.notice).toContain('has a desired count of 0');
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });
});

describe('rollback-on-failure', () => {
  const failedDeployment = newDeployment({ failedTasks: 3, rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' });

  it('points the service back at the previous revision when ECS did not', async () => {
    const { deps, logger } = setup();
    mockStart();
    const rollback = oldDeployment({ id: ROLLBACK_ID, status: 'PRIMARY', runningCount: 0, rolloutState: 'IN_PROGRESS', createdAt: new Date('2026-07-16T09:01:00Z') });
    ecsMock
      .on(UpdateServiceCommand)
      .resolvesOnce({ service: service([newDeployment(), oldDeployment()]) })
      .resolves({ service: service([rollback, { ...failedDeployment, status: 'ACTIVE' }]) });
    mockPolls(
      service([failedDeployment, oldDeployment()]),
      // After the failure: still the failed deployment PRIMARY, so the action starts the rollback.
      service([failedDeployment, oldDeployment()]),
      service([{ ...rollback, runningCount: 1, rolloutState: 'COMPLETED' }]),
    );

    const outcome = await run(inputs({ rollbackOnFailure: true }), deps);
    const result = outcome.results[0];

    expect(outcome.succeeded).toBe(false);
    expect(result?.rolledBack).toBe(true);
    expect(result?.rollback).toMatchObject({ revision: OLD_ARN, by: 'action', deploymentId: ROLLBACK_ID, succeeded: true });
    expect(ecsMock.commandCalls(UpdateServiceCommand)[1]?.args[0].input).toEqual({ cluster: 'quiz-backend-testing', service: SERVICE, taskDefinition: OLD_ARN });
    expect(logger.lines).toContain(`Rolled back to quiz-backend-testing:41: deployment ${ROLLBACK_ID} completed in 0s.`);
    expect(renderFailureText(result!)).toContain('Rollback: Rolled back to quiz-backend-testing:41');
    expect(renderSummary(result!)).toContain('### Rollback\n\nRolled back to quiz-backend-testing:41');
  });

  it("follows ECS's own rollback instead of starting another", async () => {
    const { deps } = setup();
    mockStart();
    const rollback = oldDeployment({ id: ROLLBACK_ID, status: 'PRIMARY', runningCount: 1, rolloutState: 'IN_PROGRESS' });
    mockPolls(
      service([rollback, { ...failedDeployment, status: 'ACTIVE' }]),
      service([rollback, { ...failedDeployment, status: 'ACTIVE' }]),
      service([{ ...rollback, rolloutState: 'COMPLETED' }]),
    );

    const outcome = await run(inputs({ rollbackOnFailure: true }), deps);

    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(outcome.results[0]?.rollback).toMatchObject({ by: 'ecs', deploymentId: ROLLBACK_ID, succeeded: true });
    expect(outcome.results[0]?.rolledBack).toBe(true);
  });

  it('leaves a newer deploy by someone else in place', async () => {
    const { deps, logger } = setup();
    mockStart();
    const other = newDeployment({ id: 'ecs-svc/1111111111111111111', taskDefinition: NEW_ARN.replace(':42', ':43'), createdAt: new Date('2026-07-16T09:00:30Z') });
    mockPolls(service([other, { ...newDeployment(), status: 'ACTIVE' }, oldDeployment()]), service([other, oldDeployment()]));

    const outcome = await run(inputs({ rollbackOnFailure: true }), deps);

    expect(outcome.results[0]?.failure?.kind).toBe('replaced');
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(outcome.results[0]?.rolledBack).toBe(false);
    expect(logger.lines).toContain(
      'warning: No rollback: deployment ecs-svc/1111111111111111111 of quiz-backend-testing:43 has replaced this one on service "quiz-backend-testing", so the action leaves it in place.',
    );
  });

  it('does not roll back unless asked', async () => {
    const { deps } = setup();
    mockStart();
    mockPolls(service([failedDeployment, oldDeployment()]));

    const outcome = await run(inputs(), deps);

    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(outcome.results[0]?.rolledBack).toBe(false);
  });
});

describe('several services', () => {
  it('registers once, deploys each service and fails when one fails', async () => {
    const { deps, logger } = setup();
    mockStart();
    const worker = (deployments: Parameters<typeof service>[0]): Service => ({ ...service(deployments), serviceName: 'quiz-worker-testing' });
    ecsMock.on(DescribeServicesCommand, { services: [SERVICE] }).resolvesOnce({ services: [steadyService()] }).resolves({ services: [service([newDeployment({ runningCount: 1, ...COMPLETED })])] });
    ecsMock
      .on(DescribeServicesCommand, { services: ['quiz-worker-testing'] })
      .resolvesOnce({ services: [worker([oldDeployment({ status: 'PRIMARY' })])] })
      .resolves({ services: [worker([newDeployment({ rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start.' }), oldDeployment()])] });

    const outcome = await run(inputs({ services: [SERVICE, 'quiz-worker-testing'] }), deps);

    expect(outcome.succeeded).toBe(false);
    expect(outcome.results.map((result) => [result.location.service, result.succeeded])).toEqual([
      [SERVICE, true],
      ['quiz-worker-testing', false],
    ]);
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
    expect(ecsMock.commandCalls(UpdateServiceCommand).map((call) => [call.args[0].input.service, call.args[0].input.taskDefinition])).toEqual([
      [SERVICE, NEW_ARN],
      ['quiz-worker-testing', NEW_ARN],
    ]);
    expect(logger.lines).toContain('error: 1 of 2 services failed to deploy quiz-backend-testing:42: quiz-worker-testing.');
    expect(logger.lines.some((line) => line.startsWith('[quiz-worker-testing] [0s] quiz-backend-testing:42'))).toBe(true);
  });
});

describe('failure report logs', () => {
  it('reports last log lines of stopped task', async () => {
    const { deps, logger } = setup();
    mockStart();
    ecsMock.on(DescribeTaskDefinitionCommand, { taskDefinition: NEW_ARN }).resolves({ taskDefinition: FIXTURE.taskDefinition });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: ['arn:aws:ecs:ap-south-1:123456789012:task/quiz-backend-testing/crash1'] });
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [
        stoppedTask('crash1', {
          stopCode: 'EssentialContainerExited',
          stoppedReason: 'Essential container in task exited',
          startedAt: new Date('2026-07-16T09:00:10Z'),
          containers: [{ name: 'quiz-backend', exitCode: 3 }],
        }),
      ],
    });
    logsMock.on(GetLogEventsCommand).resolves({ events: [{ message: 'Connecting to MongoDB' }, { message: 'ServerSelectionTimeoutError: timed out\n' }] });
    mockPolls(service([newDeployment({ failedTasks: 1 }), oldDeployment()]), service([newDeployment({ failedTasks: 1, rolloutState: 'FAILED' }), oldDeployment()]));

    const outcome = await run(inputs(), deps);

    expect(logsMock.commandCalls(GetLogEventsCommand)[0]?.args[0].input).toEqual({
      logGroupName: '/ecs/quiz-backend-testing',
      logStreamName: 'ecs/quiz-backend/crash1',
      limit: 20,
      startFromHead: false,
    });
    const text = renderFailureText(outcome.results[0]!);
    expect(text).toContain('Last log lines of task crash1, container quiz-backend (/ecs/quiz-backend-testing, stream ecs/quiz-backend/crash1):\n  | Connecting to MongoDB\n  | ServerSelectionTimeoutError: timed out');
    expect(renderSummary(outcome.results[0]!)).toContain('```text\nConnecting to MongoDB\nServerSelectionTimeoutError: timed out\n```');
    expect(logger.lines).toContain('  | Connecting to MongoDB');
  });

  it('says when the log group does not exist', async () => {
    const { deps } = setup();
    mockStart();
    ecsMock.on(DescribeTaskDefinitionCommand, { taskDefinition: NEW_ARN }).resolves({ taskDefinition: FIXTURE.taskDefinition });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: ['arn:aws:ecs:ap-south-1:123456789012:task/quiz-backend-testing/crash1'] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [stoppedTask('crash1', { stoppedReason: 'Essential container in task exited', startedAt: new Date(), containers: [{ name: 'quiz-backend', exitCode: 1 }] })] });
    logsMock.on(GetLogEventsCommand).rejects(Object.assign(new Error('The specified log group does not exist.'), { name: 'ResourceNotFoundException' }));
    mockPolls(service([newDeployment({ rolloutState: 'FAILED' }), oldDeployment()]));

    const outcome = await run(inputs(), deps);

    expect(outcome.results[0]?.report?.taskLogs[0]?.note).toBe(
      'The log group "/ecs/quiz-backend-testing" or stream "ecs/quiz-backend/crash1" does not exist, so the container wrote no logs.',
    );
  });
});

describe('cancellation', () => {
  it('stops polling and fails with where the deployment stood', async () => {
    const { deps } = setup(1);
    mockStart();
    mockPolls(service([newDeployment({ pendingCount: 1 }), oldDeployment()]));

    const outcome = await run(inputs(), deps);

    expect(outcome.succeeded).toBe(false);
    expect(outcome.results[0]?.failure).toEqual({
      kind: 'cancelled',
      message: `The job was cancelled while waiting for deployment ${NEW_ID}. It stood at rollout state IN_PROGRESS with 0 of 1 running, 1 pending, 0 failed. ECS continues the deployment without this step, so check it in the console.`,
    });
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(2);
  });
});
