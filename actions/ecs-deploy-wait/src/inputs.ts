import path from 'node:path';

import { InputError, isArn, parseArn, parseBoolean, parseDuration, parseInteger, parseList, requiredString } from '@ecs-deploy-kit/shared';
import type { InputReader } from '@ecs-deploy-kit/shared';

/** Source of the task definition to deploy: a file to register or a registered revision. */
export type TaskDefinitionSource =
  | { kind: 'file'; path: string }
  | { kind: 'arn'; arn: string };

export interface Inputs {
  taskDefinition: TaskDefinitionSource;
  cluster: string;
  /** One or more services of the cluster, names or ARNs, deployed in parallel with one revision. */
  services: string[];
  /** Desired task count to set; undefined leaves the service's count (and its autoscaling) alone. */
  desiredCount?: number;
  /** Starts a deployment even when the service already runs this revision. */
  forceNewDeployment: boolean;
  /** Points the service back at its previous revision when the deployment fails and ECS did not roll back. */
  rollbackOnFailure: boolean;
  /** Time allowed for the whole action, registration included, in milliseconds. */
  timeoutMs: number;
  /** Time between two DescribeServices calls, in milliseconds. */
  pollIntervalMs: number;
  /** Number of stopped tasks of the new deployment after which the action stops waiting. */
  failureBudget: number;
}

const DEFAULT_TIMEOUT_MS = 30 * 60_000;
const DEFAULT_POLL_INTERVAL_MS = 10_000;
const DEFAULT_FAILURE_BUDGET = 3;
// Below one second the DescribeServices, ListTasks and DescribeTasks calls of each poll come close
// to the ECS API's request rate limits without showing anything sooner.
const MIN_POLL_INTERVAL_MS = 1_000;

/** Reads and checks the action's inputs. Relative file paths are resolved against GITHUB_WORKSPACE. */
export function readInputs(read: InputReader, env: NodeJS.ProcessEnv): Inputs {
  const taskDefinition = parseTaskDefinitionSource(read('task-definition'), env.GITHUB_WORKSPACE);
  const cluster = requiredString('cluster', read('cluster'));
  const services = parseServices(read('service'));

  const timeoutMs = parseDuration('timeout', read('timeout'), DEFAULT_TIMEOUT_MS);
  if (timeoutMs <= 0) throw new InputError('timeout', `"${read('timeout').trim()}" is not a positive duration. Use, for example, 30m.`);

  const pollIntervalMs = parseDuration('poll-interval', read('poll-interval'), DEFAULT_POLL_INTERVAL_MS);
  if (pollIntervalMs < MIN_POLL_INTERVAL_MS) {
    throw new InputError('poll-interval', `"${read('poll-interval').trim()}" is below the minimum 1s.`);
  }
  if (pollIntervalMs > timeoutMs) {
    throw new InputError('poll-interval', `"${read('poll-interval').trim()}" is longer than the timeout "${read('timeout').trim() || '30m'}". Use a shorter interval.`);
  }

  const failureBudget = parseInteger('failure-budget', read('failure-budget'), DEFAULT_FAILURE_BUDGET, { min: 1, max: 100 });

  const inputs: Inputs = {
    taskDefinition,
    cluster,
    services,
    timeoutMs,
    pollIntervalMs,
    failureBudget,
    forceNewDeployment: parseBoolean('force-new-deployment', read('force-new-deployment'), false),
    rollbackOnFailure: parseBoolean('rollback-on-failure', read('rollback-on-failure'), false),
  };
  if (read('desired-count').trim() !== '') {
    inputs.desiredCount = parseInteger('desired-count', read('desired-count'), 0, { min: 0, max: MAX_DESIRED_COUNT });
  }
  return inputs;
}

// ECS allows up to 5,000 tasks per service (ECS service quotas).
const MAX_DESIRED_COUNT = 5000;

function parseServices(raw: string): string[] {
  requiredString('service', raw);
  const services = parseList(raw);
  const repeated = services.filter((name, index) => services.indexOf(name) !== index);
  if (repeated.length > 0) {
    throw new InputError('service', `"${repeated[0]}" is listed twice. List each service once.`);
  }
  return services;
}

function parseTaskDefinitionSource(raw: string, workspace: string | undefined): TaskDefinitionSource {
  const value = requiredString('task-definition', raw);
  if (!isArn(value)) {
    const base = workspace?.trim();
    return { kind: 'file', path: base ? path.resolve(base, value) : value };
  }

  const arn = parseArn('task-definition', value);
  // ECS task definition ARNs end in task-definition/FAMILY:REVISION, and this action deploys one revision.
  if (arn.service !== 'ecs' || !/^task-definition\/[A-Za-z0-9_-]+:\d+$/.test(arn.resource)) {
    throw new InputError(
      'task-definition',
      `"${value}" is not a task definition ARN. Expected arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION, or a path to a task definition JSON file.`,
    );
  }
  return { kind: 'arn', arn: value };
}
