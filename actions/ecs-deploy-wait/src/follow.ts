import type { Deployment, ECSClient, Service, ServiceEvent } from '@aws-sdk/client-ecs';
import { isThrottlingError, poll } from '@ecs-deploy-kit/shared';
import type { Clock, Logger, Sleep } from '@ecs-deploy-kit/shared';

import { findService } from './service.ts';
import type { ServiceLocation } from './service.ts';
import { fixHint, groupStoppedTasks, permanentFailure, StoppedTaskTracker } from './stopped-tasks.ts';
import type { StoppedTask } from './stopped-tasks.ts';
import { shortRevision } from './task-definition.ts';

/** Cause of a wait that ended without a COMPLETED deployment. */
export type FailureKind =
  | 'rollout-failed'
  | 'replaced'
  | 'deployment-gone'
  | 'service-gone'
  | 'permanent-task-failure'
  | 'failure-budget'
  | 'timeout'
  | 'cancelled';

export type FollowOutcome = { status: 'completed' } | { status: 'failed'; kind: FailureKind; message: string };

export interface FollowOptions {
  location: ServiceLocation;
  deploymentId: string;
  /** Service events created before this moment belong to earlier deployments and are not printed. */
  since: Date;
  /** Time left for the wait, in milliseconds. */
  timeoutMs: number;
  /** The timeout input, for messages: it also covers the time spent before the wait. */
  totalTimeoutMs: number;
  pollIntervalMs: number;
  failureBudget: number;
}

export interface FollowDeps {
  ecs: ECSClient;
  logger: Logger;
  clock: Clock;
  sleep: Sleep;
  random?: () => number;
  /** Returns true once the job is cancelled (SIGTERM or SIGINT); the wait then stops. */
  cancelled?: () => boolean;
}

/** Last state seen by the wait, for the outputs and the failure report. */
export interface FollowResult {
  outcome: FollowOutcome;
  /** The service as last described, undefined when no DescribeServices call succeeded. */
  service?: Service;
  /** The followed deployment as last seen, even after it left the service's deployments. */
  deployment?: Deployment;
  /** Service events since the deployment began, oldest first. */
  events: ServiceEvent[];
  stoppedTasks: StoppedTask[];
}

// Fraction of the poll interval added or removed at random, so jobs started together do not
// call DescribeServices in step.
const POLL_JITTER = 0.1;
// Extra wait after consecutive throttled polls: the poll interval doubles each time, up to this.
const MAX_THROTTLE_BACKOFF_MS = 120_000;

/**
 * Follows one deployment by id until ECS marks it COMPLETED or it can no longer succeed, printing
 * each new service event once and one progress line per poll. It never relies on the service
 * becoming stable, because a service that a circuit breaker rolled back is stable as well.
 */
export async function followDeployment(options: FollowOptions, deps: FollowDeps): Promise<FollowResult> {
  const { logger, clock } = deps;
  const tracker = new StoppedTaskTracker(deps.ecs, options.location.cluster, options.deploymentId);
  const events = new EventLog(options.since);
  const seen: { service?: Service; deployment?: Deployment } = {};
  const started = clock();
  let throttled = 0;

  const check = async (): Promise<FollowOutcome | undefined> => {
    let service: Service | undefined;
    try {
      service = await findService(deps.ecs, options.location);
      throttled = 0;
    } catch (error) {
      // The SDK has already retried with back-off. The poll backs off further only while the
      // account stays throttled, so that other jobs sharing the rate limit get through.
      if (!isThrottlingError(error)) throw error;
      throttled += 1;
      // The back-off never pushes the next poll past the timeout.
      const timeLeft = options.timeoutMs - (clock() - started) - options.pollIntervalMs;
      const backoff = Math.max(0, Math.min(MAX_THROTTLE_BACKOFF_MS, options.pollIntervalMs * (2 ** throttled - 1), timeLeft));
      logger.warning(`DescribeServices was throttled (${(error as Error).name}); waiting ${formatDuration(backoff + options.pollIntervalMs)} before the next poll.`);
      await deps.sleep(backoff);
      return undefined;
    }
    if (!service) {
      return failed('service-gone', `Service "${options.location.service}" was deleted from cluster "${options.location.cluster}" during the deployment.`);
    }
    seen.service = service;
    for (const event of events.add(service.events ?? [])) logger.info(formatEvent(event));

    const deployment = service.deployments?.find((candidate) => candidate.id === options.deploymentId);
    if (!deployment) return failed('deployment-gone', goneMessage(options.deploymentId, service));
    seen.deployment = deployment;
    logger.info(progressLine(deployment, clock() - started));

    const decided = decideFromRollout(deployment, service);
    if (decided) return decided;

    return checkStoppedTasks(deployment, tracker, options, logger);
  };

  const result = await poll(check, {
    intervalMs: options.pollIntervalMs,
    timeoutMs: Math.max(0, options.timeoutMs),
    jitter: POLL_JITTER,
    clock,
    sleep: deps.sleep,
    ...(deps.random ? { random: deps.random } : {}),
    ...(deps.cancelled ? { cancelled: deps.cancelled } : {}),
  });

  let outcome: FollowOutcome;
  if (result.status === 'done') outcome = result.value;
  else if (result.status === 'cancelled') outcome = failed('cancelled', cancelledMessage(options, seen.deployment));
  else outcome = failed('timeout', timeoutMessage(options, seen.deployment));

  const report: FollowResult = { outcome, events: events.all(), stoppedTasks: tracker.tasks };
  if (seen.service) report.service = seen.service;
  if (seen.deployment) report.deployment = seen.deployment;
  if (outcome.status === 'failed') {
    report.stoppedTasks = await refreshForReport(tracker, logger);
    report.outcome = withStopReason(outcome, report.stoppedTasks);
  }
  return report;
}

