import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';

import { fixHint, groupStoppedTasks, permanentFailure, StoppedTaskTracker } from '../src/stopped-tasks.ts';
import type { StoppedTask } from '../src/stopped-tasks.ts';
import { CLUSTER, NEW_ID, REGION, seconds, stoppedTask } from './helpers.ts';

function task(overrides: Partial<StoppedTask>): StoppedTask {
  return { taskId: 't1', stoppedReason: 'Essential container in task exited', containers: [{ name: 'quiz-backend', exitCode: 1 }], startedAt: seconds(5), ...overrides };
}

describe('permanentFailure', () => {
  it.each([
    ['CannotPullContainerError: ref not found', undefined, 'CannotPullContainerError'],
    ['ResourceInitializationError: unable to pull secrets or registry auth', undefined, 'ResourceInitializationError'],
    ['CannotStartContainerError: exec format error', undefined, 'CannotStartContainerError'],
    ['Task failed to start', 'CannotPullContainerError: pull access denied', 'CannotPullContainerError'],
  ])('finds %s', (stoppedReason, containerReason, expected) => {
    const stopped = task({ stoppedReason, containers: [{ name: 'quiz-backend', ...(containerReason ? { reason: containerReason } : {}) }] });

    expect(permanentFailure(stopped)).toBe(expected);
  });

  it('finds an essential container that exited while starting', () => {
    const neverStarted = task({ stopCode: 'TaskFailedToStart' });
    delete neverStarted.startedAt;

    expect(permanentFailure(neverStarted)).toBe('an essential container that exits while the task starts');
  });

  it('leaves a crash after start to the budget', () => {
    expect(permanentFailure(task({ stopCode: 'EssentialContainerExited' }))).toBeUndefined();
  });

  it('ignores tasks the scheduler stopped', () => {
    expect(permanentFailure(task({ stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1)', stopCode: 'ServiceSchedulerInitiated' }))).toBeUndefined();
  });
});

describe('fixHint', () => {
  it.each([
    [
      'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1',
      'Create the log group named in the container\'s awslogs-group option',
    ],
    [
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm',
      'Check that every secret ARN in the task definition exists in this region',
    ],
    ['CannotPullContainerError: pull image manifest has been retried 5 time(s): not found', 'Check that the image tag or digest exists'],
    ['CannotStartContainerError: exec format error', 'Fix the image or task definition and deploy again.'],
  ])('advises on %s', (stoppedReason, expected) => {
    expect(fixHint(task({ stoppedReason }))).toContain(expected);
  });
});

describe('groupStoppedTasks', () => {
  it('groups by reason and counts container outcomes', () => {
    const groups = groupStoppedTasks([
      task({ taskId: 'a', containers: [{ name: 'quiz-backend', exitCode: 1 }] }),
      task({ taskId: 'b', stoppedReason: 'Task failed ELB health checks in (target-group tg)', containers: [{ name: 'quiz-backend', exitCode: 137 }] }),
      task({ taskId: 'c', containers: [{ name: 'quiz-backend', exitCode: 1 }] }),
      task({ taskId: 'd', containers: [{ name: 'quiz-backend', exitCode: 2 }] }),
    ]);

    expect(groups).toEqual([
      {
        stoppedReason: 'Essential container in task exited',
        taskIds: ['a', 'c', 'd'],
        containers: [
          { name: 'quiz-backend', exitCode: 1, tasks: 2 },
          { name: 'quiz-backend', exitCode: 2, tasks: 1 },
        ],
      },
      { stoppedReason: 'Task failed ELB health checks in (target-group tg)', taskIds: ['b'], containers: [{ name: 'quiz-backend', exitCode: 137, tasks: 1 }] },
    ]);
  });
});

describe('StoppedTaskTracker', () => {
  it('describes stopping tasks until they stop', async () => {
    const ecsMock = mockClient(ECSClient);
    const arn = stoppedTask('a1').taskArn as string;
    const reason = 'Task failed ELB health checks in (target-group tg)';
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [arn] });
    ecsMock
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [stoppedTask('a1', { lastStatus: 'DEACTIVATING', stoppedReason: reason, stoppedAt: undefined, containers: [{ name: 'quiz-backend' }] })] })
      .resolves({ tasks: [stoppedTask('a1', { stoppedReason: reason, containers: [{ name: 'quiz-backend', exitCode: 0 }] })] });
    const tracker = new StoppedTaskTracker(new ECSClient({ region: REGION }), CLUSTER, NEW_ID);

    const first = await tracker.refresh();
    const second = await tracker.refresh();
    const third = await tracker.refresh();

    expect(first.map((task) => task.taskId)).toEqual(['a1']);
    expect(second).toEqual([]);
    expect(third).toEqual([]);
    expect(tracker.tasks).toEqual([{ taskId: 'a1', stoppedReason: reason, stoppedAt: seconds(30), containers: [{ name: 'quiz-backend', exitCode: 0 }] }]);
    // Once STOPPED, the task is not described again.
    expect(ecsMock.commandCalls(DescribeTasksCommand)).toHaveLength(2);
    ecsMock.restore();
  });
});
