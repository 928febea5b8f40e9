import path from 'node:path';

import { describe, expect, it } from '@jest/globals';
import { InputError } from '@ecs-deploy-kit/shared';

import { readInputs } from '../src/inputs.ts';

const ENV = { GITHUB_WORKSPACE: '/home/runner/work/quiz-backend', RUNNER_TEMP: '/home/runner/_temp' };

function reader(values: Record<string, string>): (name: string) => string {
  return (name) => values[name] ?? '';
}

function inputError(values: Record<string, string>): InputError {
  try {
    readInputs(reader(values), ENV);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('readInputs accepted the inputs');
}

describe('readInputs', () => {
  it('reads a service source with changes', () => {
    const inputs = readInputs(
      reader({
        cluster: 'quiz-backend-testing',
        service: 'quiz-backend-testing',
        'container-name': 'quiz-backend',
        image: '123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing:1.4.2',
        environment: 'LOG_LEVEL=debug\nQUERY=a=b\n# comment\n',
        secrets: 'DB_PASSWORD=arn:aws:secretsmanager:ap-south-1:123456789012:secret:quiz/db-AbCdEf',
      }),
      ENV,
    );

    expect(inputs.source).toEqual({ kind: 'service', cluster: 'quiz-backend-testing', service: 'quiz-backend-testing' });
    expect(inputs.containerName).toBe('quiz-backend');
    expect(inputs.image).toBe('123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing:1.4.2');
    expect([...inputs.environment]).toEqual([
      ['LOG_LEVEL', 'debug'],
      ['QUERY', 'a=b'],
    ]);
    expect([...inputs.secrets]).toEqual([['DB_PASSWORD', 'arn:aws:secretsmanager:ap-south-1:123456789012:secret:quiz/db-AbCdEf']]);
    expect(inputs.outputDirectory).toBe('/home/runner/_temp');
  });

  it.each([
    ['family', 'quiz-backend-testing', 'quiz-backend-testing'],
    ['family:revision', 'quiz-backend-testing:41', 'quiz-backend-testing:41'],
  ])('reads a %s as a reference that may be a file', (_kind, value, reference) => {
    const inputs = readInputs(reader({ 'task-definition': value }), ENV);

    expect(inputs.source).toEqual({
      kind: 'file-or-reference',
      value,
      filePath: path.join(ENV.GITHUB_WORKSPACE, value),
      reference,
    });
  });

  it('reads a relative path as a file only', () => {
    const inputs = readInputs(reader({ 'task-definition': 'deploy/task-definition.yaml' }), ENV);

    expect(inputs.source).toEqual({
      kind: 'file-or-reference',
      value: 'deploy/task-definition.yaml',
      filePath: '/home/runner/work/quiz-backend/deploy/task-definition.yaml',
    });
  });

  it('keeps an absolute path', () => {
    const inputs = readInputs(reader({ 'task-definition': '/tmp/taskdef.json' }), ENV);

    expect(inputs.source).toMatchObject({ kind: 'file-or-reference', filePath: '/tmp/taskdef.json' });
  });

  it('reads a task definition ARN', () => {
    const arn = 'arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz-backend-testing:41';

    expect(readInputs(reader({ 'task-definition': arn }), ENV).source).toEqual({ kind: 'arn', arn });
  });

  it('renders without a container when nothing changes', () => {
    const inputs = readInputs(reader({ 'task-definition': 'quiz-backend-testing' }), ENV);

    expect(inputs.containerName).toBeUndefined();
    expect(inputs.environment.size).toBe(0);
    expect(inputs.secrets.size).toBe(0);
  });

  it('falls back to the system temporary directory without RUNNER_TEMP', () => {
    const inputs = readInputs(reader({ 'task-definition': 'quiz-backend-testing' }), { GITHUB_WORKSPACE: '/w' }, '/var/tmp');

    expect(inputs.outputDirectory).toBe('/var/tmp');
  });

  it.each([
    ['both sources', { cluster: 'c', service: 's', 'task-definition': 'f' }, 'task-definition', ['"cluster"', '"service"', 'not both']],
    ['no source', {}, 'task-definition', ['"cluster"', '"service"']],
    ['service without cluster', { service: 'quiz-backend-testing' }, 'cluster', ['"quiz-backend-testing"']],
    ['cluster without service', { cluster: 'quiz-backend-testing' }, 'service', ['"quiz-backend-testing"']],
    ['an ARN of another service', { 'task-definition': 'arn:aws:iam::123456789012:role/deploy' }, 'task-definition', ['arn:aws:iam::123456789012:role/deploy', 'task-definition/FAMILY:REVISION']],
    ['a malformed ARN', { 'task-definition': 'arn:aws:ecs' }, 'task-definition', ['arn:aws:ecs']],
    ['a bad image', { 'task-definition': 'f', 'container-name': 'c', image: 'Quiz Backend:latest' }, 'image', ['Quiz Backend:latest']],
    ['image without container-name', { 'task-definition': 'f', image: 'nginx:1.27' }, 'container-name', ['"image"']],
    ['environment without container-name', { 'task-definition': 'f', environment: 'A=1' }, 'container-name', ['"environment"']],
    ['an environment line without =', { 'task-definition': 'f', 'container-name': 'c', environment: 'A=1\nB' }, 'environment', ['line 2']],
    ['a repeated environment name', { 'task-definition': 'f', 'container-name': 'c', environment: 'A=1\nA=2' }, 'environment', ['"A"']],
    ['an environment name with a space', { 'task-definition': 'f', 'container-name': 'c', environment: 'MY VAR=1' }, 'environment', ['"MY VAR"']],
    ['a secret that is no ARN', { 'task-definition': 'f', 'container-name': 'c', secrets: 'TOKEN=s3cr3t value!' }, 'secrets', ['"TOKEN"']],
    ['a secret ARN of another service', { 'task-definition': 'f', 'container-name': 'c', secrets: 'TOKEN=arn:aws:s3:::bucket/key' }, 'secrets', ['"TOKEN"']],
    ['a name in environment and secrets', { 'task-definition': 'f', 'container-name': 'c', environment: 'TOKEN=x', secrets: 'TOKEN=/quiz/token' }, 'secrets', ['"TOKEN"']],
  ])('rejects %s', (_case, values, input, fragments) => {
    const error = inputError(values);

    expect(error.input).toBe(input);
    expect(error.message).toContain(`Input "${input}"`);
    for (const fragment of fragments) expect(error.message).toContain(fragment);
  });

  it('never prints a secret value in its error', () => {
    const error = inputError({ 'task-definition': 'f', 'container-name': 'c', secrets: 'TOKEN=hunter2 is my password' });

    expect(error.message).not.toContain('hunter2');
  });

  it('accepts SSM parameter names and ARNs as secrets', () => {
    const inputs = readInputs(
      reader({
        'task-definition': 'f',
        'container-name': 'c',
        secrets: 'A=/quiz/testing/token\nB=arn:aws:ssm:ap-south-1:123456789012:parameter/quiz/key\nC=arn:aws:secretsmanager:ap-south-1:123456789012:secret:quiz-AbCdEf:password::',
      }),
      ENV,
    );

    expect([...inputs.secrets.keys()]).toEqual(['A', 'B', 'C']);
  });
});
