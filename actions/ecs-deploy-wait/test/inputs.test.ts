import path from 'node:path';

import { InputError } from '@ecs-deploy-kit/shared';
import { describe, expect, it } from '@jest/globals';

import { readInputs } from '../src/inputs.ts';

const ARN = 'arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz-backend-testing:42';

function reader(values: Record<string, string>) {
  const all: Record<string, string> = { 'task-definition': 'task-definition.json', cluster: 'quiz-backend-testing', service: 'quiz-backend-testing', ...values };
  return (name: string) => all[name] ?? '';
}

describe('readInputs', () => {
  it('applies the defaults', () => {
    const inputs = readInputs(reader({}), { GITHUB_WORKSPACE: '/home/runner/work/quiz-backend' });

    expect(inputs).toEqual({
      taskDefinition: { kind: 'file', path: path.join('/home/runner/work/quiz-backend', 'task-definition.json') },
      cluster: 'quiz-backend-testing',
      services: ['quiz-backend-testing'],
      timeoutMs: 30 * 60_000,
      pollIntervalMs: 10_000,
      failureBudget: 3,
      forceNewDeployment: false,
      rollbackOnFailure: false,
    });
  });

  it('reads the deployment options and a list of services', () => {
    const inputs = readInputs(
      reader({ service: 'quiz-backend-testing\nquiz-worker-testing, quiz-cron-testing', 'desired-count': '0', 'force-new-deployment': 'true', 'rollback-on-failure': 'yes' }),
      {},
    );

    expect(inputs.services).toEqual(['quiz-backend-testing', 'quiz-worker-testing', 'quiz-cron-testing']);
    expect(inputs.desiredCount).toBe(0);
    expect(inputs.forceNewDeployment).toBe(true);
    expect(inputs.rollbackOnFailure).toBe(true);
  });

  it('keeps an absolute path as given', () => {
    const inputs = readInputs(reader({ 'task-definition': '/tmp/runner/task-definition.json' }), { GITHUB_WORKSPACE: '/work' });

    expect(inputs.taskDefinition).toEqual({ kind: 'file', path: '/tmp/runner/task-definition.json' });
  });

  it('takes a task definition ARN', () => {
    const inputs = readInputs(reader({ 'task-definition': ARN }), {});

    expect(inputs.taskDefinition).toEqual({ kind: 'arn', arn: ARN });
  });

  it('parses durations and the budget', () => {
    const inputs = readInputs(reader({ timeout: '1h', 'poll-interval': '1s', 'failure-budget': '5' }), {});

    expect(inputs.timeoutMs).toBe(3_600_000);
    expect(inputs.pollIntervalMs).toBe(1_000);
    expect(inputs.failureBudget).toBe(5);
  });

  it.each([
    [{ 'task-definition': '' }, 'task-definition', 'Input "task-definition": is required but was empty.'],
    [{ 'task-definition': 'arn:aws:ecs:ap-south-1:123456789012:service/quiz/quiz' }, 'task-definition', 'is not a task definition ARN'],
    [{ 'task-definition': 'arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz-backend-testing' }, 'task-definition', 'FAMILY:REVISION'],
    [{ cluster: ' ' }, 'cluster', 'Input "cluster": is required but was empty.'],
    [{ service: '' }, 'service', 'Input "service": is required but was empty.'],
    [{ timeout: '30' }, 'timeout', 'Input "timeout": "30" is not a duration.'],
    [{ timeout: '0s' }, 'timeout', 'Input "timeout": "0s" is not a positive duration.'],
    [{ 'poll-interval': '500ms' }, 'poll-interval', 'Input "poll-interval": "500ms" is below the minimum 1s.'],
    [{ 'poll-interval': '10m', timeout: '5m' }, 'poll-interval', 'Input "poll-interval": "10m" is longer than the timeout "5m".'],
    [{ 'failure-budget': '0' }, 'failure-budget', 'Input "failure-budget": 0 is below the minimum 1.'],
    [{ 'failure-budget': 'three' }, 'failure-budget', 'Input "failure-budget": "three" is not a whole number.'],
    [{ service: 'quiz-backend-testing, quiz-backend-testing' }, 'service', 'Input "service": "quiz-backend-testing" is listed twice.'],
    [{ 'desired-count': '-1' }, 'desired-count', 'Input "desired-count": -1 is below the minimum 0.'],
    [{ 'desired-count': 'two' }, 'desired-count', 'Input "desired-count": "two" is not a whole number.'],
    [{ 'force-new-deployment': 'maybe' }, 'force-new-deployment', 'Input "force-new-deployment": "maybe" is not a boolean.'],
    [{ 'rollback-on-failure': 'sure' }, 'rollback-on-failure', 'Input "rollback-on-failure": "sure" is not a boolean.'],
  ])('rejects %j', (values, input, message) => {
    let caught: unknown;
    try {
      readInputs(reader(values), {});
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).input).toBe(input);
    expect((caught as InputError).message).toContain(message);
  });
});
