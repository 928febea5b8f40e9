import os from 'node:os';
import path from 'node:path';

import {
  InputError,
  isArn,
  optionalString,
  parseArn,
  parseBoolean,
  parseImageReference,
  parseKeyValueLines,
  parseList,
  parseStructured,
} from '@ecs-deploy-kit/shared';
import type { InputReader } from '@ecs-deploy-kit/shared';

import { closeName } from './suggest.ts';
import type { UnknownFieldsMode } from './validate.ts';

/** Source of the task definition to render. */
export type TaskDefinitionSource =
  | { kind: 'service'; cluster: string; service: string }
  | { kind: 'arn'; arn: string }
  /**
   * A value that is a file when `filePath` exists and otherwise a family or `family:revision`.
   * `reference` is undefined when the value cannot be a family, so only the file is tried.
   */
  | { kind: 'file-or-reference'; value: string; filePath: string; reference?: string };

/** Changes to one container, as the inputs request them. */
export interface ContainerRequest {
  name: string;
  image?: string;
  /** Environment variables to set, by name, in input order. */
  environment: Map<string, string>;
  /** Secrets to set: name to valueFrom (a Secrets Manager or SSM Parameter Store ARN, or a parameter name). */
  secrets: Map<string, string>;
  environmentRemove: string[];
  secretsRemove: string[];
}

/** Combination of the given variables or secrets with the container's: `merge` updates and appends by name, `exclusive` replaces the whole list. */
export type ListMode = 'merge' | 'exclusive';

export interface Inputs {
  source: TaskDefinitionSource;
  /** Containers to change, in input order. Empty when only the read-only fields are removed. */
  containers: ContainerRequest[];
  /** The input the containers came from, for error messages. */
  containerInput: 'container-name' | 'containers';
  environmentMode: ListMode;
  secretsMode: ListMode;
  /** Tags to add or override on the rendered task definition, by key. */
  tags: Map<string, string>;
  unknownFields: UnknownFieldsMode;
  /** Whether to check that ECR images support the task's CPU architecture. */
  checkArchitecture: boolean;
  /** Directory the rendered file goes under (RUNNER_TEMP on a runner). */
  outputDirectory: string;
}

