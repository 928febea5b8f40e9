import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { formatNames } from '@ecs-deploy-kit/shared';
import type { Logger } from '@ecs-deploy-kit/shared';

import { checkImageArchitecture, taskArchitecture } from './architecture.ts';
import type { ArchitectureCheck, ArchitectureDeps } from './architecture.ts';
import { diffTaskDefinitions, isEmptyDiff, isEmptyNameDiff } from './diff.ts';
import type { NameDiff, TaskDefinitionDiff, ValueChange } from './diff.ts';
import type { Inputs } from './inputs.ts';
import { applyChanges, primaryImage, stripReadOnlyFields, withSourceTags } from './render.ts';
import type { TaskDefinitionDocument } from './render.ts';
import { loadTaskDefinition } from './source.ts';
import type { EcsConnection, LoadedTaskDefinition } from './source.ts';
import { validateTaskDefinition } from './validate.ts';
import type { ValidatedTaskDefinition } from './validate.ts';

export interface Deps extends Omit<ArchitectureDeps, 'logger'> {
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
  /** Image of the first named container, else of the only container, else empty. */
  image: string;
  /** ARN of the revision rendered from, or empty for a file source. */
  previousTaskDefinitionArn: string;
  /** Description of the source, e.g. `service quiz-backend-testing in cluster quiz-backend-testing`. */
  origin: string;
  /** `family:revision` of the source, or its file path. */
  sourceLabel: string;
  strippedFields: string[];
  /** Unknown fields dropped with a warning (unknown-fields: warn), with their paths. */
  unknownFields: string[];
  /** Paths whose value was converted to the type RegisterTaskDefinition expects. */
  convertedFields: string[];
  diff: TaskDefinitionDiff;
  architectureChecks: ArchitectureCheck[];
}

const OUTPUT_SUBDIRECTORY = 'ecs-render-taskdef';

/** Reads the source task definition, validates it, renders the requested changes, checks the images and writes a new file. */
export async function run(inputs: Inputs, deps: Deps): Promise<Result> {
  const { logger } = deps;

  const loaded = await logger.group('Read the task definition', async () => {
    const source = await loadTaskDefinition(inputs.source, deps);
    deps.maskValues(environmentValues(source.document));
    logger.info(`Rendering from ${describeSource(source.origin, source.label)}.`);
    return source;
  });

  const validated = await logger.group('Validate the task definition', () => Promise.resolve(validateSource(loaded, inputs, logger)));

  const rendered = await logger.group('Render the task definition', async () => {
    const request = { containers: inputs.containers, containerInput: inputs.containerInput, environmentMode: inputs.environmentMode, secretsMode: inputs.secretsMode, tags: inputs.tags };
    const taskDefinition = applyChanges(validated.document, request, loaded.label);
    const diff = diffTaskDefinitions(validated.document, taskDefinition);
    logDiff(logger, diff);
    return { taskDefinition, diff };
  });

  const architectureChecks = await logger.group('Check image architectures', () => checkArchitectures(rendered.taskDefinition, rendered.diff, inputs, deps));

  const family = String(rendered.taskDefinition.family);
  const taskDefinitionPath = await logger.group('Write the rendered file', async () => {
    const file = await writeRenderedFile(inputs.outputDirectory, family, rendered.taskDefinition, deps.randomSuffix);
    logger.info(`Wrote ${file}.`);
    return file;
  });

  return {
    taskDefinitionPath,
    family,
    image: primaryImage(rendered.taskDefinition, inputs.containers.map((container) => container.name)) ?? '',
    previousTaskDefinitionArn: loaded.arn ?? '',
    origin: loaded.origin,
    sourceLabel: loaded.label,
    strippedFields: validated.strippedFields,
    unknownFields: validated.unknownFields,
    convertedFields: validated.converted,
    diff: rendered.diff,
    architectureChecks,
  };
}

