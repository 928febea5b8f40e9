import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { RegisterTaskDefinitionCommandInput, Service } from '@aws-sdk/client-ecs';
import { CreateLogGroupCommand, CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { runActionBundle } from '@ecs-deploy-kit/action-runner';
import type { ActionRun } from '@ecs-deploy-kit/action-runner';
import { startEmulator } from '@ecs-deploy-kit/emulator';
import type { DeploymentOutcomeRule, Emulator } from '@ecs-deploy-kit/emulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';

import { readFixture } from './helpers.ts';

const ACTION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NAME = 'quiz-backend-testing';
const REPOSITORY = '123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

// Fields DescribeTaskDefinition adds that RegisterTaskDefinition does not take.
const READ_ONLY = ['taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt', 'registeredBy'];

interface DescribeTaskDefinitionOutput {
  taskDefinition: Record<string, unknown>;
  tags: Array<{ key: string; value: string }>;
}

// Each case runs the bundle against a live rollout, which takes a few seconds.
jest.setTimeout(30_000);

let emulator: Emulator;
let ecs: ECSClient;
let ec2: EC2Client;
let elbv2: ElasticLoadBalancingV2Client;
let logs: CloudWatchLogsClient;
let runnerTemp: string;

beforeAll(async () => {
  emulator = await startEmulator();
  const config = { endpoint: emulator.endpoint, region: emulator.region, credentials };
  ecs = new ECSClient(config);
  ec2 = new EC2Client(config);
  elbv2 = new ElasticLoadBalancingV2Client(config);
  logs = new CloudWatchLogsClient(config);
});

afterAll(async () => {
  ecs?.destroy();
  ec2?.destroy();
  elbv2?.destroy();
  logs?.destroy();
  await emulator?.stop();
});

beforeEach(async () => {
  await emulator.reset();
  await emulator.setTiming({ tickSeconds: 0.05, provisionSeconds: 0.1, taskStartSeconds: 0.2, healthySeconds: 0.2, drainSeconds: 0.2, stopSeconds: 0.1, crashSeconds: 0.2 });
  runnerTemp = await mkdtemp(path.join(tmpdir(), 'ecs-deploy-wait-runner-'));
});

afterEach(async () => {
  await rm(runnerTemp, { recursive: true, force: true });
});

/** The fixture task definition with another image, as RegisterTaskDefinition takes it. */
function taskDefinition(image: string): RegisterTaskDefinitionCommandInput {
  const fixture = readFixture<DescribeTaskDefinitionOutput>('describe-task-definition.json');
  const fields: Record<string, unknown> = { ...fixture.taskDefinition, tags: fixture.tags };
  for (const field of READ_ONLY) delete fields[field];
  const containers = fields.containerDefinitions as Array<Record<string, unknown>>;
  fields.containerDefinitions = containers.map((container) => ({ ...container, image }));
  return fields as unknown as RegisterTaskDefinitionCommandInput;
}

/** Writes the rendered file a render step would leave in RUNNER_TEMP. */
async function writeRendered(image: string): Promise<string> {
  const file = path.join(runnerTemp, 'task-definition.json');
  await writeFile(file, JSON.stringify(taskDefinition(image), null, 2));
  return file;
}

/**
 * Creates the cluster, a target group and a Fargate service on revision 1 (image :v1) and waits
 * for its first deployment to complete.
 */
async function createService(options: { circuitBreaker: boolean; desiredCount?: number }): Promise<string> {
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = vpc.Vpc?.VpcId as string;
  const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'ap-south-1a' }));
  const group = await ec2.send(new CreateSecurityGroupCommand({ GroupName: NAME, Description: 'quiz-backend tasks', VpcId: vpcId }));
  const targetGroup = await elbv2.send(
    new CreateTargetGroupCommand({ Name: NAME, Protocol: 'HTTP', Port: 8000, TargetType: 'ip', VpcId: vpcId, HealthCheckPath: '/health' }),
  );
  const targetGroupArn = targetGroup.TargetGroups?.[0]?.TargetGroupArn as string;

  await ecs.send(new CreateClusterCommand({ clusterName: NAME }));
  const registered = await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition(`${REPOSITORY}:v1`)));
  const firstArn = registered.taskDefinition?.taskDefinitionArn as string;
  await ecs.send(
    new CreateServiceCommand({
      cluster: NAME,
      serviceName: NAME,
      taskDefinition: firstArn,
      desiredCount: options.desiredCount ?? 1,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: { subnets: [subnet.Subnet?.SubnetId as string], securityGroups: [group.GroupId as string], assignPublicIp: 'ENABLED' },
      },
      loadBalancers: [{ targetGroupArn, containerName: 'quiz-backend', containerPort: 8000 }],
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: options.circuitBreaker, rollback: options.circuitBreaker },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
    }),
  );
  await waitFor(async () => {
    const service = await describeService();
    const only = service.deployments?.length === 1 ? service.deployments[0] : undefined;
    return only?.rolloutState === 'COMPLETED' ? service : undefined;
  }, 'the first deployment to complete');
  return firstArn;
}

