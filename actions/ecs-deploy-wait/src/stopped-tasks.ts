import { DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import type { ECSClient, Task } from '@aws-sdk/client-ecs';
import { explainAwsError } from '@ecs-deploy-kit/shared';

/** A container of a stopped task, as the report shows it. */
export interface StoppedContainer {
  name: string;
  exitCode?: number;
  reason?: string;
}

/** A task of the followed deployment that ECS stopped. */
export interface StoppedTask {
  taskId: string;
  stoppedReason: string;
  stopCode?: string;
  startedAt?: Date;
  stoppedAt?: Date;
  containers: StoppedContainer[];
}

/** Stopped tasks that share a stoppedReason, with each distinct container outcome counted. */
export interface StoppedTaskGroup {
  stoppedReason: string;
  taskIds: string[];
  containers: Array<StoppedContainer & { tasks: number }>;
}

// Stop reasons treated as ones a retry of the same task definition cannot fix, because they
// usually mean the image, the task's network or secrets setup, or the container command is wrong.
// NOTE: a ResourceInitializationError can also come from a brief network fault while fetching
// secrets, in which case ECS might have recovered. The action still stops waiting.
const PERMANENT_ERRORS = ['CannotPullContainerError', 'ResourceInitializationError', 'CannotStartContainerError'];

const DESCRIBE_TASKS_BATCH = 100;

/**
 * Lists the stopping and stopped tasks of one deployment (ECS starts service tasks with
 * startedBy set to the deployment id). A task whose lastStatus is STOPPED does not change, so it
 * is described once. A task still shutting down is described again on each call until it stops,
 * because its container exit codes may not be set yet.
 */
export class StoppedTaskTracker {
  readonly #ecs: ECSClient;
  readonly #cluster: string;
  readonly #deploymentId: string;
  readonly #stopped = new Map<string, StoppedTask>();
  readonly #stopping = new Map<string, StoppedTask>();
  readonly #returned = new Set<string>();

  constructor(ecs: ECSClient, cluster: string, deploymentId: string) {
    this.#ecs = ecs;
    this.#cluster = cluster;
    this.#deploymentId = deploymentId;
  }

  /** Stopping and stopped tasks seen so far, oldest first. */
  get tasks(): StoppedTask[] {
    const all = [...this.#stopped.values(), ...this.#stopping.values()];
    return all.sort((a, b) => (a.stoppedAt?.getTime() ?? Infinity) - (b.stoppedAt?.getTime() ?? Infinity));
  }

  /** Fetches the deployment's tasks with desiredStatus STOPPED and returns those not returned before. */
  async refresh(): Promise<StoppedTask[]> {
    const arns = await this.#listStoppedTaskArns();
    const fresh = arns.filter((arn) => !this.#stopped.has(arn));
    const found: StoppedTask[] = [];
    for (let start = 0; start < fresh.length; start += DESCRIBE_TASKS_BATCH) {
      const batch = fresh.slice(start, start + DESCRIBE_TASKS_BATCH);
      let tasks: Task[];
      try {
        const response = await this.#ecs.send(new DescribeTasksCommand({ cluster: this.#cluster, tasks: batch }));
        tasks = response.tasks ?? [];
      } catch (error) {
        throw explainAwsError(error, 'DescribeTasks');
      }
      for (const task of tasks) {
        if (!task.taskArn) continue;
        const stopped = toStoppedTask(task);
        if (task.lastStatus === 'STOPPED') {
          this.#stopped.set(task.taskArn, stopped);
          this.#stopping.delete(task.taskArn);
        } else {
          this.#stopping.set(task.taskArn, stopped);
        }
        if (!this.#returned.has(task.taskArn)) {
          this.#returned.add(task.taskArn);
          found.push(stopped);
        }
      }
    }
    return found;
  }

  async #listStoppedTaskArns(): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.#ecs.send(
          new ListTasksCommand({ cluster: this.#cluster, startedBy: this.#deploymentId, desiredStatus: 'STOPPED', nextToken }),
        );
        arns.push(...(page.taskArns ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (error) {
      throw explainAwsError(error, 'ListTasks');
    }
    return arns;
  }
}

function toStoppedTask(task: Task): StoppedTask {
  const stopped: StoppedTask = {
    taskId: (task.taskArn ?? '').split('/').pop() ?? '',
    stoppedReason: task.stoppedReason?.trim() || 'No stopped reason given',
    containers: (task.containers ?? []).map((container) => {
      const entry: StoppedContainer = { name: container.name ?? '(unnamed)' };
      if (container.exitCode !== undefined && container.exitCode !== null) entry.exitCode = container.exitCode;
      if (container.reason) entry.reason = container.reason;
      return entry;
    }),
  };
  if (task.stopCode) stopped.stopCode = task.stopCode;
  if (task.startedAt) stopped.startedAt = task.startedAt;
  if (task.stoppedAt) stopped.stoppedAt = task.stoppedAt;
  return stopped;
}

/**
 * Returns why this stopped task shows that the deployment cannot succeed, or undefined when a
 * replacement task could still start: the permanent errors above, or an essential container that
 * exited before the task ever reached RUNNING. A container that exits after starting (a crash
 * loop) is left to the failure budget, because one crash may be a transient fault.
 */
export function permanentFailure(task: StoppedTask): string | undefined {
  const reasons = [task.stoppedReason, ...task.containers.map((container) => container.reason ?? '')];
  for (const error of PERMANENT_ERRORS) {
    if (reasons.some((reason) => reason.includes(error))) return error;
  }
  const essentialExited = /Essential container in task exited/i.test(task.stoppedReason);
  if (essentialExited && (task.stopCode === 'TaskFailedToStart' || task.startedAt === undefined)) {
    return 'an essential container that exits while the task starts';
  }
  return undefined;
}

/** Groups stopped tasks by stoppedReason, the most frequent reason first. */
export function groupStoppedTasks(tasks: readonly StoppedTask[]): StoppedTaskGroup[] {
  const groups = new Map<string, StoppedTaskGroup>();
  for (const task of tasks) {
    let group = groups.get(task.stoppedReason);
    if (!group) {
      group = { stoppedReason: task.stoppedReason, taskIds: [], containers: [] };
      groups.set(task.stoppedReason, group);
    }
    group.taskIds.push(task.taskId);
    for (const container of task.containers) {
      const same = group.containers.find(
        (seen) => seen.name === container.name && seen.exitCode === container.exitCode && seen.reason === container.reason,
      );
      if (same) same.tasks += 1;
      else group.containers.push({ ...container, tasks: 1 });
    }
  }
  // Array.prototype.sort is stable, so reasons with equal counts keep the order they were first seen.
  return [...groups.values()].sort((a, b) => b.taskIds.length - a.taskIds.length);
}

/**
 * Returns the next step for a stopped task that cannot recover, naming what to check for the
 * common causes behind each permanent stop reason.
 */
export function fixHint(task: StoppedTask): string {
  const reasons = [task.stoppedReason, ...task.containers.map((container) => container.reason ?? '')].join('\n');
  if (/log group does not exist/i.test(reasons)) {
    return "Create the log group named in the container's awslogs-group option, or set awslogs-create-group to \"true\" and allow logs:CreateLogGroup, then deploy again.";
  }
  if (/unable to pull secrets|secretsmanager|ssm/i.test(reasons) && reasons.includes('ResourceInitializationError')) {
    return 'Check that every secret ARN in the task definition exists in this region and that the execution role may read it (secretsmanager:GetSecretValue, ssm:GetParameters, kms:Decrypt), then deploy again.';
  }
  if (reasons.includes('CannotPullContainerError')) {
    return 'Check that the image tag or digest exists and that the execution role may pull it (ecr:GetAuthorizationToken, ecr:BatchGetImage), then deploy again.';
  }
  return 'Fix the image or task definition and deploy again.';
}
