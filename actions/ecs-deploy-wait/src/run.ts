import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { Deployment, ECSClient, Service } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ActionError } from '@ecs-deploy-kit/shared';
import type { Clock, Logger, Sleep } from '@ecs-deploy-kit/shared';

import { followDeployment, formatDuration } from './follow.ts';
import type { FollowResult } from './follow.ts';
import type { Inputs } from './inputs.ts';
import { consoleUrl, renderFailureText, stalledPhase } from './report.ts';
import type { FailureReport, Result, RollbackResult } from './report.ts';
import { describeService, findService, resourceName, updateService } from './service.ts';
import type { ServiceLocation } from './service.ts';
import { describeTargetHealth } from './target-health.ts';
import { lastTaskLogs } from './task-logs.ts';
import { loadTaskDefinitionFile, parseRevision, registerOrReuse, shortRevision } from './task-definition.ts';
import type { Revision } from './task-definition.ts';

export interface Deps {
  ecs: ECSClient;
  /** Client for the target health section of the failure report; the section is left out without it. */
  elbv2?: ElasticLoadBalancingV2Client;
  /** Client for the failed task's last log lines in the failure report; left out without it. */
  logs?: CloudWatchLogsClient;
  /** Region of the ECS client, for messages and the console link. */
  region: string;
  logger: Logger;
  clock: Clock;
  sleep: Sleep;
  /** Random source for the poll jitter; Math.random when absent. */
  random?: () => number;
  /** Registers a value with the runner's log masker. */
  setSecret: (value: string) => void;
  /** Returns true once the job is cancelled; waiting then stops and the run fails. */
  cancelled?: () => boolean;
}

/** Outcome of the whole step: one Result per service, in the order of the service input. */
export interface RunResult {
  succeeded: boolean;
  taskDefinition: Revision;
  results: Result[];
}

/** A service as it was before the deploy, with where it lives. */
interface Target {
  location: ServiceLocation;
  before: Service;
}

/**
 * Registers the task definition (unless an ARN was given or an identical revision exists), points
 * each service at it and follows the deployments that start, in parallel. A failed deployment
 * gives a failed Result instead of throwing, so that main() can still write the outputs and the
 * summary.
 */
export async function run(inputs: Inputs, deps: Deps): Promise<RunResult> {
  const { logger, clock } = deps;
  const started = clock();

  const targets = await logger.group(inputs.services.length === 1 ? 'Check the service' : 'Check the services', async () => {
    const found: Target[] = [];
    for (const service of inputs.services) {
      const location: ServiceLocation = { cluster: inputs.cluster, service, region: deps.region };
      found.push({ location, before: await checkService(deps.ecs, location, logger) });
    }
    return found;
  });

  const taskDefinition = await logger.group('Register the task definition', () => resolveTaskDefinition(inputs, deps));

  const deployments = await logger.group(inputs.services.length === 1 ? 'Update the service' : 'Update the services', async () => {
    const started: Deployment[] = [];
    for (const target of targets) started.push(await startDeployment(target, taskDefinition.arn, inputs, deps));
    return started;
  });

  const single = targets.length === 1;
  const title = single ? `Wait for deployment ${deployments[0]?.id}` : `Wait for ${targets.length} deployments`;
  const results = await logger.group(title, () =>
    Promise.all(
      targets.map((target, index) => {
        const serviceDeps = single ? deps : { ...deps, logger: prefixedLogger(logger, `[${resourceName(target.location.service)}] `) };
        return deployOne(target, deployments[index] as Deployment, taskDefinition, inputs, serviceDeps, started);
      }),
    ),
  );

  for (const result of results) {
    if (single) await report(result, logger, 'Why the deployment failed');
    else await report(result, prefixedLogger(logger, `[${resourceName(result.location.service)}] `), `Why the deployment to ${resourceName(result.location.service)} failed`);
  }
  if (!single) {
    const failed = results.filter((result) => !result.succeeded).map((result) => resourceName(result.location.service));
    if (failed.length > 0) logger.error(`${failed.length} of ${results.length} services failed to deploy ${shortRevision(taskDefinition.arn)}: ${failed.join(', ')}.`);
  }
  return { succeeded: results.every((result) => result.succeeded), taskDefinition, results };
}

async function checkService(ecs: ECSClient, location: ServiceLocation, logger: Logger): Promise<Service> {
  const service = await describeService(ecs, location);
  const controller = service.deploymentController?.type ?? 'ECS';
  if (controller !== 'ECS') {
    // CODE_DEPLOY and EXTERNAL services change task definitions through their own deployments,
    // which UpdateService cannot start.
    throw new ActionError(
      `Service "${location.service}" in cluster "${resourceName(location.cluster)}" uses the ${controller} deployment controller. ` +
        'This action deploys services with the ECS (rolling update) controller only.',
    );
  }
  logger.info(
    `Service "${location.service}" in cluster "${resourceName(location.cluster)}" (${location.region}) runs ${shortRevision(service.taskDefinition)}: ` +
      `${service.runningCount ?? 0} running of ${service.desiredCount ?? 0} desired.`,
  );
  return service;
}

