import type { Deployment, ServiceEvent } from '@aws-sdk/client-ecs';
import { markdownTable, textTable } from '@ecs-deploy-kit/shared';

import { countsText, formatDuration, formatEvent, plural } from './follow.ts';
import type { FailureKind } from './follow.ts';
import type { ServiceLocation } from './service.ts';
import { resourceName } from './service.ts';
import { groupStoppedTasks } from './stopped-tasks.ts';
import type { StoppedContainer, StoppedTask, StoppedTaskGroup } from './stopped-tasks.ts';
import { targetGroupName } from './target-health.ts';
import type { TargetHealthRow } from './target-health.ts';
import type { TaskLog } from './task-logs.ts';
import type { Revision } from './task-definition.ts';
import { shortRevision } from './task-definition.ts';

/** Outcome of a run, from which main() writes the outputs and the job summary. */
export interface Result {
  succeeded: boolean;
  failure?: { kind: FailureKind; message: string };
  location: ServiceLocation;
  taskDefinition: Revision;
  /** False when the task-definition input was an ARN and nothing was registered. */
  registered: boolean;
  deploymentId: string;
  rolloutState: string;
  runningCount: number;
  desiredCount: number;
  durationMs: number;
  consoleUrl: string;
  /** Said to the user as a notice, e.g. that no task runs because the desired count is 0. */
  notice?: string;
  report?: FailureReport;
  /** True when the service is back on its previous revision after a failed deploy. */
  rolledBack: boolean;
  rollback?: RollbackResult;
}

/** The rollback after a failed deployment, started by ECS's circuit breaker or by this action. */
export interface RollbackResult {
  /** ARN of the revision the service went back to. */
  revision: string;
  by: 'ecs' | 'action';
  deploymentId: string;
  succeeded: boolean;
  message: string;
}

/** The state of the service when the wait ended, for explaining a failure. */
export interface FailureReport {
  /** The service's deployments as last described, plus the followed one if it has left the list. */
  deployments: Deployment[];
  followedDeploymentId: string;
  events: ServiceEvent[];
  stoppedTasks: StoppedTask[];
  /** Targets of the service's target groups; empty when it has no load balancer. */
  targetHealth: TargetHealthRow[];
  /** Last log lines of the newest stopped task that ran; empty when unknown. */
  taskLogs: TaskLog[];
  stalledPhase: string;
}

/** Builds the ECS console address of the service's deployments tab. */
export function consoleUrl(location: ServiceLocation): string {
  const cluster = encodeURIComponent(resourceName(location.cluster));
  const service = encodeURIComponent(resourceName(location.service));
  return `https://${location.region}.console.aws.amazon.com/ecs/v2/clusters/${cluster}/services/${service}/deployments?region=${location.region}`;
}

/**
 * Names the phase of a rolling deployment that stopped progressing: new tasks not reaching
 * RUNNING, or old tasks still running after the new ones are up. ECS stops old tasks only once
 * the new ones are healthy, so the second usually points at load balancer health checks.
 */
export function stalledPhase(deployments: readonly Deployment[], followed: Deployment | undefined, targetHealth: readonly TargetHealthRow[] = []): string {
  if (!followed) return 'Unknown: the deployment was never seen in DescribeServices.';
  const running = followed.runningCount ?? 0;
  const desired = followed.desiredCount ?? 0;
  if (running < desired) {
    return `New tasks are not starting: ${countsText(followed)} for ${shortRevision(followed.taskDefinition)}.`;
  }

  const draining = deployments.filter((deployment) => deployment.id !== followed.id && (deployment.runningCount ?? 0) > 0);
  if (draining.length > 0) {
    const old = draining.map((deployment) => `${shortRevision(deployment.taskDefinition)} has ${deployment.runningCount} running`).join(', ');
    return (
      `Old tasks are not draining: the new deployment runs ${desired} of ${desired} tasks, but ${old}. ` +
      `ECS stops old tasks once the new ones pass their load balancer health checks. ${unhealthyTargetsText(targetHealth)}`
    );
  }
  return `The new deployment runs ${desired} of ${desired} tasks and no old tasks remain, but ECS has not marked it COMPLETED.`;
}

