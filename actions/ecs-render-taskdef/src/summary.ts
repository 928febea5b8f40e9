import { markdownTable } from '@ecs-deploy-kit/shared';

import { isEmptyDiff, isEmptyNameDiff } from './diff.ts';
import type { NameDiff, TaskDefinitionDiff, ValueChange } from './diff.ts';
import { describeSource } from './run.ts';
import type { Result } from './run.ts';

/**
 * Renders the job summary: the source, what changed (images and resources with values,
 * environment variables, secrets, tags and other fields by name only), warnings and the
 * architecture checks.
 */
export function renderSummary(result: Result): string {
  const lines = [`### Rendered task definition \`${result.family}\``, '', `From ${describeSource(result.origin, result.sourceLabel)}.`, ''];

  if (isEmptyDiff(result.diff)) {
    lines.push('No changes from the source revision apart from the removed read-only fields.', '');
  } else {
    lines.push(markdownTable(['Where', 'Change', 'Details'], diffRows(result.diff)), '');
  }

  if (result.unknownFields.length > 0) {
    lines.push('Unknown fields removed (RegisterTaskDefinition would drop them):', '', ...result.unknownFields.map((message) => `- ${message}`), '');
  }
  if (result.convertedFields.length > 0) lines.push(`Converted to the expected type: ${result.convertedFields.map(code).join(', ')}.`, '');
  for (const check of result.architectureChecks) {
    const outcome = check.status === 'match' ? `provides ${check.architectures.join(', ')}` : 'architecture not checked';
    lines.push(`Image ${code(check.image)}: ${outcome}.`, '');
  }

  const stripped = result.strippedFields.length > 0 ? result.strippedFields.map(code).join(', ') : 'none were present';
  lines.push(`Read-only fields removed: ${stripped}.`, '');
  return lines.join('\n');
}

function diffRows(diff: TaskDefinitionDiff): string[][] {
  const rows: string[][] = [];
  for (const change of diff.resources) rows.push(['Task', change.field, valueChange(change)]);
  for (const container of diff.containers) {
    const where = `Container ${code(container.name)}`;
    if (container.image) rows.push([where, 'image', valueChange(container.image)]);
    for (const change of container.resources) rows.push([where, change.field, valueChange(change)]);
    rows.push(...nameRows(where, 'environment', container.environment));
    rows.push(...nameRows(where, 'secrets', container.secrets));
    if (container.otherFields.length > 0) rows.push([where, 'other fields changed', names(container.otherFields)]);
  }
  if (diff.containersAdded.length > 0) rows.push(['Task', 'containers added', names(diff.containersAdded)]);
  if (diff.containersRemoved.length > 0) rows.push(['Task', 'containers removed', names(diff.containersRemoved)]);
  rows.push(...nameRows('Task', 'tags', diff.tags));
  if (diff.otherFields.length > 0) rows.push(['Task', 'other fields changed', names(diff.otherFields)]);
  return rows;
}

function nameRows(where: string, list: string, diff: NameDiff): string[][] {
  if (isEmptyNameDiff(diff)) return [];
  const rows: string[][] = [];
  if (diff.added.length > 0) rows.push([where, `${list} added`, names(diff.added)]);
  if (diff.changed.length > 0) rows.push([where, `${list} changed`, names(diff.changed)]);
  if (diff.removed.length > 0) rows.push([where, `${list} removed`, names(diff.removed)]);
  return rows;
}

function valueChange(change: ValueChange): string {
  return `${code(change.before ?? 'none')} → ${code(change.after ?? 'none')}`;
}

function names(list: string[]): string {
  return list.map(code).join(', ');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}
