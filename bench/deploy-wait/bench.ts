// Measures how soon ecs-deploy-wait and the released aws-actions/amazon-ecs-deploy-task-definition
// v2 bundle exit after a deployment on the emulator completes or fails, and how many AWS API calls
// each makes. Both actions run at the same time, each against its own emulator with the same
// scenario and timing, and each through a counting HTTP proxy on 127.0.0.1.
// Usage: node bench/deploy-wait/bench.ts [--vendor DIR] [--only SCENARIO]
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { runActionBundle } from '@ecs-deploy-kit/action-runner';
import type { ActionRun } from '@ecs-deploy-kit/action-runner';
import { startEmulator } from '@ecs-deploy-kit/emulator';
import type { DeploymentOutcome, Emulator } from '@ecs-deploy-kit/emulator';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OURS = path.join(ROOT, 'actions', 'ecs-deploy-wait');
const FIXTURE = path.join(ROOT, 'actions', 'ecs-deploy-wait', 'test', 'fixtures', 'describe-task-definition.json');
const NAME = 'quiz-backend-testing';
const REPOSITORY = '123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing';
const READ_ONLY = ['taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt', 'registeredBy'];
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

// A healthy rollout of one task takes about 20 s: long enough that poll intervals matter.
const TIMING = { tickSeconds: 0.2, provisionSeconds: 2, taskStartSeconds: 4, healthySeconds: 8, drainSeconds: 4, stopSeconds: 1, crashSeconds: 4 };
// ecs-deploy-wait's default; v2 waits at least 15 s between checks (its WAIT_DEFAULT_DELAY_SEC).
const POLL_INTERVAL_S = 10;

/**
 * The moment the deployment's outcome is decided, as the emulator shows it. That is the rollout
 * turning COMPLETED, the first task of the deployment stopping, or the deployment's failedTasks
 * reaching the failure budget. ECS counts a task as failed when it starts stopping it.
 */
type Reference = 'completed' | 'first-stop' | 'budget';

interface Scenario {
  name: string;
  outcome?: DeploymentOutcome;
  circuitBreaker: boolean;
  reference: Reference;
  /** Minutes both actions may wait; scenarios that v2 cannot see fail get the shorter one. */
  minutes: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'healthy', circuitBreaker: true, reference: 'completed', minutes: 2 },
  { name: 'image pull failure, circuit breaker rolls back', outcome: 'image-pull-failure', circuitBreaker: true, reference: 'first-stop', minutes: 2 },
  { name: 'secrets: ResourceInitializationError', outcome: 'secrets-failure' as DeploymentOutcome, circuitBreaker: false, reference: 'first-stop', minutes: 1 },
  { name: 'missing log group', outcome: 'missing-log-group' as DeploymentOutcome, circuitBreaker: false, reference: 'first-stop', minutes: 1 },
  { name: 'crash loop (exit 1), no circuit breaker', outcome: 'crash-loop', circuitBreaker: false, reference: 'budget', minutes: 1 },
  // Each unhealthy task takes about 27 s to be stopped, so the third stop needs the longer timeout.
  { name: 'failing health check, no circuit breaker', outcome: 'failing-health-check', circuitBreaker: false, reference: 'budget', minutes: 2 },
];
const FAILURE_BUDGET = 3;

interface Counter {
  endpoint: string;
  calls: Map<string, number>;
  close: () => Promise<void>;
}