/**
 * Adds the most frequent stop reason to a failure that does not name one yet (a circuit
 * breaker, a rollback or a timeout), so the one-line error names why the tasks stopped.
 */
function withStopReason(outcome: FollowOutcome & { status: 'failed' }, stoppedTasks: readonly StoppedTask[]): FollowOutcome {
  if (outcome.kind === 'permanent-task-failure' || outcome.kind === 'failure-budget') return outcome;
  const top = groupStoppedTasks(stoppedTasks)[0];
  if (!top) return outcome;
  const example = stoppedTasks.find((task) => task.stoppedReason === top.stoppedReason) as StoppedTask;
  return {
    ...outcome,
    message: `${outcome.message} Tasks stopped with: ${top.stoppedReason}${formatExitCodes(example)} (${top.taskIds.length} of ${stoppedTasks.length} stopped tasks).`,
  };
}

function failed(kind: FailureKind, message: string): FollowOutcome {
  return { status: 'failed', kind, message };
}

/** Decides from the rollout state and deployment status alone. Undefined means keep waiting. */
function decideFromRollout(deployment: Deployment, service: Service): FollowOutcome | undefined {
  const primary = service.deployments?.find((candidate) => candidate.status === 'PRIMARY');

  if (deployment.rolloutState === 'FAILED') {
    const reason = deployment.rolloutStateReason?.trim() || 'ECS gave no reason';
    const rollback =
      primary && primary.id !== deployment.id ? ` ECS is rolling back to ${shortRevision(primary.taskDefinition)} (deployment ${primary.id}).` : '';
    return failed('rollout-failed', `Deployment ${deployment.id} of ${shortRevision(deployment.taskDefinition)} failed: ${reason}${rollback}`);
  }

  if (deployment.status !== 'PRIMARY') {
    const by = primary ? `${shortRevision(primary.taskDefinition)} (deployment ${primary.id})` : 'another deployment';
    return failed(
      'replaced',
      `Deployment ${deployment.id} of ${shortRevision(deployment.taskDefinition)} is no longer PRIMARY: ${by} took over, ` +
        'so ECS rolled back or another deploy started.',
    );
  }

  if (deployment.rolloutState === 'COMPLETED') return { status: 'completed' };

  // Without a rollout state (older ECS behaviour), the deployment is done when it alone remains
  // and runs all of its tasks.
  const alone = (service.deployments ?? []).length === 1;
  if (deployment.rolloutState === undefined && alone && deployment.runningCount === deployment.desiredCount && !deployment.pendingCount) {
    return { status: 'completed' };
  }
  return undefined;
}

async function checkStoppedTasks(deployment: Deployment, tracker: StoppedTaskTracker, options: FollowOptions, logger: Logger): Promise<FollowOutcome | undefined> {
  const fresh = await tracker.refresh();
  for (const task of fresh) logger.info(`Task ${task.taskId} stopped: ${task.stoppedReason}${formatExitCodes(task)}`);

  for (const task of fresh) {
    const permanent = permanentFailure(task);
    if (permanent) {
      return failed(
        'permanent-task-failure',
        `Task ${task.taskId} of deployment ${deployment.id} stopped: ${task.stoppedReason}${formatExitCodes(task)}. ` +
          `Retrying the same task definition will not fix ${permanent}, so the action stopped waiting. ${fixHint(task)}`,
      );
    }
  }

  const failedTasks = Math.max(deployment.failedTasks ?? 0, tracker.tasks.length);
  if (failedTasks >= options.failureBudget) {
    const last = tracker.tasks.at(-1);
    const lastReason = last ? ` The last one stopped with: ${last.stoppedReason}${formatExitCodes(last)}.` : '';
    return failed(
      'failure-budget',
      `Deployment ${deployment.id} of ${shortRevision(deployment.taskDefinition)} has ${plural(failedTasks, 'failed task')}, ` +
        `reaching the failure budget of ${options.failureBudget}.${lastReason}`,
    );
  }
  return undefined;
}

