import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { Service } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { MemoryLogger } from '@ecs-deploy-kit/shared';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';

import { run } from '../src/run.ts';
import type { Result } from '../src/report.ts';
import type { Deps } from '../src/run.ts';
import {
  CLUSTER,
  DEPLOY_START,
  NEW_ARN,
  NEW_ID,
  REGION,
  ROLLBACK_ID,
  SERVICE,
  TARGET_GROUP_ARN,
  event,
  fakeTime,
  inputs,
  newDeployment,
  oldDeployment,
  service,
  steadyService,
  stoppedTask,
} from './helpers.ts';

const ecsMock = mockClient(ECSClient);
const elbv2Mock = mockClient(ElasticLoadBalancingV2Client);

function setup() {
  const time = fakeTime();
  const logger = new MemoryLogger();
  const secrets: string[] = [];
  const deps: Deps = {
    ecs: new ECSClient({ region: REGION }),
    elbv2: new ElasticLoadBalancingV2Client({ region: REGION }),
    region: REGION,
    logger,
    clock: time.clock,
    sleep: time.sleep,
    random: time.random,
    setSecret: (value) => secrets.push(value),
  };
  return { time, logger, secrets, deps };
}

/** Mocks the calls before the wait: the pre-check, RegisterTaskDefinition and UpdateService. */
function mockDeployStart(afterUpdate: Service = service([newDeployment(), oldDeployment()])): void {
  ecsMock.on(DescribeTaskDefinitionCommand).rejects(Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' }));
  ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: NEW_ARN, family: 'quiz-backend-testing', revision: 42 } });
  ecsMock.on(UpdateServiceCommand).resolves({ service: afterUpdate });
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
}

/** Makes DescribeServices return the steady service for the pre-check, then each poll's service in turn. */
function mockPolls(...polls: Service[]): void {
  let chain = ecsMock.on(DescribeServicesCommand).resolvesOnce({ services: [steadyService()] });
  for (const polled of polls) chain = chain.resolvesOnce({ services: [polled] });
  chain.rejects(new Error('unexpected extra DescribeServices call'));
}

/** Runs the action for the one service of the inputs and returns that service's result. */
async function runOne(...args: Parameters<typeof run>): Promise<Result> {
  const outcome = await run(...args);
  expect(outcome.results).toHaveLength(1);
  return outcome.results[0] as Result;
}

function commandNames(): string[] {
  return ecsMock.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''));
}

beforeEach(() => {
  ecsMock.reset();
  elbv2Mock.reset();
  elbv2Mock.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
});

