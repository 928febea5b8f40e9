/**
 * Fields DescribeTaskDefinition returns that RegisterTaskDefinition rejects, because ECS sets
 * them when it registers a revision. ecs-render-taskdef's shape test checks this list against
 * the SDK's schemas: the members of TaskDefinition that RegisterTaskDefinitionRequest lacks.
 */
export const READ_ONLY_TASK_DEFINITION_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
] as const;
