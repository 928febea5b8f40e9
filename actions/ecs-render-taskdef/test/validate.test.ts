import { describe, expect, it } from '@jest/globals';
import { ActionError } from '@ecs-deploy-kit/shared';

import { stripReadOnlyFields, withSourceTags } from '../src/render.ts';
import type { TaskDefinitionDocument } from '../src/render.ts';
import { validateTaskDefinition } from '../src/validate.ts';
import { describeTaskDefinitionFixture, fixtureEnvironmentValues } from './helpers.ts';

const LABEL = 'quiz-backend-testing:41';

function source(): TaskDefinitionDocument {
  const { taskDefinition, tags } = describeTaskDefinitionFixture();
  return withSourceTags(stripReadOnlyFields(taskDefinition).document, tags);
}

function firstContainer(document: TaskDefinitionDocument): Record<string, unknown> {
  return (document.containerDefinitions as Record<string, unknown>[])[0] as Record<string, unknown>;
}

function validationError(document: TaskDefinitionDocument): Error {
  try {
    validateTaskDefinition(document, LABEL, 'fail');
  } catch (error) {
    if (error instanceof ActionError) return error;
    throw error;
  }
  throw new Error('validation passed');
}

describe('validateTaskDefinition', () => {
  it('accepts the quiz-backend revision unchanged', () => {
    const document = source();

    const validated = validateTaskDefinition(document, LABEL, 'fail');

    expect(validated.document).toEqual(document);
    expect(validated.converted).toEqual([]);
    expect(validated.unknownFields).toEqual([]);
  });

  it('keeps newer members the SDK knows', () => {
    const document = source();
    document.volumes = [{ name: 'data', configuredAtLaunch: true }];
    document.ephemeralStorage = { sizeInGiB: 30 };
    document.proxyConfiguration = { type: 'APPMESH', containerName: 'envoy', properties: [{ name: 'AppPorts', value: '8000' }] };

    const validated = validateTaskDefinition(document, LABEL, 'fail');

    expect(validated.document).toEqual(document);
  });

  it('rejects a misspelled key with its path and a suggestion', () => {
    const document = source();
    firstContainer(document).memoryReservaton = 512;

    const error = validationError(document);

    expect(error.message).toContain('Task definition quiz-backend-testing:41 does not match the RegisterTaskDefinition input (@aws-sdk/client-ecs 3.');
    expect(error.message).toContain(
      '  - containerDefinitions[0].memoryReservaton: unknown field of ContainerDefinition, which RegisterTaskDefinition would drop. Did you mean "memoryReservation"?',
    );
  });

  it('lists every problem at once', () => {
    const document = source();
    document.familly = 'x';
    firstContainer(document).essentail = true;

    const error = validationError(document);

    expect(error.message).toContain('  - familly: unknown field of RegisterTaskDefinitionRequest, which RegisterTaskDefinition would drop. Did you mean "family"?');
    expect(error.message).toContain('  - containerDefinitions[0].essentail: unknown field');
  });

  it('removes unknown keys with a warning in warn mode', () => {
    const document = source();
    firstContainer(document).memoryReservaton = 512;

    const validated = validateTaskDefinition(document, LABEL, 'warn');

    expect(firstContainer(validated.document)).not.toHaveProperty('memoryReservaton');
    expect(validated.unknownFields).toEqual([
      'containerDefinitions[0].memoryReservaton: unknown field of ContainerDefinition, which RegisterTaskDefinition would drop. Did you mean "memoryReservation"?',
    ]);
  });

  it('converts numeric strings for number members', () => {
    const document = source();
    firstContainer(document).portMappings = [{ containerPort: '8080', hostPort: ' 8080 ', protocol: 'tcp' }];
    firstContainer(document).memoryReservation = '512';

    const validated = validateTaskDefinition(document, LABEL, 'fail');

    expect(firstContainer(validated.document).portMappings).toEqual([{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }]);
    expect(firstContainer(validated.document).memoryReservation).toBe(512);
    expect([...validated.converted].sort()).toEqual([
      'containerDefinitions[0].memoryReservation',
      'containerDefinitions[0].portMappings[0].containerPort',
      'containerDefinitions[0].portMappings[0].hostPort',
    ]);
  });

  it('converts numbers and booleans written as the other type', () => {
    const document = source();
    document.cpu = 1024;
    firstContainer(document).essential = 'true';

    const validated = validateTaskDefinition(document, LABEL, 'fail');

    expect(validated.document.cpu).toBe('1024');
    expect(firstContainer(validated.document).essential).toBe(true);
  });

  it('rejects a non-numeric number with its path and value', () => {
    const document = source();
    firstContainer(document).portMappings = [{ containerPort: 'http' }];

    const error = validationError(document);

    expect(error.message).toContain('  - containerDefinitions[0].portMappings[0].containerPort: expected a number, got "http".');
  });

  it('names environment entries by name and never prints their values', () => {
    const document = source();
    const environment = firstContainer(document).environment as Record<string, unknown>[];
    (environment[0] as Record<string, unknown>).value = { nested: fixtureEnvironmentValues()[0] };
    (environment[1] as Record<string, unknown>).valu = 'https://cms.example.org';

    const error = validationError(document);

    expect(error.message).toContain('  - containerDefinitions[0].environment[MONGO_AUTH_CREDENTIALS].value: expected a string, got an object.');
    expect(error.message).toContain('  - containerDefinitions[0].environment[CMS_SERVICE_ENDPOINT].valu: unknown field of KeyValuePair');
    for (const value of [...fixtureEnvironmentValues(), 'https://cms.example.org']) expect(error.message).not.toContain(value);
  });

  it('never prints a secret valueFrom of the wrong type', () => {
    const document = source();
    firstContainer(document).secrets = [{ name: 'DB_PASSWORD', valueFrom: 12345678 }, { name: 'TOKEN', valueFrom: ['hunter2'] }];

    const error = validationError(document);

    expect(error.message).toContain('  - containerDefinitions[0].secrets[TOKEN].valueFrom: expected a string, got a list.');
    expect(error.message).not.toContain('hunter2');
  });

  it('treats null as absent', () => {
    const document = source();
    document.pidMode = null;
    firstContainer(document).memoryReservation = null;
    document.volumes = [null];

    const validated = validateTaskDefinition(document, LABEL, 'fail');

    expect(validated.document).not.toHaveProperty('pidMode');
    expect(firstContainer(validated.document)).not.toHaveProperty('memoryReservation');
    expect(validated.document.volumes).toEqual([]);
    expect([...validated.nullsRemoved].sort()).toEqual(['containerDefinitions[0].memoryReservation', 'pidMode', 'volumes[0]']);
  });

  it.each([
    ['an empty image', (document: TaskDefinitionDocument) => (firstContainer(document).image = ''), 'containerDefinitions[0].image: is required but empty.'],
    ['a missing image', (document: TaskDefinitionDocument) => delete firstContainer(document).image, 'containerDefinitions[0].image: is required but missing.'],
    ['an empty family', (document: TaskDefinitionDocument) => (document.family = ' '), 'family: is required but empty.'],
    [
      'a secret without valueFrom',
      (document: TaskDefinitionDocument) => (firstContainer(document).secrets = [{ name: 'DB_PASSWORD', valueFrom: null }]),
      'containerDefinitions[0].secrets[DB_PASSWORD].valueFrom: is required but missing.',
    ],
    ['a list given as an object', (document: TaskDefinitionDocument) => (document.volumes = { name: 'data' }), 'volumes: expected a list, got an object.'],
    ['an object given as a string', (document: TaskDefinitionDocument) => (document.runtimePlatform = 'ARM64'), 'runtimePlatform: expected an object (RuntimePlatform), got "ARM64".'],
    ['a bad boolean', (document: TaskDefinitionDocument) => (firstContainer(document).essential = 'yes'), 'containerDefinitions[0].essential: expected true or false, got "yes".'],
  ])('rejects %s with its path', (_case, change, message) => {
    const document = source();
    change(document);

    expect(validationError(document).message).toContain(`  - ${message}`);
  });
});
