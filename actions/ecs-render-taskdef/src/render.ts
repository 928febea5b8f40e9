import { InputError, READ_ONLY_TASK_DEFINITION_FIELDS } from '@ecs-deploy-kit/shared';

import type { ContainerRequest, ListMode } from './inputs.ts';
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

/** The read-only fields this action strips; the list is shared with ecs-deploy-wait. */
export const READ_ONLY_FIELDS = READ_ONLY_TASK_DEFINITION_FIELDS;

export interface RenderRequest {
  containers: readonly ContainerRequest[];
  /** The input that named the containers, for error messages (default container-name). */
  containerInput?: string;
  environmentMode: ListMode;
  secretsMode: ListMode;
  tags: ReadonlyMap<string, string>;
}

interface NamedEntry {
  name?: string;
  [field: string]: unknown;
}

/** Returns a copy without the read-only fields, and the names of those that were present, in READ_ONLY_FIELDS order. */
export function stripReadOnlyFields(source: TaskDefinitionDocument): { document: TaskDefinitionDocument; strippedFields: string[] } {
  const document = { ...source };
  const strippedFields: string[] = [];
  for (const field of READ_ONLY_FIELDS) {
    if (field in document) {
      delete document[field];
      strippedFields.push(field);
    }
  }
  return { document, strippedFields };
}

/**
 * Adds the source revision's tags to a task definition that has none of its own, since
 * DescribeTaskDefinition returns them beside the task definition rather than in it.
 */
export function withSourceTags(document: TaskDefinitionDocument, tags: readonly Tag[] | undefined): TaskDefinitionDocument {
  if (tags === undefined || tags.length === 0 || document.tags !== undefined) return document;
  return { ...document, tags: tags.map((tag) => ({ ...tag })) };
}

/**
 * Applies the requested changes to a copy of a validated task definition: each named
 * container's image, environment and secrets, and the tags. Every other field, known or not,
 * is kept. `label` names the source in error messages.
 */
export function applyChanges(source: TaskDefinitionDocument, request: RenderRequest, label: string): TaskDefinitionDocument {
  const taskDefinition = structuredClone(source);
  const containers = containerDefinitions(taskDefinition);

  for (const containerRequest of request.containers) {
    const container = findContainer(containers, containerRequest.name, label, request.containerInput ?? 'container-name');
    updateContainer(container, containerRequest, request);
  }

  if (request.tags.size > 0) taskDefinition.tags = mergeTags(taskDefinition.tags, request.tags);
  return taskDefinition;
}

/** Returns the image of the first requested container, else of the only container, else undefined. */
export function primaryImage(taskDefinition: TaskDefinitionDocument, containerNames: readonly string[]): string | undefined {
  const containers = containerDefinitions(taskDefinition);
  let container: NamedEntry | undefined;
  if (containerNames.length > 0) container = containers.find((candidate) => candidate.name === containerNames[0]);
  else if (containers.length === 1) container = containers[0];
  return typeof container?.image === 'string' ? container.image : undefined;
}

export function containerDefinitions(taskDefinition: TaskDefinitionDocument): NamedEntry[] {
  const containers = taskDefinition.containerDefinitions;
  return Array.isArray(containers) ? (containers as NamedEntry[]) : [];
}

function findContainer(containers: NamedEntry[], name: string, label: string, input: string): NamedEntry {
  const container = containers.find((candidate) => candidate.name === name);
  if (container) return container;

  const names = containers.map((candidate) => String(candidate.name));
  if (names.length === 0) throw new InputError(input, `"${name}" not found: task definition ${label} has no containers.`);
  // A task definition has few containers, so the closest name is worth suggesting however far it is.
  const suggestion = closestName(name, names);
  throw new InputError(input, `"${name}" is not a container in task definition ${label}. Containers in it: ${names.join(', ')}. Did you mean "${suggestion}"?`);
}

function updateContainer(container: NamedEntry, request: ContainerRequest, modes: RenderRequest): void {
  if (request.image !== undefined) container.image = request.image;

  // A name set in one list is removed from the other first: ECS rejects a container that has
  // the same name in both environment and secrets.
  removeEntries(container, 'secrets', request.environment.keys());
  removeEntries(container, 'environment', request.secrets.keys());

  removeEntries(container, 'environment', request.environmentRemove);
  removeEntries(container, 'secrets', request.secretsRemove);

  setEntries(container, 'environment', 'value', request.environment, modes.environmentMode);
  setEntries(container, 'secrets', 'valueFrom', request.secrets, modes.secretsMode);
}

function entriesOf(container: NamedEntry, list: 'environment' | 'secrets'): NamedEntry[] {
  const entries = container[list];
  return Array.isArray(entries) ? (entries as NamedEntry[]) : [];
}

function removeEntries(container: NamedEntry, list: 'environment' | 'secrets', names: Iterable<string>): void {
  const remove = new Set(names);
  if (remove.size === 0 || container[list] === undefined) return;
  container[list] = entriesOf(container, list).filter((entry) => !remove.has(String(entry.name)));
}

/**
 * In merge mode, sets each value by name: every existing entry of that name is updated in place,
 * so the order of the container's list stays as it was, and new names are appended in input
 * order. In exclusive mode the list becomes exactly the given entries.
 */
function setEntries(container: NamedEntry, list: 'environment' | 'secrets', valueField: 'value' | 'valueFrom', values: ReadonlyMap<string, string>, mode: ListMode): void {
  if (mode === 'exclusive') {
    container[list] = [...values].map(([name, value]) => ({ name, [valueField]: value }));
    return;
  }
  if (values.size === 0) return;

  const entries = entriesOf(container, list);
  for (const [name, value] of values) {
    const existing = entries.filter((entry) => entry.name === name);
    if (existing.length === 0) entries.push({ name, [valueField]: value });
    for (const entry of existing) entry[valueField] = value;
  }
  container[list] = entries;
}

/** Keeps the existing tags in order, overrides values by key and appends new keys in input order. */
function mergeTags(existing: unknown, tags: ReadonlyMap<string, string>): Tag[] {
  const merged = Array.isArray(existing) ? (existing as Tag[]).map((tag) => ({ ...tag })) : [];
  for (const [key, value] of tags) {
    const tag = merged.find((candidate) => candidate.key === key);
    if (tag) tag.value = value;
    else merged.push({ key, value });
  }
  return merged;
}
