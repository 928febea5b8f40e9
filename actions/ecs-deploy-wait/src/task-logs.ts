import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { ContainerDefinition, ECSClient } from '@aws-sdk/client-ecs';
import { errorMessage, explainAwsError } from '@ecs-deploy-kit/shared';
import type { Logger } from '@ecs-deploy-kit/shared';

import type { StoppedTask } from './stopped-tasks.ts';

/** The last lines one container of a stopped task wrote to CloudWatch Logs. */
export interface TaskLog {
  taskId: string;
  container: string;
  logGroup: string;
  logStream: string;
  lines: string[];
  /** Reason for an empty `lines`, e.g. a missing log group. */
  note?: string;
}

const LOG_LINES = 20;

/**
 * Reads the last lines of the newest stopped task that ran (it has an exit code), for each of its
 * containers that logs with the awslogs driver. The awslogs driver names the stream
 * PREFIX/CONTAINER/TASK_ID (ECS developer guide, "Using the awslogs log driver"). Failures are
 * logged and skipped: the report is still useful without the lines, and the role may lack
 * logs:GetLogEvents.
 */
export async function lastTaskLogs(
  ecs: ECSClient,
  logs: CloudWatchLogsClient,
  taskDefinitionArn: string,
  stoppedTasks: readonly StoppedTask[],
  logger: Logger,
): Promise<TaskLog[]> {
  const task = [...stoppedTasks].reverse().find((candidate) => candidate.containers.some((container) => container.exitCode !== undefined));
  if (!task) return [];

  let containers: ContainerDefinition[];
  try {
    const response = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }));
    containers = response.taskDefinition?.containerDefinitions ?? [];
  } catch (error) {
    logger.warning(`Could not read the log settings of ${taskDefinitionArn} for the report: ${errorMessage(explainAwsError(error, 'DescribeTaskDefinition'))}`);
    return [];
  }

  const found: TaskLog[] = [];
  for (const container of containers) {
    const options = container.logConfiguration?.options ?? {};
    const group = options['awslogs-group'];
    const prefix = options['awslogs-stream-prefix'];
    if (container.logConfiguration?.logDriver !== 'awslogs' || !group || !prefix || !container.name) continue;
    if (!task.containers.some((stopped) => stopped.name === container.name)) continue;
    const stream = `${prefix}/${container.name}/${task.taskId}`;
    const entry: TaskLog = { taskId: task.taskId, container: container.name, logGroup: group, logStream: stream, lines: [] };
    try {
      const response = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, limit: LOG_LINES, startFromHead: false }));
      entry.lines = (response.events ?? []).map((event) => (event.message ?? '').replace(/\s+$/, ''));
      if (entry.lines.length === 0) entry.note = 'The log stream is empty.';
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') {
        entry.note = `The log group "${group}" or stream "${stream}" does not exist, so the container wrote no logs.`;
      } else {
        logger.warning(`Could not read the logs of task ${task.taskId} for the report: ${errorMessage(explainAwsError(error, 'GetLogEvents'))}`);
        continue;
      }
    }
    found.push(entry);
  }
  return found;
}