/** Strips the read-only fields, adds the source's tags and validates against the RegisterTaskDefinition input. */
function validateSource(loaded: LoadedTaskDefinition, inputs: Inputs, logger: Logger): ValidatedTaskDefinition & { strippedFields: string[] } {
  const { document, strippedFields } = stripReadOnlyFields(loaded.document);
  logger.info(`Removed read-only fields: ${strippedFields.length > 0 ? strippedFields.join(', ') : 'none were present'}.`);

  const validated = validateTaskDefinition(withSourceTags(document, loaded.tags), loaded.label, inputs.unknownFields);
  for (const message of validated.unknownFields) logger.warning(`${message} The field was removed from the rendered file.`);
  if (validated.converted.length > 0) logger.info(`Converted to the type RegisterTaskDefinition expects: ${validated.converted.join(', ')}.`);
  if (validated.nullsRemoved.length > 0) logger.debug(`Removed null values: ${validated.nullsRemoved.join(', ')}.`);
  logger.info('The task definition matches the RegisterTaskDefinition input.');
  return { ...validated, strippedFields };
}

/** Checks every image this render changed, since the images already running have passed ECS once. */
async function checkArchitectures(taskDefinition: TaskDefinitionDocument, diff: TaskDefinitionDiff, inputs: Inputs, deps: Deps): Promise<ArchitectureCheck[]> {
  const images = diff.containers.flatMap((container) => (container.image?.after === undefined ? [] : [container.image.after]));
  if (!inputs.checkArchitecture || images.length === 0) {
    deps.logger.info(inputs.checkArchitecture ? 'No image changed, so no architecture was checked.' : 'Skipped: check-architecture is false.');
    return [];
  }
  const cpuArchitecture = taskArchitecture(taskDefinition);
  const checks: ArchitectureCheck[] = [];
  for (const image of new Set(images)) checks.push(await checkImageArchitecture(image, cpuArchitecture, deps));
  return checks;
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

function logDiff(logger: Logger, diff: TaskDefinitionDiff): void {
  if (isEmptyDiff(diff)) {
    logger.info('No changes from the source revision apart from the removed read-only fields.');
    return;
  }
  for (const change of diff.resources) logger.info(`Task ${change.field}: ${describeValueChange(change)}.`);
  for (const container of diff.containers) {
    const prefix = `Container "${container.name}"`;
    if (container.image) logger.info(`${prefix} image: ${describeValueChange(container.image)}.`);
    for (const change of container.resources) logger.info(`${prefix} ${change.field}: ${describeValueChange(change)}.`);
    if (!isEmptyNameDiff(container.environment)) logger.info(`${prefix} environment: ${describeNameDiff(container.environment)}.`);
    if (!isEmptyNameDiff(container.secrets)) logger.info(`${prefix} secrets: ${describeNameDiff(container.secrets)}.`);
    if (container.otherFields.length > 0) logger.info(`${prefix} other fields changed: ${container.otherFields.join(', ')}.`);
  }
  if (diff.containersAdded.length > 0) logger.info(`Containers added: ${diff.containersAdded.join(', ')}.`);
  if (diff.containersRemoved.length > 0) logger.info(`Containers removed: ${diff.containersRemoved.join(', ')}.`);
  if (!isEmptyNameDiff(diff.tags)) logger.info(`Tags: ${describeNameDiff(diff.tags)}.`);
  if (diff.otherFields.length > 0) logger.info(`Other fields changed: ${diff.otherFields.join(', ')}.`);
}

/** Describes a value change, e.g. `512 → 1024`. */
export function describeValueChange(change: ValueChange): string {
  return `${change.before ?? 'none'} → ${change.after ?? 'none'}`;
}

/** Describes name changes for the log, e.g. `added 1 (A), changed none, removed none`, without values. */
export function describeNameDiff(diff: NameDiff): string {
  return `added ${formatNames(diff.added)}, changed ${formatNames(diff.changed)}, removed ${formatNames(diff.removed)}`;
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
