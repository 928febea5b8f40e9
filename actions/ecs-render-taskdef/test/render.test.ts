import { describe, expect, it } from '@jest/globals';
import { InputError } from '@ecs-deploy-kit/shared';

import { READ_ONLY_FIELDS, renderTaskDefinition } from '../src/render.ts';
import type { RenderRequest } from '../src/render.ts';
import { closestName, editDistance } from '../src/suggest.ts';
import { describeTaskDefinitionFixture } from './helpers.ts';

const NEW_IMAGE = '123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing:1.4.2';

function request(changes: Partial<RenderRequest> = {}): RenderRequest {
  return { containerName: 'quiz-backend', environment: new Map(), secrets: new Map(), ...changes };
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

describe('renderTaskDefinition', () => {
  it('removes exactly the read-only fields', () => {
    const { taskDefinition, tags } = describeTaskDefinitionFixture();
    taskDefinition.deregisteredAt = '2026-07-17T10:00:00+05:30';

    const rendered = renderTaskDefinition(taskDefinition, tags, request(), 'quiz-backend-testing:41');

    for (const field of READ_ONLY_FIELDS) expect(rendered.taskDefinition).not.toHaveProperty(field);
    expect(rendered.strippedFields).toEqual([...READ_ONLY_FIELDS]);
    const kept = Object.keys(taskDefinition).filter((field) => !(READ_ONLY_FIELDS as readonly string[]).includes(field));
    expect(Object.keys(rendered.taskDefinition).sort()).toEqual([...kept, 'tags'].sort());
  });

  it('keeps fields newer than this code', () => {
    const { taskDefinition, tags } = describeTaskDefinitionFixture();
    taskDefinition.volumes = [{ name: 'data', configuredAtLaunch: true }];
    taskDefinition.ephemeralStorage = { sizeInGiB: 30 };
    taskDefinition.proxyConfiguration = { type: 'APPMESH', containerName: 'envoy', properties: [] };
    taskDefinition.someFutureField = { nested: [1, 2, 3] };

    const rendered = renderTaskDefinition(taskDefinition, tags, request({ image: NEW_IMAGE }), 'quiz-backend-testing:41');

    expect(rendered.taskDefinition.enableFaultInjection).toBe(false);
    expect(rendered.taskDefinition.runtimePlatform).toEqual({ cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' });
    expect(rendered.taskDefinition.volumes).toEqual([{ name: 'data', configuredAtLaunch: true }]);
    expect(rendered.taskDefinition.ephemeralStorage).toEqual({ sizeInGiB: 30 });
    expect(rendered.taskDefinition.proxyConfiguration).toEqual({ type: 'APPMESH', containerName: 'envoy', properties: [] });
    expect(rendered.taskDefinition.someFutureField).toEqual({ nested: [1, 2, 3] });
    const container = (rendered.taskDefinition.containerDefinitions as Record<string, unknown>[])[0];
    expect(container?.healthCheck).toEqual({
      command: ['CMD-SHELL', 'curl -f http://localhost:8000/health || exit 1'],
      interval: 5,
      timeout: 2,
      retries: 3,
      startPeriod: 60,
    });
    expect(container?.systemControls).toEqual([]);
  });

  it('adds the tags DescribeTaskDefinition returned', () => {
    const { taskDefinition, tags } = describeTaskDefinitionFixture();

    const rendered = renderTaskDefinition(taskDefinition, tags, request(), 'quiz-backend-testing:41');

    expect(rendered.taskDefinition.tags).toEqual([
      { key: 'Environment', value: 'testing' },
      { key: 'Project', value: 'quiz-backend' },
      { key: 'ManagedBy', value: 'terraform' },
      { key: 'Name', value: 'quiz-backend-testing' },
    ]);
  });

  it('omits tags when there are none', () => {
    const { taskDefinition } = describeTaskDefinitionFixture();

    const rendered = renderTaskDefinition(taskDefinition, [], request(), 'quiz-backend-testing:41');

    expect(rendered.taskDefinition).not.toHaveProperty('tags');
  });

  it('sets the image and reports the change', () => {
    const { taskDefinition, tags } = describeTaskDefinitionFixture();

    const rendered = renderTaskDefinition(taskDefinition, tags, request({ image: NEW_IMAGE }), 'quiz-backend-testing:41');

    expect(containersOf(rendered.taskDefinition)[0]?.image).toBe(NEW_IMAGE);
    expect(rendered.image).toBe(NEW_IMAGE);
    expect(rendered.container?.previousImage).toBe('123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing:latest');
    expect(rendered.container?.image).toBe(NEW_IMAGE);
  });

  it('leaves the source unchanged', () => {
    const { taskDefinition, tags } = describeTaskDefinitionFixture();
    const before = structuredClone(taskDefinition);

    renderTaskDefinition(taskDefinition, tags, request({ image: NEW_IMAGE, environment: new Map([['A', '1']]) }), 'quiz-backend-testing:41');

    expect(taskDefinition).toEqual(before);
  });

  it('merges environment by name', () => {
    const { taskDefinition, tags } = describeTaskDefinitionFixture();
    const environment = new Map([
      ['CMS_SERVICE_ENDPOINT', 'https://cms.example.org'],
      ['LOG_LEVEL', 'debug'],
      ['CMS_SERVICE_TOKEN', 'example-cms-token-not-real'],
    ]);

    const rendered = renderTaskDefinition(taskDefinition, tags, request({ environment }), 'quiz-backend-testing:41');

    expect(containersOf(rendered.taskDefinition)[0]?.environment?.map((entry) => entry.name)).toEqual([
      'MONGO_AUTH_CREDENTIALS',
      'CMS_SERVICE_ENDPOINT',
      'CMS_SERVICE_TOKEN',
      'LOG_LEVEL',
    ]);
    expect(containersOf(rendered.taskDefinition)[0]?.environment?.[1]).toEqual({ name: 'CMS_SERVICE_ENDPOINT', value: 'https://cms.example.org' });
    expect(containersOf(rendered.taskDefinition)[0]?.environment?.[3]).toEqual({ name: 'LOG_LEVEL', value: 'debug' });
    expect(rendered.container?.environment).toEqual({ added: ['LOG_LEVEL'], changed: ['CMS_SERVICE_ENDPOINT'], unchanged: ['CMS_SERVICE_TOKEN'], removed: [] });
  });

  it('merges secrets by name', () => {
    const { taskDefinition, tags } = describeTaskDefinitionFixture();
    const container = (taskDefinition.containerDefinitions as Container[])[0] as Container;
    container.secrets = [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:ap-south-1:123456789012:secret:old-AbCdEf' }];
    const secrets = new Map([
      ['DB_PASSWORD', 'arn:aws:secretsmanager:ap-south-1:123456789012:secret:new-AbCdEf'],
      ['API_KEY', '/quiz/testing/api-key'],
    ]);

    const rendered = renderTaskDefinition(taskDefinition, tags, request({ secrets }), 'quiz-backend-testing:41');

    expect(containersOf(rendered.taskDefinition)[0]?.secrets).toEqual([
      { name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:ap-south-1:123456789012:secret:new-AbCdEf' },
      { name: 'API_KEY', valueFrom: '/quiz/testing/api-key' },
    ]);
    expect(rendered.container?.secrets).toEqual({ added: ['API_KEY'], changed: ['DB_PASSWORD'], unchanged: [], removed: [] });
  });

  it('moves a plain variable to secrets', () => {
    const { taskDefinition, tags } = describeTaskDefinitionFixture();
    const secrets = new Map([['CMS_SERVICE_TOKEN', 'arn:aws:ssm:ap-south-1:123456789012:parameter/quiz/cms-token']]);

    const rendered = renderTaskDefinition(taskDefinition, tags, request({ secrets }), 'quiz-backend-testing:41');

    const container = containersOf(rendered.taskDefinition)[0];
    expect(container?.environment?.map((entry) => entry.name)).toEqual(['MONGO_AUTH_CREDENTIALS', 'CMS_SERVICE_ENDPOINT']);
    expect(container?.secrets).toEqual([{ name: 'CMS_SERVICE_TOKEN', valueFrom: 'arn:aws:ssm:ap-south-1:123456789012:parameter/quiz/cms-token' }]);
    expect(rendered.container?.environment.removed).toEqual(['CMS_SERVICE_TOKEN']);
    expect(rendered.container?.secrets.added).toEqual(['CMS_SERVICE_TOKEN']);
  });

  it('changes only the named container', () => {
    const { taskDefinition, tags } = describeTaskDefinitionFixture();
    const sidecar = { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable', essential: false };
    (taskDefinition.containerDefinitions as unknown[]).push(structuredClone(sidecar));

    const rendered = renderTaskDefinition(taskDefinition, tags, request({ image: NEW_IMAGE, environment: new Map([['A', '1']]) }), 'quiz-backend-testing:41');

    expect(containersOf(rendered.taskDefinition)[1]).toEqual(sidecar);
  });

  it('rejects an unknown container with a suggestion', () => {
    const { taskDefinition, tags } = describeTaskDefinitionFixture();
    (taskDefinition.containerDefinitions as unknown[]).push({ name: 'log-router', image: 'fluent-bit:stable' });

    const render = (): unknown => renderTaskDefinition(taskDefinition, tags, request({ containerName: 'quiz-backnd' }), 'quiz-backend-testing:41');

    expect(render).toThrow(InputError);
    expect(render).toThrow(
      'Input "container-name": "quiz-backnd" is not a container in task definition quiz-backend-testing:41. Containers in it: quiz-backend, log-router. Did you mean "quiz-backend"?',
    );
  });

  it('reports the image of the only container when none is named', () => {
    const { taskDefinition, tags } = describeTaskDefinitionFixture();

    const rendered = renderTaskDefinition(taskDefinition, tags, { environment: new Map(), secrets: new Map() }, 'quiz-backend-testing:41');

    expect(rendered.image).toBe('123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing:latest');
    expect(rendered.container).toBeUndefined();
    expect(rendered.family).toBe('quiz-backend-testing');
  });

  it('reports names and never values', () => {
    const { taskDefinition, tags } = describeTaskDefinitionFixture();
    const environment = new Map([
      ['MONGO_AUTH_CREDENTIALS', 'mongodb+srv://quiz-app:NEW-EXAMPLE@cluster0.example.mongodb.net/quiz'],
      ['NEW_TOKEN', 'brand-new-token-value'],
    ]);

    const rendered = renderTaskDefinition(taskDefinition, tags, request({ environment }), 'quiz-backend-testing:41');

    const report = JSON.stringify(rendered.container);
    expect(report).toContain('MONGO_AUTH_CREDENTIALS');
    expect(report).not.toContain('NEW-EXAMPLE');
    expect(report).not.toContain('brand-new-token-value');
    expect(report).not.toContain('EXAMPLE-NOT-A-SECRET');
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
});
