import { describe, expect, it } from '@jest/globals';
import { InputError } from '@ecs-deploy-kit/shared';

import type { ContainerRequest } from '../src/inputs.ts';
import { READ_ONLY_FIELDS, applyChanges, primaryImage, stripReadOnlyFields, withSourceTags } from '../src/render.ts';
import type { RenderRequest, TaskDefinitionDocument } from '../src/render.ts';
import { closeName, closestName, editDistance } from '../src/suggest.ts';
import { describeTaskDefinitionFixture, fixtureEnvironmentValues } from './helpers.ts';

const NEW_IMAGE = '123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing:1.4.2';
const LABEL = 'quiz-backend-testing:41';

function container(changes: Partial<ContainerRequest> = {}): ContainerRequest {
  return { name: 'quiz-backend', environment: new Map(), secrets: new Map(), environmentRemove: [], secretsRemove: [], ...changes };
}

function request(changes: Partial<RenderRequest> = {}): RenderRequest {
  return { containers: [container()], environmentMode: 'merge', secretsMode: 'merge', tags: new Map(), ...changes };
}

interface Container {
  name: string;
  image: string;
  environment?: { name: string; value: string }[];
  secrets?: { name: string; valueFrom: string }[];
}

function containersOf(taskDefinition: Record<string, unknown>): Container[] {
  return taskDefinition.containerDefinitions as Container[];
}

/** The fixture as validation hands it to applyChanges: no read-only fields, tags added. */
function source(): TaskDefinitionDocument {
  const { taskDefinition, tags } = describeTaskDefinitionFixture();
  return withSourceTags(stripReadOnlyFields(taskDefinition).document, tags);
}

