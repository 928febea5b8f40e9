import { readFile } from 'node:fs/promises';

import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';

// The quiz-backend testing environment in the emulator, shared by the demo and the end-to-end
// tests so that every one of them deploys into the same shape as the real service.

/** Names of the quiz-backend testing environment, as its Terraform names them. */
export const QUIZ = {
  cluster: 'quiz-backend-testing',
  service: 'quiz-backend-testing',
  container: 'quiz-backend',
  repository: 'quiz-backend',
  logGroup: '/ecs/quiz-backend-testing',
};

const FIXTURE = new URL('../../../test/fixtures/quiz-backend/describe-task-definition.json', import.meta.url);

// Fields ECS adds to a registered revision; RegisterTaskDefinition does not take them.
const READ_ONLY_FIELDS = ['taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt', 'registeredBy', 'deregisteredAt'];

export interface AwsTarget {
  endpoint: string;
  region: string;
}

function clientConfig(target: AwsTarget) {
  return { endpoint: target.endpoint, region: target.region, credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' } };
}

/** Reads the fixture's task definition as RegisterTaskDefinition input, with the given image. */
export async function fixtureTaskDefinition(image: string): Promise<RegisterTaskDefinitionCommandInput> {
  const described = JSON.parse(await readFile(FIXTURE, 'utf8')) as { taskDefinition: Record<string, unknown>; tags: unknown };
  const input: Record<string, unknown> = { ...described.taskDefinition, tags: described.tags };
  for (const field of READ_ONLY_FIELDS) delete input[field];
  const containers = input.containerDefinitions as Array<{ name: string; image: string }>;
  for (const container of containers) if (container.name === QUIZ.container) container.image = image;
  return input as unknown as RegisterTaskDefinitionCommandInput;
}

/** Environment values of the fixture: the demo checks that none of them is ever printed. */
export async function fixtureEnvironmentValues(): Promise<string[]> {
  const described = JSON.parse(await readFile(FIXTURE, 'utf8')) as {
    taskDefinition: { containerDefinitions: Array<{ environment?: Array<{ value: string }> }> };
  };
  return described.taskDefinition.containerDefinitions.flatMap((container) => (container.environment ?? []).map((entry) => entry.value));
}

export async function createRepository(target: AwsTarget): Promise<void> {
  const ecr = new ECRClient(clientConfig(target));
  await ecr.send(new CreateRepositoryCommand({ repositoryName: QUIZ.repository, imageScanningConfiguration: { scanOnPush: true } }));
}

export interface TestingEnvironmentOptions {
  /** Task definition to run; the fixture's, with `image`, when not given. */
  taskDefinition?: RegisterTaskDefinitionCommandInput;
  desiredCount?: number;
  /** Deployment circuit breaker with rollback; on by default, as the Terraform service module sets it. */
  circuitBreaker?: boolean;
}

/**
 * Creates the network, load balancer, log group, cluster and service of quiz-backend testing,
 * running `image`, and returns once its first deployment has completed. moto 5.2 accepts an ip
 * target group and an awsvpc service only in a VPC created through EC2, so one is made first.
 */
export async function createTestingEnvironment(
  target: AwsTarget,
  image: string,
  options: TestingEnvironmentOptions = {},
): Promise<{ taskDefinitionArn: string; targetGroupArn: string }> {
  const ec2 = new EC2Client(clientConfig(target));
  const elb = new ElasticLoadBalancingV2Client(clientConfig(target));
  const ecs = new ECSClient(clientConfig(target));
  const logs = new CloudWatchLogsClient(clientConfig(target));

  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = vpc.Vpc?.VpcId as string;
  const subnets = await Promise.all(
    ['a', 'b'].map((zone, index) =>
      ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${index}.0/24`, AvailabilityZone: `${target.region}${zone}` })),
    ),
  );
  const subnetIds = subnets.map((subnet) => subnet.Subnet?.SubnetId as string);
  const group = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'quiz-backend-testing-ecs', Description: 'quiz-backend tasks', VpcId: vpcId }));

  const targetGroup = await elb.send(
    new CreateTargetGroupCommand({
      Name: 'quiz-backend-testing',
      Protocol: 'HTTP',
      Port: 8000,
      VpcId: vpcId,
      TargetType: 'ip',
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 2,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
    }),
  );
  const targetGroupArn = targetGroup.TargetGroups?.[0]?.TargetGroupArn as string;
  const balancer = await elb.send(new CreateLoadBalancerCommand({ Name: 'quiz-backend-testing', Subnets: subnetIds, Type: 'application' }));
  await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: balancer.LoadBalancers?.[0]?.LoadBalancerArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
    }),
  );
  await logs.send(new CreateLogGroupCommand({ logGroupName: QUIZ.logGroup }));

  await ecs.send(new CreateClusterCommand({ clusterName: QUIZ.cluster, settings: [{ name: 'containerInsights', value: 'enabled' }] }));
  const registered = await ecs.send(new RegisterTaskDefinitionCommand(options.taskDefinition ?? (await fixtureTaskDefinition(image))));
  const taskDefinitionArn = registered.taskDefinition?.taskDefinitionArn as string;
  await ecs.send(
    new CreateServiceCommand({
      cluster: QUIZ.cluster,
      serviceName: QUIZ.service,
      taskDefinition: taskDefinitionArn,
      desiredCount: options.desiredCount ?? 1,
      launchType: 'FARGATE',
      loadBalancers: [{ targetGroupArn, containerName: QUIZ.container, containerPort: 8000 }],
      networkConfiguration: { awsvpcConfiguration: { subnets: subnetIds, securityGroups: [group.GroupId as string], assignPublicIp: 'ENABLED' } },
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: options.circuitBreaker ?? true, rollback: options.circuitBreaker ?? true },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
      healthCheckGracePeriodSeconds: 60,
      enableExecuteCommand: true,
    }),
  );
  await waitForSteadyState(target);
  for (const client of [ec2, elb, ecs, logs]) client.destroy();
  return { taskDefinitionArn, targetGroupArn };
}

/** Waits until the service has one deployment and it is COMPLETED. */
export async function waitForSteadyState(target: AwsTarget, timeoutMs = 60_000): Promise<string> {
  const ecs = new ECSClient(clientConfig(target));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const described = await ecs.send(new DescribeServicesCommand({ cluster: QUIZ.cluster, services: [QUIZ.service] }));
    const service = described.services?.[0];
    const deployments = service?.deployments ?? [];
    if (Date.now() > deadline) {
      ecs.destroy();
      throw new Error(`Service ${QUIZ.service} did not reach a steady state within ${timeoutMs / 1000} s.`);
    }
    if (deployments.length === 1 && deployments[0]?.rolloutState === 'COMPLETED') {
      ecs.destroy();
      return service?.taskDefinition as string;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
