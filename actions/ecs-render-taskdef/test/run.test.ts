import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionFamiliesCommand,
} from '@aws-sdk/client-ecs';
import type { DescribeServicesCommandOutput, DescribeTaskDefinitionCommandOutput } from '@aws-sdk/client-ecs';
import { BatchGetImageCommand, ECRClient } from '@aws-sdk/client-ecr';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { MemoryLogger } from '@ecs-deploy-kit/shared';
import { mockClient } from 'aws-sdk-client-mock';

import type { Inputs } from '../src/inputs.ts';
import { run } from '../src/run.ts';
import type { Deps } from '../src/run.ts';
import { renderSummary } from '../src/summary.ts';
import { describeServicesFixture, describeTaskDefinitionFixture, fixtureEnvironmentValues } from './helpers.ts';

const REGION = 'ap-south-1';
const ARN_41 = 'arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz-backend-testing:41';
const NEW_IMAGE = '123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing:1.4.2';

const ecsMock = mockClient(ECSClient);
const ecrMock = mockClient(ECRClient);
let outputDirectory: string;
let logger: MemoryLogger;
let masked: string[];

function deps(): Deps {
  return {
    ecs: () => ({ client: new ECSClient({ region: REGION }), region: REGION }),
    logger,
    ecr: (region) => new ECRClient({ region }),
    fetchText: () => Promise.reject(new Error('no config blob in these tests')),
    maskValues: (values) => masked.push(...values),
    randomSuffix: () => 'abc123',
  };
}