async function refreshForReport(tracker: StoppedTaskTracker, logger: Logger): Promise<StoppedTask[]> {
  try {
    await tracker.refresh();
  } catch (error) {
    // The report still has the tasks seen while polling, so a late error only loses the newest ones.
    logger.warning(`Could not list the stopped tasks for the report: ${(error as Error).message}`);
  }
  return tracker.tasks;
}

function goneMessage(deploymentId: string, service: Service): string {
  const primary = service.deployments?.find((candidate) => candidate.status === 'PRIMARY');
  const now = primary ? ` The PRIMARY deployment is now ${primary.id} of ${shortRevision(primary.taskDefinition)}.` : '';
  return `Deployment ${deploymentId} is no longer in the service's deployments, so ECS rolled back or replaced it.${now}`;
}

function cancelledMessage(options: FollowOptions, deployment: Deployment | undefined): string {
  const state = deployment ? ` It stood at rollout state ${deployment.rolloutState ?? 'unknown'} with ${countsText(deployment)}.` : '';
  return `The job was cancelled while waiting for deployment ${options.deploymentId}.${state} ECS continues the deployment without this step, so check it in the console.`;
}

function timeoutMessage(options: FollowOptions, deployment: Deployment | undefined): string {
  const state = deployment ? ` Its rollout state is ${deployment.rolloutState ?? 'unknown'} with ${countsText(deployment)}.` : '';
  return `Deployment ${options.deploymentId} did not complete within the ${formatDuration(options.totalTimeoutMs)} timeout.${state}`;
}

/** Formats the task counts of a deployment, e.g. `1 of 2 running, 1 pending, 0 failed`. */
export function countsText(deployment: Deployment): string {
  return `${deployment.runningCount ?? 0} of ${deployment.desiredCount ?? 0} running, ${deployment.pendingCount ?? 0} pending, ${deployment.failedTasks ?? 0} failed`;
}

function progressLine(deployment: Deployment, elapsedMs: number): string {
  return `[${formatDuration(elapsedMs)}] ${shortRevision(deployment.taskDefinition)}: ${countsText(deployment)} (${deployment.rolloutState ?? 'no rollout state'})`;
}

function formatExitCodes(task: StoppedTask): string {
  const codes = task.containers
    .filter((container) => container.exitCode !== undefined)
    .map((container) => `${container.name} exit code ${container.exitCode}`);
  return codes.length > 0 ? ` (${codes.join(', ')})` : '';
}

/** Formats a count with its noun, e.g. `1 task` or `3 tasks`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Formats milliseconds as `45s`, `2m 5s` or `1h 2m`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
}

/** Formats a service event as one log line: UTC time to the second, then ECS's message. */
export function formatEvent(event: ServiceEvent): string {
  const time = event.createdAt ? event.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
  return `${time}  ${event.message ?? ''}`;
}

/**
 * The service events of this deployment. DescribeServices returns the latest events (up to
 * 100, newest first), so each call overlaps the last; events are keyed by id to print each once.
 */
class EventLog {
  readonly #since: number;
  readonly #events = new Map<string, ServiceEvent>();

  constructor(since: Date) {
    this.#since = since.getTime();
  }

  /** Adds events and returns the ones not seen before, oldest first. */
  add(events: readonly ServiceEvent[]): ServiceEvent[] {
    const fresh = events.filter((event) => {
      const key = event.id ?? `${event.createdAt?.toISOString()} ${event.message}`;
      if (this.#events.has(key) || (event.createdAt?.getTime() ?? 0) < this.#since) return false;
      this.#events.set(key, event);
      return true;
    });
    return sortOldestFirst(fresh);
  }

  all(): ServiceEvent[] {
    return sortOldestFirst([...this.#events.values()]);
  }
}

function sortOldestFirst(events: ServiceEvent[]): ServiceEvent[] {
  // ECS lists events newest first, so reversing first keeps events with the same timestamp in order.
  return [...events].reverse().sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0));
}
