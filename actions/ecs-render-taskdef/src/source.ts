import { readFile } from 'node:fs/promises';

import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionFamiliesCommand,
} from '@aws-sdk/client-ecs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { ActionError, InputError, errorMessage, explainAwsError } from '@ecs-deploy-kit/shared';
import type { Logger } from '@ecs-deploy-kit/shared';
import { YAMLParseError, parseDocument } from 'yaml';

import type { TaskDefinitionSource } from './inputs.ts';
import type { Tag, TaskDefinitionDocument } from './render.ts';
import { closeName } from './suggest.ts';

/** An ECS client with the region it calls, for messages. */
export interface EcsConnection {
  client: ECSClient;
  region: string;
}

export interface SourceDeps {
  /** Creates the ECS client on first use, so a file source needs no AWS settings. */
  ecs: () => EcsConnection;
  logger: Logger;
}

export interface LoadedTaskDefinition {
  document: TaskDefinitionDocument;
  tags?: Tag[];
  /** ARN of the revision read, or undefined for a file. */
  arn?: string;
  /** `family:revision` for a registered revision, the absolute path for a file. */
  label: string;
  /** Description of the source for the log and the summary. */
  origin: string;
}

/** A family or revision that DescribeTaskDefinition does not find. */
class TaskDefinitionNotFoundError extends ActionError {}

// Listing for an error message stops after this many pages of up to PAGE_SIZE names, which
// bounds the time a message takes in an account with many services.
const MAX_LIST_PAGES = 10;
// The maximum maxResults of ListServices, ListClusters and ListTaskDefinitionFamilies.
const PAGE_SIZE = 100;
// Shown in a message before the rest are counted as "and N more".
const MAX_NAMES_SHOWN = 20;

/** Reads the task definition the inputs point at: the service's current revision, a registered revision, or a file. */
export async function loadTaskDefinition(source: TaskDefinitionSource, deps: SourceDeps): Promise<LoadedTaskDefinition> {
  switch (source.kind) {
    case 'service':
      return loadFromService(source.cluster, source.service, deps);
    case 'arn':
      return describeTaskDefinition(source.arn, deps.ecs(), deps.logger);
    case 'file-or-reference':
      return loadFromFileOrReference(source, deps);
  }
}

async function loadFromService(cluster: string, service: string, deps: SourceDeps): Promise<LoadedTaskDefinition> {
  const ecs = deps.ecs();
  let response;
  try {
    response = await ecs.client.send(new DescribeServicesCommand({ cluster, services: [service] }));
  } catch (error) {
    if (errorName(error) === 'ClusterNotFoundException') throw new ActionError(await clusterNotFoundMessage(cluster, ecs, deps.logger));
    throw explainAwsError(error, 'DescribeServices');
  }

  const found = response.services?.find((candidate) => candidate.serviceName === service || candidate.serviceArn === service);
  if (!found) throw new ActionError(await serviceNotFoundMessage(cluster, service, ecs, deps.logger));
  if (found.status !== 'ACTIVE') {
    throw new ActionError(
      `Service "${service}" in cluster "${cluster}" (${ecs.region}) is ${found.status}, so it is being deleted or was deleted. ` +
        'Render from an active service, or set "task-definition" to the revision you want.',
    );
  }
  if (!found.taskDefinition) {
    throw new ActionError(
      `Service "${service}" in cluster "${cluster}" (${ecs.region}) has no task definition of its own ` +
        `(deployment controller ${found.deploymentController?.type ?? 'unknown'} manages task sets). Set "task-definition" to the revision to render.`,
    );
  }
  deps.logger.info(`Service "${service}" in cluster "${cluster}" runs ${found.taskDefinition}.`);

  const loaded = await describeTaskDefinition(found.taskDefinition, ecs, deps.logger);
  loaded.origin = `service ${service} in cluster ${cluster}`;
  return loaded;
}

async function loadFromFileOrReference(
  source: Extract<TaskDefinitionSource, { kind: 'file-or-reference' }>,
  deps: SourceDeps,
): Promise<LoadedTaskDefinition> {
  const text = await readTextFile(source.filePath);
  if (text !== undefined) return parseTaskDefinitionFile(source.filePath, text);

  if (source.reference === undefined) {
    throw new InputError(
      'task-definition',
      `no file at ${source.filePath}, and "${source.value}" is not a family, family:revision or ARN. Check the path: a relative path is read from GITHUB_WORKSPACE.`,
    );
  }
  deps.logger.debug(`No file at ${source.filePath}, so reading "${source.reference}" as a family or family:revision.`);
  try {
    return await describeTaskDefinition(source.reference, deps.ecs(), deps.logger);
  } catch (error) {
    // The value may have been meant as a file name without an extension, so the message names the path tried.
    if (error instanceof TaskDefinitionNotFoundError) {
      throw new ActionError(`${error.message} No file exists at ${source.filePath} either.`, { cause: error });
    }
    throw error;
  }
}