function unhealthyTargetsText(targetHealth: readonly TargetHealthRow[]): string {
  const unhealthy = targetHealth.filter((row) => row.state !== 'healthy' && row.state !== 'draining');
  if (targetHealth.length === 0) return 'Check the target health.';
  if (unhealthy.length === 0) return `No target is unhealthy (${targetHealth.length} checked).`;
  const reasons = [...new Set(unhealthy.map((row) => row.reason || row.state))].join('; ');
  return `Unhealthy targets: ${unhealthy.length} of ${targetHealth.length} (${reasons}).`;
}

/** Renders the failure report for the log: deployments, stopped tasks, events, stalled phase, link. */
export function renderFailureText(result: Result): string {
  const report = result.report;
  const lines = [result.failure?.message ?? 'The deployment did not complete.', ''];
  if (!report) return [...lines, `ECS console: ${result.consoleUrl}`].join('\n');

  lines.push('Deployments', textTable(DEPLOYMENT_HEADERS.map((header) => header.toUpperCase()), deploymentRows(report)), '');

  const groups = groupStoppedTasks(report.stoppedTasks);
  lines.push(`Stopped tasks of deployment ${report.followedDeploymentId}: ${report.stoppedTasks.length === 0 ? 'none' : report.stoppedTasks.length}`);
  for (const group of groups) {
    lines.push(`  ${plural(group.taskIds.length, 'task')}: ${group.stoppedReason}`);
    for (const container of group.containers) lines.push(`    ${containerText(container, group.stoppedReason)} (${plural(container.tasks, 'task')})`);
    lines.push(`    task ids: ${group.taskIds.join(', ')}`);
  }
  lines.push('');

  lines.push(`Service events since the deployment began: ${report.events.length === 0 ? 'none' : report.events.length}`);
  for (const event of report.events) lines.push(`  ${formatEvent(event)}`);
  lines.push('');

  if (report.targetHealth.length > 0) {
    lines.push('Target health', textTable(TARGET_HEADERS.map((header) => header.toUpperCase()), targetRows(report.targetHealth)), '');
  }

  for (const log of report.taskLogs ?? []) {
    lines.push(`${logHeading(log)}:`);
    if (log.note) lines.push(`  ${log.note}`);
    for (const line of log.lines) lines.push(`  | ${line}`);
    lines.push('');
  }

  lines.push(`Stalled phase: ${report.stalledPhase}`);
  if (result.rollback) lines.push(`Rollback: ${rollbackText(result.rollback)}`);
  lines.push(`ECS console: ${result.consoleUrl}`);
  return lines.join('\n');
}

