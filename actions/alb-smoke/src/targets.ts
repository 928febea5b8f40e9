import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import type { ECSClient, Service, Task } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ElasticLoadBalancingV2Client, TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import { explainAwsError, poll } from '@ecs-deploy-kit/shared';
import type { Clock, Logger, Sleep } from '@ecs-deploy-kit/shared';

export interface TargetHealthDeps {
  ecs?: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  logger: Logger;
  clock: Clock;
  sleep: Sleep;
}

export interface TargetHealthSettings {
  /** With a service, only targets that are tasks of its PRIMARY deployment count. */
  service?: { cluster: string; service: string };
  targetGroupArns: string[];
  intervalMs: number;
  timeoutMs: number;
}

/** One target as last read, for the log and the summary. */
export interface TargetView {
  targetGroup: string;
  /** `ip:port` or `instance:port`. */
  target: string;
  state: string;
  reason?: string;
  description?: string;
  /** Whether the target is a task of the deployed revision (always true without a service). */
  deployed: boolean;
}

export interface TargetHealthResult {
  passed: boolean;
  /** The task definition of the PRIMARY deployment, with a service. */
  taskDefinition?: string;
  /** Healthy targets of the deployed revision per target group name. */
  healthy: Record<string, number>;
  /** Healthy targets needed per target group. */
  required: number;
  targets: TargetView[];
  elapsedMs: number;
  timeoutMs: number;
  reason?: string;
}

/** One read of the service, its tasks and its targets. */
interface Snapshot {
  taskDefinition?: string;
  /** `ecs-svc/… (rolloutState)` of the PRIMARY deployment, for the log. */
  deployment?: string;
  required: number;
  targets: TargetView[];
  /** Reason the revision is not yet healthy; undefined when it is. */
  waitingFor?: string;
}

/**
 * Waits until every target group has at least `required` healthy targets of the deployed
 * revision. With a service, those are the RUNNING tasks of its PRIMARY deployment's task
 * definition, matched to targets by their private IPv4 address, and `required` is the
 * desiredCount. Without one, every registered target counts, and at least one is required.
 * Each change of a target's state is logged once.
 */
export async function waitForHealthyTargets(settings: TargetHealthSettings, deps: TargetHealthDeps): Promise<TargetHealthResult> {
  const seen = new Map<string, string>();
  let last: Snapshot = { required: 1, targets: [] };

  const outcome = await poll(
    async () => {
      const previous = last.taskDefinition;
      last = await readSnapshot(settings, deps);
      logRevisionChange(previous, last, deps.logger);
      logChanges(last.targets, seen, deps.logger);
      return last.waitingFor === undefined ? last : undefined;
    },
    { intervalMs: settings.intervalMs, timeoutMs: settings.timeoutMs, clock: deps.clock, sleep: deps.sleep, jitter: 0 },
  );

  const result: TargetHealthResult = {
    passed: outcome.status === 'done',
    healthy: countHealthy(last.targets, settings.targetGroupArns.map(targetGroupName)),
    required: last.required,
    targets: last.targets,
    elapsedMs: outcome.elapsedMs,
    timeoutMs: settings.timeoutMs,
  };
  if (last.taskDefinition !== undefined) result.taskDefinition = last.taskDefinition;
  if (!result.passed) {
    result.reason = `targets not healthy within ${formatDuration(settings.timeoutMs)} (target-health-timeout): ${last.waitingFor ?? 'unknown'}`;
  }
  return result;
}

async function readSnapshot(settings: TargetHealthSettings, deps: TargetHealthDeps): Promise<Snapshot> {
  let deployedIps: Set<string> | undefined;
  let taskDefinition: string | undefined;
  let deployment: string | undefined;
  let required = 1;
  if (settings.service) {
    const deployed = await readDeployedRevision(settings.service, deps);
    deployedIps = deployed.ips;
    taskDefinition = deployed.taskDefinition;
    deployment = deployed.deployment;
    required = Math.max(1, deployed.desiredCount);
  }

  const targets: TargetView[] = [];
  for (const arn of settings.targetGroupArns) {
    const descriptions = await describeTargetHealth(arn, deps.elb);
    for (const description of descriptions) targets.push(toView(arn, description, deployedIps));
  }

  const snapshot: Snapshot = { required, targets };
  if (taskDefinition !== undefined) snapshot.taskDefinition = taskDefinition;
  if (deployment !== undefined) snapshot.deployment = deployment;
  const waiting = settings.targetGroupArns
    .map(targetGroupName)
    .map((name) => ({ name, healthy: targets.filter((item) => item.targetGroup === name && item.deployed && item.state === 'healthy').length }))
    .filter((group) => group.healthy < required);
  if (waiting.length > 0) {
    const revision = taskDefinition === undefined ? '' : ` of ${shortTaskDefinition(taskDefinition)}`;
    snapshot.waitingFor = waiting.map((group) => `${group.healthy} of ${required} target(s)${revision} healthy in ${group.name}`).join('; ');
  }
  return snapshot;
}

