import { describe, expect, it } from '@jest/globals';

import type { Result } from '../src/run.ts';
import { renderSummary } from '../src/summary.ts';

function result(changes: Partial<Result> = {}): Result {
  return {
    taskDefinitionPath: '/home/runner/_temp/ecs-render-taskdef/quiz-backend-testing-abc123.json',
    family: 'quiz-backend-testing',
    image: 'quiz-backend:1.4.2',
    previousTaskDefinitionArn: 'arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz-backend-testing:41',
    origin: 'service quiz-backend-testing in cluster quiz-backend-testing',
    sourceLabel: 'quiz-backend-testing:41',
    strippedFields: ['taskDefinitionArn', 'revision'],
    container: {
      containerName: 'quiz-backend',
      previousImage: 'quiz-backend:latest',
      image: 'quiz-backend:1.4.2',
      environment: { added: ['LOG_LEVEL'], changed: ['CMS_SERVICE_ENDPOINT', 'CMS_SERVICE_TOKEN'], unchanged: [], removed: [] },
      secrets: { added: [], changed: [], unchanged: ['DB_PASSWORD'], removed: [] },
    },
    ...changes,
  };
}

describe('renderSummary', () => {
  it('lists the image change and changed names', () => {
    expect(renderSummary(result())).toBe(
      [
        '### Rendered task definition `quiz-backend-testing`',
        '',
        'From service quiz-backend-testing in cluster quiz-backend-testing (quiz-backend-testing:41).',
        '',
        'Container `quiz-backend`:',
        '',
        '| Change | Names |',
        '| --- | --- |',
        '| Image | `quiz-backend:latest` → `quiz-backend:1.4.2` |',
        '| Environment added | `LOG_LEVEL` |',
        '| Environment changed | `CMS_SERVICE_ENDPOINT`, `CMS_SERVICE_TOKEN` |',
        '| Secrets | no changes (1 set to the same value) |',
        '',
        'Read-only fields removed: `taskDefinitionArn`, `revision`.',
        '',
      ].join('\n'),
    );
  });

  it('shows an unchanged image and moved names', () => {
    const summary = renderSummary(
      result({
        container: {
          containerName: 'quiz-backend',
          previousImage: 'quiz-backend:latest',
          image: 'quiz-backend:latest',
          environment: { added: [], changed: [], unchanged: [], removed: ['CMS_SERVICE_TOKEN'] },
          secrets: { added: ['CMS_SERVICE_TOKEN'], changed: [], unchanged: [], removed: [] },
        },
      }),
    );

    expect(summary).toContain('| Image | `quiz-backend:latest` (unchanged) |');
    expect(summary).toContain('| Environment removed (now in secrets) | `CMS_SERVICE_TOKEN` |');
    expect(summary).toContain('| Secrets added | `CMS_SERVICE_TOKEN` |');
  });

  it('says when no container was named', () => {
    const withoutContainer = result({ strippedFields: [] });
    delete withoutContainer.container;

    const summary = renderSummary(withoutContainer);

    expect(summary).toContain('No container was named, so only the read-only fields were removed.');
    expect(summary).toContain('Read-only fields removed: none were present.');
  });
});
