/**
 * A compact description of an AWS API input shape, generated from the Smithy schema that
 * @aws-sdk/client-ecs ships (see src/shape-generator.ts). It keeps what validation needs: member
 * names, member types and which members are required. Enum values and length limits are not in
 * the SDK's schema, so ECS still checks those when the task definition is registered.
 */
export type Shape =
  | 'string'
  | 'number'
  | 'boolean'
  | 'timestamp'
  | 'document'
  | 'blob'
  | { list: Shape }
  | { map: Shape }
  | { structure: string };

export interface StructureShape {
  /** Members the model marks as required. */
  required: string[];
  members: Record<string, Shape>;
}

export interface ShapeModel {
  /** Version of @aws-sdk/client-ecs the model was generated from. */
  sdkVersion: string;
  root: string;
  structures: Record<string, StructureShape>;
}
