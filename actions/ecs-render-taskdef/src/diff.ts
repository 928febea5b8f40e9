import { containerDefinitions } from './render.ts';
import type { TaskDefinitionDocument } from './render.ts';

/** Names grouped by change. It contains names only: environment values may hold credentials. */
export interface NameDiff {
  added: string[];
  changed: string[];
  removed: string[];
}

/** A field whose value may be shown, e.g. cpu or memory. */
export interface ValueChange {
  field: string;
  before?: string;
  after?: string;
}

export interface ContainerDiff {
  name: string;
  image?: ValueChange;
  /** Container-level cpu, memory and memoryReservation. */
  resources: ValueChange[];
  environment: NameDiff;
  secrets: NameDiff;
  /** Other container fields that differ, by name only. */
  otherFields: string[];
}

export interface TaskDefinitionDiff {
  /** Task-level cpu and memory. */
  resources: ValueChange[];
  /** Containers with at least one change, in the rendered order. */
  containers: ContainerDiff[];
  containersAdded: string[];
  containersRemoved: string[];
  tags: NameDiff;
  /** Other top-level fields that differ, by name only. */
  otherFields: string[];
}

const TASK_RESOURCES = ['cpu', 'memory'];
const CONTAINER_RESOURCES = ['cpu', 'memory', 'memoryReservation'];
const CONTAINER_FIELDS_SHOWN = new Set(['name', 'image', 'environment', 'secrets', ...CONTAINER_RESOURCES]);
const TASK_FIELDS_SHOWN = new Set(['containerDefinitions', 'tags', ...TASK_RESOURCES]);

/** Compares two task definitions, reporting values only for images and resources and names for the rest. */
export function diffTaskDefinitions(before: TaskDefinitionDocument, after: TaskDefinitionDocument): TaskDefinitionDiff {
  const beforeContainers = new Map(containerDefinitions(before).map((container) => [String(container.name), container]));
  const afterContainers = containerDefinitions(after);
  const afterNames = new Set(afterContainers.map((container) => String(container.name)));

  const containers: ContainerDiff[] = [];
  for (const container of afterContainers) {
    const previous = beforeContainers.get(String(container.name));
    if (previous === undefined) continue;
    const diff = diffContainer(previous, container);
    if (hasChanges(diff)) containers.push(diff);
  }

  return {
    resources: valueChanges(before, after, TASK_RESOURCES),
    containers,
    containersAdded: [...afterNames].filter((name) => !beforeContainers.has(name)),
    containersRemoved: [...beforeContainers.keys()].filter((name) => !afterNames.has(name)),
    tags: diffNamed(before.tags, after.tags, 'key', 'value'),
    otherFields: otherFields(before, after, TASK_FIELDS_SHOWN),
  };
}

/** Returns true when the diff lists no change at all. */
export function isEmptyDiff(diff: TaskDefinitionDiff): boolean {
  return (
    diff.resources.length === 0 &&
    diff.containers.length === 0 &&
    diff.containersAdded.length === 0 &&
    diff.containersRemoved.length === 0 &&
    isEmptyNameDiff(diff.tags) &&
    diff.otherFields.length === 0
  );
}

export function isEmptyNameDiff(diff: NameDiff): boolean {
  return diff.added.length === 0 && diff.changed.length === 0 && diff.removed.length === 0;
}

function diffContainer(before: Record<string, unknown>, after: Record<string, unknown>): ContainerDiff {
  const diff: ContainerDiff = {
    name: String(after.name),
    resources: valueChanges(before, after, CONTAINER_RESOURCES),
    environment: diffNamed(before.environment, after.environment, 'name', 'value'),
    secrets: diffNamed(before.secrets, after.secrets, 'name', 'valueFrom'),
    otherFields: otherFields(before, after, CONTAINER_FIELDS_SHOWN),
  };
  const [image] = valueChanges(before, after, ['image']);
  if (image) diff.image = image;
  return diff;
}

function hasChanges(diff: ContainerDiff): boolean {
  return diff.image !== undefined || diff.resources.length > 0 || !isEmptyNameDiff(diff.environment) || !isEmptyNameDiff(diff.secrets) || diff.otherFields.length > 0;
}

function valueChanges(before: Record<string, unknown>, after: Record<string, unknown>, fields: string[]): ValueChange[] {
  const changes: ValueChange[] = [];
  for (const field of fields) {
    if (equal(before[field], after[field])) continue;
    const change: ValueChange = { field };
    if (before[field] !== undefined) change.before = String(before[field]);
    if (after[field] !== undefined) change.after = String(after[field]);
    changes.push(change);
  }
  return changes;
}

/** Compares lists of {name, value}-like entries by name. A name listed twice compares by its last entry. */
function diffNamed(before: unknown, after: unknown, keyField: string, valueField: string): NameDiff {
  const beforeValues = namedValues(before, keyField, valueField);
  const afterValues = namedValues(after, keyField, valueField);
  const diff: NameDiff = { added: [], changed: [], removed: [] };
  for (const [name, value] of afterValues) {
    if (!beforeValues.has(name)) diff.added.push(name);
    else if (beforeValues.get(name) !== value) diff.changed.push(name);
  }
  for (const name of beforeValues.keys()) {
    if (!afterValues.has(name)) diff.removed.push(name);
  }
  return diff;
}

function namedValues(list: unknown, keyField: string, valueField: string): Map<string, unknown> {
  const values = new Map<string, unknown>();
  if (!Array.isArray(list)) return values;
  for (const entry of list as Record<string, unknown>[]) values.set(String(entry?.[keyField]), entry?.[valueField]);
  return values;
}

function otherFields(before: Record<string, unknown>, after: Record<string, unknown>, shown: Set<string>): string[] {
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...fields].filter((field) => !shown.has(field) && !equal(before[field], after[field])).sort();
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
