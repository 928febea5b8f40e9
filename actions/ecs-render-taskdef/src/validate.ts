import { ActionError } from '@ecs-deploy-kit/shared';

import { REGISTER_TASK_DEFINITION_SHAPE } from './generated/register-task-definition-shape.ts';
import type { TaskDefinitionDocument } from './render.ts';
import type { Shape, ShapeModel, StructureShape } from './shape.ts';
import { closeName } from './suggest.ts';

/** Handling of a key that RegisterTaskDefinition does not have, which the SDK would drop without a word. */
export type UnknownFieldsMode = 'fail' | 'warn';

export interface ValidatedTaskDefinition {
  /** A copy with nulls removed, numeric and boolean strings converted, and (in warn mode) unknown keys removed. */
  document: TaskDefinitionDocument;
  /** One message per unknown key, with its path and a suggestion. Filled in warn mode only: in fail mode they fail. */
  unknownFields: string[];
  /** Paths whose value was converted to the member's type, e.g. `containerDefinitions[0].portMappings[0].containerPort`. */
  converted: string[];
  /** Paths of null values, removed because null means absent. */
  nullsRemoved: string[];
}

/**
 * Members ECS requires although the SDK model marks them optional: RegisterTaskDefinition
 * rejects a container without a name or an image.
 */
const REQUIRED_BY_ECS: Record<string, string[]> = { ContainerDefinition: ['name', 'image'] };

/**
 * Structures whose list entries are named by their `name` member in paths, and whose values are
 * never printed, because environment values may hold credentials.
 */
const NAMED_ENTRIES = new Set(['KeyValuePair', 'Secret']);

// NOTE: Smithy's static schemas use one sentinel for every numeric type, so integer members
// accept a fraction here and ECS rejects it at registration.
const NUMBER = /^-?\d+(\.\d+)?$/;
const MAX_SHOWN_VALUE_LENGTH = 60;

/**
 * Checks a task definition against the RegisterTaskDefinition input shape and returns a
 * normalized copy. Throws one ActionError listing every problem with its JSON path. `label` names
 * the task definition in the message.
 */
export function validateTaskDefinition(
  source: TaskDefinitionDocument,
  label: string,
  unknownFieldsMode: UnknownFieldsMode,
  model: ShapeModel = REGISTER_TASK_DEFINITION_SHAPE,
): ValidatedTaskDefinition {
  const walker = new ShapeWalker(model, unknownFieldsMode);
  const document = walker.structure(source, model.root, '', false) as TaskDefinitionDocument;

  if (walker.errors.length > 0) {
    const list = walker.errors.map((error) => `  - ${error}`).join('\n');
    throw new ActionError(
      `Task definition ${label} does not match the RegisterTaskDefinition input (@aws-sdk/client-ecs ${model.sdkVersion}), so nothing was rendered. ` +
        `Fix these fields, or set "unknown-fields: warn" to drop unknown ones:\n${list}`,
    );
  }
  return { document, unknownFields: walker.unknownFields, converted: walker.converted, nullsRemoved: walker.nullsRemoved };
}

class ShapeWalker {
  readonly errors: string[] = [];
  readonly unknownFields: string[] = [];
  readonly converted: string[] = [];
  readonly nullsRemoved: string[] = [];
  private readonly model: ShapeModel;
  private readonly unknownFieldsMode: UnknownFieldsMode;

  constructor(model: ShapeModel, unknownFieldsMode: UnknownFieldsMode) {
    this.model = model;
    this.unknownFieldsMode = unknownFieldsMode;
  }

  /** Returns the normalized value, or undefined when it is to be left out. `secret` hides the value in messages. */
  value(value: unknown, shape: Shape, path: string, secret: boolean): unknown {
    if (typeof shape === 'string') return this.scalar(value, shape, path, secret);
    if ('list' in shape) return this.list(value, shape.list, path, secret);
    if ('map' in shape) return this.map(value, shape.map, path, secret);
    return this.structure(value, shape.structure, path, secret);
  }

