// Writes src/generated/register-task-definition-shape.ts from the schema of the installed
// @aws-sdk/client-ecs. Run with Node 24 from the action folder: `pnpm run generate-shape`.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';

import { RegisterTaskDefinitionRequest$ } from '@aws-sdk/client-ecs';

import { renderShapeModule, shapeModelFromSchema } from '../src/shape-generator.ts';

const require = createRequire(import.meta.url);
const { version } = require('@aws-sdk/client-ecs/package.json') as { version: string };
const target = new URL('../src/generated/register-task-definition-shape.ts', import.meta.url);
writeFileSync(target, renderShapeModule(shapeModelFromSchema(RegisterTaskDefinitionRequest$, version)));
console.log(`Wrote ${target.pathname} from @aws-sdk/client-ecs ${version}.`);