async function describeService(): Promise<Service> {
  const response = await ecs.send(new DescribeServicesCommand({ cluster: NAME, services: [NAME] }));
  return response.services?.[0] as Service;
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
}

async function deploy(file: string, inputs: Record<string, string> = {}): Promise<ActionRun> {
  return runActionBundle(ACTION_DIR, {
    inputs: { 'task-definition': file, cluster: NAME, service: NAME, 'poll-interval': '1s', timeout: '60s', ...inputs },
    env: { AWS_ENDPOINT_URL: emulator.endpoint, AWS_REGION: 'ap-south-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
    runnerTemp,
  });
}

/**
 * Checks that no environment value of the fixture reached anything the user reads. The raw
 * stdout contains them only in ::add-mask:: commands, which the runner consumes.
 */
function expectNoSecrets(run: ActionRun): void {
  for (const secret of ['EXAMPLE-NOT-A-SECRET', 'example-cms-token-not-real']) {
    expect(run.log).not.toContain(secret);
    expect(run.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::')).join('\n')).not.toContain(secret);
    expect(run.stderr).not.toContain(secret);
    expect(run.summary).not.toContain(secret);
    expect(JSON.stringify(run.outputs)).not.toContain(secret);
  }
}

describe('ecs-deploy-wait bundle', () => {
  it('follows a healthy deployment to COMPLETED', async () => {
    await createService({ circuitBreaker: true });
    const file = await writeRendered(`${REPOSITORY}:v2`);

    const run = await deploy(file);

    expect(run.exitCode).toBe(0);
    expect(run.outputs['task-definition-arn']).toBe('arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz-backend-testing:2');
    expect(run.outputs['deployment-id']).toMatch(/^ecs-svc\/\d+$/);
    expect(run.outputs['rollout-state']).toBe('COMPLETED');
    expect(run.outputs['running-count']).toBe('1');
    expect(run.outputs['desired-count']).toBe('1');
    expect(Number(run.outputs['duration-seconds'])).toBeLessThan(30);
    expect(run.log).toContain('Registered quiz-backend-testing:2');
    expect(run.log).toContain(`(deployment ${run.outputs['deployment-id']}) deployment completed.`);
    expect(run.summary).toContain('## Deployed quiz-backend-testing:2');
    expect(run.masked).toContain('example-cms-token-not-real');
    expectNoSecrets(run);

    const service = await describeService();
    expect(service.taskDefinition).toBe(run.outputs['task-definition-arn']);
    expect(await emulator.runningImages(NAME, NAME)).toEqual([`${REPOSITORY}:v2`]);
  });

  it('fails fast on an image pull failure and rolls back', async () => {
    const firstArn = await createService({ circuitBreaker: true });
    // A slower pull makes the first failed task stop after the first poll and the circuit breaker
    // (3 failed tasks) trip seconds later, so the action must stop on the task, not the breaker.
    await emulator.setTiming({ taskStartSeconds: 1.5 });
    await emulator.addDeploymentOutcome({ service: NAME, image: ':missing', outcome: 'image-pull-failure' });
    const file = await writeRendered(`${REPOSITORY}:missing`);

    const run = await deploy(file);

    expect(run.exitCode).toBe(1);
    expect(run.log).toContain('CannotPullContainerError');
    const failure = run.annotations.find((annotation) => annotation.level === 'error');
    expect(failure?.message).toMatch(/^ecs-deploy-wait: Task \w+ of deployment ecs-svc\/\d+ stopped: CannotPullContainerError: .* Retrying the same task definition will not fix CannotPullContainerError/);
    expect(run.log).toContain('Stopped tasks of deployment');
    expect(run.summary).toContain('## Deployment of quiz-backend-testing:2 failed');
    expect(run.outputs['deployment-id']).toMatch(/^ecs-svc\/\d+$/);
    expectNoSecrets(run);

    // The circuit breaker may trip after the action stopped waiting, so wait for the rollback.
    const service = await waitFor(async () => {
      const current = await describeService();
      return current.taskDefinition === firstArn ? current : undefined;
    }, 'the service to return to revision 1');
    expect(service.taskDefinition).toBe(firstArn);
  });

  it('explains a finished rollback with the stop reason', async () => {
    const firstArn = await createService({ circuitBreaker: true });
    await emulator.addDeploymentOutcome({ service: NAME, image: ':missing', outcome: 'image-pull-failure' });
    const file = await writeRendered(`${REPOSITORY}:missing`);

    // Three fast pull failures trip the breaker and the rollback completes in about 2s, so the
    // second poll, 3s in, finds the deployment already removed from the service.
    const run = await deploy(file, { 'poll-interval': '3s' });

    expect(run.exitCode).toBe(1);
    const failure = run.annotations.find((annotation) => annotation.level === 'error');
    expect(failure?.message).toMatch(
      /^ecs-deploy-wait: Deployment ecs-svc\/\d+ is no longer in the service's deployments, so ECS rolled back or replaced it\. The PRIMARY deployment is now ecs-svc\/\d+ of quiz-backend-testing:1\. Tasks stopped with: CannotPullContainerError: .* \(3 of 3 stopped tasks\)\.$/,
    );
    expect(run.log).toMatch(/\n {2}3 tasks: CannotPullContainerError: pull image manifest/);
    expect(run.log).toContain('(this deploy)');
    expect(run.log).toContain('rolling back to deployment');
    expect((await describeService()).taskDefinition).toBe(firstArn);
  });

  it('fails a crash loop through the failure budget', async () => {
    await createService({ circuitBreaker: false });
    await emulator.addDeploymentOutcome({ service: NAME, image: ':crash', outcome: 'crash-loop', exitCode: 3 });
    const file = await writeRendered(`${REPOSITORY}:crash`);

    const run = await deploy(file, { 'failure-budget': '2' });

    expect(run.exitCode).toBe(1);
    const failure = run.annotations.find((annotation) => annotation.level === 'error');
    expect(failure?.message).toMatch(/^ecs-deploy-wait: Deployment ecs-svc\/\d+ of quiz-backend-testing:2 has \d+ failed tasks, reaching the failure budget of 2\./);
    expect(run.log).toContain('quiz-backend: exit code 3');
    expect(run.log).toMatch(/\d+ tasks?: Essential container in task exited/);
    expect(run.summary).toContain('quiz-backend: exit code 3');
    expect(run.outputs['rollout-state']).toBe('IN_PROGRESS');
    expectNoSecrets(run);
  });

  it('reports target health for failing health checks', async () => {
    await createService({ circuitBreaker: false });
    await emulator.addDeploymentOutcome({ service: NAME, image: ':unhealthy', outcome: 'failing-health-check' });
    const file = await writeRendered(`${REPOSITORY}:unhealthy`);

    const run = await deploy(file, { 'failure-budget': '1' });

    expect(run.exitCode).toBe(1);
    const failure = run.annotations.find((annotation) => annotation.level === 'error');
    expect(failure?.message).toMatch(/reaching the failure budget of 1\. The last one stopped with: Task failed ELB health checks in \(target-group arn:aws:elasticloadbalancing:/);
    expect(run.log).toMatch(/\nTarget health\nTARGET GROUP +TARGET +STATE +REASON\n/);
    expect(run.summary).toContain('### Target health');
    expectNoSecrets(run);
  });

  it('succeeds at once with desired count 0', async () => {
    await createService({ circuitBreaker: true, desiredCount: 0 });
    const file = await writeRendered(`${REPOSITORY}:v2`);

    const run = await deploy(file);

    expect(run.exitCode).toBe(0);
    expect(run.outputs['desired-count']).toBe('0');
    // The step does not wait, so the output is the state UpdateService returned.
    expect(run.outputs['rollout-state']).toBe('IN_PROGRESS');
    expect(run.log).not.toContain('[0s] quiz-backend-testing:2');
    expect(run.annotations).toContainEqual({
      level: 'notice',
      message: `Service "${NAME}" has a desired count of 0, so quiz-backend-testing:2 is deployed but no task runs it. Steps that send requests to the service should be skipped.`,
    });
    expect(run.durationMs).toBeLessThan(10_000);
  });

  it('fails fast on a ResourceInitializationError from secrets', async () => {
    // Without a circuit breaker only the action's own check can stop the wait early.
    await createService({ circuitBreaker: false });
    // The emulator accepts outcomes beyond the ones its TypeScript type lists.
    await emulator.addDeploymentOutcome({ service: NAME, image: ':secrets', outcome: 'secrets-failure' });
    const file = await writeRendered(`${REPOSITORY}:secrets`);

    const run = await deploy(file, { 'failure-budget': '10' });

    expect(run.exitCode).toBe(1);
    const failure = run.annotations.find((annotation) => annotation.level === 'error');
    expect(failure?.message).toMatch(/stopped: ResourceInitializationError: unable to pull secrets or registry auth.*Retrying the same task definition will not fix ResourceInitializationError/);
    expectNoSecrets(run);
  });

  it('fails fast when the log group does not exist', async () => {
    await createService({ circuitBreaker: false });
    await emulator.addDeploymentOutcome({ service: NAME, image: ':nologs', outcome: 'missing-log-group' });
    const file = await writeRendered(`${REPOSITORY}:nologs`);

    const run = await deploy(file, { 'failure-budget': '10' });

    expect(run.exitCode).toBe(1);
    const failure = run.annotations.find((annotation) => annotation.level === 'error');
    expect(failure?.message).toContain('The specified log group does not exist.');
    expect(failure?.message).toContain("Create the log group named in the container's awslogs-group option");
  });

  it('shows the crashed container\'s last log lines and rolls back when asked', async () => {
    const firstArn = await createService({ circuitBreaker: false });
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/quiz-backend-testing' }));
    const rule: DeploymentOutcomeRule = {
      service: NAME,
      image: ':crash',
      outcome: 'crash-loop',
      exitCode: 3,
      logLines: ['Connecting to MongoDB', 'ServerSelectionTimeoutError: timed out'],
    };
    await emulator.addDeploymentOutcome(rule);
    const file = await writeRendered(`${REPOSITORY}:crash`);

    const run = await deploy(file, { 'failure-budget': '2', 'rollback-on-failure': 'true' });

    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(/Last log lines of task \w+, container quiz-backend \(\/ecs\/quiz-backend-testing, stream ecs\/quiz-backend\/\w+\):\n {2}\| Connecting to MongoDB\n {2}\| ServerSelectionTimeoutError: timed out/);
    expect(run.summary).toContain('```text\nConnecting to MongoDB\nServerSelectionTimeoutError: timed out\n```');
    expect(run.outputs['rolled-back']).toBe('true');
    expect(run.log).toMatch(/Rolled back to quiz-backend-testing:1: deployment ecs-svc\/\d+ completed/);
    expect(run.summary).toContain('### Rollback');
    expect((await describeService()).taskDefinition).toBe(firstArn);
    expect(await emulator.runningImages(NAME, NAME)).toEqual([`${REPOSITORY}:v1`]);
    expectNoSecrets(run);
  });

  it('reuses the revision when the same file is deployed again', async () => {
    await createService({ circuitBreaker: true });
    const file = await writeRendered(`${REPOSITORY}:v2`);

    const first = await deploy(file);
    const second = await deploy(file, { 'force-new-deployment': 'true' });

    expect(first.outputs['task-definition-arn']).toBe('arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz-backend-testing:2');
    expect(second.exitCode).toBe(0);
    expect(second.outputs['task-definition-arn']).toBe(first.outputs['task-definition-arn']);
    expect(second.log).toContain('The latest revision quiz-backend-testing:2 already has this task definition, so it is reused and nothing is registered.');
    expect(second.outputs['deployment-id']).not.toBe(first.outputs['deployment-id']);
    expect(second.outputs['rollout-state']).toBe('COMPLETED');
  });

  it('deploys two services with one revision', async () => {
    const firstArn = await createService({ circuitBreaker: false });
    const worker = 'quiz-worker-testing';
    const existing = await describeService();
    await ecs.send(
      new CreateServiceCommand({
        cluster: NAME,
        serviceName: worker,
        taskDefinition: firstArn,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: existing.networkConfiguration,
      }),
    );
    await waitFor(async () => {
      const response = await ecs.send(new DescribeServicesCommand({ cluster: NAME, services: [worker] }));
      return response.services?.[0]?.deployments?.[0]?.rolloutState === 'COMPLETED' ? true : undefined;
    }, 'the worker service to start');
    await emulator.addDeploymentOutcome({ service: worker, image: ':v2', outcome: 'image-pull-failure' });
    const file = await writeRendered(`${REPOSITORY}:v2`);

    const run = await deploy(file, { service: `${NAME}\n${worker}` });

    expect(run.exitCode).toBe(1);
    expect(run.outputs['task-definition-arn']).toBe('arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz-backend-testing:2');
    expect(run.outputs['deployment-id']).toMatch(/^ecs-svc\/\d+,ecs-svc\/\d+$/);
    expect(run.outputs['rollout-state']).toBe('COMPLETED,IN_PROGRESS');
    const failure = run.annotations.find((annotation) => annotation.level === 'error' && annotation.message.startsWith('ecs-deploy-wait:'));
    expect(failure?.message).toMatch(/^ecs-deploy-wait: quiz-worker-testing: Task \w+ of deployment ecs-svc\/\d+ stopped: CannotPullContainerError/);
    expect(run.log).toContain(`[${worker}] `);
    expect(run.summary).toContain('## Deployed quiz-backend-testing:2');
    expect(run.summary).toContain('## Deployment of quiz-backend-testing:2 failed');
    expect(await emulator.runningImages(NAME, NAME)).toEqual([`${REPOSITORY}:v2`]);
    expectNoSecrets(run);
  });

  it('names the services that exist for a misspelt service', async () => {
    await createService({ circuitBreaker: true });
    const file = await writeRendered(`${REPOSITORY}:v2`);

    const run = await deploy(file, { service: 'quiz-backend-testng' });

    expect(run.exitCode).toBe(1);
    expect(run.annotations).toContainEqual({
      level: 'error',
      message: `ecs-deploy-wait: Service "quiz-backend-testng" not found in cluster "${NAME}" (ap-south-1). Services in this cluster: ${NAME}.`,
    });
  });
});
