import { readFileSync } from 'node:fs';

import type { Deployment, Service, ServiceEvent, Task } from '@aws-sdk/client-ecs';

import type { Inputs } from '../src/inputs.ts';

export const REGION = 'ap-south-1';
export const CLUSTER = 'quiz-backend-testing';
export const SERVICE = 'quiz-backend-testing';
export const OLD_ARN = 'arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz-backend-testing:41';
export const NEW_ARN = 'arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz-backend-testing:42';
export const OLD_ID = 'ecs-svc/4412349977301662209';
export const NEW_ID = 'ecs-svc/7700112233445566778';
export const ROLLBACK_ID = 'ecs-svc/9900112233445566778';
export const TARGET_GROUP_ARN = 'arn:aws:elasticloadbalancing:ap-south-1:123456789012:targetgroup/quiz-backend-testing/0a1b2c3d4e5f6a7b';
/** The moment UpdateService starts the new deployment; the fake clock starts here too. */
export const DEPLOY_START = new Date('2026-07-16T09:00:00Z');

export function fixturePath(name: string): string {
  return new URL(`./fixtures/${name}`, import.meta.url).pathname;
}

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8')) as T;
}

/** Creates a clock and sleep pair: sleeping moves the clock, and every sleep is recorded. */
export function fakeTime(start = DEPLOY_START.getTime()) {
  let now = start;
  const sleeps: number[] = [];
  return {
    clock: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    // 0.5 puts the jitter at zero, so every sleep is exactly the poll interval.
    random: () => 0.5,
    sleeps,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

export function inputs(overrides: Partial<Inputs> = {}): Inputs {
  return {
    taskDefinition: { kind: 'file', path: fixturePath('describe-task-definition.json') },
    cluster: CLUSTER,
    services: [SERVICE],
    timeoutMs: 30 * 60_000,
    pollIntervalMs: 10_000,
    failureBudget: 3,
    forceNewDeployment: false,
    rollbackOnFailure: false,
    ...overrides,
  };
}

export function seconds(offset: number): Date {
  return new Date(DEPLOY_START.getTime() + offset * 1000);
}

export function oldDeployment(overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: OLD_ID,
    status: 'ACTIVE',
    taskDefinition: OLD_ARN,
    desiredCount: 1,
    runningCount: 1,
    pendingCount: 0,
    failedTasks: 0,
    createdAt: new Date('2026-07-16T08:35:02Z'),
    rolloutState: 'COMPLETED',
    rolloutStateReason: `ECS deployment ${OLD_ID} completed.`,
    ...overrides,
  };
}

export function newDeployment(overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: NEW_ID,
    status: 'PRIMARY',
    taskDefinition: NEW_ARN,
    desiredCount: 1,
    runningCount: 0,
    pendingCount: 0,
    failedTasks: 0,
    createdAt: DEPLOY_START,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: `ECS deployment ${NEW_ID} in progress.`,
    ...overrides,
  };
}

export function event(id: string, offsetSeconds: number, message: string): ServiceEvent {
  return { id, createdAt: seconds(offsetSeconds), message };
}

/** An event from before the deployment, which the action must not print. */
export const OLD_EVENT = event('old-1', -600, `(service ${SERVICE}) has reached a steady state.`);

/** Builds a service in DescribeServices shape. Events are given oldest first and returned newest first, as ECS does. */
export function service(deployments: Deployment[], events: ServiceEvent[] = [OLD_EVENT]): Service {
  const primary = deployments.find((deployment) => deployment.status === 'PRIMARY');
  return {
    serviceName: SERVICE,
    serviceArn: `arn:aws:ecs:ap-south-1:123456789012:service/${CLUSTER}/${SERVICE}`,
    clusterArn: `arn:aws:ecs:ap-south-1:123456789012:cluster/${CLUSTER}`,
    status: 'ACTIVE',
    desiredCount: primary?.desiredCount ?? 1,
    runningCount: deployments.reduce((sum, deployment) => sum + (deployment.runningCount ?? 0), 0),
    pendingCount: deployments.reduce((sum, deployment) => sum + (deployment.pendingCount ?? 0), 0),
    taskDefinition: primary?.taskDefinition,
    deploymentController: { type: 'ECS' },
    loadBalancers: [{ targetGroupArn: TARGET_GROUP_ARN, containerName: 'quiz-backend', containerPort: 8000 }],
    deployments,
    events: [...events].reverse(),
  };
}

/** Builds the service before the deploy: one completed PRIMARY deployment of revision 41. */
export function steadyService(): Service {
  return service([oldDeployment({ status: 'PRIMARY' })]);
}

export function stoppedTask(id: string, overrides: Partial<Task> = {}): Task {
  return {
    taskArn: `arn:aws:ecs:ap-south-1:123456789012:task/${CLUSTER}/${id}`,
    startedBy: NEW_ID,
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    taskDefinitionArn: NEW_ARN,
    stoppedAt: seconds(30),
    ...overrides,
  };
}