async function resolveTaskDefinition(inputs: Inputs, deps: Deps): Promise<Revision> {
  const source = inputs.taskDefinition;
  if (source.kind === 'arn') {
    const revision = parseRevision(source.arn);
    deps.logger.info(`Deploying the existing revision ${revision.family}:${revision.revision}; nothing is registered.`);
    return revision;
  }

  const request = await loadTaskDefinitionFile(source.path, deps.logger, deps.setSecret);
  const { revision, reused } = await registerOrReuse(deps.ecs, request, deps);
  if (reused) deps.logger.info(`The latest revision ${revision.family}:${revision.revision} already has this task definition, so it is reused and nothing is registered.`);
  else deps.logger.info(`Registered ${revision.family}:${revision.revision} (${revision.arn}).`);
  return revision;
}

async function startDeployment(target: Target, taskDefinitionArn: string, inputs: Inputs, deps: Deps): Promise<Deployment> {
  const options = { ...(inputs.desiredCount !== undefined ? { desiredCount: inputs.desiredCount } : {}), forceNewDeployment: inputs.forceNewDeployment };
  const { deployment } = await updateService(deps.ecs, target.location, taskDefinitionArn, options);
  const previous = target.before.taskDefinition ? ` (was ${shortRevision(target.before.taskDefinition)})` : '';
  deps.logger.info(
    `Service "${target.location.service}" now runs ${shortRevision(taskDefinitionArn)}${previous}: deployment ${deployment.id}, desired count ${deployment.desiredCount ?? 0}.`,
  );
  return deployment;
}

/** Follows one service's deployment and, on failure, explains it and rolls back when asked. */
async function deployOne(target: Target, deployment: Deployment, taskDefinition: Revision, inputs: Inputs, deps: Deps, started: number): Promise<Result> {
  const { location } = target;
  const deploymentId = deployment.id as string;
  const base = { location, taskDefinition, registered: inputs.taskDefinition.kind === 'file', deploymentId };

  // With no task to start there is nothing to wait for, and later steps such as a smoke test
  // must know to skip.
  if ((deployment.desiredCount ?? 0) === 0) {
    return buildResult({ ...base, followed: { outcome: { status: 'completed' }, deployment, events: [], stoppedTasks: [] }, durationMs: deps.clock() - started });
  }

  const followed = await followDeployment(followOptions(location, deploymentId, deployment.createdAt, inputs.timeoutMs - (deps.clock() - started), inputs), deps);
  const result = buildResult({ ...base, followed, durationMs: deps.clock() - started });
  if (followed.outcome.status !== 'failed') return result;

  result.report = await failureReport(deploymentId, taskDefinition.arn, followed, deps);
  if (inputs.rollbackOnFailure && followed.outcome.kind !== 'cancelled') {
    const rollback = await rollBack(target, deploymentId, taskDefinition.arn, inputs, deps);
    if (rollback) {
      result.rollback = rollback;
      result.rolledBack = rollback.succeeded;
    }
  }
  return result;
}

function followOptions(location: ServiceLocation, deploymentId: string, createdAt: Date | undefined, timeLeftMs: number, inputs: Inputs) {
  return {
    location,
    deploymentId,
    since: createdAt ?? new Date(),
    timeoutMs: timeLeftMs,
    totalTimeoutMs: inputs.timeoutMs,
    pollIntervalMs: inputs.pollIntervalMs,
    failureBudget: inputs.failureBudget,
  };
}

/**
 * Returns the service to the revision it ran before the deploy. When ECS's circuit breaker has
 * already started a rollback, that deployment is followed instead of starting another. The
 * rollback wait has its own timeout of the same length, because the deploy's may be used up.
 */
