import { describe, expect, it } from '@jest/globals';

import { diffTaskDefinitions, isEmptyDiff } from '../src/diff.ts';
import type { TaskDefinitionDocument } from '../src/render.ts';

function taskDefinition(changes: Partial<TaskDefinitionDocument> = {}, container: Record<string, unknown> = {}): TaskDefinitionDocument {
  return {
    family: 'quiz-backend-testing',
    cpu: '1024',
    memory: '2048',
    containerDefinitions: [
      {
        name: 'quiz-backend',
        image: 'quiz-backend:1.4.1',
        environment: [
          { name: 'MONGO_AUTH_CREDENTIALS', value: 'mongodb+srv://user:old@example' },
          { name: 'LOG_LEVEL', value: 'info' },
        ],
        secrets: [{ name: 'DB_PASSWORD', valueFrom: '/quiz/db' }],
        ...container,
      },
    ],
    tags: [{ key: 'Environment', value: 'testing' }],
    ...changes,
  };
}

describe('diffTaskDefinitions', () => {
  it('finds no changes between equal revisions', () => {
    expect(isEmptyDiff(diffTaskDefinitions(taskDefinition(), taskDefinition()))).toBe(true);
  });

  it('reports image, resources and names', () => {
    const after = taskDefinition(
      { cpu: '2048', memory: '4096', tags: [{ key: 'Environment', value: 'staging' }, { key: 'Release', value: '1.4.2' }], pidMode: 'task' },
      {
        image: 'quiz-backend:1.4.2',
        memoryReservation: 512,
        environment: [
          { name: 'MONGO_AUTH_CREDENTIALS', value: 'mongodb+srv://user:new@example' },
          { name: 'CMS_SERVICE_TOKEN', value: 'token' },
        ],
        secrets: [],
        healthCheck: { command: ['CMD', 'true'] },
      },
    );

    const diff = diffTaskDefinitions(taskDefinition(), after);

    expect(diff).toEqual({
      resources: [
        { field: 'cpu', before: '1024', after: '2048' },
        { field: 'memory', before: '2048', after: '4096' },
      ],
      containers: [
        {
          name: 'quiz-backend',
          image: { field: 'image', before: 'quiz-backend:1.4.1', after: 'quiz-backend:1.4.2' },
          resources: [{ field: 'memoryReservation', after: '512' }],
          environment: { added: ['CMS_SERVICE_TOKEN'], changed: ['MONGO_AUTH_CREDENTIALS'], removed: ['LOG_LEVEL'] },
          secrets: { added: [], changed: [], removed: ['DB_PASSWORD'] },
          otherFields: ['healthCheck'],
        },
      ],
      containersAdded: [],
      containersRemoved: [],
      tags: { added: ['Release'], changed: ['Environment'], removed: [] },
      otherFields: ['pidMode'],
    });
    expect(JSON.stringify(diff)).not.toContain('mongodb');
    expect(JSON.stringify(diff)).not.toContain('token"');
  });

  it('reports containers added and removed', () => {
    const after = taskDefinition();
    after.containerDefinitions = [{ name: 'log-router', image: 'fluent-bit:2' }];

    const diff = diffTaskDefinitions(taskDefinition(), after);

    expect(diff.containersAdded).toEqual(['log-router']);
    expect(diff.containersRemoved).toEqual(['quiz-backend']);
    expect(diff.containers).toEqual([]);
  });
});
