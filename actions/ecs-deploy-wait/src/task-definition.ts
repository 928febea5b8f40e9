import { readFile } from 'node:fs/promises';

import { DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { ECSClient, RegisterTaskDefinitionCommandInput, TaskDefinition } from '@aws-sdk/client-ecs';
import { ActionError, InputError, READ_ONLY_TASK_DEFINITION_FIELDS, explainAwsError, isThrottlingError, maskValues } from '@ecs-deploy-kit/shared';
import type { Logger, Sleep } from '@ecs-deploy-kit/shared';

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

const READ_ONLY_FIELDS: ReadonlySet<string> = new Set(READ_ONLY_TASK_DEFINITION_FIELDS);

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

/** Logger, sleep and random source for the throttling retries of registration. */
export interface RegisterDeps {
  logger: Logger;
  sleep: Sleep;
  random?: () => number;
}

// RegisterTaskDefinition allows about one call per second sustained (ECS API request throttling,
// "Request throttling for the Amazon ECS API"), so a burst of deploy jobs in one account gets
// ThrottlingException after the SDK's own retries. These extra attempts spread the jobs out.
const REGISTER_ATTEMPTS = 6;
const REGISTER_BASE_DELAY_MS = 1_000;
const REGISTER_MAX_DELAY_MS = 20_000;

/**
 * Registers the request unless the family's latest ACTIVE revision already contains the same
 * task definition. That revision is then reused, so repeated deploys do not pile up identical
 * revisions.
 */
export async function registerOrReuse(ecs: ECSClient, request: RegisterTaskDefinitionCommandInput, deps: RegisterDeps): Promise<{ revision: Revision; reused: boolean }> {
  const latest = await latestActiveRevision(ecs, request.family as string);
  if (latest?.taskDefinition?.taskDefinitionArn && sameTaskDefinition(request, latest.taskDefinition, latest.tags)) {
    return { revision: parseRevision(latest.taskDefinition.taskDefinitionArn), reused: true };
  }
  return { revision: await registerWithRetry(ecs, request, deps), reused: false };
}

async function latestActiveRevision(ecs: ECSClient, family: string): Promise<{ taskDefinition?: TaskDefinition; tags?: Array<{ key?: string; value?: string }> } | undefined> {
  try {
    // A bare family name returns the latest ACTIVE revision.
    const response = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family, include: ['TAGS'] }));
    return { ...(response.taskDefinition ? { taskDefinition: response.taskDefinition } : {}), ...(response.tags ? { tags: response.tags } : {}) };
  } catch (error) {
    // ECS returns ClientException for a family with no revision yet.
    if ((error as { name?: string }).name === 'ClientException') return undefined;
    throw explainAwsError(error, 'DescribeTaskDefinition');
  }
}

async function registerWithRetry(ecs: ECSClient, request: RegisterTaskDefinitionCommandInput, deps: RegisterDeps): Promise<Revision> {
  const random = deps.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await registerTaskDefinition(ecs, request);
    } catch (error) {
      const cause = error instanceof ActionError && error.cause !== undefined ? error.cause : error;
      if (!isThrottlingError(cause) || attempt >= REGISTER_ATTEMPTS) throw error;
      // Full jitter: a random wait up to an exponentially growing cap, so throttled jobs do not retry together.
      const cap = Math.min(REGISTER_MAX_DELAY_MS, REGISTER_BASE_DELAY_MS * 2 ** (attempt - 1));
      const wait = Math.round(cap / 2 + (random() * cap) / 2);
      deps.logger.info(`RegisterTaskDefinition was throttled (attempt ${attempt} of ${REGISTER_ATTEMPTS}); trying again in ${(wait / 1000).toFixed(1)}s.`);
      await deps.sleep(wait);
    }
  }
}

/**
 * Compares a request with a registered revision after removing what ECS adds or fills in on
 * registration (read-only fields, empty lists, container defaults), so an unchanged file
 * matches the revision it produced.
 */
export function sameTaskDefinition(request: RegisterTaskDefinitionCommandInput, registered: TaskDefinition, tags: Array<{ key?: string; value?: string }> = []): boolean {
  const registeredRequest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(registered)) {
    if (REGISTER_FIELDS.has(key)) registeredRequest[key] = value;
  }
  if (tags.length > 0) registeredRequest.tags = tags;
  const left = normalize(request as unknown as Record<string, unknown>, request.networkMode);
  const right = normalize(registeredRequest, registered.networkMode);
  return JSON.stringify(left) === JSON.stringify(right);
}

// Container fields ECS fills in when they are left out, with the value it stores.
// NOTE: a default ECS adds that is missing here only makes the comparison fail. The action then
// registers a new revision, as it would without the comparison, and never reuses a different one.
const CONTAINER_DEFAULTS: Record<string, unknown> = { cpu: 0, essential: true };

function normalize(definition: Record<string, unknown>, networkMode: string | undefined): unknown {
  const copy: Record<string, unknown> = { ...definition };
  if (Array.isArray(copy.containerDefinitions)) {
    copy.containerDefinitions = (copy.containerDefinitions as Array<Record<string, unknown>>).map((container) => normalizeContainer(container, networkMode));
  }
  if (Array.isArray(copy.tags)) copy.tags = [...(copy.tags as Array<{ key?: string }>)].sort((a, b) => String(a.key).localeCompare(String(b.key)));
  return canonical(copy);
}

function normalizeContainer(container: Record<string, unknown>, networkMode: string | undefined): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...container };
  for (const [key, value] of Object.entries(CONTAINER_DEFAULTS)) {
    if (copy[key] === value) delete copy[key];
  }
  if (Array.isArray(copy.portMappings)) {
    copy.portMappings = (copy.portMappings as Array<Record<string, unknown>>).map((mapping) => {
      const filled: Record<string, unknown> = { protocol: 'tcp', ...mapping };
      // In awsvpc mode the host port always equals the container port, and ECS stores it.
      if (networkMode === 'awsvpc' && filled.hostPort === undefined) filled.hostPort = filled.containerPort;
      return filled;
    });
  }
  for (const list of ['environment', 'secrets']) {
    if (Array.isArray(copy[list])) copy[list] = [...(copy[list] as Array<{ name?: string }>)].sort((a, b) => String(a.name).localeCompare(String(b.name)));
  }
  return copy;
}

/** Sorts object keys and drops null, undefined, empty lists and empty objects, recursively. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const inner = canonical(value[key]);
    if (inner === null || inner === undefined) continue;
    if (Array.isArray(inner) && inner.length === 0) continue;
    if (isRecord(inner) && Object.keys(inner).length === 0) continue;
    out[key] = inner;
  }
  return out;
}
