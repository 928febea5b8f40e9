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
    expect(inputs.containers).toEqual([
      {
        name: 'quiz-backend',
        image: '123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing:1.4.2',
        environment: new Map([
          ['LOG_LEVEL', 'debug'],
          ['QUERY', 'a=b'],
        ]),
        secrets: new Map([['DB_PASSWORD', 'arn:aws:secretsmanager:ap-south-1:123456789012:secret:quiz/db-AbCdEf']]),
        environmentRemove: [],
        secretsRemove: [],
      },
    ]);
    expect(inputs.outputDirectory).toBe('/home/runner/_temp');
    expect(inputs.environmentMode).toBe('merge');
    expect(inputs.secretsMode).toBe('merge');
    expect(inputs.unknownFields).toBe('fail');
    expect(inputs.checkArchitecture).toBe(true);
    expect(inputs.tags.size).toBe(0);
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

    expect(inputs.containers).toEqual([]);
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
    ['environment-remove without container-name', { 'task-definition': 'f', 'environment-remove': 'A' }, 'container-name', ['"environment-remove"']],
    ['containers with container-name', { 'task-definition': 'f', 'container-name': 'c', containers: 'c: nginx:1.27' }, 'containers', ['"container-name"']],
    ['containers with image', { 'task-definition': 'f', image: 'nginx:1.27', containers: 'c: nginx:1.27' }, 'containers', ['"image"']],
    ['containers that is a list', { 'task-definition': 'f', containers: '- a\n- b' }, 'containers', ['YAML map of container name']],
    ['a misspelled container setting', { 'task-definition': 'f', containers: 'c:\n  imag: nginx:1.27' }, 'containers', ['"c.imag"', 'Did you mean "image"?']],
    ['a bad image in containers', { 'task-definition': 'f', containers: 'c:\n  image: Bad Image' }, 'containers', ['Bad Image']],
    ['a bad secret in containers', { 'task-definition': 'f', containers: 'c:\n  secrets: {TOKEN: not a parameter}' }, 'containers', ['"TOKEN"']],
    ['an unknown environment-mode', { 'task-definition': 'f', 'environment-mode': 'replace' }, 'environment-mode', ['"replace"', '"exclusive"']],
    ['exclusive mode without a container', { 'task-definition': 'f', 'secrets-mode': 'exclusive' }, 'secrets-mode', ['no container is named']],
    ['an unknown unknown-fields', { 'task-definition': 'f', 'unknown-fields': 'ignore' }, 'unknown-fields', ['"ignore"', '"warn"']],
    ['a bad check-architecture', { 'task-definition': 'f', 'check-architecture': 'maybe' }, 'check-architecture', ['maybe']],
    ['a tag line without =', { 'task-definition': 'f', tags: 'Team' }, 'tags', ['line 1']],
    ['an environment YAML list without names', { 'task-definition': 'f', 'container-name': 'c', environment: '- value: x' }, 'environment', ['entry 1 has no name']],
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

    expect([...(inputs.containers[0]?.secrets.keys() ?? [])]).toEqual(['A', 'B', 'C']);
  });

  it('reads YAML environment with newlines and equals signs', () => {
    const inputs = readInputs(
      reader({
        'task-definition': 'f',
        'container-name': 'c',
        environment: 'TLS_CA: |\n  -----BEGIN CERTIFICATE-----\n  MIIB=\n  -----END CERTIFICATE-----\nQUERY: "a=b"\nWORKERS: 4\n',
      }),
      ENV,
    );

    expect([...(inputs.containers[0]?.environment ?? [])]).toEqual([
      ['TLS_CA', '-----BEGIN CERTIFICATE-----\nMIIB=\n-----END CERTIFICATE-----\n'],
      ['QUERY', 'a=b'],
      ['WORKERS', '4'],
    ]);
  });

  it('reads a YAML list of name and value', () => {
    const inputs = readInputs(reader({ 'task-definition': 'f', 'container-name': 'c', environment: '- name: A\n  value: "x=y"\n- {name: B, value: ""}' }), ENV);

    expect([...(inputs.containers[0]?.environment ?? [])]).toEqual([
      ['A', 'x=y'],
      ['B', ''],
    ]);
  });

  it('reads removals, modes, tags and options', () => {
    const inputs = readInputs(
      reader({
        'task-definition': 'f',
        'container-name': 'c',
        'environment-remove': 'OLD_FLAG\nLEGACY_URL',
        'secrets-remove': 'OLD_TOKEN',
        'environment-mode': 'exclusive',
        'secrets-mode': 'exclusive',
        tags: 'Release=1.4.2\nOwner=quiz-team',
        'unknown-fields': 'warn',
        'check-architecture': 'false',
      }),
      ENV,
    );

    expect(inputs.containers[0]?.environmentRemove).toEqual(['OLD_FLAG', 'LEGACY_URL']);
    expect(inputs.containers[0]?.secretsRemove).toEqual(['OLD_TOKEN']);
    expect(inputs.environmentMode).toBe('exclusive');
    expect(inputs.secretsMode).toBe('exclusive');
    expect([...inputs.tags]).toEqual([
      ['Release', '1.4.2'],
      ['Owner', 'quiz-team'],
    ]);
    expect(inputs.unknownFields).toBe('warn');
    expect(inputs.checkArchitecture).toBe(false);
  });

  it('reads several containers', () => {
    const inputs = readInputs(
      reader({
        'task-definition': 'f',
        containers: [
          'quiz-backend:',
          '  image: 123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing:1.4.2',
          '  environment:',
          '    LOG_LEVEL: debug',
          '  secrets:',
          '    DB_PASSWORD: /quiz/testing/db',
          '  environment-remove: [OLD_FLAG]',
          'log-router: public.ecr.aws/aws-observability/aws-for-fluent-bit:2.33.0',
        ].join('\n'),
      }),
      ENV,
    );

    expect(inputs.containerInput).toBe('containers');
    expect(inputs.containers).toEqual([
      {
        name: 'quiz-backend',
        image: '123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing:1.4.2',
        environment: new Map([['LOG_LEVEL', 'debug']]),
        secrets: new Map([['DB_PASSWORD', '/quiz/testing/db']]),
        environmentRemove: ['OLD_FLAG'],
        secretsRemove: [],
      },
      {
        name: 'log-router',
        image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.33.0',
        environment: new Map(),
        secrets: new Map(),
        environmentRemove: [],
        secretsRemove: [],
      },
    ]);
  });

  it('never prints an environment value in a YAML error', () => {
    const error = inputError({ 'task-definition': 'f', 'container-name': 'c', environment: 'A: {nested: hunter2}' });

    expect(error.message).not.toContain('hunter2');
  });
});
