import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { InputError, MemoryLogger } from '@ecs-deploy-kit/shared';
import { beforeAll, describe, expect, it } from '@jest/globals';

import { loadTaskDefinitionFile, parseRevision, sameTaskDefinition, shortRevision } from '../src/task-definition.ts';
import { fixturePath, readFixture } from './helpers.ts';

interface DescribeOutput {
  taskDefinition: Record<string, unknown>;
  tags: unknown[];
}

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'ecs-deploy-wait-'));
});

async function writeJson(name: string, content: string): Promise<string> {
  const file = path.join(directory, name);
  await writeFile(file, content);
  return file;
}

async function loadError(file: string): Promise<InputError> {
  try {
    await loadTaskDefinitionFile(file, new MemoryLogger(), () => {});
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('loadTaskDefinitionFile', () => {
  it('unwraps DescribeTaskDefinition output and keeps tags', async () => {
    const logger = new MemoryLogger();

    const request = await loadTaskDefinitionFile(fixturePath('describe-task-definition.json'), logger, () => {});

    expect(request.family).toBe('quiz-backend-testing');
    expect(request.tags).toHaveLength(4);
    expect(request.enableFaultInjection).toBe(false);
    expect(Object.keys(request)).not.toContain('revision');
    expect(logger.lines).toContain('debug: Dropped read-only task definition fields: taskDefinitionArn, revision, status, requiresAttributes, compatibilities, registeredAt, registeredBy');
  });

  it('reads a bare task definition', async () => {
    const fixture = readFixture<DescribeOutput>('describe-task-definition.json');
    const file = await writeJson('bare.json', JSON.stringify({ ...fixture.taskDefinition, tags: fixture.tags }));

    const request = await loadTaskDefinitionFile(file, new MemoryLogger(), () => {});

    expect(request.family).toBe('quiz-backend-testing');
    expect(request.tags).toEqual(fixture.tags);
    expect(request.containerDefinitions?.[0]?.name).toBe('quiz-backend');
  });

  it('warns about fields ECS does not accept', async () => {
    const fixture = readFixture<DescribeOutput>('describe-task-definition.json');
    const file = await writeJson('typo.json', JSON.stringify({ ...fixture.taskDefinition, memoryReservaton: 512 }));
    const logger = new MemoryLogger();

    const request = await loadTaskDefinitionFile(file, logger, () => {});

    expect(Object.keys(request)).not.toContain('memoryReservaton');
    expect(logger.lines).toContain(`warning: The task definition file "${file}" has fields RegisterTaskDefinition does not accept, and they were left out: memoryReservaton.`);
  });

  it('masks every environment value', async () => {
    const masked: string[] = [];

    await loadTaskDefinitionFile(fixturePath('describe-task-definition.json'), new MemoryLogger(), (value) => masked.push(value));

    expect(masked).toContain('example-cms-token-not-real');
    expect(masked).toContain('https://staging-cms.example.org');
    expect(masked.some((value) => value.includes('EXAMPLE-NOT-A-SECRET'))).toBe(true);
  });

  it('rejects a missing file', async () => {
    const file = path.join(directory, 'absent.json');

    const error = await loadError(file);

    expect(error.input).toBe('task-definition');
    expect(error.message).toBe(
      `Input "task-definition": the file "${file}" does not exist. Pass the path ecs-render-taskdef wrote (its task-definition output) or a task definition ARN.`,
    );
  });

  it('rejects invalid JSON without quoting it', async () => {
    const file = await writeJson('broken.json', '{"environment": [{"name": "TOKEN", "value": "s3cr3t-value-here"}');

    const error = await loadError(file);

    expect(error.message).toMatch(new RegExp(`^Input "task-definition": the file "${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" is not valid JSON`));
    expect(error.message).not.toContain('s3cr3t');
  });

  it('rejects a file without containers', async () => {
    const file = await writeJson('empty.json', JSON.stringify({ family: 'quiz-backend-testing', containerDefinitions: [] }));

    const error = await loadError(file);

    expect(error.message).toBe(`Input "task-definition": the file "${file}" has no "containerDefinitions". A task definition needs at least one container.`);
  });

  it('rejects a file without a family', async () => {
    const file = await writeJson('nofamily.json', JSON.stringify({ containerDefinitions: [{ name: 'app', image: 'app:1' }] }));

    const error = await loadError(file);

    expect(error.message).toBe(`Input "task-definition": the file "${file}" has no "family". A task definition needs a family name.`);
  });
});

describe('parseRevision', () => {
  it('splits family and revision', () => {
    expect(parseRevision('arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz-backend-testing:42')).toEqual({
      arn: 'arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz-backend-testing:42',
      family: 'quiz-backend-testing',
      revision: 42,
    });
  });

  it('shortens ARNs to family:revision', () => {
    expect(shortRevision('arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz-backend-testing:42')).toBe('quiz-backend-testing:42');
    expect(shortRevision(undefined)).toBe('-');
  });
});

describe('sameTaskDefinition', () => {
  const registered: TaskDefinition = {
    family: 'quiz-backend-testing',
    networkMode: 'awsvpc',
    taskDefinitionArn: 'arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz-backend-testing:41',
    revision: 41,
    status: 'ACTIVE',
    containerDefinitions: [
      {
        name: 'quiz-backend',
        image: 'quiz-backend:v2',
        cpu: 0,
        essential: true,
        portMappings: [{ containerPort: 8000, hostPort: 8000, protocol: 'tcp' as const }],
        environment: [
          { name: 'B', value: '2' },
          { name: 'A', value: '1' },
        ],
        mountPoints: [],
        volumesFrom: [],
      },
    ],
  };
  const request = {
    family: 'quiz-backend-testing',
    networkMode: 'awsvpc' as const,
    containerDefinitions: [
      {
        name: 'quiz-backend',
        image: 'quiz-backend:v2',
        portMappings: [{ containerPort: 8000 }],
        environment: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      },
    ],
  };

  it('matches a request ECS filled in with defaults and read-only fields', () => {
    expect(sameTaskDefinition(request, registered)).toBe(true);
  });

  it.each([
    ['an image', { image: 'quiz-backend:v3' }],
    ['an environment value', { environment: [{ name: 'A', value: '9' }, { name: 'B', value: '2' }] }],
    ['a port', { portMappings: [{ containerPort: 8080 }] }],
  ])('tells %s apart', (_label, change) => {
    const changed = { ...request, containerDefinitions: [{ ...request.containerDefinitions[0], ...change }] };
    expect(sameTaskDefinition(changed as typeof request, registered)).toBe(false);
  });

  it('compares tags whatever their order', () => {
    const tagged = { ...request, tags: [{ key: 'b', value: '2' }, { key: 'a', value: '1' }] };
    expect(sameTaskDefinition(tagged, registered, [{ key: 'a', value: '1' }, { key: 'b', value: '2' }])).toBe(true);
    expect(sameTaskDefinition(tagged, registered, [{ key: 'a', value: '1' }])).toBe(false);
  });
});