// ECS task definition family names: letters, digits, hyphens and underscores, up to 255.
const FAMILY_OR_REVISION = /^[A-Za-z0-9_-]{1,255}(?::[1-9]\d*)?$/;
// Environment variable and secret names: no whitespace and no `=`, which would not survive a
// round trip through the container's environment.
const VARIABLE_NAME = /^[^\s=]+$/;
// The valueFrom of an ECS secret: the ARN of a Secrets Manager secret (optionally with a JSON key
// suffix) or SSM parameter, or the name of an SSM parameter in the task's region.
const PARAMETER_NAME = /^\/?[A-Za-z0-9_.\-/]+$/;
// The first line of NAME=value lines: a name without spaces or ":" directly followed by "=".
// Anything else is read as YAML, e.g. `NAME: value` or a block scalar for a value with newlines.
const KEY_VALUE_LINE = /^\s*[^\s=:#]+=/;
// Container names in ECS: letters, digits, hyphens and underscores, up to 255.
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const CONTAINER_KEYS = ['image', 'environment', 'secrets', 'environment-remove', 'secrets-remove'];

/** Reads and validates every input, and each error names its input. `env` supplies GITHUB_WORKSPACE and RUNNER_TEMP. */
export function readInputs(read: InputReader, env: NodeJS.ProcessEnv, tmpdir = os.tmpdir()): Inputs {
  const workspace = optionalString(env.GITHUB_WORKSPACE ?? '') ?? process.cwd();
  const source = readSource(read, workspace);
  const containers = readContainers(read);

  const environmentMode = readMode('environment-mode', read('environment-mode'));
  const secretsMode = readMode('secrets-mode', read('secrets-mode'));
  for (const [input, mode] of [['environment-mode', environmentMode], ['secrets-mode', secretsMode]] as const) {
    if (mode === 'exclusive' && containers.length === 0) {
      throw new InputError(input, 'is "exclusive", but no container is named. Set "container-name" or "containers" to the containers whose list it replaces.');
    }
  }

  return {
    source,
    containers,
    containerInput: optionalString(read('containers')) === undefined ? 'container-name' : 'containers',
    environmentMode,
    secretsMode,
    tags: readTags(read('tags')),
    unknownFields: readUnknownFieldsMode(read('unknown-fields')),
    checkArchitecture: parseBoolean('check-architecture', read('check-architecture'), true),
    outputDirectory: optionalString(env.RUNNER_TEMP ?? '') ?? tmpdir,
  };
}

/** Reads the one-container inputs (container-name, image, environment, ...) or the `containers` map; not both. */
function readContainers(read: InputReader): ContainerRequest[] {
  const containerName = optionalString(read('container-name'));
  const imageRaw = optionalString(read('image'));
  if (imageRaw !== undefined) parseImageReference('image', imageRaw);
  const single: Omit<ContainerRequest, 'name'> = {
    environment: readEnvironment('environment', read('environment')),
    secrets: readSecrets('secrets', read('secrets')),
    environmentRemove: readNames('environment-remove', read('environment-remove')),
    secretsRemove: readNames('secrets-remove', read('secrets-remove')),
  };
  if (imageRaw !== undefined) single.image = imageRaw;
  const changing = [
    imageRaw !== undefined && 'image',
    single.environment.size > 0 && 'environment',
    single.secrets.size > 0 && 'secrets',
    single.environmentRemove.length > 0 && 'environment-remove',
    single.secretsRemove.length > 0 && 'secrets-remove',
  ].filter((name): name is string => typeof name === 'string');

  const containersRaw = optionalString(read('containers'));
  if (containersRaw !== undefined) {
    const conflicting = [containerName !== undefined && 'container-name', ...changing].filter((name): name is string => typeof name === 'string');
    if (conflicting.length > 0) {
      throw new InputError(
        'containers',
        `is set together with ${quoteNames(conflicting)}. Put every container's changes in "containers", or use "container-name" with "image", "environment" and "secrets" for one container.`,
      );
    }
    return readContainersMap(containersRaw);
  }

  if (containerName === undefined) {
    if (changing.length > 0) {
      throw new InputError(
        'container-name',
        `is required when ${quoteNames(changing)} is set, because a task definition can have several containers. Set it to the container's name, or use "containers".`,
      );
    }
    return [];
  }
  const request: ContainerRequest = { name: containerName, ...single };
  checkContainerRequest('secrets', request);
  return [request];
}

/** Parses `containers`: a YAML map of container name to {image, environment, secrets, environment-remove, secrets-remove}. */
function readContainersMap(raw: string): ContainerRequest[] {
  const parsed = parseStructured('containers', raw);
  if (!isRecord(parsed) || Object.keys(parsed).length === 0) {
    throw new InputError('containers', 'must be a YAML map of container name to {image, environment, secrets}, e.g. "quiz-backend: {image: REPOSITORY:TAG}".');
  }

  return Object.entries(parsed).map(([name, value]) => {
    if (!CONTAINER_NAME.test(name)) throw new InputError('containers', `"${name}" is not a container name (letters, digits, "-" and "_").`);
    if (typeof value === 'string') value = { image: value };
    if (!isRecord(value)) throw new InputError('containers', `"${name}" must map to {image, environment, secrets} or to an image.`);
    for (const key of Object.keys(value)) {
      if (!CONTAINER_KEYS.includes(key)) {
        const suggestion = closeName(key, CONTAINER_KEYS);
        throw new InputError(
          'containers',
          `"${name}.${key}" is not a container setting. Accepted: ${CONTAINER_KEYS.join(', ')}.${suggestion === undefined ? '' : ` Did you mean "${suggestion}"?`}`,
        );
      }
    }

    const path = `${name}.`;
    const request: ContainerRequest = {
      name,
      environment: namedValues('containers', `${path}environment`, value.environment, 'environment'),
      secrets: checkSecrets('containers', namedValues('containers', `${path}secrets`, value.secrets, 'secrets')),
      environmentRemove: nameList('containers', `${path}environment-remove`, value['environment-remove']),
      secretsRemove: nameList('containers', `${path}secrets-remove`, value['secrets-remove']),
    };
    if (value.image !== undefined && value.image !== null) {
      if (typeof value.image !== 'string') throw new InputError('containers', `"${path}image" must be an image reference string.`);
      parseImageReference('containers', value.image);
      request.image = value.image;
    }
    checkContainerRequest('containers', request);
    return request;
  });
}

/** Rejects a name both set in environment and in secrets: ECS rejects a container with the same name in both. */
function checkContainerRequest(input: string, request: ContainerRequest): void {
  for (const name of request.environment.keys()) {
    if (request.secrets.has(name)) {
      throw new InputError(input, `"${name}" is set in both environment and secrets of container "${request.name}". A container cannot have both, so keep one of them.`);
    }
  }
}

function readMode(input: string, raw: string): ListMode {
  const value = optionalString(raw) ?? 'merge';
  if (value === 'merge' || value === 'exclusive') return value;
  throw new InputError(input, `"${value}" is not a mode. Use "merge" (update and append by name) or "exclusive" (replace the whole list).`);
}

function readUnknownFieldsMode(raw: string): UnknownFieldsMode {
  const value = optionalString(raw) ?? 'fail';
  if (value === 'fail' || value === 'warn') return value;
  throw new InputError('unknown-fields', `"${value}" is not accepted. Use "fail" (the default) or "warn" (drop the field with a warning).`);
}

function readTags(raw: string): Map<string, string> {
  const tags = parseKeyValueLines('tags', raw);
  for (const [key, value] of tags) {
    // ECS tag limits: keys of 1 to 128 characters, values of up to 256.
    if (key.length > 128) throw new InputError('tags', `key "${key.slice(0, 40)}…" is longer than 128 characters.`);
    if (value.length > 256) throw new InputError('tags', `the value of "${key}" is longer than 256 characters.`);
  }
  return tags;
}

function readSource(read: InputReader, workspace: string): TaskDefinitionSource {
  const cluster = optionalString(read('cluster'));
  const service = optionalString(read('service'));
  const taskDefinition = optionalString(read('task-definition'));

  if (taskDefinition !== undefined && (cluster !== undefined || service !== undefined)) {
    throw new InputError(
      'task-definition',
      'is set together with "cluster"/"service". Set either "task-definition", or "cluster" and "service" to render from the revision the service runs, not both.',
    );
  }
  if (taskDefinition === undefined && cluster === undefined && service === undefined) {
    throw new InputError(
      'task-definition',
      'no task definition source is set. Set "cluster" and "service" to render from the revision the service runs, or "task-definition" to a family, family:revision, ARN or file path.',
    );
  }
  if (taskDefinition === undefined) {
    if (cluster === undefined) throw new InputError('cluster', `is required with "service" ("${service}"). Set it to the name or ARN of the service's cluster.`);
    if (service === undefined) throw new InputError('service', `is required with "cluster" ("${cluster}"). Set it to the name or ARN of the service.`);
    return { kind: 'service', cluster, service };
  }

  if (isArn(taskDefinition)) {
    const arn = parseArn('task-definition', taskDefinition);
    if (arn.service !== 'ecs' || !arn.resource.startsWith('task-definition/')) {
      throw new InputError(
        'task-definition',
        `"${taskDefinition}" is not a task definition ARN. Expected arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION.`,
      );
    }
    return { kind: 'arn', arn: taskDefinition };
  }

  const filePath = path.resolve(workspace, taskDefinition);
  const source: TaskDefinitionSource = { kind: 'file-or-reference', value: taskDefinition, filePath };
  if (FAMILY_OR_REVISION.test(taskDefinition)) source.reference = taskDefinition;
  return source;
}

/** Reads NAME=value lines, or YAML (a map of name to value, or a list of {name, value}) for values with newlines or leading spaces. */
function readEnvironment(input: string, raw: string): Map<string, string> {
  if (optionalString(raw) === undefined) return new Map();
  const firstLine = raw.split('\n').find((line) => line.trim() !== '' && !line.trim().startsWith('#')) ?? '';
  if (KEY_VALUE_LINE.test(firstLine)) {
    const entries = parseKeyValueLines(input, raw);
    for (const name of entries.keys()) checkVariableName(input, name);
    return entries;
  }
  return namedValues(input, input, parseStructured(input, raw), 'environment');
}

function readSecrets(input: string, raw: string): Map<string, string> {
  return checkSecrets(input, readEnvironment(input, raw));
}

/** Trims and checks each valueFrom. Values are not printed: a secret value pasted here by mistake must not reach the log. */
function checkSecrets(input: string, entries: Map<string, string>): Map<string, string> {
  for (const [name, valueFrom] of entries) {
    const value = valueFrom.trim();
    if (!isValueFrom(value)) {
      throw new InputError(
        input,
        `the value of "${name}" is not a Secrets Manager or SSM Parameter Store ARN or parameter name. Write NAME=arn:aws:secretsmanager:REGION:ACCOUNT:secret:ID or NAME=arn:aws:ssm:REGION:ACCOUNT:parameter/NAME.`,
      );
    }
    entries.set(name, value);
  }
  return entries;
}

/**
 * Reads names to values from parsed YAML: a map (`NAME: value`), a list of {name, value} (or
 * {name, valueFrom}), or a string of NAME=value lines. Numbers and booleans become strings.
 */
function namedValues(input: string, path: string, value: unknown, list: 'environment' | 'secrets'): Map<string, string> {
  const entries = new Map<string, string>();
  if (value === undefined || value === null) return entries;
  if (typeof value === 'string') {
    const lines = parseKeyValueLines(input, value);
    for (const name of lines.keys()) checkVariableName(input, name);
    return lines;
  }

  const valueField = list === 'environment' ? 'value' : 'valueFrom';
  let pairs: [unknown, unknown][];
  if (Array.isArray(value)) {
    pairs = value.map((entry: unknown) => (isRecord(entry) ? [entry.name, entry[valueField]] : [undefined, undefined]));
  } else if (isRecord(value)) {
    pairs = Object.entries(value);
  } else {
    throw new InputError(input, `"${path}" must be a map of NAME: value, a list of {name, ${valueField}}, or NAME=value lines.`);
  }

  pairs.forEach(([name, entryValue], index) => {
    if (typeof name !== 'string') throw new InputError(input, `"${path}" entry ${index + 1} has no name. Write {name: NAME, ${valueField}: ...}.`);
    checkVariableName(input, name);
    if (entries.has(name)) throw new InputError(input, `"${name}" is given twice in "${path}". Keep one.`);
    if (typeof entryValue !== 'string' && typeof entryValue !== 'number' && typeof entryValue !== 'boolean') {
      throw new InputError(input, `"${path}" entry "${name}" needs a text value (${valueField}).`);
    }
    entries.set(name, String(entryValue));
  });
  return entries;
}

function readNames(input: string, raw: string): string[] {
  const names = parseList(raw);
  for (const name of names) checkVariableName(input, name);
  return names;
}

function nameList(input: string, path: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return readNames(input, value);
  if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) throw new InputError(input, `"${path}" must be a list of names.`);
  for (const name of value) checkVariableName(input, name);
  return value;
}

function quoteNames(names: string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isValueFrom(value: string): boolean {
  if (isArn(value)) {
    const parts = value.split(':');
    return parts.length >= 6 && (parts[2] === 'secretsmanager' || parts[2] === 'ssm') && parts[5] !== '';
  }
  return PARAMETER_NAME.test(value);
}

function checkVariableName(input: string, name: string): void {
  if (!VARIABLE_NAME.test(name)) {
    throw new InputError(input, `"${name}" is not a variable name: names cannot contain spaces or "=". Write one NAME=value per line.`);
  }
}
