import type { Shape, ShapeModel, StructureShape } from './shape.ts';

// Schema identifiers and sentinels of Smithy's static schemas, as declared in @smithy/types 4.20
// (dist-types/schema/static-schemas.d.ts and sentinels.d.ts).
const SIMPLE = 0;
const LIST = 1;
const MAP = 2;
const STRUCTURE = 3;
const UNION = 4;
const LIST_MODIFIER = 0b0100_0000;
const MAP_MODIFIER = 0b1000_0000;
const SENTINELS: Record<number, Shape> = {
  0b0000_0000: 'string',
  0b0000_0001: 'number',
  0b0000_0010: 'boolean',
  0b0000_0100: 'timestamp',
  0b0000_0101: 'timestamp',
  0b0000_0110: 'timestamp',
  0b0000_0111: 'timestamp',
  0b0000_1111: 'document',
  0b0001_0001: 'number',
  0b0001_0011: 'number',
  0b0001_0101: 'blob',
  0b0010_1010: 'blob',
};

/** A reference to a schema in the SDK: a sentinel number, a thunk, a member `[ref, traits]` or a static schema array. */
type SchemaReference = unknown;

/**
 * Walks a structure schema of the AWS SDK (for example `RegisterTaskDefinitionRequest$` of
 * @aws-sdk/client-ecs) and returns every structure it reaches, by shape name.
 */
export function shapeModelFromSchema(rootSchema: SchemaReference, sdkVersion: string): ShapeModel {
  const structures: Record<string, StructureShape> = {};

  const describe = (reference: SchemaReference): Shape => {
    const schema = resolve(reference);
    if (typeof schema === 'number') return describeSentinel(schema);
    if (!Array.isArray(schema)) throw new Error(`Unexpected schema reference: ${String(schema)}`);

    const kind = schema[0] as number;
    const name = schema[2] as string;
    switch (kind) {
      case SIMPLE:
        return describe(schema[4]);
      case LIST:
        return { list: describe(schema[4]) };
      case MAP:
        return { map: describe(schema[5]) };
      case STRUCTURE:
      case UNION: {
        if (!(name in structures)) {
          // Registered before its members are walked, so a recursive shape ends the walk.
          const structure: StructureShape = { required: [], members: {} };
          structures[name] = structure;
          const memberNames = schema[4] as string[];
          const memberSchemas = schema[5] as SchemaReference[];
          // The optional last element of a static structure schema counts its required members,
          // which come first. Inferred from the schemas of @aws-sdk/client-ecs 3.1178 (Secret$ ends
          // with 2 for name and valueFrom), and a unit test checks the required members it gives.
          const requiredCount = kind === STRUCTURE && typeof schema[6] === 'number' ? schema[6] : 0;
          memberNames.forEach((member, index) => {
            structure.members[member] = describe(memberSchemas[index]);
          });
          structure.required = memberNames.slice(0, requiredCount);
        }
        return { structure: name };
      }
      default:
        throw new Error(`Unsupported schema kind ${kind} for ${name}`);
    }
  };

  const root = describe(rootSchema);
  if (typeof root !== 'object' || !('structure' in root)) throw new Error('The root schema is not a structure.');
  return { sdkVersion, root: root.structure, structures: sortKeys(structures) };
}

/** Renders the TypeScript source of src/generated/register-task-definition-shape.ts. */
export function renderShapeModule(model: ShapeModel): string {
  return [
    '// Generated from the RegisterTaskDefinitionRequest schema of @aws-sdk/client-ecs by',
    '// scripts/generate-shape.ts. Do not edit: run `pnpm run generate-shape` after updating the SDK.',
    "import type { ShapeModel } from '../shape.ts';",
    '',
    `export const REGISTER_TASK_DEFINITION_SHAPE: ShapeModel = ${JSON.stringify(model, null, 2)};`,
    '',
  ].join('\n');
}

function resolve(reference: SchemaReference): unknown {
  let current = reference;
  for (;;) {
    if (typeof current === 'function') {
      current = (current as () => unknown)();
    } else if (Array.isArray(current) && current.length === 2) {
      // A member schema: [target, traits].
      current = current[0];
    } else {
      return current;
    }
  }
}

function describeSentinel(sentinel: number): Shape {
  if (sentinel & LIST_MODIFIER) return { list: describeSentinel(sentinel & ~LIST_MODIFIER) };
  if (sentinel & MAP_MODIFIER) return { map: describeSentinel(sentinel & ~MAP_MODIFIER) };
  const shape = SENTINELS[sentinel];
  if (shape === undefined) throw new Error(`Unknown schema sentinel ${sentinel}`);
  return shape;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