/** Renders the job summary: the failure report on failure, the revision and duration on success. */
export function renderSummary(result: Result): string {
  const revision = `${result.taskDefinition.family}:${result.taskDefinition.revision}`;
  const target = `service \`${resourceName(result.location.service)}\` in cluster \`${resourceName(result.location.cluster)}\` (${result.location.region})`;

  if (result.succeeded) {
    const facts = markdownTable(
      ['Revision', 'Deployment', 'Rollout state', 'Running / desired', 'Duration'],
      [[revision, result.deploymentId, result.rolloutState, `${result.runningCount} / ${result.desiredCount}`, formatDuration(result.durationMs)]],
    );
    const notice = result.notice ? `\n> [!NOTE]\n> ${result.notice}\n` : '';
    return `## Deployed ${revision}\n\nTo ${target}.\n${notice}\n${facts}\n\n[Deployments in the ECS console](${result.consoleUrl})\n`;
  }

  const parts = [`## Deployment of ${revision} failed`, '', `To ${target}.`, '', `> [!CAUTION]\n> ${result.failure?.message ?? 'The deployment did not complete.'}`, ''];
  const report = result.report;
  if (report) {
    parts.push('### Deployments', '', markdownTable(DEPLOYMENT_HEADERS, deploymentRows(report)), '');
    parts.push(`### Stopped tasks of deployment ${report.followedDeploymentId}`, '', stoppedTasksMarkdown(groupStoppedTasks(report.stoppedTasks)), '');
    parts.push('### Service events since the deployment began', '', eventsMarkdown(report.events), '');
    if (report.targetHealth.length > 0) parts.push('### Target health', '', markdownTable(TARGET_HEADERS, targetRows(report.targetHealth)), '');
    for (const log of report.taskLogs ?? []) {
      parts.push(`### ${logHeading(log)}`, '');
      if (log.note) parts.push(log.note, '');
      if (log.lines.length > 0) parts.push('```text', ...log.lines.map((line) => line.replace(/```/g, "'''")), '```', '');
    }
    parts.push('### Stalled phase', '', report.stalledPhase, '');
  }
  if (result.rollback) parts.push('### Rollback', '', rollbackText(result.rollback), '');
  parts.push(`[Deployments in the ECS console](${result.consoleUrl})`, '');
  return parts.join('\n');
}

const DEPLOYMENT_HEADERS = ['Deployment', 'Status', 'Revision', 'Desired', 'Running', 'Pending', 'Failed', 'Rollout state', 'Reason'];

const TARGET_HEADERS = ['Target group', 'Target', 'State', 'Reason'];

function targetRows(rows: readonly TargetHealthRow[]): string[][] {
  return rows.map((row) => [targetGroupName(row.targetGroupArn), row.target, row.state, row.reason]);
}

function deploymentRows(report: FailureReport): string[][] {
  return report.deployments.map((deployment) => {
    const followed = deployment.id === report.followedDeploymentId;
    return [
      deployment.id ?? '-',
      deployment.status ?? '-',
      `${shortRevision(deployment.taskDefinition)}${followed ? ' (this deploy)' : ''}`,
      String(deployment.desiredCount ?? 0),
      String(deployment.runningCount ?? 0),
      String(deployment.pendingCount ?? 0),
      String(deployment.failedTasks ?? 0),
      deployment.rolloutState ?? '-',
      deployment.rolloutStateReason ?? '',
    ];
  });
}

function stoppedTasksMarkdown(groups: StoppedTaskGroup[]): string {
  if (groups.length === 0) return 'None.';
  return markdownTable(
    ['Tasks', 'Stopped reason', 'Containers', 'Task ids'],
    groups.map((group) => [
      String(group.taskIds.length),
      group.stoppedReason,
      group.containers.map((container) => `${containerText(container, group.stoppedReason)} (${plural(container.tasks, 'task')})`).join('\n'),
      group.taskIds.join(', '),
    ]),
  );
}

function eventsMarkdown(events: readonly ServiceEvent[]): string {
  if (events.length === 0) return 'None.';
  return markdownTable(
    ['Time (UTC)', 'Message'],
    events.map((event) => {
      const [time = '', ...message] = formatEvent(event).split('  ');
      return [time, message.join('  ')];
    }),
  );
}

/** Formats a container's exit code and reason, leaving out a reason that repeats the task's. */
function containerText(container: StoppedContainer, stoppedReason: string): string {
  const exit = container.exitCode === undefined ? 'no exit code' : `exit code ${container.exitCode}`;
  const reason = container.reason && container.reason !== stoppedReason ? `, ${container.reason}` : '';
  return `${container.name}: ${exit}${reason}`;
}

function logHeading(log: TaskLog): string {
  return `Last log lines of task ${log.taskId}, container ${log.container} (${log.logGroup}, stream ${log.logStream})`;
}

function rollbackText(rollback: RollbackResult): string {
  const who = rollback.by === 'ecs' ? 'ECS circuit breaker' : 'this action (rollback-on-failure)';
  return `${rollback.message} Started by the ${who}.`;
}