/** Returns the file's text, or undefined when nothing exists at the path. */
async function readTextFile(filePath: string): Promise<string | undefined> {
  try {
    return await readFile(filePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EISDIR') throw new InputError('task-definition', `${filePath} is a directory. Point it at a JSON or YAML task definition file.`);
    throw new ActionError(`Could not read task definition file ${filePath}: ${errorMessage(error)}`, { cause: error });
  }
}

async function describeTaskDefinition(reference: string, ecs: EcsConnection, logger: Logger): Promise<LoadedTaskDefinition> {
  let response;
  try {
    response = await ecs.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: reference, include: ['TAGS'] }));
  } catch (error) {
    // ECS rejects a family or revision it does not have with ClientException "Unable to describe
    // task definition." rather than with a not-found error of its own.
    if (errorName(error) === 'ClientException') throw new TaskDefinitionNotFoundError(await taskDefinitionNotFoundMessage(reference, error, ecs, logger));
    throw explainAwsError(error, 'DescribeTaskDefinition');
  }

  const taskDefinition = response.taskDefinition;
  if (!taskDefinition?.taskDefinitionArn) {
    throw new ActionError(`DescribeTaskDefinition returned no task definition for "${reference}" (${ecs.region}).`);
  }
  const label = `${taskDefinition.family}:${taskDefinition.revision}`;
  logger.debug(`Read task definition ${label} (${taskDefinition.taskDefinitionArn}).`);

  const loaded: LoadedTaskDefinition = {
    // NOTE: the AWS SDK keeps only the fields its models know, so a field that ECS added after the
    // bundled @aws-sdk/client-ecs version is lost on this path. Validation reports such a field in a
    // file as unknown, because RegisterTaskDefinition through the same SDK would drop it too.
    document: taskDefinition as unknown as TaskDefinitionDocument,
    arn: taskDefinition.taskDefinitionArn,
    label,
    origin: `task definition ${reference}`,
  };
  if (response.tags !== undefined) loaded.tags = response.tags;
  return loaded;
}

/**
 * Parses a task definition file in JSON or YAML. It may hold a task definition (the
 * RegisterTaskDefinition shape) or a whole DescribeTaskDefinition response, whose `tags` are then
 * kept. Errors name the absolute path, and the line and column of a syntax error.
 */
export function parseTaskDefinitionFile(filePath: string, text: string): LoadedTaskDefinition {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const syntaxError = document.errors[0];
  if (syntaxError) {
    const position = syntaxError instanceof YAMLParseError ? syntaxError.linePos?.[0] : undefined;
    const where = position ? ` at line ${position.line}, column ${position.col}` : '';
    throw new InputError('task-definition', `${filePath} is not valid JSON or YAML${where}: ${syntaxError.message.split('\n')[0]}`);
  }

  const root: unknown = document.toJS();
  if (!isObject(root)) {
    throw new InputError('task-definition', `${filePath} must contain a task definition object, but its root is ${describeType(root)}.`);
  }

  const isDescribeResponse = isObject(root.taskDefinition) && root.containerDefinitions === undefined;
  const taskDefinition = isDescribeResponse ? (root.taskDefinition as TaskDefinitionDocument) : root;
  checkTaskDefinitionShape(filePath, taskDefinition);

  const loaded: LoadedTaskDefinition = { document: taskDefinition, label: filePath, origin: `file ${filePath}` };
  if (isDescribeResponse && root.tags !== undefined) {
    if (!Array.isArray(root.tags)) throw new InputError('task-definition', `${filePath}: "tags" must be a list of {key, value}, but it is ${describeType(root.tags)}.`);
    loaded.tags = root.tags as Tag[];
  }
  return loaded;
}

function checkTaskDefinitionShape(filePath: string, taskDefinition: TaskDefinitionDocument): void {
  if (typeof taskDefinition.family !== 'string' || taskDefinition.family.trim() === '') {
    throw new InputError('task-definition', `${filePath} has no "family". A task definition needs a family name and containerDefinitions.`);
  }
  const containers = taskDefinition.containerDefinitions;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw new InputError('task-definition', `${filePath} has no "containerDefinitions" list. A task definition needs at least one container.`);
  }
  containers.forEach((container: unknown, index) => {
    if (!isObject(container) || typeof container.name !== 'string') {
      throw new InputError('task-definition', `${filePath}: containerDefinitions[${index}] has no "name". Every container needs a name.`);
    }
  });
}

