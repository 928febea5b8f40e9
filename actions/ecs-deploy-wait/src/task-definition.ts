import { readFile } from 'node:fs/promises';

import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { ECSClient, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { ActionError, InputError, explainAwsError, maskValues } from '@ecs-deploy-kit/shared';
import type { Logger } from '@ecs-deploy-kit/shared';

/** A registered revision, as the rest of the action names it. */
export interface Revision {
  arn: string;
  family: string;
  revision: number;
}

// The fields RegisterTaskDefinition accepts (@aws-sdk/client-ecs 3.1178, RegisterTaskDefinitionRequest).
const REGISTER_FIELDS = new Set([
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'tags',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection',
  'trustedExecutionConfiguration',
]);

// Fields DescribeTaskDefinition returns that ECS sets itself and RegisterTaskDefinition rejects.
const READ_ONLY_FIELDS = new Set([
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
]);

/** Parses the family and revision out of `arn:…:task-definition/FAMILY:REVISION`. */
export function parseRevision(arn: string): Revision {
  const match = /task-definition\/([^:/]+):(\d+)$/.exec(arn);
  if (!match) throw new ActionError(`"${arn}" is not a task definition ARN ending in task-definition/FAMILY:REVISION.`);
  return { arn, family: match[1] as string, revision: Number(match[2]) };
}

/** Formats a task definition ARN as `family:revision`, or returns the text unchanged when it is not one. */
export function shortRevision(arn: string | undefined): string {
  if (!arn) return '-';
  const match = /task-definition\/([^:/]+:\d+)$/.exec(arn);
  return match ? (match[1] as string) : arn;
}

/**
 * Reads a task definition file into a RegisterTaskDefinition request. The file may be a bare task
 * definition or DescribeTaskDefinition output (`{ taskDefinition, tags }`). Read-only fields are
 * dropped and `tags` is kept. Errors never quote the file, because its environment contains
 * credentials.
 */
export async function loadTaskDefinitionFile(file: string, logger: Logger, setSecret: (value: string) => void): Promise<RegisterTaskDefinitionCommandInput> {
  const text = await readTaskDefinitionText(file);
  const parsed = parseJson(file, text);
  const request = toRegisterRequest(file, parsed, logger);
  maskValues(environmentValues(request), setSecret);
  return request;
}

async function readTaskDefinitionText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    let why = `cannot be read (${code ?? 'unknown error'})`;
    if (code === 'ENOENT') why = 'does not exist';
    if (code === 'EISDIR') why = 'is a directory';
    throw new InputError(
      'task-definition',
      `the file "${file}" ${why}. Pass the path ecs-render-taskdef wrote (its task-definition output) or a task definition ARN.`,
    );
  }
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // V8's messages can quote a stretch of the input, which may be a credential, so only the
    // position is kept.
    const message = error instanceof Error ? error.message : '';
    const position = /line \d+ column \d+/.exec(message)?.[0] ?? /position \d+/.exec(message)?.[0];
    const where = position ? ` at ${position}` : '';
    throw new InputError('task-definition', `the file "${file}" is not valid JSON${where}.`);
  }
}

function toRegisterRequest(file: string, parsed: unknown, logger: Logger): RegisterTaskDefinitionCommandInput {
  if (!isRecord(parsed)) throw new InputError('task-definition', `the file "${file}" does not contain a JSON object.`);

  // DescribeTaskDefinition output keeps tags next to the task definition, not inside it.
  const wrapped = isRecord(parsed.taskDefinition) ? parsed.taskDefinition : undefined;
  const source: Record<string, unknown> = wrapped ? { ...wrapped } : { ...parsed };
  if (wrapped && Array.isArray(parsed.tags) && source.tags === undefined) source.tags = parsed.tags;

  const request: Record<string, unknown> = {};
  const dropped: string[] = [];
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(source)) {
    if (REGISTER_FIELDS.has(key)) request[key] = value;
    else if (READ_ONLY_FIELDS.has(key)) dropped.push(key);
    else unknown.push(key);
  }
  if (dropped.length > 0) logger.debug(`Dropped read-only task definition fields: ${dropped.join(', ')}`);
  if (unknown.length > 0) {
    // The SDK would silently leave these out of the request, so a misspelt field would go unnoticed.
    logger.warning(`The task definition file "${file}" has fields RegisterTaskDefinition does not accept, and they were left out: ${unknown.join(', ')}.`);
  }

  if (typeof request.family !== 'string' || request.family === '') {
    throw new InputError('task-definition', `the file "${file}" has no "family". A task definition needs a family name.`);
  }
  if (!Array.isArray(request.containerDefinitions) || request.containerDefinitions.length === 0) {
    throw new InputError('task-definition', `the file "${file}" has no "containerDefinitions". A task definition needs at least one container.`);
  }
  return request as unknown as RegisterTaskDefinitionCommandInput;
}

function environmentValues(request: RegisterTaskDefinitionCommandInput): string[] {
  const values: string[] = [];
  for (const container of request.containerDefinitions ?? []) {
    for (const variable of container.environment ?? []) {
      if (typeof variable.value === 'string') values.push(variable.value);
    }
  }
  return values;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Registers the task definition and returns the new revision. */
export async function registerTaskDefinition(ecs: ECSClient, request: RegisterTaskDefinitionCommandInput): Promise<Revision> {
  let arn: string | undefined;
  try {
    const response = await ecs.send(new RegisterTaskDefinitionCommand(request));
    arn = response.taskDefinition?.taskDefinitionArn;
  } catch (error) {
    const explained = explainAwsError(error, 'RegisterTaskDefinition');
    if (explained !== error) throw explained;
    throw new ActionError(`RegisterTaskDefinition failed for family "${request.family}": ${(error as Error).message}`, { cause: error });
  }
  if (!arn) throw new ActionError(`RegisterTaskDefinition for family "${request.family}" returned no task definition ARN.`);
  return parseRevision(arn);
}
