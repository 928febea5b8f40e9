import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { RegisterTaskDefinitionRequest$, TaskDefinition$ } from '@aws-sdk/client-ecs';
import { describe, expect, it } from '@jest/globals';

import { REGISTER_TASK_DEFINITION_SHAPE } from '../src/generated/register-task-definition-shape.ts';
import { READ_ONLY_FIELDS } from '../src/render.ts';
import { renderShapeModule, shapeModelFromSchema } from '../src/shape-generator.ts';

const require = createRequire(import.meta.url);
const GENERATED = new URL('../src/generated/register-task-definition-shape.ts', import.meta.url);

describe('generated RegisterTaskDefinition shape', () => {
  it('matches the installed SDK', () => {
    const { version } = require('@aws-sdk/client-ecs/package.json') as { version: string };

    const expected = renderShapeModule(shapeModelFromSchema(RegisterTaskDefinitionRequest$, version));

    // When this fails, run `pnpm run generate-shape` in actions/ecs-render-taskdef and commit the result.
    expect(readFileSync(GENERATED, 'utf8')).toBe(expected);
  });

  it('describes the members validation relies on', () => {
    const { structures, root } = REGISTER_TASK_DEFINITION_SHAPE;

    expect(root).toBe('RegisterTaskDefinitionRequest');
    expect(structures.RegisterTaskDefinitionRequest?.required).toEqual(['family', 'containerDefinitions']);
    expect(structures.RegisterTaskDefinitionRequest?.members.containerDefinitions).toEqual({ list: { structure: 'ContainerDefinition' } });
    expect(structures.ContainerDefinition?.members.memoryReservation).toBe('number');
    expect(structures.ContainerDefinition?.members.dockerLabels).toEqual({ map: 'string' });
    expect(structures.Secret?.required).toEqual(['name', 'valueFrom']);
    expect(structures.PortMapping?.members.containerPort).toBe('number');
  });

  it('lists as read-only exactly the fields ECS adds', () => {
    const described = shapeModelFromSchema(TaskDefinition$, 'any').structures.TaskDefinition;
    const accepted = REGISTER_TASK_DEFINITION_SHAPE.structures.RegisterTaskDefinitionRequest;

    const added = Object.keys(described?.members ?? {}).filter((member) => !(member in (accepted?.members ?? {})));

    expect(added.sort()).toEqual([...READ_ONLY_FIELDS].sort());
  });
});