/** Makes ECR return an image index with these platforms for every image. */
function mockImagePlatforms(platforms: string[]): void {
  const manifests = platforms.map((platform, index) => {
    const [os, architecture] = platform.split('/');
    return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${String(index).repeat(64)}`, size: 400, platform: { os, architecture } };
  });
  const mediaType = 'application/vnd.oci.image.index.v1+json';
  ecrMock.on(BatchGetImageCommand).resolves({ images: [{ imageManifest: JSON.stringify({ schemaVersion: 2, mediaType, manifests }), imageManifestMediaType: mediaType }] });
}

function serviceInputs(changes: Partial<Inputs> = {}): Inputs {
  return {
    source: { kind: 'service', cluster: 'quiz-backend-testing', service: 'quiz-backend-testing' },
    containers: [
      {
        name: 'quiz-backend',
        image: NEW_IMAGE,
        environment: new Map([
          ['CMS_SERVICE_ENDPOINT', 'https://cms.example.org'],
          ['LOG_LEVEL', 'trace-level'],
        ]),
        secrets: new Map([['DB_PASSWORD', 'arn:aws:secretsmanager:ap-south-1:123456789012:secret:quiz/db-AbCdEf']]),
        environmentRemove: [],
        secretsRemove: [],
      },
    ],
    containerInput: 'container-name',
    environmentMode: 'merge',
    secretsMode: 'merge',
    tags: new Map(),
    unknownFields: 'fail',
    checkArchitecture: true,
    outputDirectory,
    ...changes,
  };
}

function singleContainer(): Inputs['containers'][number] {
  return serviceInputs().containers[0] as Inputs['containers'][number];
}

function mockService(): void {
  ecsMock.on(DescribeServicesCommand).resolves(describeServicesFixture() as unknown as DescribeServicesCommandOutput);
  ecsMock.on(DescribeTaskDefinitionCommand).resolves(describeTaskDefinitionFixture() as unknown as DescribeTaskDefinitionCommandOutput);
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

beforeEach(async () => {
  ecsMock.reset();
  ecrMock.reset();
  mockImagePlatforms(['linux/arm64']);
  outputDirectory = await mkdtemp(path.join(tmpdir(), 'render-run-'));
  logger = new MemoryLogger();
  masked = [];
});

afterEach(async () => {
  await rm(outputDirectory, { recursive: true, force: true });
});

describe('run from a service', () => {
  it('reads the revision the service runs, with tags', async () => {
    mockService();

    await run(serviceInputs(), deps());

    expect(ecsMock.calls().map((call) => call.args[0].constructor.name)).toEqual(['DescribeServicesCommand', 'DescribeTaskDefinitionCommand']);
    expect(ecsMock.commandCalls(DescribeServicesCommand)[0]?.args[0].input).toEqual({ cluster: 'quiz-backend-testing', services: ['quiz-backend-testing'] });
    expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)[0]?.args[0].input).toEqual({ taskDefinition: ARN_41, include: ['TAGS'] });
  });

  it('writes the rendered file and returns the outputs', async () => {
    mockService();

    const result = await run(serviceInputs(), deps());

    expect(result.taskDefinitionPath).toBe(path.join(outputDirectory, 'ecs-render-taskdef', 'quiz-backend-testing-abc123.json'));
    expect(result.previousTaskDefinitionArn).toBe(ARN_41);
    expect(result.family).toBe('quiz-backend-testing');
    expect(result.image).toBe(NEW_IMAGE);
    const written = JSON.parse(await readFile(result.taskDefinitionPath, 'utf8')) as Record<string, unknown>;
    expect(written).not.toHaveProperty('taskDefinitionArn');
    expect(written).not.toHaveProperty('revision');
    expect(written.enableFaultInjection).toBe(false);
    expect(written.tags).toHaveLength(4);
    const container = (written.containerDefinitions as Record<string, unknown>[])[0];
    expect(container?.image).toBe(NEW_IMAGE);
    expect(container?.environment).toEqual([
      { name: 'MONGO_AUTH_CREDENTIALS', value: fixtureEnvironmentValues()[0] },
      { name: 'CMS_SERVICE_ENDPOINT', value: 'https://cms.example.org' },
      { name: 'CMS_SERVICE_TOKEN', value: 'example-cms-token-not-real' },
      { name: 'LOG_LEVEL', value: 'trace-level' },
    ]);
    expect(container?.secrets).toEqual([{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:ap-south-1:123456789012:secret:quiz/db-AbCdEf' }]);
  });

  it('writes the file readable by its owner only', async () => {
    mockService();

    const result = await run(serviceInputs(), deps());

    expect((await stat(result.taskDefinitionPath)).mode & 0o777).toBe(0o600);
  });

  it('never overwrites an earlier render', async () => {
    mockService();
    await run(serviceInputs(), deps());

    const error = await failure(run(serviceInputs(), deps()));

    expect((error as NodeJS.ErrnoException).code).toBe('EEXIST');
  });

  it('masks every environment value of the source', async () => {
    mockService();

    await run(serviceInputs(), deps());

    for (const value of fixtureEnvironmentValues()) expect(masked).toContain(value);
  });

  it('logs the changes by name without values', async () => {
    mockService();

    const result = await run(serviceInputs(), deps());

    const log = logger.text();
    expect(log).toContain(`Container "quiz-backend" image: 123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing:latest → ${NEW_IMAGE}.`);
    expect(log).toContain('Container "quiz-backend" environment: added 1 (LOG_LEVEL), changed 1 (CMS_SERVICE_ENDPOINT), removed none.');
    expect(log).toContain('Container "quiz-backend" secrets: added 1 (DB_PASSWORD), changed none, removed none.');
    expect(log).toContain(
      'Removed read-only fields: taskDefinitionArn, revision, status, requiresAttributes, compatibilities, registeredAt, registeredBy.',
    );
    const summary = renderSummary(result);
    for (const value of [...fixtureEnvironmentValues(), 'https://cms.example.org', 'trace-level']) {
      expect(log).not.toContain(value);
      expect(summary).not.toContain(value);
    }
  });

  it('logs no warnings for expected input', async () => {
    mockService();

    await run(serviceInputs(), deps());

    expect(logger.lines.filter((line) => line.startsWith('warning:') || line.startsWith('error:'))).toEqual([]);
  });

  it('names the services of the cluster when the service is missing', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [],
      failures: [{ arn: 'arn:aws:ecs:ap-south-1:123456789012:service/quiz-backend-testng', reason: 'MISSING' }],
    });
    ecsMock
      .on(ListServicesCommand)
      .resolvesOnce({ serviceArns: ['arn:aws:ecs:ap-south-1:123456789012:service/quiz-backend-testing/quiz-backend-testing'], nextToken: 'page-2' })
      .resolvesOnce({ serviceArns: ['arn:aws:ecs:ap-south-1:123456789012:service/quiz-backend-testing/admin-api'] });

    const error = await failure(run(serviceInputs({ source: { kind: 'service', cluster: 'quiz-backend-testing', service: 'quiz-backend-testng' } }), deps()));

    expect(error.message).toBe(
      'Service "quiz-backend-testng" not found in cluster "quiz-backend-testing" (ap-south-1). Services in this cluster: admin-api, quiz-backend-testing. Did you mean "quiz-backend-testing"?',
    );
    expect(ecsMock.commandCalls(ListServicesCommand).map((call) => call.args[0].input)).toEqual([
      { cluster: 'quiz-backend-testing', maxResults: 100, nextToken: undefined },
      { cluster: 'quiz-backend-testing', maxResults: 100, nextToken: 'page-2' },
    ]);
    expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(0);
  });

  it('shortens a long service list', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] });
    let page = 0;
    ecsMock.on(ListServicesCommand).callsFake(() => {
      page += 1;
      const names = [1, 2, 3].map((index) => `arn:aws:ecs:ap-south-1:123456789012:service/quiz-backend-testing/api-${String(page).padStart(2, '0')}-${index}`);
      return { serviceArns: names, nextToken: `page-${page + 1}` };
    });

    const error = await failure(run(serviceInputs(), deps()));

    expect(ecsMock.commandCalls(ListServicesCommand)).toHaveLength(10);
    expect(error.message).toContain('Services in this cluster: api-01-1, api-01-2, api-01-3, api-02-1,');
    expect(error.message).toContain('api-07-2 and 10 more (listing stopped early).');
  });

  it('says when the cluster has no services', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] });
    ecsMock.on(ListServicesCommand).resolves({ serviceArns: [] });

    const error = await failure(run(serviceInputs(), deps()));

    expect(error.message).toBe('Service "quiz-backend-testing" not found in cluster "quiz-backend-testing" (ap-south-1). This cluster has no services.');
  });

  it('still names the missing service when listing fails', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] });
    ecsMock.on(ListServicesCommand).rejects(awsError('AccessDeniedException', 'not allowed'));

    const error = await failure(run(serviceInputs(), deps()));

    expect(error.message).toBe('Service "quiz-backend-testing" not found in cluster "quiz-backend-testing" (ap-south-1).');
    expect(logger.text()).toContain('debug: ListServices failed, so the message lists no names: not allowed');
  });

  it('names the clusters when the cluster is missing', async () => {
    ecsMock.on(DescribeServicesCommand).rejects(awsError('ClusterNotFoundException', 'Cluster not found.'));
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: ['arn:aws:ecs:ap-south-1:123456789012:cluster/quiz-backend-testing'] });

    const error = await failure(run(serviceInputs({ source: { kind: 'service', cluster: 'quiz-backend-tst', service: 'quiz-backend-testing' } }), deps()));

    expect(error.message).toBe(
      'Cluster "quiz-backend-tst" not found (ap-south-1). Clusters in this region: quiz-backend-testing. Did you mean "quiz-backend-testing"?',
    );
  });

  it('rejects an inactive service', async () => {
    const services = describeServicesFixture();
    (services.services[0] as Record<string, unknown>).status = 'INACTIVE';
    ecsMock.on(DescribeServicesCommand).resolves(services as unknown as DescribeServicesCommandOutput);

    const error = await failure(run(serviceInputs(), deps()));

    expect(error.message).toContain('Service "quiz-backend-testing" in cluster "quiz-backend-testing" (ap-south-1) is INACTIVE');
    expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(0);
  });

  it('explains a denied DescribeServices', async () => {
    ecsMock.on(DescribeServicesCommand).rejects(awsError('AccessDeniedException', 'User is not authorized to perform ecs:DescribeServices.'));

    const error = await failure(run(serviceInputs(), deps()));

    expect(error.message).toBe(
      'DescribeServices was denied: User is not authorized to perform ecs:DescribeServices. Grant this action to the role the workflow assumes.',
    );
  });
});

describe('run from a registered revision', () => {
  it('reads an ARN directly', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(describeTaskDefinitionFixture() as unknown as DescribeTaskDefinitionCommandOutput);

    const result = await run(serviceInputs({ source: { kind: 'arn', arn: ARN_41 } }), deps());

    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)[0]?.args[0].input).toEqual({ taskDefinition: ARN_41, include: ['TAGS'] });
    expect(result.previousTaskDefinitionArn).toBe(ARN_41);
  });

  it('reads a family when no file has its name', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(describeTaskDefinitionFixture() as unknown as DescribeTaskDefinitionCommandOutput);
    const source = { kind: 'file-or-reference' as const, value: 'quiz-backend-testing', filePath: path.join(outputDirectory, 'quiz-backend-testing'), reference: 'quiz-backend-testing' };

    await run(serviceInputs({ source }), deps());

    expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)[0]?.args[0].input).toEqual({ taskDefinition: 'quiz-backend-testing', include: ['TAGS'] });
  });

  it('suggests a family when the family is missing', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).rejects(awsError('ClientException', 'Unable to describe task definition.'));
    ecsMock.on(ListTaskDefinitionFamiliesCommand).resolves({ families: ['quiz-backend-testing', 'quiz-backend-production'] });
    const source = { kind: 'file-or-reference' as const, value: 'quiz-backend-testin:41', filePath: path.join(outputDirectory, 'x'), reference: 'quiz-backend-testin:41' };

    const error = await failure(run(serviceInputs({ source }), deps()));

    expect(error.message).toBe(
      'Task definition "quiz-backend-testin:41" not found in ap-south-1 (DescribeTaskDefinition: Unable to describe task definition.). ' +
        'Active families: quiz-backend-production, quiz-backend-testing. Did you mean "quiz-backend-testing"? ' +
        `No file exists at ${path.join(outputDirectory, 'x')} either.`,
    );
    expect(ecsMock.commandCalls(ListTaskDefinitionFamiliesCommand)[0]?.args[0].input).toEqual({ status: 'ACTIVE', maxResults: 100, nextToken: undefined });
  });

  it('says the revision is missing when the family exists', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).rejects(awsError('ClientException', 'Unable to describe task definition.'));
    ecsMock.on(ListTaskDefinitionFamiliesCommand).resolves({ families: ['quiz-backend-testing'] });

    const error = await failure(run(serviceInputs({ source: { kind: 'arn', arn: 'arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz-backend-testing:99' } }), deps()));

    expect(error.message).toContain('Task definition "arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz-backend-testing:99" not found in ap-south-1');
    expect(error.message).toContain('The family "quiz-backend-testing" exists, so the revision is missing or deregistered.');
  });
});

describe('run from a file', () => {
  const noEcs = (): never => {
    throw new Error('a file source must not call ECS');
  };

  async function fileSource(name: string, text: string): Promise<Inputs['source']> {
    const filePath = path.join(outputDirectory, name);
    await writeFile(filePath, text);
    return { kind: 'file-or-reference', value: name, filePath };
  }

  it('reads a DescribeTaskDefinition response in JSON', async () => {
    const source = await fileSource('taskdef.json', JSON.stringify(describeTaskDefinitionFixture()));

    const result = await run(serviceInputs({ source }), { ...deps(), ecs: noEcs });

    expect(result.previousTaskDefinitionArn).toBe('');
    expect(result.origin).toBe(`file ${path.join(outputDirectory, 'taskdef.json')}`);
    const written = JSON.parse(await readFile(result.taskDefinitionPath, 'utf8')) as Record<string, unknown>;
    expect(written.family).toBe('quiz-backend-testing');
    expect(written.tags).toHaveLength(4);
    expect(written).not.toHaveProperty('requiresAttributes');
    for (const value of fixtureEnvironmentValues()) expect(masked).toContain(value);
  });

  it('reads a task definition in YAML', async () => {
    const yaml = [
      'family: quiz-backend-testing',
      'networkMode: awsvpc',
      'containerDefinitions:',
      '  - name: quiz-backend',
      '    image: quiz-backend:1.0.0',
      '    portMappings:',
      '      - containerPort: "8000"',
      '    memoryReservation: null',
      '    environment:',
      '      - name: MODE',
      '        value: "2026-07-16"',
      '',
    ].join('\n');
    const source = await fileSource('taskdef.yaml', yaml);

    const result = await run(serviceInputs({ source, containers: [{ ...singleContainer(), environment: new Map(), secrets: new Map() }], checkArchitecture: false }), { ...deps(), ecs: noEcs });

    const written = JSON.parse(await readFile(result.taskDefinitionPath, 'utf8')) as Record<string, unknown>;
    expect(written).toEqual({
      family: 'quiz-backend-testing',
      networkMode: 'awsvpc',
      containerDefinitions: [{ name: 'quiz-backend', image: NEW_IMAGE, portMappings: [{ containerPort: 8000 }], environment: [{ name: 'MODE', value: '2026-07-16' }] }],
    });
    expect(logger.text()).toContain('Removed read-only fields: none were present.');
    expect(logger.text()).toContain('Converted to the type RegisterTaskDefinition expects: containerDefinitions[0].portMappings[0].containerPort.');
  });

  it('rejects an unknown field before writing anything', async () => {
    const source = await fileSource('taskdef.yaml', 'family: quiz\ncontainerDefinitions:\n  - name: quiz-backend\n    image: quiz:1\n    memoryReservaton: 512\n');

    const error = await failure(run(serviceInputs({ source }), { ...deps(), ecs: noEcs }));

    expect(error.message).toContain('containerDefinitions[0].memoryReservaton: unknown field of ContainerDefinition, which RegisterTaskDefinition would drop. Did you mean "memoryReservation"?');
    expect(ecrMock.calls()).toHaveLength(0);
    expect(await readdir(outputDirectory)).toEqual(['taskdef.yaml']);
  });

  it('drops an unknown field with a warning in warn mode', async () => {
    const source = await fileSource('taskdef.yaml', 'family: quiz\ncontainerDefinitions:\n  - name: quiz-backend\n    image: quiz:1\n    memoryReservaton: 512\n');
    // Without runtimePlatform ECS runs the task on X86_64.
    mockImagePlatforms(['linux/amd64']);

    const result = await run(serviceInputs({ source, unknownFields: 'warn' }), { ...deps(), ecs: noEcs });

    expect(logger.lines).toContain(
      'warning: containerDefinitions[0].memoryReservaton: unknown field of ContainerDefinition, which RegisterTaskDefinition would drop. Did you mean "memoryReservation"? The field was removed from the rendered file.',
    );
    const written = JSON.parse(await readFile(result.taskDefinitionPath, 'utf8')) as { containerDefinitions: Record<string, unknown>[] };
    expect(written.containerDefinitions[0]).not.toHaveProperty('memoryReservaton');
    expect(renderSummary(result)).toContain('- containerDefinitions[0].memoryReservaton: unknown field');
  });

  it.each([
    ['a JSON syntax error', 'bad.json', '{\n  "family": "quiz-backend-testing",\n  "containerDefinitions": [\n    { "name": "quiz-backend" \n  ]\n}\n', ['bad.json is not valid JSON or YAML at line 5, column 3']],
    ['a YAML syntax error', 'bad.yaml', 'family: quiz\ncontainerDefinitions:\n  - name: a\n   image: b\n', ['bad.yaml is not valid JSON or YAML at line 4']],
    ['a list root', 'list.json', '[{"family": "quiz"}]', ['list.json must contain a task definition object, but its root is a list.']],
    ['a string root', 'string.yaml', 'just a string\n', ['string.yaml must contain a task definition object, but its root is a string.']],
    ['an empty file', 'empty.json', '', ['empty.json must contain a task definition object, but its root is empty.']],
    ['a missing family', 'nofamily.json', '{"containerDefinitions": [{"name": "a"}]}', ['nofamily.json has no "family"']],
    ['no containers', 'nocontainers.json', '{"family": "quiz"}', ['nocontainers.json has no "containerDefinitions" list']],
    ['a container without a name', 'noname.json', '{"family": "quiz", "containerDefinitions": [{"image": "a"}]}', ['containerDefinitions[0] has no "name"']],
    ['a repeated key', 'twice.json', '{"family": "a", "family": "b", "containerDefinitions": [{"name": "a"}]}', ['twice.json is not valid JSON or YAML at line 1']],
  ])('rejects %s with the absolute path', async (_case, name, text, fragments) => {
    const source = await fileSource(name, text);

    const error = await failure(run(serviceInputs({ source }), { ...deps(), ecs: noEcs }));

    expect(error.message).toContain('Input "task-definition":');
    expect(error.message).toContain(path.join(outputDirectory, name));
    for (const fragment of fragments) expect(error.message).toContain(fragment);
  });

  it('rejects a missing file that cannot be a family', async () => {
    const filePath = path.join(outputDirectory, 'deploy', 'taskdef.json');

    const error = await failure(run(serviceInputs({ source: { kind: 'file-or-reference', value: 'deploy/taskdef.json', filePath } }), { ...deps(), ecs: noEcs }));

    expect(error.message).toBe(
      `Input "task-definition": no file at ${filePath}, and "deploy/taskdef.json" is not a family, family:revision or ARN. Check the path: a relative path is read from GITHUB_WORKSPACE.`,
    );
  });

  it('rejects a directory', async () => {
    const error = await failure(
      run(serviceInputs({ source: { kind: 'file-or-reference', value: 'deploy', filePath: outputDirectory, reference: 'deploy' } }), { ...deps(), ecs: noEcs }),
    );

    expect(error.message).toBe(`Input "task-definition": ${outputDirectory} is a directory. Point it at a JSON or YAML task definition file.`);
  });
});

describe('run checks image architectures', () => {
  it('checks the new image against the ARM64 task', async () => {
    mockService();

    const result = await run(serviceInputs(), deps());

    expect(ecrMock.commandCalls(BatchGetImageCommand).map((call) => call.args[0].input.imageIds)).toEqual([[{ imageTag: '1.4.2' }]]);
    expect(result.architectureChecks).toEqual([{ image: NEW_IMAGE, architectures: ['arm64'], status: 'match' }]);
  });

  it('fails on an amd64-only image before writing', async () => {
    mockService();
    mockImagePlatforms(['linux/amd64', 'unknown/unknown']);

    const error = await failure(run(serviceInputs(), deps()));

    expect(error.message).toContain(`Image ${NEW_IMAGE} provides amd64, but the task's runtimePlatform.cpuArchitecture is ARM64 (arm64)`);
    expect(await readdir(outputDirectory)).toEqual([]);
  });

  it('skips the check when the image is unchanged', async () => {
    mockService();

    await run(serviceInputs({ containers: [{ ...singleContainer(), image: '123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing:latest' }] }), deps());

    expect(ecrMock.calls()).toHaveLength(0);
    expect(logger.text()).toContain('No image changed, so no architecture was checked.');
  });

  it('skips the check when disabled', async () => {
    mockService();

    await run(serviceInputs({ checkArchitecture: false }), deps());

    expect(ecrMock.calls()).toHaveLength(0);
    expect(logger.text()).toContain('Skipped: check-architecture is false.');
  });
});

