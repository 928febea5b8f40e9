import { createHash } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll, beforeEach } from '@jest/globals';
import {
  ECSClient,
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  ListClustersCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { ECRClient, BatchGetImageCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  EC2Client,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
} from '@aws-sdk/client-ec2';
import {
  ElasticLoadBalancingV2Client,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { startEmulator, type Emulator } from '../src/index.ts';

const NAME = 'quiz-backend-testing';
const CONTAINER = 'quiz-backend';
const REPO = '123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend';
const IMAGE_V1 = `${REPO}:v1`;
const IMAGE_V2 = `${REPO}:v2`;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

let emulator: Emulator;
let ecs: ECSClient;
let ecr: ECRClient;
let elbv2: ElasticLoadBalancingV2Client;
let ec2: EC2Client;

beforeAll(async () => {
  emulator = await startEmulator();
  const config = { endpoint: emulator.endpoint, region: emulator.region, credentials };
  ecs = new ECSClient(config);
  ecr = new ECRClient(config);
  elbv2 = new ElasticLoadBalancingV2Client(config);
  ec2 = new EC2Client(config);
});

afterAll(async () => {
  ecs?.destroy();
  ecr?.destroy();
  elbv2?.destroy();
  ec2?.destroy();
  await emulator?.stop();
});

beforeEach(async () => {
  await emulator.reset();
  await emulator.setTiming({
    tickSeconds: 0.05,
    provisionSeconds: 0.1,
    taskStartSeconds: 0.2,
    healthySeconds: 0.2,
    drainSeconds: 0.2,
    stopSeconds: 0.1,
    crashSeconds: 0.2,
  });
});

async function registerRevision(image: string): Promise<string> {
  const response = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: NAME,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: CONTAINER, image, essential: true, portMappings: [{ containerPort: 8000 }] }],
    }),
  );
  return response.taskDefinition!.taskDefinitionArn!;
}

interface Setup {
  targetGroupArn: string;
  v1: string;
}

async function createService(options: { circuitBreaker?: boolean; desiredCount?: number } = {}): Promise<Setup> {
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = vpc.Vpc!.VpcId!;
  const subnet = await ec2.send(
    new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'ap-south-1a' }),
  );
  const group = await ec2.send(new CreateSecurityGroupCommand({ GroupName: NAME, Description: 'service', VpcId: vpcId }));
  const targetGroup = await elbv2.send(
    new CreateTargetGroupCommand({ Name: 'quiz-tg', Protocol: 'HTTP', Port: 8000, TargetType: 'ip', VpcId: vpcId }),
  );
  const targetGroupArn = targetGroup.TargetGroups![0]!.TargetGroupArn!;
  await ecs.send(new CreateClusterCommand({ clusterName: NAME }));
  const v1 = await registerRevision(IMAGE_V1);
  const enable = options.circuitBreaker ?? false;
  await ecs.send(
    new CreateServiceCommand({
      cluster: NAME,
      serviceName: NAME,
      taskDefinition: v1,
      desiredCount: options.desiredCount ?? 1,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [subnet.Subnet!.SubnetId!],
          securityGroups: [group.GroupId!],
          assignPublicIp: 'DISABLED',
        },
      },
      loadBalancers: [{ targetGroupArn, containerName: CONTAINER, containerPort: 8000 }],
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable, rollback: enable },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
    }),
  );
  return { targetGroupArn, v1 };
}