async function rollBack(target: Target, failedId: string, failedArn: string, inputs: Inputs, deps: Deps): Promise<RollbackResult | undefined> {
  const { logger, clock } = deps;
  const previous = target.before.taskDefinition;
  if (!previous || previous === failedArn) {
    logger.warning(`No rollback: service "${target.location.service}" ran ${shortRevision(previous)} before this deploy, so there is no other revision to return to.`);
    return undefined;
  }

  // A plain heading rather than a group: this runs inside the wait's group, and the runner
  // does not nest groups.
  logger.info(`Rolling back to ${shortRevision(previous)}.`);
  {
    const started = clock();
    const now = await findService(deps.ecs, target.location);
    const primary = now?.deployments?.find((deployment) => deployment.status === 'PRIMARY');
    if (primary && primary.id !== failedId && primary.taskDefinition !== previous) {
      // Someone else's deploy took over; rolling back now would undo it.
      logger.warning(
        `No rollback: deployment ${primary.id} of ${shortRevision(primary.taskDefinition)} has replaced this one on service "${target.location.service}", so the action leaves it in place.`,
      );
      return undefined;
    }
    let by: RollbackResult['by'] = 'ecs';
    let deployment: Deployment | undefined = primary && primary.id !== failedId && primary.taskDefinition === previous ? primary : undefined;
    if (deployment) {
      logger.info(`ECS is already rolling back to ${shortRevision(previous)} (deployment ${deployment.id}); following it.`);
    } else {
      by = 'action';
      deployment = (await updateService(deps.ecs, target.location, previous)).deployment;
      logger.info(`Service "${target.location.service}" is back on ${shortRevision(previous)}: deployment ${deployment.id}.`);
    }

    const rollbackId = deployment.id as string;
    const followed = await followDeployment(followOptions(target.location, rollbackId, deployment.createdAt, inputs.timeoutMs, inputs), deps);
    const succeeded = followed.outcome.status === 'completed';
    const message = succeeded
      ? `Rolled back to ${shortRevision(previous)}: deployment ${rollbackId} completed in ${formatDuration(clock() - started)}.`
      : `Rollback to ${shortRevision(previous)} did not complete: ${followed.outcome.status === 'failed' ? followed.outcome.message : ''}`.trim();
    if (succeeded) logger.info(message);
    else logger.error(message);
    return { revision: previous, by, deploymentId: rollbackId, succeeded, message };
  }
}

interface ResultParts {
  location: ServiceLocation;
  taskDefinition: Revision;
  registered: boolean;
  deploymentId: string;
  followed: FollowResult;
  durationMs: number;
}

function buildResult(parts: ResultParts): Result {
  const { followed } = parts;
  const deployment = followed.deployment;
  const result: Result = {
    succeeded: followed.outcome.status === 'completed',
    location: parts.location,
    taskDefinition: parts.taskDefinition,
    registered: parts.registered,
    deploymentId: parts.deploymentId,
    rolloutState: deployment?.rolloutState ?? 'UNKNOWN',
    runningCount: deployment?.runningCount ?? 0,
    desiredCount: deployment?.desiredCount ?? 0,
    durationMs: parts.durationMs,
    consoleUrl: consoleUrl(parts.location),
    rolledBack: false,
  };

  if (followed.outcome.status === 'failed') {
    result.failure = { kind: followed.outcome.kind, message: followed.outcome.message };
  } else if (result.desiredCount === 0) {
    result.notice =
      `Service "${resourceName(parts.location.service)}" has a desired count of 0, so ${shortRevision(parts.taskDefinition.arn)} is deployed but no task runs it. ` +
      'Steps that send requests to the service should be skipped.';
  }
  return result;
}

async function failureReport(deploymentId: string, taskDefinitionArn: string, followed: FollowResult, deps: Deps): Promise<FailureReport> {
  const deployments: Deployment[] = [...(followed.service?.deployments ?? [])];
  // A deployment that ECS removed (after a rollback) is shown as last seen, so the table still
  // has the row the report is about.
  if (followed.deployment && !deployments.some((deployment) => deployment.id === deploymentId)) {
    deployments.push({ ...followed.deployment, status: `${followed.deployment.status ?? ''} (removed)`.trim() });
  }
  const targetHealth = deps.elbv2 ? await describeTargetHealth(deps.elbv2, followed.service, deps.logger) : [];
  const taskLogs = deps.logs ? await lastTaskLogs(deps.ecs, deps.logs, taskDefinitionArn, followed.stoppedTasks, deps.logger) : [];
  return {
    deployments,
    followedDeploymentId: deploymentId,
    events: followed.events,
    stoppedTasks: followed.stoppedTasks,
    targetHealth,
    taskLogs,
    stalledPhase: stalledPhase(deployments, followed.deployment, targetHealth),
  };
}

async function report(result: Result, logger: Logger, failureTitle: string): Promise<void> {
  const revision = `${result.taskDefinition.family}:${result.taskDefinition.revision}`;
  if (result.succeeded) {
    logger.info(`Deployment ${result.deploymentId} of ${revision} completed in ${formatDuration(result.durationMs)}: ${result.runningCount} of ${result.desiredCount} tasks running.`);
    if (result.notice) logger.notice(result.notice);
    return;
  }
  await logger.group(failureTitle, async () => {
    for (const line of renderFailureText(result).split('\n')) logger.info(line);
  });
}

/** Wraps a logger so each line names its service, for deployments followed side by side. */
export function prefixedLogger(logger: Logger, prefix: string): Logger {
  return {
    info: (message) => logger.info(prefix + message),
    notice: (message) => logger.notice(prefix + message),
    warning: (message) => logger.warning(prefix + message),
    error: (message) => logger.error(prefix + message),
    debug: (message) => logger.debug(prefix + message),
    // Parallel waits cannot share the runner's one open group, so a group is a heading line.
    group: async (title, body) => {
      logger.info(`${prefix}${title}`);
      return body();
    },
  };
}