describe('run reports the diff', () => {
  it('logs removals, tags and exclusive replacements by name', async () => {
    mockService();
    const inputs = serviceInputs({
      containers: [{ ...singleContainer(), environment: new Map([['LOG_LEVEL', 'trace-level']]), secrets: new Map(), environmentRemove: [] }],
      environmentMode: 'exclusive',
      tags: new Map([
        ['Environment', 'staging'],
        ['Release', '1.4.2'],
      ]),
    });

    const result = await run(inputs, deps());

    const log = logger.text();
    expect(log).toContain('Container "quiz-backend" environment: added 1 (LOG_LEVEL), changed none, removed 3 (MONGO_AUTH_CREDENTIALS, CMS_SERVICE_ENDPOINT, CMS_SERVICE_TOKEN).');
    expect(log).toContain('Tags: added 1 (Release), changed 1 (Environment), removed none.');
    const written = JSON.parse(await readFile(result.taskDefinitionPath, 'utf8')) as { tags: unknown[] };
    expect(written.tags).toContainEqual({ key: 'Release', value: '1.4.2' });
    expect(written.tags).toContainEqual({ key: 'Environment', value: 'staging' });
    for (const value of fixtureEnvironmentValues()) expect(log).not.toContain(value);
  });

  it('says when nothing changed', async () => {
    mockService();

    await run(serviceInputs({ containers: [] }), deps());

    expect(logger.text()).toContain('No changes from the source revision apart from the removed read-only fields.');
  });
});
