import { describe, expect, it } from '@jest/globals';

import type { TaskDefinitionDiff } from '../src/diff.ts';
import type { Result } from '../src/run.ts';
import { renderSummary } from '../src/summary.ts';

function emptyDiff(): TaskDefinitionDiff {
  return { resources: [], containers: [], containersAdded: [], containersRemoved: [], tags: { added: [], changed: [], removed: [] }, otherFields: [] };
}

function result(changes: Partial<Result> = {}): Result {
  return {
    taskDefinitionPath: '/home/runner/_temp/ecs-render-taskdef/quiz-backend-testing-abc123.json',
    family: 'quiz-backend-testing',
    image: 'quiz-backend:1.4.2',
    previousTaskDefinitionArn: 'arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz-backend-testing:41',
    origin: 'service quiz-backend-testing in cluster quiz-backend-testing',
    sourceLabel: 'quiz-backend-testing:41',
    strippedFields: ['taskDefinitionArn', 'revision'],
    unknownFields: [],
    convertedFields: [],
    diff: {
      ...emptyDiff(),
      resources: [{ field: 'memory', before: '2048', after: '4096' }],
      containers: [
        {
          name: 'quiz-backend',
          image: { field: 'image', before: 'quiz-backend:latest', after: 'quiz-backend:1.4.2' },
          resources: [],
          environment: { added: ['LOG_LEVEL'], changed: ['CMS_SERVICE_ENDPOINT', 'CMS_SERVICE_TOKEN'], removed: ['OLD_FLAG'] },
          secrets: { added: [], changed: [], removed: [] },
          otherFields: ['healthCheck'],
        },
      ],
      tags: { added: ['Release'], changed: [], removed: [] },
      otherFields: ['pidMode'],
    },
    architectureChecks: [{ image: 'quiz-backend:1.4.2', architectures: ['arm64'], status: 'match' }],
    ...changes,
  };
}

describe('renderSummary', () => {
  it('lists every change by name', () => {
    expect(renderSummary(result())).toBe(
      [
        '### Rendered task definition `quiz-backend-testing`',
        '',
        'From service quiz-backend-testing in cluster quiz-backend-testing (quiz-backend-testing:41).',
        '',
        '| Where | Change | Details |',
        '| --- | --- | --- |',
        '| Task | memory | `2048` → `4096` |',
        '| Container `quiz-backend` | image | `quiz-backend:latest` → `quiz-backend:1.4.2` |',
        '| Container `quiz-backend` | environment added | `LOG_LEVEL` |',
        '| Container `quiz-backend` | environment changed | `CMS_SERVICE_ENDPOINT`, `CMS_SERVICE_TOKEN` |',
        '| Container `quiz-backend` | environment removed | `OLD_FLAG` |',
        '| Container `quiz-backend` | other fields changed | `healthCheck` |',
        '| Task | tags added | `Release` |',
        '| Task | other fields changed | `pidMode` |',
        '',
        'Image `quiz-backend:1.4.2`: provides arm64.',
        '',
        'Read-only fields removed: `taskDefinitionArn`, `revision`.',
        '',
      ].join('\n'),
    );
  });

  it('says when nothing changed', () => {
    const summary = renderSummary(result({ diff: emptyDiff(), strippedFields: [], architectureChecks: [] }));

    expect(summary).toContain('No changes from the source revision apart from the removed read-only fields.');
    expect(summary).toContain('Read-only fields removed: none were present.');
    expect(summary).not.toContain('| Where |');
  });

  it('lists unknown fields and conversions', () => {
    const summary = renderSummary(
      result({
        unknownFields: ['containerDefinitions[0].memoryReservaton: unknown field of ContainerDefinition, which RegisterTaskDefinition would drop.'],
        convertedFields: ['containerDefinitions[0].portMappings[0].containerPort'],
        architectureChecks: [{ image: 'nginx:1.27', architectures: [], status: 'not-checked' }],
      }),
    );

    expect(summary).toContain('Unknown fields removed (RegisterTaskDefinition would drop them):\n\n- containerDefinitions[0].memoryReservaton: unknown field');
    expect(summary).toContain('Converted to the expected type: `containerDefinitions[0].portMappings[0].containerPort`.');
    expect(summary).toContain('Image `nginx:1.27`: architecture not checked.');
  });
});
