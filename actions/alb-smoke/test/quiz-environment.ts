import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';

/** Names of the quiz-backend testing environment the end-to-end tests create in the emulator. */
export const QUIZ = { cluster: 'quiz-backend-testing', service: 'quiz-backend-testing', container: 'quiz-backend' };
export const IMAGE = '123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend';

function clientConfig(endpoint: string) {
  return { endpoint, region: 'ap-south-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
}

export async function registerRevision(endpoint: string, tag: string): Promise<string> {
  const ecs = new ECSClient(clientConfig(endpoint));
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: QUIZ.service,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: QUIZ.container, image: `${IMAGE}:${tag}`, essential: true, portMappings: [{ containerPort: 8000 }] }],
    }),
  );
  ecs.destroy();
  return registered.taskDefinition?.taskDefinitionArn as string;
}

/**
 * Creates a VPC, a target group behind an application load balancer, a cluster and a service
 * running `tag` with `desiredCount` tasks, and returns the target group ARN. The VPC is needed
 * because moto 5.2 accepts an ip target group and an awsvpc service only in a real one.
 */
export async function createQuizService(endpoint: string, tag: string, desiredCount: number): Promise<string> {
  const ec2 = new EC2Client(clientConfig(endpoint));
  const elb = new ElasticLoadBalancingV2Client(clientConfig(endpoint));
  const ecs = new ECSClient(clientConfig(endpoint));

  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = vpc.Vpc?.VpcId as string;
  const subnets = await Promise.all(
    ['a', 'b'].map((zone, index) => ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${index}.0/24`, AvailabilityZone: `ap-south-1${zone}` }))),
  );
  const subnetIds = subnets.map((subnet) => subnet.Subnet?.SubnetId as string);
  const group = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'quiz-backend-testing-ecs', Description: 'quiz-backend tasks', VpcId: vpcId }));

  const created = await elb.send(
    new CreateTargetGroupCommand({ Name: 'quiz-backend-testing', Protocol: 'HTTP', Port: 8000, VpcId: vpcId, TargetType: 'ip', HealthCheckPath: '/health' }),
  );
  const targetGroupArn = created.TargetGroups?.[0]?.TargetGroupArn as string;
  const balancer = await elb.send(new CreateLoadBalancerCommand({ Name: 'quiz-backend-testing', Subnets: subnetIds, Type: 'application' }));
  await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: balancer.LoadBalancers?.[0]?.LoadBalancerArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
    }),
  );

  await ecs.send(new CreateClusterCommand({ clusterName: QUIZ.cluster }));
  await ecs.send(
    new CreateServiceCommand({
      cluster: QUIZ.cluster,
      serviceName: QUIZ.service,
      taskDefinition: await registerRevision(endpoint, tag),
      desiredCount,
      launchType: 'FARGATE',
      loadBalancers: [{ targetGroupArn, containerName: QUIZ.container, containerPort: 8000 }],
      networkConfiguration: { awsvpcConfiguration: { subnets: subnetIds, securityGroups: [group.GroupId as string] } },
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 200, minimumHealthyPercent: 100 },
    }),
  );
  ec2.destroy();
  elb.destroy();
  ecs.destroy();
  return targetGroupArn;
}

/** Starts a rolling deployment of `tag` and returns without waiting for it. */
export async function deployRevision(endpoint: string, tag: string): Promise<string> {
  const taskDefinition = await registerRevision(endpoint, tag);
  const ecs = new ECSClient(clientConfig(endpoint));
  await ecs.send(new UpdateServiceCommand({ cluster: QUIZ.cluster, service: QUIZ.service, taskDefinition }));
  ecs.destroy();
  return taskDefinition;
}

/** Waits until the service has one deployment and it is COMPLETED. */
export async function waitForSteadyState(endpoint: string, timeoutMs = 60_000): Promise<void> {
  const ecs = new ECSClient(clientConfig(endpoint));
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const described = await ecs.send(new DescribeServicesCommand({ cluster: QUIZ.cluster, services: [QUIZ.service] }));
      const deployments = described.services?.[0]?.deployments ?? [];
      if (deployments.length === 1 && deployments[0]?.rolloutState === 'COMPLETED') return;
      if (Date.now() > deadline) throw new Error(`Service ${QUIZ.service} did not reach a steady state within ${timeoutMs} ms.`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    ecs.destroy();
  }
}

export interface StandIn {
  url: string;
  /** Versions returned, in order. */
  versionsServed: string[];
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 that stands in for the load balancer. A request to /health
 * gets the version `versionFor` returns, in the x-app-version header and the JSON body, or a 503
 * when it returns undefined.
 */
export async function startStandIn(versionFor: () => Promise<string | undefined>): Promise<StandIn> {
  const versionsServed: string[] = [];
  const server = http.createServer((request, response) => {
    void versionFor().then(
      (version) => {
        if (version === undefined || request.url !== '/health') {
          response.writeHead(version === undefined ? 503 : 404, { 'content-type': 'application/json' });
          response.end('{"detail":"no healthy targets"}');
          return;
        }
        versionsServed.push(version);
        response.writeHead(200, { 'content-type': 'application/json', 'x-app-version': version });
        response.end(JSON.stringify({ status: 'ok', version }));
      },
      (error: unknown) => {
        response.writeHead(500);
        response.end(String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/health`,
    versionsServed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Returns a version source that cycles through the image tags of the service's RUNNING tasks, as a target group spreads requests. */
export function roundRobinOfRunningTasks(runningImages: () => Promise<string[]>): () => Promise<string | undefined> {
  let next = 0;
  return async () => {
    const images = await runningImages();
    if (images.length === 0) return undefined;
    const image = images[next % images.length] as string;
    next += 1;
    return image.slice(image.lastIndexOf(':') + 1);
  };
}