/** Reads the PRIMARY deployment's task definition and the private IPs of its RUNNING tasks. */
async function readDeployedRevision(
  target: { cluster: string; service: string },
  deps: TargetHealthDeps,
): Promise<{ taskDefinition: string; deployment: string; desiredCount: number; ips: Set<string> }> {
  const ecs = deps.ecs;
  if (!ecs) throw new Error('An ECS client is required when cluster and service are set.');

  let service: Service | undefined;
  try {
    const described = await ecs.send(new DescribeServicesCommand({ cluster: target.cluster, services: [target.service] }));
    service = described.services?.[0];
  } catch (error) {
    throw explainAwsError(error, 'ecs:DescribeServices');
  }
  const primary = service?.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  const taskDefinition = primary?.taskDefinition ?? service?.taskDefinition ?? '';

  const tasks = await listRunningTasks(ecs, target.cluster, service?.serviceName ?? target.service);
  const ips = new Set<string>();
  for (const task of tasks) {
    if (task.taskDefinitionArn !== taskDefinition || task.lastStatus !== 'RUNNING') continue;
    for (const ip of privateIps(task)) ips.add(ip);
  }
  const deployment = `${primary?.id ?? 'no PRIMARY deployment'}${primary?.rolloutState ? `, ${primary.rolloutState}` : ''}`;
  return { taskDefinition, deployment, desiredCount: service?.desiredCount ?? 0, ips };
}

async function listRunningTasks(ecs: ECSClient, cluster: string, serviceName: string): Promise<Task[]> {
  const arns: string[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus: 'RUNNING', nextToken }));
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    throw explainAwsError(error, 'ecs:ListTasks');
  }

  const tasks: Task[] = [];
  try {
    // DescribeTasks takes at most 100 tasks per call.
    for (let start = 0; start < arns.length; start += 100) {
      const described = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(start, start + 100) }));
      tasks.push(...(described.tasks ?? []));
    }
  } catch (error) {
    throw explainAwsError(error, 'ecs:DescribeTasks');
  }
  return tasks;
}

/** Returns the private IPv4 addresses of an awsvpc task, from its ENI attachment and its containers. */
function privateIps(task: Task): string[] {
  const ips: string[] = [];
  for (const attachment of task.attachments ?? []) {
    for (const detail of attachment.details ?? []) {
      if (detail.name === 'privateIPv4Address' && detail.value) ips.push(detail.value);
    }
  }
  for (const container of task.containers ?? []) {
    for (const eni of container.networkInterfaces ?? []) if (eni.privateIpv4Address) ips.push(eni.privateIpv4Address);
  }
  return ips;
}

async function describeTargetHealth(arn: string, elb: ElasticLoadBalancingV2Client): Promise<TargetHealthDescription[]> {
  try {
    const response = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
    return response.TargetHealthDescriptions ?? [];
  } catch (error) {
    throw explainAwsError(error, 'elasticloadbalancing:DescribeTargetHealth');
  }
}

function toView(arn: string, description: TargetHealthDescription, deployedIps: Set<string> | undefined): TargetView {
  const id = description.Target?.Id ?? '?';
  const view: TargetView = {
    targetGroup: targetGroupName(arn),
    target: description.Target?.Port === undefined ? id : `${id}:${description.Target.Port}`,
    state: description.TargetHealth?.State ?? 'unknown',
    // NOTE: Fargate tasks register by IP; instance targets (EC2 launch type with bridge
    // networking) cannot be matched to tasks here, so they never count as the deployed revision.
    deployed: deployedIps === undefined ? true : deployedIps.has(id),
  };
  if (description.TargetHealth?.Reason) view.reason = description.TargetHealth.Reason;
  if (description.TargetHealth?.Description) view.description = description.TargetHealth.Description;
  return view;
}

/**
 * Logs the deployed revision on the first read and whenever it changes, which happens when the
 * circuit breaker rolls the service back or a newer deployment starts during the wait.
 */
function logRevisionChange(previous: string | undefined, snapshot: Snapshot, logger: Logger): void {
  if (snapshot.taskDefinition === undefined || snapshot.taskDefinition === previous) return;
  const revision = shortTaskDefinition(snapshot.taskDefinition);
  if (previous === undefined) {
    logger.info(`Deployed revision: ${revision} (PRIMARY deployment ${snapshot.deployment ?? ''}).`);
    return;
  }
  logger.warning(
    `The PRIMARY deployment now runs ${revision}, not ${shortTaskDefinition(previous)} (${snapshot.deployment ?? ''}): the service rolled back or a newer deployment started. Waiting for ${revision} instead.`,
  );
}

/** Logs each target whose state, reason or revision changed since the last read, and each that left. */
function logChanges(targets: TargetView[], seen: Map<string, string>, logger: Logger): void {
  const current = new Set<string>();
  for (const view of targets) {
    const key = `${view.targetGroup} ${view.target}`;
    current.add(key);
    const line = describeTarget(view);
    if (seen.get(key) === line) continue;
    seen.set(key, line);
    logger.info(line);
  }
  for (const key of [...seen.keys()]) {
    if (current.has(key)) continue;
    seen.delete(key);
    const [group, target] = key.split(' ');
    logger.info(`Target ${target} in ${group}: no longer registered`);
  }
}

export function describeTarget(view: TargetView): string {
  const revision = view.deployed ? '' : ' (not a RUNNING task of the deployed revision)';
  const reason = view.reason === undefined ? '' : ` (${view.reason}${view.description ? `: ${view.description}` : ''})`;
  return `Target ${view.target} in ${view.targetGroup}${revision}: ${view.state}${reason}`;
}

function countHealthy(targets: TargetView[], groups: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const group of groups) counts[group] = targets.filter((item) => item.targetGroup === group && item.deployed && item.state === 'healthy').length;
  return counts;
}

/** Returns the name in a target group ARN (`…:targetgroup/<name>/<id>`), or the ARN itself. */
export function targetGroupName(arn: string): string {
  return /:targetgroup\/([^/]+)\//.exec(arn)?.[1] ?? arn;
}

/** Returns `family:revision` of a task definition ARN. */
export function shortTaskDefinition(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** Formats milliseconds the way the duration inputs are written: 650ms, 4s, 2.5s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
