import { readFileSync } from 'node:fs';

import type { Tag, TaskDefinitionDocument } from '../src/render.ts';

export const FIXTURE_PATH = new URL('./fixtures/describe-task-definition.json', import.meta.url).pathname;

interface DescribeTaskDefinitionFixture {
  taskDefinition: TaskDefinitionDocument;
  tags: Tag[];
}

/** Reads a fresh copy of the quiz-backend DescribeTaskDefinition response. */
export function describeTaskDefinitionFixture(): DescribeTaskDefinitionFixture {
  return JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as DescribeTaskDefinitionFixture;
}

/** Reads a fresh copy of the quiz-backend DescribeServices response. */
export function describeServicesFixture(): { services: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(new URL('./fixtures/describe-services.json', import.meta.url), 'utf8')) as { services: Record<string, unknown>[] };
}

/** Returns the plain environment values of the fixture, which must never appear in a log, summary or output. */
export function fixtureEnvironmentValues(): string[] {
  const { taskDefinition } = describeTaskDefinitionFixture();
  const containers = taskDefinition.containerDefinitions as { environment: { value: string }[] }[];
  return containers.flatMap((container) => container.environment.map((entry) => entry.value));
}