describe('stripReadOnlyFields', () => {
  it('removes exactly the read-only fields', () => {
    const { taskDefinition } = describeTaskDefinitionFixture();
    taskDefinition.deregisteredAt = '2026-07-17T10:00:00+05:30';
    taskDefinition.deleteRequestedAt = '2026-07-18T10:00:00+05:30';

    const { document, strippedFields } = stripReadOnlyFields(taskDefinition);

    for (const field of READ_ONLY_FIELDS) expect(document).not.toHaveProperty(field);
    expect(strippedFields).toEqual([...READ_ONLY_FIELDS]);
    const kept = Object.keys(taskDefinition).filter((field) => !(READ_ONLY_FIELDS as readonly string[]).includes(field));
    expect(Object.keys(document).sort()).toEqual(kept.sort());
  });

  it('keeps newer fields ECS accepts', () => {
    const { taskDefinition } = describeTaskDefinitionFixture();
    taskDefinition.volumes = [{ name: 'data', configuredAtLaunch: true }];
    taskDefinition.ephemeralStorage = { sizeInGiB: 30 };
    taskDefinition.proxyConfiguration = { type: 'APPMESH', containerName: 'envoy', properties: [] };

    const { document } = stripReadOnlyFields(taskDefinition);

    expect(document.enableFaultInjection).toBe(false);
    expect(document.runtimePlatform).toEqual({ cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' });
    expect(document.volumes).toEqual([{ name: 'data', configuredAtLaunch: true }]);
    expect(document.ephemeralStorage).toEqual({ sizeInGiB: 30 });
    expect(document.proxyConfiguration).toEqual({ type: 'APPMESH', containerName: 'envoy', properties: [] });
  });
});

describe('withSourceTags', () => {
  it('adds the tags DescribeTaskDefinition returned', () => {
    expect(source().tags).toEqual([
      { key: 'Environment', value: 'testing' },
      { key: 'Project', value: 'quiz-backend' },
      { key: 'ManagedBy', value: 'terraform' },
      { key: 'Name', value: 'quiz-backend-testing' },
    ]);
  });

  it('omits tags when there are none', () => {
    const { taskDefinition } = describeTaskDefinitionFixture();

    expect(withSourceTags(taskDefinition, [])).not.toHaveProperty('tags');
  });

  it('keeps tags a file already has', () => {
    const document = withSourceTags({ family: 'f', tags: [{ key: 'A', value: '1' }] }, [{ key: 'B', value: '2' }]);

    expect(document.tags).toEqual([{ key: 'A', value: '1' }]);
  });
});

describe('applyChanges', () => {
  it('sets the image', () => {
    const rendered = applyChanges(source(), request({ containers: [container({ image: NEW_IMAGE })] }), LABEL);

    expect(containersOf(rendered)[0]?.image).toBe(NEW_IMAGE);
    expect(primaryImage(rendered, ['quiz-backend'])).toBe(NEW_IMAGE);
  });

  it('leaves the source unchanged', () => {
    const original = source();
    const before = structuredClone(original);

    applyChanges(original, request({ containers: [container({ image: NEW_IMAGE, environment: new Map([['A', '1']]) })], tags: new Map([['Team', 'quiz']]) }), LABEL);

    expect(original).toEqual(before);
  });

  it('merges environment by name', () => {
    const environment = new Map([
      ['CMS_SERVICE_ENDPOINT', 'https://cms.example.org'],
      ['LOG_LEVEL', 'debug'],
    ]);

    const rendered = applyChanges(source(), request({ containers: [container({ environment })] }), LABEL);

    expect(containersOf(rendered)[0]?.environment).toEqual([
      { name: 'MONGO_AUTH_CREDENTIALS', value: fixtureEnvironmentValues()[0] },
      { name: 'CMS_SERVICE_ENDPOINT', value: 'https://cms.example.org' },
      { name: 'CMS_SERVICE_TOKEN', value: 'example-cms-token-not-real' },
      { name: 'LOG_LEVEL', value: 'debug' },
    ]);
  });

  it('keeps values with newlines and equals signs', () => {
    const environment = new Map([['TLS_CA', '-----BEGIN CERTIFICATE-----\nMIIB=\n-----END CERTIFICATE-----']]);

    const rendered = applyChanges(source(), request({ containers: [container({ environment })] }), LABEL);

    expect(containersOf(rendered)[0]?.environment?.[3]).toEqual({ name: 'TLS_CA', value: '-----BEGIN CERTIFICATE-----\nMIIB=\n-----END CERTIFICATE-----' });
  });

  it('removes environment and secrets by name', () => {
    const document = source();
    containersOf(document)[0]!.secrets = [{ name: 'DB_PASSWORD', valueFrom: '/quiz/db' }];

    const rendered = applyChanges(document, request({ containers: [container({ environmentRemove: ['CMS_SERVICE_TOKEN', 'NOT_SET'], secretsRemove: ['DB_PASSWORD'] })] }), LABEL);

    expect(containersOf(rendered)[0]?.environment?.map((entry) => entry.name)).toEqual(['MONGO_AUTH_CREDENTIALS', 'CMS_SERVICE_ENDPOINT']);
    expect(containersOf(rendered)[0]?.secrets).toEqual([]);
  });

  it('replaces the whole environment in exclusive mode', () => {
    const rendered = applyChanges(source(), request({ containers: [container({ environment: new Map([['LOG_LEVEL', 'info']]) })], environmentMode: 'exclusive' }), LABEL);

    expect(containersOf(rendered)[0]?.environment).toEqual([{ name: 'LOG_LEVEL', value: 'info' }]);
  });

  it('empties the secrets in exclusive mode without secrets', () => {
    const document = source();
    containersOf(document)[0]!.secrets = [{ name: 'DB_PASSWORD', valueFrom: '/quiz/db' }];

    const rendered = applyChanges(document, request({ secretsMode: 'exclusive' }), LABEL);

    expect(containersOf(rendered)[0]?.secrets).toEqual([]);
    expect(containersOf(rendered)[0]?.environment).toHaveLength(3);
  });

  it('merges secrets by name', () => {
    const document = source();
    containersOf(document)[0]!.secrets = [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:ap-south-1:123456789012:secret:old-AbCdEf' }];
    const secrets = new Map([
      ['DB_PASSWORD', 'arn:aws:secretsmanager:ap-south-1:123456789012:secret:new-AbCdEf'],
      ['API_KEY', '/quiz/testing/api-key'],
    ]);

    const rendered = applyChanges(document, request({ containers: [container({ secrets })] }), LABEL);

    expect(containersOf(rendered)[0]?.secrets).toEqual([
      { name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:ap-south-1:123456789012:secret:new-AbCdEf' },
      { name: 'API_KEY', valueFrom: '/quiz/testing/api-key' },
    ]);
  });

  it('moves a plain variable to secrets', () => {
    const secrets = new Map([['CMS_SERVICE_TOKEN', 'arn:aws:ssm:ap-south-1:123456789012:parameter/quiz/cms-token']]);

    const rendered = applyChanges(source(), request({ containers: [container({ secrets })] }), LABEL);

    expect(containersOf(rendered)[0]?.environment?.map((entry) => entry.name)).toEqual(['MONGO_AUTH_CREDENTIALS', 'CMS_SERVICE_ENDPOINT']);
    expect(containersOf(rendered)[0]?.secrets).toEqual([{ name: 'CMS_SERVICE_TOKEN', valueFrom: 'arn:aws:ssm:ap-south-1:123456789012:parameter/quiz/cms-token' }]);
  });

  it('changes several containers', () => {
    const document = source();
    const sidecar = { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0', essential: false };
    (document.containerDefinitions as unknown[]).push(sidecar);

    const rendered = applyChanges(
      document,
      request({
        containers: [
          container({ image: NEW_IMAGE }),
          container({ name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.33.0', environment: new Map([['FLB_LOG_LEVEL', 'warn']]) }),
        ],
      }),
      LABEL,
    );

    expect(containersOf(rendered)[0]?.image).toBe(NEW_IMAGE);
    expect(containersOf(rendered)[1]).toEqual({
      name: 'log-router',
      image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.33.0',
      essential: false,
      environment: [{ name: 'FLB_LOG_LEVEL', value: 'warn' }],
    });
  });

  it('changes only the named container', () => {
    const document = source();
    const sidecar = { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable', essential: false };
    (document.containerDefinitions as unknown[]).push(structuredClone(sidecar));

    const rendered = applyChanges(document, request({ containers: [container({ image: NEW_IMAGE, environment: new Map([['A', '1']]) })] }), LABEL);

    expect(containersOf(rendered)[1]).toEqual(sidecar);
  });

  it('rejects an unknown container with a suggestion', () => {
    const document = source();
    (document.containerDefinitions as unknown[]).push({ name: 'log-router', image: 'fluent-bit:stable' });

    const render = (): unknown => applyChanges(document, request({ containers: [container({ name: 'quiz-backnd' })] }), LABEL);

    expect(render).toThrow(InputError);
    expect(render).toThrow(
      'Input "container-name": "quiz-backnd" is not a container in task definition quiz-backend-testing:41. Containers in it: quiz-backend, log-router. Did you mean "quiz-backend"?',
    );
  });

  it('names the containers input in its error', () => {
    const render = (): unknown => applyChanges(source(), request({ containers: [container({ name: 'quiz' })], containerInput: 'containers' }), LABEL);

    expect(render).toThrow('Input "containers": "quiz" is not a container in task definition quiz-backend-testing:41. Containers in it: quiz-backend. Did you mean "quiz-backend"?');
  });

  it('adds and overrides tags by key', () => {
    const rendered = applyChanges(source(), request({ tags: new Map([['Environment', 'staging'], ['Release', '1.4.2']]) }), LABEL);

    expect(rendered.tags).toEqual([
      { key: 'Environment', value: 'staging' },
      { key: 'Project', value: 'quiz-backend' },
      { key: 'ManagedBy', value: 'terraform' },
      { key: 'Name', value: 'quiz-backend-testing' },
      { key: 'Release', value: '1.4.2' },
    ]);
  });

  it('returns the image of the only container when none is named', () => {
    expect(primaryImage(source(), [])).toBe('123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing:latest');
  });
});

describe('closestName', () => {
  it('returns the nearest candidate', () => {
    expect(closestName('quiz-backnd', ['log-router', 'quiz-backend', 'xray'])).toBe('quiz-backend');
  });

  it('ignores case', () => {
    expect(closestName('Quiz-Backend', ['quiz-backend', 'quiz'])).toBe('quiz-backend');
  });

  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('suggests only close names', () => {
    expect(closeName('memoryReservaton', ['memory', 'memoryReservation'])).toBe('memoryReservation');
    expect(closeName('zzz', ['memory', 'memoryReservation'])).toBeUndefined();
  });
});