/** Starts a loopback proxy that forwards every request to the emulator and counts it by operation. */
async function countingProxy(target: string): Promise<Counter> {
  const calls = new Map<string, number>();
  const upstream = new URL(target);
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = operationName(request.headers, body.toString('utf8'));
      calls.set(operation, (calls.get(operation) ?? 0) + 1);
      const forward = http.request(
        { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers },
        (reply) => {
          response.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(response);
        },
      );
      forward.on('error', () => response.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function operationName(headers: http.IncomingHttpHeaders, body: string): string {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  return /(?:^|&)Action=([^&]+)/.exec(body)?.[1] ?? 'other';
}

function taskDefinition(image: string): RegisterTaskDefinitionCommandInput {
  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { taskDefinition: Record<string, unknown>; tags: unknown };
  const fields: Record<string, unknown> = { ...fixture.taskDefinition, tags: fixture.tags };
  for (const field of READ_ONLY) delete fields[field];
  fields.containerDefinitions = (fields.containerDefinitions as Array<Record<string, unknown>>).map((container) => ({ ...container, image }));
  return fields as unknown as RegisterTaskDefinitionCommandInput;
}

interface Environment {
  emulator: Emulator;
  ecs: ECSClient;
  firstArn: string;
}

/** Creates the network, target group, log group, cluster and a service on revision 1, and waits for it. */
async function createService(emulator: Emulator, scenario: Scenario): Promise<Environment> {
  const config = { endpoint: emulator.endpoint, region: emulator.region, credentials };
  const ec2 = new EC2Client(config);
  const elbv2 = new ElasticLoadBalancingV2Client(config);
  const ecs = new ECSClient(config);
  const logs = new CloudWatchLogsClient(config);

  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc?.VpcId as string;
  const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'ap-south-1a' }));
  const group = await ec2.send(new CreateSecurityGroupCommand({ GroupName: NAME, Description: 'quiz-backend tasks', VpcId: vpcId }));
  const targetGroup = await elbv2.send(new CreateTargetGroupCommand({ Name: NAME, Protocol: 'HTTP', Port: 8000, TargetType: 'ip', VpcId: vpcId, HealthCheckPath: '/health' }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/quiz-backend-testing' }));

  await ecs.send(new CreateClusterCommand({ clusterName: NAME }));
  const firstArn = (await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition(`${REPOSITORY}:v1`)))).taskDefinition?.taskDefinitionArn as string;
  await ecs.send(
    new CreateServiceCommand({
      cluster: NAME,
      serviceName: NAME,
      taskDefinition: firstArn,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnet.Subnet?.SubnetId as string], securityGroups: [group.GroupId as string] } },
      loadBalancers: [{ targetGroupArn: targetGroup.TargetGroups?.[0]?.TargetGroupArn, containerName: 'quiz-backend', containerPort: 8000 }],
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: scenario.circuitBreaker, rollback: scenario.circuitBreaker }, maximumPercent: 200, minimumHealthyPercent: 100 },
    }),
  );

  for (;;) {
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: NAME, services: [NAME] }))).services?.[0];
    if (service?.deployments?.length === 1 && service.deployments[0]?.rolloutState === 'COMPLETED') break;
    await delay(200);
  }
  ec2.destroy();
  elbv2.destroy();
  logs.destroy();
  return { emulator, ecs, firstArn };
}

interface Watched {
  deploymentId?: string;
  settledAt?: number;
  state?: string;
  /** When failedTasks of the new deployment first reached the failure budget. */
  budgetAt?: number;
}

