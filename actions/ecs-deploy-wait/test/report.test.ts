import { describe, expect, it } from '@jest/globals';

import { renderFailureText, renderSummary, stalledPhase } from '../src/report.ts';
import type { Result } from '../src/report.ts';
import { CLUSTER, NEW_ARN, NEW_ID, OLD_ID, REGION, ROLLBACK_ID, SERVICE, event, newDeployment, oldDeployment, seconds } from './helpers.ts';

const PULL_ERROR = 'CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref quiz-backend-testing:missing: not found';

function failedResult(): Result {
  return {
    succeeded: false,
    failure: { kind: 'rollout-failed', message: `Deployment ${NEW_ID} of quiz-backend-testing:42 failed: ECS deployment circuit breaker: tasks failed to start.` },
    location: { cluster: CLUSTER, service: SERVICE, region: REGION },
    taskDefinition: { arn: NEW_ARN, family: 'quiz-backend-testing', revision: 42 },
    registered: true,
    deploymentId: NEW_ID,
    rolloutState: 'FAILED',
    runningCount: 0,
    desiredCount: 2,
    durationMs: 95_000,
    consoleUrl: `https://ap-south-1.console.aws.amazon.com/ecs/v2/clusters/${CLUSTER}/services/${SERVICE}/deployments?region=ap-south-1`,
    rolledBack: false,
    report: {
      deployments: [
        oldDeployment({ id: ROLLBACK_ID, status: 'PRIMARY', desiredCount: 2, runningCount: 2, rolloutState: 'IN_PROGRESS', rolloutStateReason: `ECS deployment ${ROLLBACK_ID} in progress.` }),
        newDeployment({ status: 'ACTIVE', desiredCount: 2, failedTasks: 3, rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' }),
      ],
      followedDeploymentId: NEW_ID,
      events: [
        event('e1', 2, `(service ${SERVICE}) has started 2 tasks: (task a1) (task b2).`),
        event('e2', 61, `(service ${SERVICE}) (deployment ${NEW_ID}) deployment failed: tasks failed to start.`),
        event('e3', 62, `(service ${SERVICE}) rolling back to deployment ${ROLLBACK_ID}.`),
      ],
      targetHealth: [],
      taskLogs: [],
      stoppedTasks: [
        { taskId: 'a1', stoppedReason: PULL_ERROR, stopCode: 'TaskFailedToStart', containers: [{ name: 'quiz-backend', reason: PULL_ERROR }] },
        { taskId: 'b2', stoppedReason: 'Essential container in task exited', stopCode: 'EssentialContainerExited', startedAt: seconds(10), containers: [{ name: 'quiz-backend', exitCode: 137 }] },
        { taskId: 'c3', stoppedReason: PULL_ERROR, stopCode: 'TaskFailedToStart', containers: [{ name: 'quiz-backend', reason: PULL_ERROR }] },
      ],
      stalledPhase: 'New tasks are not starting: 0 of 2 running, 0 pending, 3 failed for quiz-backend-testing:42.',
    },
  };
}

const CONSOLE = 'https://ap-south-1.console.aws.amazon.com/ecs/v2/clusters/quiz-backend-testing/services/quiz-backend-testing/deployments?region=ap-south-1';

describe('renderFailureText', () => {
  it('renders the exact failure report', () => {
    expect(renderFailureText(failedResult())).toBe(
      [
        'Deployment ecs-svc/7700112233445566778 of quiz-backend-testing:42 failed: ECS deployment circuit breaker: tasks failed to start.',
        '',
        'Deployments',
        'DEPLOYMENT                   STATUS   REVISION                               DESIRED  RUNNING  PENDING  FAILED  ROLLOUT STATE  REASON',
        'ecs-svc/9900112233445566778  PRIMARY  quiz-backend-testing:41                2        2        0        0       IN_PROGRESS    ECS deployment ecs-svc/9900112233445566778 in progress.',
        'ecs-svc/7700112233445566778  ACTIVE   quiz-backend-testing:42 (this deploy)  2        0        0        3       FAILED         ECS deployment circuit breaker: tasks failed to start.',
        '',
        'Stopped tasks of deployment ecs-svc/7700112233445566778: 3',
        `  2 tasks: ${PULL_ERROR}`,
        '    quiz-backend: no exit code (2 tasks)',
        '    task ids: a1, c3',
        '  1 task: Essential container in task exited',
        '    quiz-backend: exit code 137 (1 task)',
        '    task ids: b2',
        '',
        'Service events since the deployment began: 3',
        '  2026-07-16T09:00:02Z  (service quiz-backend-testing) has started 2 tasks: (task a1) (task b2).',
        '  2026-07-16T09:01:01Z  (service quiz-backend-testing) (deployment ecs-svc/7700112233445566778) deployment failed: tasks failed to start.',
        '  2026-07-16T09:01:02Z  (service quiz-backend-testing) rolling back to deployment ecs-svc/9900112233445566778.',
        '',
        'Stalled phase: New tasks are not starting: 0 of 2 running, 0 pending, 3 failed for quiz-backend-testing:42.',
        `ECS console: ${CONSOLE}`,
      ].join('\n'),
    );
  });

  it('says none when nothing stopped and no event came', () => {
    const result = failedResult();
    if (result.report) {
      result.report.stoppedTasks = [];
      result.report.events = [];
    }

    const text = renderFailureText(result);

    expect(text).toContain('Stopped tasks of deployment ecs-svc/7700112233445566778: none\n');
    expect(text).toContain('Service events since the deployment began: none\n');
  });

  it('keeps a container reason that differs from the task', () => {
    const result = failedResult();
    if (result.report) {
      result.report.stoppedTasks = [
        {
          taskId: 'd4',
          stoppedReason: 'Task failed container health checks',
          containers: [{ name: 'quiz-backend', exitCode: 1, reason: 'OutOfMemoryError: Container killed due to memory usage' }],
        },
      ];
    }

    expect(renderFailureText(result)).toContain('    quiz-backend: exit code 1, OutOfMemoryError: Container killed due to memory usage (1 task)\n');
  });
});

describe('renderFailureText target health', () => {
  it('lists each target with its state', () => {
    const result = failedResult();
    if (result.report) {
      result.report.targetHealth = [
        { targetGroupArn: 'arn:aws:elasticloadbalancing:ap-south-1:123456789012:targetgroup/quiz-backend-testing/0a1b2c3d4e5f6a7b', target: '10.0.1.17:8000', state: 'unhealthy', reason: 'Target.Timeout: Request timed out' },
      ];
    }

    const text = renderFailureText(result);

    expect(text).toContain(
      ['Target health', 'TARGET GROUP          TARGET          STATE      REASON', 'quiz-backend-testing  10.0.1.17:8000  unhealthy  Target.Timeout: Request timed out', ''].join('\n'),
    );
    expect(renderSummary(result)).toContain('| quiz-backend-testing | 10.0.1.17:8000 | unhealthy | Target.Timeout: Request timed out |');
  });
});

describe('renderSummary', () => {
  it('renders the failure report as Markdown', () => {
    const summary = renderSummary(failedResult());

    expect(summary).toContain('## Deployment of quiz-backend-testing:42 failed\n');
    expect(summary).toContain('> Deployment ecs-svc/7700112233445566778 of quiz-backend-testing:42 failed: ECS deployment circuit breaker: tasks failed to start.');
    expect(summary).toContain(
      '| ecs-svc/7700112233445566778 | ACTIVE | quiz-backend-testing:42 (this deploy) | 2 | 0 | 0 | 3 | FAILED | ECS deployment circuit breaker: tasks failed to start. |',
    );
    expect(summary).toContain(`| 2 | ${PULL_ERROR} | quiz-backend: no exit code (2 tasks) | a1, c3 |`);
    expect(summary).toContain('| 1 | Essential container in task exited | quiz-backend: exit code 137 (1 task) | b2 |');
    expect(summary).toContain('| 2026-07-16T09:01:02Z | (service quiz-backend-testing) rolling back to deployment ecs-svc/9900112233445566778. |');
    expect(summary).toContain('### Stalled phase\n\nNew tasks are not starting: 0 of 2 running, 0 pending, 3 failed for quiz-backend-testing:42.\n');
    expect(summary).toContain(`[Deployments in the ECS console](${CONSOLE})`);
  });

  it('renders revision, deployment and duration on success', () => {
    const result: Result = { ...failedResult(), succeeded: true, rolloutState: 'COMPLETED', runningCount: 2, durationMs: 125_000 };
    delete result.failure;
    delete result.report;

    expect(renderSummary(result)).toBe(
      [
        '## Deployed quiz-backend-testing:42',
        '',
        'To service `quiz-backend-testing` in cluster `quiz-backend-testing` (ap-south-1).',
        '',
        '| Revision | Deployment | Rollout state | Running / desired | Duration |',
        '| --- | --- | --- | --- | --- |',
        '| quiz-backend-testing:42 | ecs-svc/7700112233445566778 | COMPLETED | 2 / 2 | 2m 5s |',
        '',
        `[Deployments in the ECS console](${CONSOLE})`,
        '',
      ].join('\n'),
    );
  });

  it('shows the desired count 0 notice on success', () => {
    const result: Result = { ...failedResult(), succeeded: true, desiredCount: 0, notice: 'No task runs the new revision.' };
    delete result.failure;

    expect(renderSummary(result)).toContain('> [!NOTE]\n> No task runs the new revision.\n');
  });
});

describe('stalledPhase', () => {
  it('names new tasks not starting', () => {
    const followed = newDeployment({ desiredCount: 2, runningCount: 1, pendingCount: 1 });

    expect(stalledPhase([followed, oldDeployment()], followed)).toBe(
      'New tasks are not starting: 1 of 2 running, 1 pending, 0 failed for quiz-backend-testing:42.',
    );
  });

  it('names old tasks not draining', () => {
    const followed = newDeployment({ desiredCount: 2, runningCount: 2 });

    expect(stalledPhase([followed, oldDeployment({ runningCount: 2 })], followed)).toBe(
      'Old tasks are not draining: the new deployment runs 2 of 2 tasks, but quiz-backend-testing:41 has 2 running. ' +
        'ECS stops old tasks once the new ones pass their load balancer health checks. Check the target health.',
    );
  });

  it('names a deployment that is done but not marked', () => {
    const followed = newDeployment({ desiredCount: 1, runningCount: 1 });

    expect(stalledPhase([followed, oldDeployment({ id: OLD_ID, runningCount: 0 })], followed)).toBe(
      'The new deployment runs 1 of 1 tasks and no old tasks remain, but ECS has not marked it COMPLETED.',
    );
  });
});
