import { markdownTable } from '@ecs-deploy-kit/shared';

import type { Result } from './run.ts';

/** Renders the job summary: the promoted image and one row per tag. */
export function renderSummary(result: Result): string {
  const rows = result.tags.map((item) => [item.tag, item.result, item.previousDigest ?? '-']);
  return [
    '### Image promoted',
    '',
    `Image: \`${result.imageUri}\``,
    '',
    `Media type: \`${result.mediaType}\``,
    '',
    markdownTable(['Tag', 'Result', 'Previous digest'], rows),
    '',
  ].join('\n');
}

export function renderOutputs(result: Result): Record<string, string> {
  return {
    digest: result.digest,
    'image-uri': result.imageUri,
    'media-type': result.mediaType,
    tags: JSON.stringify(result.tags),
  };
}