/** Watches the service directly (not through the proxy) and notes when the new deployment's rollout state settles. */
function watchRollout(environment: Environment): { stop: () => Promise<Watched> } {
  let running = true;
  const seen: Watched = {};
  const loop = (async () => {
    while (running) {
      const service = (await environment.ecs.send(new DescribeServicesCommand({ cluster: NAME, services: [NAME] }))).services?.[0];
      const deployment = service?.deployments?.find((candidate) => (seen.deploymentId ? candidate.id === seen.deploymentId : candidate.taskDefinition !== environment.firstArn));
      if (deployment && !seen.deploymentId) seen.deploymentId = deployment.id;
      if (deployment && !seen.settledAt && (deployment.rolloutState === 'COMPLETED' || deployment.rolloutState === 'FAILED')) {
        seen.settledAt = Date.now();
        seen.state = deployment.rolloutState;
      }
      if (deployment && !seen.budgetAt && (deployment.failedTasks ?? 0) >= FAILURE_BUDGET) seen.budgetAt = Date.now();
      await delay(100);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}

/** Times the new deployment's tasks stopped, oldest first, from the emulator's own stoppedAt. */
async function stopTimes(environment: Environment, deploymentId: string | undefined): Promise<number[]> {
  if (!deploymentId) return [];
  const arns = (await environment.ecs.send(new ListTasksCommand({ cluster: NAME, startedBy: deploymentId, desiredStatus: 'STOPPED' }))).taskArns ?? [];
  if (arns.length === 0) return [];
  const tasks = (await environment.ecs.send(new DescribeTasksCommand({ cluster: NAME, tasks: arns.slice(0, 100) }))).tasks ?? [];
  return tasks.map((task) => task.stoppedAt?.getTime()).filter((time): time is number => time !== undefined).sort((a, b) => a - b);
}

interface Row {
  scenario: string;
  action: string;
  verdict: string;
  reference: string;
  lagSeconds?: number;
  totalSeconds: number;
  calls: Map<string, number>;
}

async function measure(label: string, actionDir: string, inputs: Record<string, string>, scenario: Scenario, emulator: Emulator): Promise<Row> {
  await emulator.reset();
  await emulator.setTiming(TIMING);
  const environment = await createService(emulator, scenario);
  const image = `${REPOSITORY}:v2`;
  if (scenario.outcome) await emulator.addDeploymentOutcome({ service: NAME, image: ':v2', outcome: scenario.outcome });
  const dir = await mkdtemp(path.join(tmpdir(), 'deploy-wait-bench-'));
  const file = path.join(dir, 'task-definition.json');
  await writeFile(file, JSON.stringify(taskDefinition(image), null, 2));
  const proxy = await countingProxy(emulator.endpoint);
  const watch = watchRollout(environment);

  const started = Date.now();
  let run: ActionRun;
  try {
    run = await runActionBundle(actionDir, {
      inputs: { 'task-definition': file, cluster: NAME, service: NAME, ...inputs },
      env: { AWS_ENDPOINT_URL: proxy.endpoint, AWS_REGION: 'ap-south-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
      runnerTemp: dir,
    });
  } finally {
    await proxy.close();
  }
  const exited = Date.now();
  const seen = await watch.stop();
  const stops = await stopTimes(environment, seen.deploymentId);
  environment.ecs.destroy();
  await rm(dir, { recursive: true, force: true });

  let referenceAt: number | undefined;
  let reference: string;
  if (scenario.reference === 'completed') {
    referenceAt = seen.state === 'COMPLETED' ? seen.settledAt : undefined;
    reference = 'rollout COMPLETED';
  } else if (scenario.reference === 'first-stop') {
    referenceAt = stops[0];
    reference = 'first task stopped';
  } else {
    referenceAt = seen.budgetAt;
    reference = `failedTasks reached ${FAILURE_BUDGET}`;
  }

  const error = run.annotations.find((annotation) => annotation.level === 'error')?.message ?? '';
  const verdict = run.exitCode === 0 ? 'success' : `failure: ${shorten(error)}`;
  const row: Row = { scenario: scenario.name, action: label, verdict, reference, totalSeconds: (exited - started) / 1000, calls: proxy.calls };
  if (referenceAt !== undefined) row.lagSeconds = (exited - referenceAt) / 1000;
  return row;
}

function shorten(message: string): string {
  // Ids take room without telling the scenarios apart.
  const text = message
    .replace(/^ecs-deploy-wait: /, '')
    .replace(/\b[0-9a-f]{32}\b/g, '…')
    .replace(/ecs-svc\/\d+/g, 'ecs-svc/…')
    .replace(/\s+/g, ' ');
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function callsText(calls: Map<string, number>): string {
  const total = [...calls.values()].reduce((sum, count) => sum + count, 0);
  const parts = [...calls.entries()].sort((a, b) => b[1] - a[1]).map(([name, count]) => `${name} ${count}`);
  return `${total} (${parts.join(', ')})`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const vendor = argument('--vendor') ?? '/tmp/bench-vendor/amazon-ecs-deploy-task-definition-v2';
  const only = argument('--only');

  const [ours, theirs] = await Promise.all([startEmulator(), startEmulator()]);
  const rows: Row[] = [];
  try {
    for (const scenario of SCENARIOS.filter((candidate) => !only || candidate.name.includes(only))) {
      process.stderr.write(`scenario: ${scenario.name}\n`);
      const pair = await Promise.all([
        measure('ecs-deploy-wait', OURS, { timeout: `${scenario.minutes}m`, 'poll-interval': `${POLL_INTERVAL_S}s`, 'failure-budget': String(FAILURE_BUDGET) }, scenario, ours),
        measure('amazon-ecs-deploy-task-definition v2', vendor, { 'wait-for-service-stability': 'true', 'wait-for-minutes': String(scenario.minutes) }, scenario, theirs),
      ]);
      rows.push(...pair);
    }
  } finally {
    await Promise.all([ours.stop(), theirs.stop()]);
  }

  console.log(`Deployment wait on the emulator (${cpus().length} cores, loopback). Poll interval of ecs-deploy-wait: ${POLL_INTERVAL_S} s; v2 uses its defaults (15 s minimum, growing to 120 s).`);
  console.log('');
  console.log('| Scenario | Action | Result | Reference event | Exit after reference (s) | Total (s) | API calls |');
  console.log('| --- | --- | --- | --- | ---: | ---: | --- |');
  for (const row of rows) {
    const lag = row.lagSeconds === undefined ? 'n/a' : row.lagSeconds.toFixed(1);
    console.log(`| ${row.scenario} | ${row.action} | ${row.verdict.replace(/\|/g, '\\|')} | ${row.reference} | ${lag} | ${row.totalSeconds.toFixed(1)} | ${callsText(row.calls)} |`);
  }
}

await main();