describe('run', () => {
  it('follows a healthy deployment to COMPLETED', async () => {
    const { deps, time, logger } = setup();
    mockDeployStart();
    mockPolls(
      service([newDeployment({ pendingCount: 1 }), oldDeployment()]),
      service([newDeployment({ runningCount: 1 }), oldDeployment()]),
      service([newDeployment({ runningCount: 1, rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${NEW_ID} completed.` })]),
    );

    const result = await runOne(inputs(), deps);

    expect(result.succeeded).toBe(true);
    expect(result.taskDefinition.arn).toBe(NEW_ARN);
    expect(result.deploymentId).toBe(NEW_ID);
    expect(result.rolloutState).toBe('COMPLETED');
    expect(result.runningCount).toBe(1);
    expect(result.desiredCount).toBe(1);
    expect(result.durationMs).toBe(20_000);
    expect(commandNames()).toEqual([
      'DescribeServices',
      'DescribeTaskDefinition',
      'RegisterTaskDefinition',
      'UpdateService',
      'DescribeServices',
      'ListTasks',
      'DescribeServices',
      'ListTasks',
      'DescribeServices',
    ]);
    expect(time.sleeps).toEqual([10_000, 10_000]);
    expect(logger.text()).toContain('Registered quiz-backend-testing:42');
    expect(logger.text()).toContain('[10s] quiz-backend-testing:42: 1 of 1 running, 0 pending, 0 failed (IN_PROGRESS)');
  });

  it('sends UpdateService with only cluster, service and taskDefinition', async () => {
    const { deps } = setup();
    mockDeployStart();
    mockPolls(service([newDeployment({ runningCount: 1, rolloutState: 'COMPLETED' })]));

    await run(inputs(), deps);

    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toEqual({ cluster: CLUSTER, service: SERVICE, taskDefinition: NEW_ARN });
  });

  it('registers the file without read-only fields and keeps tags', async () => {
    const { deps } = setup();
    mockDeployStart();
    mockPolls(service([newDeployment({ runningCount: 1, rolloutState: 'COMPLETED' })]));

    await run(inputs(), deps);

    const request = ecsMock.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input;
    expect(request?.family).toBe('quiz-backend-testing');
    expect(request?.tags).toEqual([
      { key: 'Environment', value: 'testing' },
      { key: 'Project', value: 'quiz-backend' },
      { key: 'ManagedBy', value: 'terraform' },
      { key: 'Name', value: 'quiz-backend-testing' },
    ]);
    for (const field of ['taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt', 'registeredBy']) {
      expect(Object.keys(request ?? {})).not.toContain(field);
    }
    expect(request?.runtimePlatform).toEqual({ cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' });
  });

  it('deploys an ARN without registering', async () => {
    const { deps, logger } = setup();
    mockDeployStart();
    mockPolls(service([newDeployment({ runningCount: 1, rolloutState: 'COMPLETED' })]));

    const result = await runOne(inputs({ taskDefinition: { kind: 'arn', arn: NEW_ARN } }), deps);

    expect(result.succeeded).toBe(true);
    expect(result.registered).toBe(false);
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input.taskDefinition).toBe(NEW_ARN);
    expect(logger.text()).toContain('Deploying the existing revision quiz-backend-testing:42; nothing is registered.');
  });

  it('reports success within one poll of COMPLETED', async () => {
    const { deps, time } = setup();
    mockDeployStart();
    mockPolls(
      service([newDeployment(), oldDeployment()]),
      service([newDeployment(), oldDeployment()]),
      service([newDeployment(), oldDeployment()]),
      service([newDeployment({ runningCount: 1, rolloutState: 'COMPLETED' })]),
    );

    const result = await runOne(inputs({ pollIntervalMs: 15_000 }), deps);

    expect(result.succeeded).toBe(true);
    // Four checks need exactly three sleeps: none after the check that saw COMPLETED.
    expect(time.sleeps).toEqual([15_000, 15_000, 15_000]);
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(5);
  });

  it('fails with the rollout state reason when FAILED', async () => {
    const { deps } = setup();
    mockDeployStart();
    const reason = 'ECS deployment circuit breaker: tasks failed to start.';
    mockPolls(
      service([newDeployment({ failedTasks: 1 }), oldDeployment()]),
      service([
        oldDeployment({ id: ROLLBACK_ID, status: 'PRIMARY', rolloutState: 'IN_PROGRESS', runningCount: 1 }),
        newDeployment({ status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: reason, failedTasks: 2 }),
      ]),
    );

    const result = await runOne(inputs(), deps);

    expect(result.succeeded).toBe(false);
    expect(result.failure?.kind).toBe('rollout-failed');
    expect(result.failure?.message).toBe(
      `Deployment ${NEW_ID} of quiz-backend-testing:42 failed: ${reason} ECS is rolling back to quiz-backend-testing:41 (deployment ${ROLLBACK_ID}).`,
    );
    expect(result.rolloutState).toBe('FAILED');
  });

  it('adds the main stop reason to a circuit breaker failure', async () => {
    const { deps } = setup();
    mockDeployStart();
    const reason = 'ECS deployment circuit breaker: tasks failed to start.';
    mockPolls(
      service([
        oldDeployment({ id: ROLLBACK_ID, status: 'PRIMARY', rolloutState: 'IN_PROGRESS' }),
        newDeployment({ status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: reason, failedTasks: 3 }),
      ]),
    );
    const crashed = (id: string, exitCode: number) =>
      stoppedTask(id, { stoppedReason: 'Essential container in task exited', startedAt: new Date('2026-07-16T09:00:10Z'), containers: [{ name: 'quiz-backend', exitCode }] });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: ['a1', 'b2', 'c3'].map((id) => stoppedTask(id).taskArn as string) });
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [crashed('a1', 1), crashed('b2', 1), stoppedTask('c3', { stoppedReason: 'Task failed ELB health checks in (target-group tg)', containers: [{ name: 'quiz-backend', exitCode: 137 }] })],
    });

    const result = await runOne(inputs(), deps);

    expect(result.failure?.message).toBe(
      `Deployment ${NEW_ID} of quiz-backend-testing:42 failed: ${reason} ECS is rolling back to quiz-backend-testing:41 (deployment ${ROLLBACK_ID}). ` +
        'Tasks stopped with: Essential container in task exited (quiz-backend exit code 1) (2 of 3 stopped tasks).',
    );
    expect(result.report?.stoppedTasks.map((task) => task.taskId)).toEqual(['a1', 'b2', 'c3']);
  });

  it('fails as a rollback when another deployment becomes PRIMARY', async () => {
    const { deps } = setup();
    mockDeployStart();
    mockPolls(
      service([
        oldDeployment({ id: ROLLBACK_ID, status: 'PRIMARY', rolloutState: 'IN_PROGRESS' }),
        newDeployment({ status: 'ACTIVE', rolloutState: 'IN_PROGRESS' }),
      ]),
    );

    const result = await runOne(inputs(), deps);

    expect(result.failure?.kind).toBe('replaced');
    expect(result.failure?.message).toBe(
      `Deployment ${NEW_ID} of quiz-backend-testing:42 is no longer PRIMARY: quiz-backend-testing:41 (deployment ${ROLLBACK_ID}) took over, so ECS rolled back or another deploy started.`,
    );
  });

  it('fails when the deployment disappears', async () => {
    const { deps } = setup();
    mockDeployStart();
    mockPolls(service([newDeployment(), oldDeployment()]), service([oldDeployment({ id: ROLLBACK_ID, status: 'PRIMARY' })]));

    const result = await runOne(inputs(), deps);

    expect(result.failure?.kind).toBe('deployment-gone');
    expect(result.failure?.message).toBe(
      `Deployment ${NEW_ID} is no longer in the service's deployments, so ECS rolled back or replaced it. The PRIMARY deployment is now ${ROLLBACK_ID} of quiz-backend-testing:41.`,
    );
    // The report keeps the vanished deployment as last seen.
    const rows = result.report?.deployments.map((deployment) => `${deployment.id} ${deployment.status}`);
    expect(rows).toEqual([`${ROLLBACK_ID} PRIMARY`, `${NEW_ID} PRIMARY (removed)`]);
  });

  it('times out with a report of the stalled phase', async () => {
    const { deps, time, logger } = setup();
    mockDeployStart();
    const stuck = service([newDeployment({ runningCount: 1 }), oldDeployment({ runningCount: 1 })]);
    ecsMock.on(DescribeServicesCommand).resolvesOnce({ services: [steadyService()] }).resolves({ services: [stuck] });

    const result = await runOne(inputs({ timeoutMs: 60_000 }), deps);

    expect(result.failure?.kind).toBe('timeout');
    expect(result.failure?.message).toBe(
      `Deployment ${NEW_ID} did not complete within the 1m timeout. Its rollout state is IN_PROGRESS with 1 of 1 running, 0 pending, 0 failed.`,
    );
    expect(time.sleeps.reduce((sum, ms) => sum + ms, 0)).toBe(60_000);
    expect(result.report?.stalledPhase).toBe(
      'Old tasks are not draining: the new deployment runs 1 of 1 tasks, but quiz-backend-testing:41 has 1 running. ECS stops old tasks once the new ones pass their load balancer health checks. Check the target health.',
    );
    expect(logger.text()).toContain('[Why the deployment failed]');
    expect(logger.text()).toContain(`ECS console: https://ap-south-1.console.aws.amazon.com/ecs/v2/clusters/${CLUSTER}/services/${SERVICE}/deployments?region=ap-south-1`);
  });

  it('adds unhealthy targets to the report', async () => {
    const { deps } = setup();
    mockDeployStart();
    const stuck = service([newDeployment({ runningCount: 1 }), oldDeployment({ runningCount: 1 })]);
    ecsMock.on(DescribeServicesCommand).resolvesOnce({ services: [steadyService()] }).resolves({ services: [stuck] });
    elbv2Mock.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: '10.0.1.17', Port: 8000 }, TargetHealth: { State: 'healthy' } },
        {
          Target: { Id: '10.0.1.42', Port: 8000 },
          TargetHealth: { State: 'unhealthy', Reason: 'Target.ResponseCodeMismatch', Description: 'Health checks failed with these codes: [503]' },
        },
      ],
    });

    const result = await runOne(inputs({ timeoutMs: 20_000 }), deps);

    expect(elbv2Mock.commandCalls(DescribeTargetHealthCommand)[0]?.args[0].input).toEqual({ TargetGroupArn: TARGET_GROUP_ARN });
    expect(result.report?.targetHealth).toEqual([
      { targetGroupArn: TARGET_GROUP_ARN, target: '10.0.1.17:8000', state: 'healthy', reason: '' },
      { targetGroupArn: TARGET_GROUP_ARN, target: '10.0.1.42:8000', state: 'unhealthy', reason: 'Target.ResponseCodeMismatch: Health checks failed with these codes: [503]' },
    ]);
    expect(result.report?.stalledPhase).toBe(
      'Old tasks are not draining: the new deployment runs 1 of 1 tasks, but quiz-backend-testing:41 has 1 running. ' +
        'ECS stops old tasks once the new ones pass their load balancer health checks. ' +
        'Unhealthy targets: 1 of 2 (Target.ResponseCodeMismatch: Health checks failed with these codes: [503]).',
    );
  });

  it('reports without target health when denied', async () => {
    const { deps, logger } = setup();
    mockDeployStart();
    ecsMock.on(DescribeServicesCommand).resolvesOnce({ services: [steadyService()] }).resolves({ services: [service([newDeployment(), oldDeployment()])] });
    elbv2Mock.on(DescribeTargetHealthCommand).rejects(Object.assign(new Error('User is not authorized to perform: elasticloadbalancing:DescribeTargetHealth.'), { name: 'AccessDenied' }));

    const result = await runOne(inputs({ timeoutMs: 10_000 }), deps);

    expect(result.failure?.kind).toBe('timeout');
    expect(result.report?.targetHealth).toEqual([]);
    expect(logger.lines).toContain(
      `warning: Could not describe the target health of ${TARGET_GROUP_ARN} for the report: DescribeTargetHealth was denied: User is not authorized to perform: elasticloadbalancing:DescribeTargetHealth. Grant this action to the role the workflow assumes.`,
    );
  });

  it('counts time before the wait against the timeout', async () => {
    const { deps, time } = setup();
    mockDeployStart();
    ecsMock.on(RegisterTaskDefinitionCommand).callsFake(() => {
      time.advance(50_000);
      return { taskDefinition: { taskDefinitionArn: NEW_ARN } };
    });
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [steadyService()] })
      .resolves({ services: [service([newDeployment(), oldDeployment()])] });

    const result = await runOne(inputs({ timeoutMs: 60_000 }), deps);

    expect(result.failure?.kind).toBe('timeout');
    expect(time.sleeps).toEqual([10_000]);
  });

  it('fails fast on CannotPullContainerError', async () => {
    const { deps, time } = setup();
    mockDeployStart();
    mockPolls(service([newDeployment({ pendingCount: 1 }), oldDeployment()]), service([newDeployment({ failedTasks: 1 }), oldDeployment()]));
    const taskArn = `arn:aws:ecs:ap-south-1:123456789012:task/${CLUSTER}/0f1e2d3c4b5a69788796a5b4c3d2e1f0`;
    ecsMock.on(ListTasksCommand).resolvesOnce({ taskArns: [] }).resolves({ taskArns: [taskArn] });
    const reason =
      'CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref 123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing:missing: not found';
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [stoppedTask('0f1e2d3c4b5a69788796a5b4c3d2e1f0', { stoppedReason: reason, stopCode: 'TaskFailedToStart', containers: [{ name: 'quiz-backend', lastStatus: 'STOPPED' }] })],
    });

    const result = await runOne(inputs(), deps);

    expect(result.failure?.kind).toBe('permanent-task-failure');
    expect(result.failure?.message).toBe(
      `Task 0f1e2d3c4b5a69788796a5b4c3d2e1f0 of deployment ${NEW_ID} stopped: ${reason}. ` +
        'Retrying the same task definition will not fix CannotPullContainerError, so the action stopped waiting. Check that the image tag or digest exists and that the execution role may pull it (ecr:GetAuthorizationToken, ecr:BatchGetImage), then deploy again.',
    );
    expect(time.sleeps).toEqual([10_000]);
    expect(ecsMock.commandCalls(ListTasksCommand)[0]?.args[0].input).toEqual({ cluster: CLUSTER, startedBy: NEW_ID, desiredStatus: 'STOPPED' });
    expect(ecsMock.commandCalls(DescribeTasksCommand)[0]?.args[0].input).toEqual({ cluster: CLUSTER, tasks: [taskArn] });
  });

  it('fails when the failure budget is spent', async () => {
    const { deps } = setup();
    mockDeployStart();
    const polls = [1, 2, 3].map((failed) => service([newDeployment({ failedTasks: failed }), oldDeployment()]));
    mockPolls(...polls);
    const ids = ['a1', 'b2', 'c3'];
    ecsMock
      .on(ListTasksCommand)
      .resolvesOnce({ taskArns: ids.slice(0, 1).map((id) => stoppedTask(id).taskArn as string) })
      .resolvesOnce({ taskArns: ids.slice(0, 2).map((id) => stoppedTask(id).taskArn as string) })
      .resolves({ taskArns: ids.map((id) => stoppedTask(id).taskArn as string) });
    ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: input.tasks.map((arn) =>
        stoppedTask(arn.split('/').pop() as string, {
          stoppedReason: 'Essential container in task exited',
          stopCode: 'EssentialContainerExited',
          startedAt: new Date('2026-07-16T09:00:10Z'),
          containers: [{ name: 'quiz-backend', exitCode: 3, lastStatus: 'STOPPED' }],
        }),
      ),
    }));

    const result = await runOne(inputs(), deps);

    expect(result.failure?.kind).toBe('failure-budget');
    expect(result.failure?.message).toBe(
      `Deployment ${NEW_ID} of quiz-backend-testing:42 has 3 failed tasks, reaching the failure budget of 3. ` +
        'The last one stopped with: Essential container in task exited (quiz-backend exit code 3).',
    );
    // Each stopped task is described once, however many polls list it.
    const described = ecsMock.commandCalls(DescribeTasksCommand).flatMap((call) => call.args[0].input.tasks ?? []);
    expect(described.map((arn) => arn.split('/').pop())).toEqual(ids);
  });

  it('succeeds at once with a notice when desired count is 0', async () => {
    const { deps, time, logger } = setup();
    const completed = newDeployment({ desiredCount: 0, rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${NEW_ID} completed.` });
    mockDeployStart(service([completed, oldDeployment({ desiredCount: 0, runningCount: 0 })]));
    mockPolls(service([completed]));

    const result = await runOne(inputs(), deps);

    expect(result.succeeded).toBe(true);
    expect(result.desiredCount).toBe(0);
    expect(time.sleeps).toEqual([]);
    expect(result.notice).toBe(
      `Service "${SERVICE}" has a desired count of 0, so quiz-backend-testing:42 is deployed but no task runs it. Steps that send requests to the service should be skipped.`,
    );
    expect(logger.lines).toContain(`notice: ${result.notice}`);
  });

  it('prints each new event once, oldest first', async () => {
    const { deps, logger } = setup();
    mockDeployStart();
    const started = event('e1', 5, `(service ${SERVICE}) has started 1 tasks: (task a1).`);
    const registered = event('e2', 40, `(service ${SERVICE}) registered 1 targets in (target-group tg).`);
    const drained = event('e3', 41, `(service ${SERVICE}) has stopped 1 running tasks: (task z9).`);
    const completedEvent = event('e4', 50, `(service ${SERVICE}) (deployment ${NEW_ID}) deployment completed.`);
    mockPolls(
      service([newDeployment(), oldDeployment()], [event('old-1', -600, 'old'), started]),
      service([newDeployment(), oldDeployment()], [event('old-1', -600, 'old'), started, registered, drained]),
      service([newDeployment({ runningCount: 1, rolloutState: 'COMPLETED' })], [event('old-1', -600, 'old'), started, registered, drained, completedEvent]),
    );

    await run(inputs(), deps);

    const eventLines = logger.lines.filter((line) => line.startsWith('2026-'));
    expect(eventLines).toEqual([
      `2026-07-16T09:00:05Z  (service ${SERVICE}) has started 1 tasks: (task a1).`,
      `2026-07-16T09:00:40Z  (service ${SERVICE}) registered 1 targets in (target-group tg).`,
      `2026-07-16T09:00:41Z  (service ${SERVICE}) has stopped 1 running tasks: (task z9).`,
      `2026-07-16T09:00:50Z  (service ${SERVICE}) (deployment ${NEW_ID}) deployment completed.`,
    ]);
  });

  it('names the services that exist when the service is missing', async () => {
    const { deps } = setup();
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'arn:aws:ecs:ap-south-1:123456789012:service/quiz-backend-testng', reason: 'MISSING' }] });
    ecsMock.on(ListServicesCommand).resolves({ serviceArns: [`arn:aws:ecs:ap-south-1:123456789012:service/${CLUSTER}/quiz-backend-testing`] });

    await expect(run(inputs({ services: ['quiz-backend-testng'] }), deps)).rejects.toThrow(
      'Service "quiz-backend-testng" not found in cluster "quiz-backend-testing" (ap-south-1). Services in this cluster: quiz-backend-testing.',
    );
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  it('names the clusters that exist when the cluster is missing', async () => {
    const { deps } = setup();
    const missing = Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException' });
    ecsMock.on(DescribeServicesCommand).rejects(missing);
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: ['arn:aws:ecs:ap-south-1:123456789012:cluster/quiz-backend-testing', 'arn:aws:ecs:ap-south-1:123456789012:cluster/quiz-backend-prod'] });

    await expect(run(inputs({ cluster: 'quiz-backend-tesing' }), deps)).rejects.toThrow(
      'Cluster "quiz-backend-tesing" not found in ap-south-1. Clusters in this region: quiz-backend-prod, quiz-backend-testing. Check the cluster input and the AWS region.',
    );
  });

  it('names credential errors without retrying', async () => {
    const { deps } = setup();
    mockDeployStart();
    const expired = Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException' });
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [steadyService()] })
      .resolvesOnce({ services: [service([newDeployment(), oldDeployment()])] })
      .rejects(expired);

    await expect(run(inputs(), deps)).rejects.toThrow('DescribeServices failed: AWS credentials are expired or invalid (ExpiredTokenException).');
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(3);
  });

  it('backs off after a throttled DescribeServices, then polls at the interval again', async () => {
    const { deps, logger, time } = setup();
    mockDeployStart();
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [steadyService()] })
      .rejectsOnce(throttled)
      .resolves({ services: [service([newDeployment({ runningCount: 1, rolloutState: 'COMPLETED' })])] });

    const result = await runOne(inputs(), deps);

    expect(result.succeeded).toBe(true);
    expect(logger.lines).toContain('warning: DescribeServices was throttled (ThrottlingException); waiting 20s before the next poll.');
    // One extra interval of back-off, then the regular interval.
    expect(time.sleeps).toEqual([10_000, 10_000]);
  });

  it('rejects a service with the CODE_DEPLOY controller', async () => {
    const { deps } = setup();
    ecsMock.on(DescribeServicesCommand).resolves({ services: [{ ...steadyService(), deploymentController: { type: 'CODE_DEPLOY' } }] });

    await expect(run(inputs(), deps)).rejects.toThrow(
      `Service "${SERVICE}" in cluster "${CLUSTER}" uses the CODE_DEPLOY deployment controller. This action deploys services with the ECS (rolling update) controller only.`,
    );
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('masks environment values and never logs them', async () => {
    const { deps, logger, secrets } = setup();
    mockDeployStart();
    mockPolls(service([newDeployment({ runningCount: 1, rolloutState: 'COMPLETED' })]));

    await run(inputs(), deps);

    expect(secrets).toContain('example-cms-token-not-real');
    expect(secrets.some((value) => value.startsWith('mongodb+srv://'))).toBe(true);
    expect(logger.text()).not.toContain('example-cms-token-not-real');
    expect(logger.text()).not.toContain('EXAMPLE-NOT-A-SECRET');
  });

  it('starts the event log at the deployment creation time', async () => {
    const { deps, logger } = setup();
    mockDeployStart(service([newDeployment({ createdAt: DEPLOY_START }), oldDeployment()]));
    mockPolls(
      service(
        [newDeployment({ runningCount: 1, rolloutState: 'COMPLETED' })],
        [event('before', -1, 'an event of the last deployment'), event('after', 0, 'an event of this deployment')],
      ),
    );

    await run(inputs(), deps);

    expect(logger.text()).toContain('an event of this deployment');
    expect(logger.text()).not.toContain('an event of the last deployment');
  });
});