async function describeService(): Promise<Service> {
  const response = await ecs.send(new DescribeServicesCommand({ cluster: NAME, services: [NAME] }));
  return response.services![0]!;
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function waitForCompleted(notDeploymentId?: string): Promise<Service> {
  return waitFor(async () => {
    const service = await describeService();
    const deployments = service.deployments ?? [];
    const only = deployments.length === 1 ? deployments[0] : undefined;
    const done =
      only?.rolloutState === 'COMPLETED' && only.id !== notDeploymentId && service.runningCount === service.desiredCount;
    return done ? service : undefined;
  }, 'a single COMPLETED deployment');
}

async function tasks(desiredStatus: 'RUNNING' | 'STOPPED', startedBy?: string): Promise<Task[]> {
  const list = await ecs.send(new ListTasksCommand({ cluster: NAME, serviceName: NAME, desiredStatus, startedBy }));
  if (!list.taskArns?.length) {
    return [];
  }
  const described = await ecs.send(new DescribeTasksCommand({ cluster: NAME, tasks: list.taskArns }));
  return described.tasks ?? [];
}

function privateIp(task: Task): string | undefined {
  return task.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value;
}

describe('ECS rollouts', () => {
  it('healthy update replaces tasks', async () => {
    const { targetGroupArn } = await createService();
    await waitForCompleted();
    const [oldTask] = await tasks('RUNNING');
    expect(oldTask).toBeDefined();

    const v2 = await registerRevision(IMAGE_V2);
    const updated = await ecs.send(new UpdateServiceCommand({ cluster: NAME, service: NAME, taskDefinition: v2 }));
    const newDeployment = updated.service!.deployments![0]!;
    expect(newDeployment.status).toBe('PRIMARY');
    expect(newDeployment.rolloutState).toBe('IN_PROGRESS');
    expect(newDeployment.id).toMatch(/^ecs-svc\/\d{19}$/);

    const service = await waitForCompleted();
    expect(service.taskDefinition).toBe(v2);
    expect(service.deployments![0]!.id).toBe(newDeployment.id);
    expect(service.deployments![0]!.rolloutStateReason).toBe(`ECS deployment ${newDeployment.id} completed.`);
    expect(service.events![0]!.message).toBe(`(service ${NAME}) has reached a steady state.`);

    const running = await tasks('RUNNING');
    expect(running.map((t) => t.taskDefinitionArn)).toEqual([v2]);
    expect(running[0]!.lastStatus).toBe('RUNNING');
    expect(running[0]!.containers![0]!.image).toBe(IMAGE_V2);

    const health = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    const targets = (health.TargetHealthDescriptions ?? []).map((d) => [d.Target?.Id, d.Target?.Port, d.TargetHealth?.State]);
    expect(targets).toEqual([[privateIp(running[0]!), 8000, 'healthy']]);

    const stopped = await ecs.send(new DescribeTasksCommand({ cluster: NAME, tasks: [oldTask!.taskArn!] }));
    expect(stopped.tasks![0]!.lastStatus).toBe('STOPPED');
    expect(stopped.tasks![0]!.stoppedReason).toBe(`Scaling activity initiated by (deployment ${newDeployment.id})`);
    expect(await emulator.runningImages(NAME, NAME)).toEqual([IMAGE_V2]);
  });

  it('image pull failure rolls back', async () => {
    await emulator.addDeploymentOutcome({ image: ':v2', outcome: 'image-pull-failure' });
    const { v1 } = await createService({ circuitBreaker: true });
    await waitForCompleted();

    const v2 = await registerRevision(IMAGE_V2);
    const updated = await ecs.send(new UpdateServiceCommand({ cluster: NAME, service: NAME, taskDefinition: v2 }));
    const failedId = updated.service!.deployments![0]!.id!;

    const service = await waitForCompleted(failedId);
    expect(service.taskDefinition).toBe(v1);
    const messages = service.events!.map((e) => e.message);
    expect(messages).toContain(`(service ${NAME}) (deployment ${failedId}) deployment failed: tasks failed to start.`);

    const failed = await tasks('STOPPED', failedId);
    expect(failed).toHaveLength(3);
    expect(failed[0]!.stopCode).toBe('TaskFailedToStart');
    expect(failed[0]!.stoppedReason).toContain('CannotPullContainerError');
    expect(await emulator.runningImages(NAME, NAME)).toEqual([IMAGE_V1]);
  });

  it('crash loop without breaker keeps going', async () => {
    await emulator.addDeploymentOutcome({ image: IMAGE_V2, outcome: 'crash-loop', exitCode: 137 });
    await createService();
    await waitForCompleted();
    await ecs.send(new UpdateServiceCommand({ cluster: NAME, service: NAME, taskDefinition: await registerRevision(IMAGE_V2) }));

    const primary = await waitFor(async () => {
      const deployment = (await describeService()).deployments![0]!;
      return (deployment.failedTasks ?? 0) >= 4 ? deployment : undefined;
    }, 'four failed tasks');
    expect(primary.rolloutState).toBe('IN_PROGRESS');

    const stopped = await tasks('STOPPED', primary.id);
    expect(stopped.length).toBeGreaterThanOrEqual(3);
    for (const task of stopped.filter((t) => t.lastStatus === 'STOPPED')) {
      expect(task.stopCode).toBe('EssentialContainerExited');
      expect(task.containers![0]!.exitCode).toBe(137);
    }
    expect(await emulator.runningImages(NAME, NAME)).toContain(IMAGE_V1);
  });

  it('failing health check reports unhealthy targets', async () => {
    await emulator.addDeploymentOutcome({ service: NAME, image: IMAGE_V2, outcome: 'failing-health-check' });
    const { targetGroupArn } = await createService();
    await waitForCompleted();
    await ecs.send(new UpdateServiceCommand({ cluster: NAME, service: NAME, taskDefinition: await registerRevision(IMAGE_V2) }));

    const unhealthy = await waitFor(async () => {
      const health = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
      const found = (health.TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State === 'unhealthy');
      return found.length ? found : undefined;
    }, 'an unhealthy target');
    expect(unhealthy[0]!.TargetHealth!.Reason).toBe('Target.ResponseCodeMismatch');

    const stopped = await waitFor(async () => {
      const found = await tasks('STOPPED');
      return found.length ? found : undefined;
    }, 'a task stopped by ELB health checks');
    expect(stopped[0]!.stoppedReason).toBe(`Task failed ELB health checks in (target-group ${targetGroupArn})`);
  });

  it('desired count zero completes at once', async () => {
    await createService({ desiredCount: 0 });
    const service = await waitForCompleted();
    expect(service.runningCount).toBe(0);
    expect(await tasks('RUNNING')).toEqual([]);
  });
});

describe('ECR digests', () => {
  it('seeded index digest is sha256 of manifest', async () => {
    const seeded = await emulator.seedImage({ repository: 'quiz-backend', tag: 'v1', shape: 'index-with-attestation' });
    const got = await ecr.send(new BatchGetImageCommand({ repositoryName: 'quiz-backend', imageIds: [{ imageTag: 'v1' }] }));
    const image = got.images![0]!;
    const bytes = image.imageManifest!;
    expect(`sha256:${createHash('sha256').update(bytes, 'utf8').digest('hex')}`).toBe(seeded.digest);
    expect(image.imageId!.imageDigest).toBe(seeded.digest);
    expect(image.imageManifestMediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(seeded.children.map((c) => c.platform)).toEqual(['linux/arm64', 'unknown/unknown']);

    const put = await ecr.send(
      new PutImageCommand({
        repositoryName: 'quiz-backend',
        imageManifest: bytes,
        imageManifestMediaType: image.imageManifestMediaType,
        imageTag: 'release',
      }),
    );
    expect(put.image!.imageId!.imageDigest).toBe(seeded.digest);
    const byNewTag = await ecr.send(
      new BatchGetImageCommand({ repositoryName: 'quiz-backend', imageIds: [{ imageTag: 'release' }] }),
    );
    expect(byNewTag.images![0]!.imageId!.imageDigest).toBe(seeded.digest);
  });
});

describe('reset', () => {
  it('wipes clusters and services', async () => {
    await createService();
    await emulator.reset();
    const clusters = await ecs.send(new ListClustersCommand({}));
    expect(clusters.clusterArns).toEqual([]);
    await expect(emulator.runningImages(NAME, NAME)).rejects.toThrow(/HTTP 404/);
  });
});
