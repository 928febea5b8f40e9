import { markdownTable } from '@ecs-deploy-kit/shared';

import type { NameChanges } from './render.ts';
import { describeSource } from './run.ts';
import type { Result } from './run.ts';

/** Renders the job summary: the source, the image change and the names of changed variables and secrets, never values. */
export function renderSummary(result: Result): string {
  const lines = [`### Rendered task definition \`${result.family}\``, '', `From ${describeSource(result.origin, result.sourceLabel)}.`, ''];

  const container = result.container;
  if (container) {
    const rows = [
      ['Image', imageChange(container.previousImage, container.image)],
      ...nameRows('Environment', container.environment, 'secrets'),
      ...nameRows('Secrets', container.secrets, 'environment'),
    ];
    lines.push(`Container \`${container.containerName}\`:`, '', markdownTable(['Change', 'Names'], rows), '');
  } else {
    lines.push('No container was named, so only the read-only fields were removed.', '');
  }

  const stripped = result.strippedFields.length > 0 ? result.strippedFields.map(code).join(', ') : 'none were present';
  lines.push(`Read-only fields removed: ${stripped}.`, '');
  return lines.join('\n');
}

function imageChange(previous: string | undefined, current: string | undefined): string {
  if (previous === current) return `${code(current ?? 'none')} (unchanged)`;
  return `${code(previous ?? 'none')} → ${code(current ?? 'none')}`;
}

function nameRows(list: string, changes: NameChanges, otherList: string): string[][] {
  const rows: string[][] = [];
  if (changes.added.length > 0) rows.push([`${list} added`, changes.added.map(code).join(', ')]);
  if (changes.changed.length > 0) rows.push([`${list} changed`, changes.changed.map(code).join(', ')]);
  if (changes.removed.length > 0) rows.push([`${list} removed (now in ${otherList})`, changes.removed.map(code).join(', ')]);
  if (rows.length === 0) rows.push([list, changes.unchanged.length > 0 ? `no changes (${changes.unchanged.length} set to the same value)` : 'no changes']);
  return rows;
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}
