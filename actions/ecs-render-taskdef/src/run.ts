import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { formatNames } from '@ecs-deploy-kit/shared';
import type { Logger } from '@ecs-deploy-kit/shared';

import type { Inputs } from './inputs.ts';
import { renderTaskDefinition } from './render.ts';
import type { ContainerChanges, NameChanges, TaskDefinitionDocument } from './render.ts';
import { loadTaskDefinition } from './source.ts';
import type { EcsConnection } from './source.ts';

export interface Deps {
  /** Creates the ECS client on first use, so a file source needs no AWS settings. */
  ecs: () => EcsConnection;
  logger: Logger;
  /**
   * Registers values with the runner's log masker. run() passes it every environment value of
   * the source task definition as soon as it is read, before anything about it is logged.
   */
  maskValues: (values: Iterable<string>) => void;
  /** Generator of the random part of the rendered file's name, injected so tests can predict the name. */
  randomSuffix?: () => string;
}

export interface Result {
  /** Absolute path of the rendered task definition file. */
  taskDefinitionPath: string;
  family: string;
  /** Image of the named container, else of the only container, else empty. */
  image: string;
  /** ARN of the revision rendered from, or empty for a file source. */
  previousTaskDefinitionArn: string;
  /** Description of the source, e.g. `service quiz-backend-testing in cluster quiz-backend-testing`. */
  origin: string;
  /** `family:revision` of the source, or its file path. */
  sourceLabel: string;
  strippedFields: string[];
  container?: ContainerChanges;
}

const OUTPUT_SUBDIRECTORY = 'ecs-render-taskdef';

/** Reads the source task definition, renders it with the requested changes and writes it to a new file. */
export async function run(inputs: Inputs, deps: Deps): Promise<Result> {
  const { logger } = deps;

  const loaded = await logger.group('Read the task definition', async () => {
    const source = await loadTaskDefinition(inputs.source, deps);
    deps.maskValues(environmentValues(source.document));
    logger.info(`Rendering from ${describeSource(source.origin, source.label)}.`);
    return source;
  });

  const rendered = await logger.group('Render the task definition', async () => {
    const request = { containerName: inputs.containerName, image: inputs.image, environment: inputs.environment, secrets: inputs.secrets };
    const result = renderTaskDefinition(loaded.document, loaded.tags, request, loaded.label);
    logger.info(`Removed read-only fields: ${result.strippedFields.length > 0 ? result.strippedFields.join(', ') : 'none were present'}.`);
    if (result.container) logContainerChanges(logger, result.container);
    return result;
  });

  const taskDefinitionPath = await logger.group('Write the rendered file', async () => {
    const file = await writeRenderedFile(inputs.outputDirectory, rendered.family, rendered.taskDefinition, deps.randomSuffix);
    logger.info(`Wrote ${file}.`);
    return file;
  });

  const result: Result = {
    taskDefinitionPath,
    family: rendered.family,
    image: rendered.image ?? '',
    previousTaskDefinitionArn: loaded.arn ?? '',
    origin: loaded.origin,
    sourceLabel: loaded.label,
    strippedFields: rendered.strippedFields,
  };
  if (rendered.container) result.container = rendered.container;
  return result;
}

/** Describes the source for a person, e.g. `service X in cluster Y (family:41)`. A file's label is its path, which the origin already contains. */
export function describeSource(origin: string, label: string): string {
  return origin.includes(label) ? origin : `${origin} (${label})`;
}

/** Collects the environment values of every container, which may hold credentials written as plain values. */
export function environmentValues(taskDefinition: TaskDefinitionDocument): string[] {
  const values: string[] = [];
  const containers = Array.isArray(taskDefinition.containerDefinitions) ? taskDefinition.containerDefinitions : [];
  for (const container of containers as { environment?: unknown }[]) {
    if (!Array.isArray(container?.environment)) continue;
    for (const entry of container.environment as { value?: unknown }[]) {
      if (typeof entry?.value === 'string') values.push(entry.value);
    }
  }
  return values;
}

function logContainerChanges(logger: Logger, changes: ContainerChanges): void {
  const image = changes.previousImage === changes.image ? `${changes.image ?? 'none'} (unchanged)` : `${changes.previousImage ?? 'none'} → ${changes.image}`;
  logger.info(`Container "${changes.containerName}" image: ${image}.`);
  logger.info(`Environment: ${describeNameChanges(changes.environment, 'secrets')}.`);
  logger.info(`Secrets: ${describeNameChanges(changes.secrets, 'environment')}.`);
}

/** Describes name changes for the log, e.g. `added 1 (A), changed none, unchanged 2`, without values. */
export function describeNameChanges(changes: NameChanges, otherList: string): string {
  const parts = [`added ${formatNames(changes.added)}`, `changed ${formatNames(changes.changed)}`, `unchanged ${changes.unchanged.length}`];
  if (changes.removed.length > 0) parts.push(`removed ${formatNames(changes.removed)} (now set in ${otherList})`);
  return parts.join(', ');
}

/**
 * Writes the task definition as pretty JSON to a new file readable only by the runner's user,
 * because it may contain plain environment values. The random part of the name keeps two renders
 * in one job from overwriting each other.
 */
async function writeRenderedFile(
  outputDirectory: string,
  family: string,
  taskDefinition: TaskDefinitionDocument,
  randomSuffix: () => string = () => randomBytes(6).toString('hex'),
): Promise<string> {
  const directory = path.join(outputDirectory, OUTPUT_SUBDIRECTORY);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const safeFamily = family.replace(/[^A-Za-z0-9_.-]/g, '-');
  const file = path.join(directory, `${safeFamily}-${randomSuffix()}.json`);
  await writeFile(file, `${JSON.stringify(taskDefinition, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return file;
}
