import type { Deployment, ECSClient, Service } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ActionError } from '@ecs-deploy-kit/shared';
import type { Clock, Logger, Sleep } from '@ecs-deploy-kit/shared';

import { followDeployment, formatDuration } from './follow.ts';
import type { FollowResult } from './follow.ts';
import type { Inputs } from './inputs.ts';
import { consoleUrl, renderFailureText, stalledPhase } from './report.ts';
import type { FailureReport, Result } from './report.ts';
import { describeService, resourceName, updateService } from './service.ts';
import type { ServiceLocation } from './service.ts';
import { describeTargetHealth } from './target-health.ts';
import { loadTaskDefinitionFile, parseRevision, registerTaskDefinition, shortRevision } from './task-definition.ts';
import type { Revision } from './task-definition.ts';

export interface Deps {
  ecs: ECSClient;
  /** Client for the target health section of the failure report; the section is left out without it. */
  elbv2?: ElasticLoadBalancingV2Client;
  /** Region of the ECS client, for messages and the console link. */
  region: string;
  logger: Logger;
  clock: Clock;
  sleep: Sleep;
  /** Random source for the poll jitter; Math.random when absent. */
  random?: () => number;
  /** Registers a value with the runner's log masker. */
  setSecret: (value: string) => void;
}

/**
 * Registers the task definition (unless an ARN was given), points the service at it and follows
 * the deployment that starts. A failed deployment returns a failed Result instead of throwing,
 * so that main() can still write the outputs and the summary.
 */
export async function run(inputs: Inputs, deps: Deps): Promise<Result> {
  const { logger, clock } = deps;
  const started = clock();
  const location: ServiceLocation = { cluster: inputs.cluster, service: inputs.service, region: deps.region };

  const before = await logger.group('Check the service', () => checkService(deps.ecs, location, logger));

  const taskDefinition = await logger.group('Register the task definition', () => resolveTaskDefinition(inputs, deps));

  const { deployment } = await logger.group('Update the service', async () => {
    const update = await updateService(deps.ecs, location, taskDefinition.arn);
    const previous = before.taskDefinition ? ` (was ${shortRevision(before.taskDefinition)})` : '';
    logger.info(`Service "${location.service}" now runs ${shortRevision(taskDefinition.arn)}${previous}: deployment ${update.deployment.id}, desired count ${update.deployment.desiredCount ?? 0}.`);
    return update;
  });
  const deploymentId = deployment.id as string;

  const followed = await logger.group(`Wait for deployment ${deploymentId}`, () =>
    followDeployment(
      {
        location,
        deploymentId,
        since: deployment.createdAt ?? new Date(clock()),
        timeoutMs: inputs.timeoutMs - (clock() - started),
        totalTimeoutMs: inputs.timeoutMs,
        pollIntervalMs: inputs.pollIntervalMs,
        failureBudget: inputs.failureBudget,
      },
      deps,
    ),
  );

  const result = buildResult({ location, taskDefinition, registered: inputs.taskDefinition.kind === 'file', deploymentId, followed, durationMs: clock() - started });
  if (followed.outcome.status === 'failed') result.report = await failureReport(deploymentId, followed, deps);
  await report(result, logger);
  return result;
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
  const revision = await registerTaskDefinition(deps.ecs, request);
  deps.logger.info(`Registered ${revision.family}:${revision.revision} (${revision.arn}).`);
  return revision;
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

async function failureReport(deploymentId: string, followed: FollowResult, deps: Deps): Promise<FailureReport> {
  const deployments: Deployment[] = [...(followed.service?.deployments ?? [])];
  // A deployment that ECS removed (after a rollback) is shown as last seen, so the table still
  // has the row the report is about.
  if (followed.deployment && !deployments.some((deployment) => deployment.id === deploymentId)) {
    deployments.push({ ...followed.deployment, status: `${followed.deployment.status ?? ''} (removed)`.trim() });
  }
  const targetHealth = deps.elbv2 ? await describeTargetHealth(deps.elbv2, followed.service, deps.logger) : [];
  return {
    deployments,
    followedDeploymentId: deploymentId,
    events: followed.events,
    stoppedTasks: followed.stoppedTasks,
    targetHealth,
    stalledPhase: stalledPhase(deployments, followed.deployment, targetHealth),
  };
}

async function report(result: Result, logger: Logger): Promise<void> {
  const revision = `${result.taskDefinition.family}:${result.taskDefinition.revision}`;
  if (result.succeeded) {
    logger.info(`Deployment ${result.deploymentId} of ${revision} completed in ${formatDuration(result.durationMs)}: ${result.runningCount} of ${result.desiredCount} tasks running.`);
    if (result.notice) logger.notice(result.notice);
    return;
  }
  await logger.group('Why the deployment failed', async () => {
    for (const line of renderFailureText(result).split('\n')) logger.info(line);
  });
}
