import { InputError } from '@ecs-deploy-kit/shared';

import { closestName } from './suggest.ts';

/**
 * A task definition as JSON: typed only where this action reads it, so fields newer than this
 * code pass through unchanged.
 */
export type TaskDefinitionDocument = Record<string, unknown>;

/** A task definition tag as DescribeTaskDefinition returns it and RegisterTaskDefinition accepts it. */
export interface Tag {
  key?: string;
  value?: string;
}

/**
 * Fields DescribeTaskDefinition returns that RegisterTaskDefinition rejects, because ECS sets
 * them when it registers a revision.
 */
export const READ_ONLY_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
] as const;

export interface RenderRequest {
  containerName?: string;
  image?: string;
  environment: ReadonlyMap<string, string>;
  secrets: ReadonlyMap<string, string>;
}

/** Names of variables or secrets, grouped by what rendering did to them. It contains no values. */
export interface NameChanges {
  added: string[];
  changed: string[];
  unchanged: string[];
  /** Names removed because the same name is now set in the other list (environment or secrets). */
  removed: string[];
}

export interface ContainerChanges {
  containerName: string;
  previousImage?: string;
  image?: string;
  environment: NameChanges;
  secrets: NameChanges;
}

export interface RenderedTaskDefinition {
  taskDefinition: TaskDefinitionDocument;
  family: string;
  /** Read-only fields that were present in the source and removed, in READ_ONLY_FIELDS order. */
  strippedFields: string[];
  /** Changes to the container named in the request, or undefined when no container was named. */
  container?: ContainerChanges;
  /** Image of the named container, else of the only container, else undefined. */
  image?: string;
}

interface NamedEntry {
  name?: string;
  [field: string]: unknown;
}

/**
 * Renders a task definition ready for RegisterTaskDefinition: removes the read-only fields, adds
 * `tags`, and sets the image, environment and secrets of the named container. Works on a copy
 * and keeps every other field, known or not. `label` names the source in error messages.
 */
export function renderTaskDefinition(
  source: TaskDefinitionDocument,
  tags: readonly Tag[] | undefined,
  request: RenderRequest,
  label: string,
): RenderedTaskDefinition {
  const taskDefinition = structuredClone(source);

  const strippedFields: string[] = [];
  for (const field of READ_ONLY_FIELDS) {
    if (field in taskDefinition) {
      delete taskDefinition[field];
      strippedFields.push(field);
    }
  }
  if (tags !== undefined && tags.length > 0 && taskDefinition.tags === undefined) {
    taskDefinition.tags = tags.map((tag) => ({ ...tag }));
  }

  const containers = containerDefinitions(taskDefinition);
  const rendered: RenderedTaskDefinition = { taskDefinition, family: String(taskDefinition.family), strippedFields };
  if (request.containerName === undefined) {
    const only = containers.length === 1 ? containers[0] : undefined;
    if (typeof only?.image === 'string') rendered.image = only.image;
    return rendered;
  }

  const container = findContainer(containers, request.containerName, label);
  rendered.container = updateContainer(container, request);
  if (typeof container.image === 'string') rendered.image = container.image;
  return rendered;
}

function containerDefinitions(taskDefinition: TaskDefinitionDocument): NamedEntry[] {
  const containers = taskDefinition.containerDefinitions;
  return Array.isArray(containers) ? (containers as NamedEntry[]) : [];
}

function findContainer(containers: NamedEntry[], name: string, label: string): NamedEntry {
  const container = containers.find((candidate) => candidate.name === name);
  if (container) return container;

  const names = containers.map((candidate) => String(candidate.name));
  if (names.length === 0) throw new InputError('container-name', `"${name}" not found: task definition ${label} has no containers.`);
  const suggestion = closestName(name, names);
  throw new InputError(
    'container-name',
    `"${name}" is not a container in task definition ${label}. Containers in it: ${names.join(', ')}. Did you mean "${suggestion}"?`,
  );
}

function updateContainer(container: NamedEntry, request: RenderRequest): ContainerChanges {
  const changes: ContainerChanges = {
    containerName: String(container.name),
    environment: emptyNameChanges(),
    secrets: emptyNameChanges(),
  };
  if (typeof container.image === 'string') changes.previousImage = container.image;
  if (request.image !== undefined) container.image = request.image;
  if (typeof container.image === 'string') changes.image = container.image;

  // A name set in one list is removed from the other first: ECS rejects a container that has
  // the same name in both environment and secrets.
  changes.secrets.removed = removeEntries(container, 'secrets', request.environment.keys());
  changes.environment.removed = removeEntries(container, 'environment', request.secrets.keys());

  mergeEntries(container, 'environment', 'value', request.environment, changes.environment);
  mergeEntries(container, 'secrets', 'valueFrom', request.secrets, changes.secrets);
  return changes;
}

function emptyNameChanges(): NameChanges {
  return { added: [], changed: [], unchanged: [], removed: [] };
}

function entriesOf(container: NamedEntry, list: 'environment' | 'secrets'): NamedEntry[] {
  const entries = container[list];
  return Array.isArray(entries) ? (entries as NamedEntry[]) : [];
}

function removeEntries(container: NamedEntry, list: 'environment' | 'secrets', names: Iterable<string>): string[] {
  const remove = new Set(names);
  const entries = entriesOf(container, list);
  const removed = [...new Set(entries.filter((entry) => remove.has(String(entry.name))).map((entry) => String(entry.name)))];
  if (removed.length > 0) container[list] = entries.filter((entry) => !remove.has(String(entry.name)));
  return removed;
}

/**
 * Sets each value by name: every existing entry of that name is updated in place, so the order
 * of the container's list stays as it was, and new names are appended in input order.
 */
function mergeEntries(
  container: NamedEntry,
  list: 'environment' | 'secrets',
  valueField: 'value' | 'valueFrom',
  values: ReadonlyMap<string, string>,
  changes: NameChanges,
): void {
  if (values.size === 0) return;
  const entries = entriesOf(container, list);
  for (const [name, value] of values) {
    const existing = entries.filter((entry) => entry.name === name);
    if (existing.length === 0) {
      entries.push({ name, [valueField]: value });
      changes.added.push(name);
      continue;
    }
    const differs = existing.some((entry) => entry[valueField] !== value);
    for (const entry of existing) entry[valueField] = value;
    (differs ? changes.changed : changes.unchanged).push(name);
  }
  container[list] = entries;
}