  structure(value: unknown, name: string, path: string, secret: boolean): unknown {
    const shape = this.model.structures[name] as StructureShape;
    if (!isObject(value)) {
      this.errors.push(`${display(path)}: expected an object (${name}), got ${describe(value, secret)}.`);
      return value;
    }
    const entrySecret = secret || NAMED_ENTRIES.has(name);
    const result: Record<string, unknown> = {};

    for (const [key, member] of Object.entries(value)) {
      const memberPath = path === '' ? key : `${path}.${key}`;
      if (member === null || member === undefined) {
        this.nullsRemoved.push(memberPath);
        continue;
      }
      const memberShape = shape.members[key];
      if (memberShape === undefined) {
        this.unknownField(memberPath, key, Object.keys(shape.members), name);
        continue;
      }
      const normalized = this.value(member, memberShape, memberPath, entrySecret);
      if (normalized !== undefined) result[key] = normalized;
    }

    for (const key of [...shape.required, ...(REQUIRED_BY_ECS[name] ?? [])]) {
      const memberPath = path === '' ? key : `${path}.${key}`;
      const member = result[key];
      if (member === undefined) this.errors.push(`${memberPath}: is required but missing.`);
      else if (typeof member === 'string' && member.trim() === '') this.errors.push(`${memberPath}: is required but empty.`);
    }
    return result;
  }

  private list(value: unknown, itemShape: Shape, path: string, secret: boolean): unknown {
    if (!Array.isArray(value)) {
      this.errors.push(`${display(path)}: expected a list, got ${describe(value, secret)}.`);
      return value;
    }
    const named = typeof itemShape === 'object' && 'structure' in itemShape && NAMED_ENTRIES.has(itemShape.structure);
    const result: unknown[] = [];
    value.forEach((item: unknown, index) => {
      const itemPath = `${path}[${named ? entryName(item, index) : index}]`;
      if (item === null || item === undefined) {
        this.nullsRemoved.push(itemPath);
        return;
      }
      result.push(this.value(item, itemShape, itemPath, secret));
    });
    return result;
  }

  private map(value: unknown, valueShape: Shape, path: string, secret: boolean): unknown {
    if (!isObject(value)) {
      this.errors.push(`${display(path)}: expected an object of names to values, got ${describe(value, secret)}.`);
      return value;
    }
    const result: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      const memberPath = `${path}.${key}`;
      if (member === null || member === undefined) {
        this.nullsRemoved.push(memberPath);
        continue;
      }
      result[key] = this.value(member, valueShape, memberPath, secret);
    }
    return result;
  }

  private scalar(value: unknown, shape: Shape & string, path: string, secret: boolean): unknown {
    switch (shape) {
      case 'string':
        if (typeof value === 'string') return value;
        if (typeof value === 'number' || typeof value === 'boolean') {
          this.converted.push(path);
          return String(value);
        }
        this.errors.push(`${path}: expected a string, got ${describe(value, secret)}.`);
        return value;
      case 'number':
        if (typeof value === 'number' && Number.isFinite(value)) return value;
        if (typeof value === 'string' && NUMBER.test(value.trim())) {
          this.converted.push(path);
          return Number(value.trim());
        }
        this.errors.push(`${path}: expected a number, got ${describe(value, secret)}.`);
        return value;
      case 'boolean':
        if (typeof value === 'boolean') return value;
        if (value === 'true' || value === 'false') {
          this.converted.push(path);
          return value === 'true';
        }
        this.errors.push(`${path}: expected true or false, got ${describe(value, secret)}.`);
        return value;
      default:
        // Documents, timestamps and blobs do not occur in RegisterTaskDefinition's input, so ECS checks them if they ever do.
        return value;
    }
  }

  private unknownField(path: string, key: string, known: string[], structure: string): void {
    const suggestion = closeName(key, known);
    const hint = suggestion === undefined ? '' : ` Did you mean "${suggestion}"?`;
    const message = `${path}: unknown field of ${structure}, which RegisterTaskDefinition would drop.${hint}`;
    if (this.unknownFieldsMode === 'fail') this.errors.push(message);
    else this.unknownFields.push(message);
  }
}

function entryName(item: unknown, index: number): string {
  return isObject(item) && typeof item.name === 'string' && item.name !== '' ? item.name : String(index);
}

function display(path: string): string {
  return path === '' ? 'the task definition' : path;
}

/** Describes a value for a message. `secret` values are described by type only. */
function describe(value: unknown, secret: boolean): string {
  const type = Array.isArray(value) ? 'a list' : isObject(value) ? 'an object' : `a ${typeof value}`;
  if (secret || isObject(value) || Array.isArray(value)) return type;
  const text = JSON.stringify(value);
  return text.length > MAX_SHOWN_VALUE_LENGTH ? `${text.slice(0, MAX_SHOWN_VALUE_LENGTH)}…` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