async function clusterNotFoundMessage(cluster: string, ecs: EcsConnection, logger: Logger): Promise<string> {
  const listed = await listNames(logger, 'ListClusters', async (nextToken) => {
    const page = await ecs.client.send(new ListClustersCommand({ maxResults: PAGE_SIZE, nextToken }));
    return { names: (page.clusterArns ?? []).map(lastPathPart), nextToken: page.nextToken };
  });
  const message = `Cluster "${cluster}" not found (${ecs.region}).`;
  if (listed === undefined) return message;
  if (listed.names.length === 0) return `${message} This account has no clusters in this region.`;
  return `${message} Clusters in this region: ${formatNameList(listed)}.${suggestion(cluster, listed.names)}`;
}

async function serviceNotFoundMessage(cluster: string, service: string, ecs: EcsConnection, logger: Logger): Promise<string> {
  const listed = await listNames(logger, 'ListServices', async (nextToken) => {
    const page = await ecs.client.send(new ListServicesCommand({ cluster, maxResults: PAGE_SIZE, nextToken }));
    return { names: (page.serviceArns ?? []).map(lastPathPart), nextToken: page.nextToken };
  });
  const message = `Service "${service}" not found in cluster "${cluster}" (${ecs.region}).`;
  if (listed === undefined) return message;
  if (listed.names.length === 0) return `${message} This cluster has no services.`;
  return `${message} Services in this cluster: ${formatNameList(listed)}.${suggestion(service, listed.names)}`;
}

async function taskDefinitionNotFoundMessage(reference: string, error: unknown, ecs: EcsConnection, logger: Logger): Promise<string> {
  const family = familyOf(reference);
  const tried = `Task definition "${reference}" not found in ${ecs.region} (DescribeTaskDefinition: ${errorMessage(error)})`;
  const listed = await listNames(logger, 'ListTaskDefinitionFamilies', async (nextToken) => {
    const page = await ecs.client.send(new ListTaskDefinitionFamiliesCommand({ status: 'ACTIVE', maxResults: PAGE_SIZE, nextToken }));
    return { names: page.families ?? [], nextToken: page.nextToken };
  });
  if (listed === undefined) return `${tried}. Check the family and revision.`;
  if (listed.names.includes(family)) {
    return `${tried}. The family "${family}" exists, so the revision is missing or deregistered. Set the family alone to use its latest active revision.`;
  }
  if (listed.names.length === 0) return `${tried}. This account has no active task definition families in this region.`;
  return `${tried}. Active families: ${formatNameList(listed)}.${suggestion(family, listed.names)}`;
}

/** Names listed for an error message, sorted. `complete` is false when listing stopped at MAX_LIST_PAGES. */
interface ListedNames {
  names: string[];
  complete: boolean;
}

/**
 * Lists names for an error message. Returns undefined when listing fails, because the message
 * about the missing resource matters more than the list. The failure goes to the debug log.
 */
async function listNames(
  logger: Logger,
  operation: string,
  listPage: (nextToken: string | undefined) => Promise<{ names: string[]; nextToken: string | undefined }>,
): Promise<ListedNames | undefined> {
  const names: string[] = [];
  let nextToken: string | undefined;
  try {
    for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
      const result = await listPage(nextToken);
      names.push(...result.names);
      nextToken = result.nextToken;
      if (!nextToken) break;
    }
  } catch (error) {
    logger.debug(`${operation} failed, so the message lists no names: ${errorMessage(error)}`);
    return undefined;
  }
  return { names: names.sort(), complete: !nextToken };
}

/** Returns ` Did you mean "X"?` when a name is close enough to be a likely typo of `name`, else ''. */
function suggestion(name: string, names: readonly string[]): string {
  const closest = closeName(name, names);
  return closest === undefined ? '' : ` Did you mean "${closest}"?`;
}

function formatNameList(listed: ListedNames): string {
  const { names } = listed;
  const more = listed.complete ? '' : ' (listing stopped early)';
  if (names.length <= MAX_NAMES_SHOWN) return `${names.join(', ')}${more}`;
  return `${names.slice(0, MAX_NAMES_SHOWN).join(', ')} and ${names.length - MAX_NAMES_SHOWN} more${more}`;
}

function familyOf(reference: string): string {
  const resource = reference.split('/').pop() ?? reference;
  return resource.split(':')[0] ?? resource;
}

function lastPathPart(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
