import os from 'node:os';
import path from 'node:path';

import { InputError, isArn, optionalString, parseArn, parseImageReference, parseKeyValueLines } from '@ecs-deploy-kit/shared';
import type { InputReader } from '@ecs-deploy-kit/shared';

/** Source of the task definition to render. */
export type TaskDefinitionSource =
  | { kind: 'service'; cluster: string; service: string }
  | { kind: 'arn'; arn: string }
  /**
   * A value that is a file when `filePath` exists and otherwise a family or `family:revision`.
   * `reference` is undefined when the value cannot be a family, so only the file is tried.
   */
  | { kind: 'file-or-reference'; value: string; filePath: string; reference?: string };

export interface Inputs {
  source: TaskDefinitionSource;
  /** Name of the container to change. When undefined, only the read-only fields are removed. */
  containerName?: string;
  image?: string;
  /** Environment variables to set, by name, in input order. */
  environment: Map<string, string>;
  /** Secrets to set: name to valueFrom (a Secrets Manager or SSM Parameter Store ARN, or a parameter name). */
  secrets: Map<string, string>;
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

/** Reads and validates every input, and each error names its input. `env` supplies GITHUB_WORKSPACE and RUNNER_TEMP. */
export function readInputs(read: InputReader, env: NodeJS.ProcessEnv, tmpdir = os.tmpdir()): Inputs {
  const workspace = optionalString(env.GITHUB_WORKSPACE ?? '') ?? process.cwd();
  const source = readSource(read, workspace);

  const containerName = optionalString(read('container-name'));
  const imageRaw = optionalString(read('image'));
  if (imageRaw !== undefined) parseImageReference('image', imageRaw);
  const environment = readEnvironment(read('environment'));
  const secrets = readSecrets(read('secrets'));

  if (containerName === undefined) {
    const changing = [imageRaw !== undefined && 'image', environment.size > 0 && 'environment', secrets.size > 0 && 'secrets'].filter(Boolean);
    if (changing.length > 0) {
      throw new InputError(
        'container-name',
        `is required when ${changing.map((name) => `"${name}"`).join(', ')} is set, because a task definition can have several containers. Set it to the container's name.`,
      );
    }
  }
  for (const name of environment.keys()) {
    if (secrets.has(name)) {
      throw new InputError('secrets', `"${name}" is also set in "environment". A container cannot have both, so keep one of them.`);
    }
  }

  const inputs: Inputs = {
    source,
    environment,
    secrets,
    outputDirectory: optionalString(env.RUNNER_TEMP ?? '') ?? tmpdir,
  };
  if (containerName !== undefined) inputs.containerName = containerName;
  if (imageRaw !== undefined) inputs.image = imageRaw;
  return inputs;
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

function readEnvironment(raw: string): Map<string, string> {
  const entries = parseKeyValueLines('environment', raw);
  for (const name of entries.keys()) checkVariableName('environment', name);
  return entries;
}

function readSecrets(raw: string): Map<string, string> {
  const entries = parseKeyValueLines('secrets', raw);
  for (const [name, valueFrom] of entries) {
    checkVariableName('secrets', name);
    const value = valueFrom.trim();
    // The value is not printed: a secret value pasted here by mistake must not reach the log.
    if (!isValueFrom(value)) {
      throw new InputError(
        'secrets',
        `the value of "${name}" is not a Secrets Manager or SSM Parameter Store ARN or parameter name. Write NAME=arn:aws:secretsmanager:REGION:ACCOUNT:secret:ID or NAME=arn:aws:ssm:REGION:ACCOUNT:parameter/NAME.`,
      );
    }
    entries.set(name, value);
  }
  return entries;
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
