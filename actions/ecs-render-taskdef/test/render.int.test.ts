import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { runActionBundle } from '@ecs-deploy-kit/action-runner';
import type { ActionRun } from '@ecs-deploy-kit/action-runner';
import { startEmulator } from '@ecs-deploy-kit/emulator';
import type { Emulator } from '@ecs-deploy-kit/emulator';

import { READ_ONLY_FIELDS } from '../src/render.ts';
import { describeTaskDefinitionFixture, fixtureEnvironmentValues } from './helpers.ts';

// The bundle is what a workflow runs: rebuild it (pnpm run build) before this test.
const ACTION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NAME = 'quiz-backend-testing';
const NEW_IMAGE = '123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing:1.4.2';

let emulator: Emulator;
let awsEnv: Record<string, string>;
// RUNNER_TEMP given to the bundle, kept until the test has read the rendered file.
let runnerTemp: string;

function ecsClient(): ECSClient {
  return new ECSClient({ region: emulator.region, endpoint: emulator.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}

/** Registers the fixture (without read-only fields) and creates the cluster and a Fargate service that runs it. */
async function createService(): Promise<string> {
  const ecs = ecsClient();
  const { taskDefinition, tags } = describeTaskDefinitionFixture();
  for (const field of READ_ONLY_FIELDS) delete taskDefinition[field];

  const registered = await ecs.send(new RegisterTaskDefinitionCommand({ ...taskDefinition, tags } as unknown as RegisterTaskDefinitionCommandInput));
  await ecs.send(new CreateClusterCommand({ clusterName: NAME }));
  await ecs.send(
    new CreateServiceCommand({
      cluster: NAME,
      serviceName: NAME,
      taskDefinition: registered.taskDefinition?.taskDefinitionArn,
      desiredCount: 1,
      launchType: 'FARGATE',
      // NOTE: no networkConfiguration, because moto 5.2 rejects subnet IDs that were not created
      // through EC2 and this package has no EC2 client. Real ECS requires it for awsvpc; rendering
      // never reads it.
    }),
  );
  return registered.taskDefinition?.taskDefinitionArn as string;
}

/** Everything a person can read from a run, without the ::add-mask:: commands that carry values to the masker. */
function visibleText(run: ActionRun): string {
  const stdout = run.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
  return [stdout, run.stderr, run.log, run.summary, JSON.stringify(run.outputs), JSON.stringify(run.annotations)].join('\n');
}

beforeAll(async () => {
  emulator = await startEmulator();
  awsEnv = { AWS_ENDPOINT_URL: emulator.endpoint, AWS_REGION: emulator.region, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
});

afterAll(async () => {
  await emulator?.stop();
});

beforeEach(async () => {
  await emulator.reset();
  runnerTemp = await mkdtemp(path.join(tmpdir(), 'render-int-'));
});

afterEach(async () => {
  await rm(runnerTemp, { recursive: true, force: true });
});

describe('ecs-render-taskdef bundle', () => {
  it('renders from the service with a new image and environment', async () => {
    const arn = await createService();
    await emulator.seedImage({ repository: NAME, tag: '1.4.2', shape: 'index-with-attestation', platforms: ['linux/arm64'] });

    const run = await runActionBundle(ACTION_DIR, {
      inputs: { cluster: NAME, service: NAME, 'container-name': 'quiz-backend', image: NEW_IMAGE, environment: 'LOG_LEVEL=debug\nCMS_SERVICE_ENDPOINT=https://cms.example.org' },
      env: awsEnv,
      runnerTemp,
    });

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.outputs['previous-task-definition-arn']).toBe(arn);
    expect(run.outputs.family).toBe(NAME);
    expect(run.outputs.image).toBe(NEW_IMAGE);
    expect(run.outputs['task-definition']).toMatch(new RegExp(`^${runnerTemp}/ecs-render-taskdef/quiz-backend-testing-[0-9a-f]+\\.json$`));
    expect(run.annotations).toEqual([]);

    const file = run.outputs['task-definition'] as string;
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const rendered = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    for (const field of READ_ONLY_FIELDS) expect(rendered).not.toHaveProperty(field);
    expect(rendered.family).toBe(NAME);
    expect(rendered.runtimePlatform).toEqual({ cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' });
    expect(rendered.tags).toEqual(describeTaskDefinitionFixture().tags);
    const container = (rendered.containerDefinitions as Record<string, unknown>[])[0];
    expect(container?.image).toBe(NEW_IMAGE);
    expect(container?.environment).toEqual([
      { name: 'MONGO_AUTH_CREDENTIALS', value: fixtureEnvironmentValues()[0] },
      { name: 'CMS_SERVICE_ENDPOINT', value: 'https://cms.example.org' },
      { name: 'CMS_SERVICE_TOKEN', value: 'example-cms-token-not-real' },
      { name: 'LOG_LEVEL', value: 'debug' },
    ]);

    const reregistered = await ecsClient().send(new RegisterTaskDefinitionCommand(rendered as unknown as RegisterTaskDefinitionCommandInput));
    expect(reregistered.taskDefinition?.revision).toBe(2);
    expect(reregistered.taskDefinition?.containerDefinitions?.[0]?.image).toBe(NEW_IMAGE);

    expect(run.log).toContain(`Service "${NAME}" in cluster "${NAME}" runs ${arn}.`);
    expect(run.log).toContain('Container "quiz-backend" environment: added 1 (LOG_LEVEL), changed 1 (CMS_SERVICE_ENDPOINT), removed none.');
    expect(run.log).toContain(`Image ${NEW_IMAGE} provides arm64, which includes the task's ARM64.`);
    expect(run.summary).toContain('| Container `quiz-backend` | environment added | `LOG_LEVEL` |');
    const visible = visibleText(run);
    for (const value of [...fixtureEnvironmentValues(), 'https://cms.example.org']) {
      expect(visible).not.toContain(value);
      expect(run.masked).toContain(value);
    }
  });

  it('names the services when the service is missing', async () => {
    await createService();

    const run = await runActionBundle(ACTION_DIR, { inputs: { cluster: NAME, service: 'quiz-backend-testng' }, env: awsEnv });

    expect(run.exitCode).toBe(1);
    expect(run.annotations).toEqual([
      {
        level: 'error',
        message: `ecs-render-taskdef: Service "quiz-backend-testng" not found in cluster "${NAME}" (ap-south-1). Services in this cluster: ${NAME}. Did you mean "${NAME}"?`,
      },
    ]);
  });

  it('names the family when the revision is missing', async () => {
    await createService();

    const run = await runActionBundle(ACTION_DIR, { inputs: { 'task-definition': `${NAME}:7` }, env: awsEnv });

    expect(run.exitCode).toBe(1);
    expect(run.annotations).toHaveLength(1);
    expect(run.annotations[0]?.message).toContain(`ecs-render-taskdef: Task definition "${NAME}:7" not found in ap-south-1`);
    expect(run.annotations[0]?.message).toContain(`The family "${NAME}" exists, so the revision is missing or deregistered.`);
  });

  it('renders a file without AWS settings', async () => {
    const run = await runActionBundle(ACTION_DIR, {
      inputs: {
        'task-definition': path.relative(process.cwd(), path.join(ACTION_DIR, 'test/fixtures/describe-task-definition.json')),
        'container-name': 'quiz-backend',
        image: NEW_IMAGE,
        'check-architecture': 'false',
      },
    });

    expect(run.exitCode).toBe(0);
    expect(run.outputs['previous-task-definition-arn']).toBe('');
    expect(run.outputs.image).toBe(NEW_IMAGE);
  });

  it('fails on bad input naming the input', async () => {
    const run = await runActionBundle(ACTION_DIR, { inputs: { cluster: NAME, 'container-name': 'quiz-backend' }, env: awsEnv });

    expect(run.exitCode).toBe(1);
    expect(run.annotations).toEqual([
      { level: 'error', message: `ecs-render-taskdef: Input "service": is required with "cluster" ("${NAME}"). Set it to the name or ARN of the service.` },
    ]);
    expect(run.stdout).not.toContain('    at ');
  });

  it.each([
    ['an amd64-only index with an attestation', 'index-with-attestation' as const],
    ['an amd64-only single manifest', 'single' as const],
  ])('rejects %s for an ARM64 task', async (_case, shape) => {
    await createService();
    await emulator.seedImage({ repository: NAME, tag: '1.4.2', shape, platforms: ['linux/amd64'] });

    const run = await runActionBundle(ACTION_DIR, {
      inputs: { cluster: NAME, service: NAME, 'container-name': 'quiz-backend', image: NEW_IMAGE },
      env: awsEnv,
      runnerTemp,
    });

    expect(run.exitCode).toBe(1);
    expect(run.annotations).toEqual([
      {
        level: 'error',
        message:
          `ecs-render-taskdef: Image ${NEW_IMAGE} provides amd64, but the task's runtimePlatform.cpuArchitecture is ARM64 (arm64): its containers would exit with "exec format error". ` +
          'Build the image for linux/arm64 (docker buildx build --platform linux/arm64), or change runtimePlatform.cpuArchitecture.',
      },
    ]);
    expect(run.outputs).not.toHaveProperty('task-definition');
  });

  it('fails when the image tag was never pushed', async () => {
    await createService();
    await emulator.seedImage({ repository: NAME, tag: '1.4.1', platforms: ['linux/arm64'] });

    const run = await runActionBundle(ACTION_DIR, { inputs: { cluster: NAME, service: NAME, 'container-name': 'quiz-backend', image: NEW_IMAGE }, env: awsEnv, runnerTemp });

    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]?.message).toContain(`ecs-render-taskdef: Image ${NEW_IMAGE} not found in ECR repository ${NAME} (123456789012, ap-south-1)`);
  });

  it('changes several containers, removes variables and adds tags', async () => {
    const file = path.join(runnerTemp, 'taskdef.yaml');
    await writeFile(
      file,
      [
        'family: quiz-backend-testing',
        'runtimePlatform: {cpuArchitecture: ARM64, operatingSystemFamily: LINUX}',
        'cpu: 1024',
        'memory: "2048"',
        'containerDefinitions:',
        '  - name: quiz-backend',
        `    image: ${NAME}:latest`,
        '    portMappings: [{containerPort: "8000"}]',
        '    environment:',
        '      - {name: MONGO_AUTH_CREDENTIALS, value: "mongodb+srv://quiz:EXAMPLE-OLD@db.example/quiz"}',
        '      - {name: OLD_FLAG, value: "on"}',
        '  - name: log-router',
        '    image: public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0',
        '    essential: false',
        'tags: [{key: Environment, value: testing}]',
        '',
      ].join('\n'),
    );
    await emulator.seedImage({ repository: NAME, tag: '1.4.2', platforms: ['linux/amd64', 'linux/arm64'] });

    const run = await runActionBundle(ACTION_DIR, {
      inputs: {
        'task-definition': file,
        containers: [
          'quiz-backend:',
          `  image: ${NEW_IMAGE}`,
          '  environment:',
          '    TLS_CA: |',
          '      -----BEGIN CERTIFICATE-----',
          '      MIIB=EXAMPLE',
          '      -----END CERTIFICATE-----',
          '  environment-remove: [OLD_FLAG]',
          'log-router:',
          '  image: public.ecr.aws/aws-observability/aws-for-fluent-bit:2.33.0',
        ].join('\n'),
        tags: 'Environment=staging\nRelease=1.4.2',
      },
      env: awsEnv,
      runnerTemp,
    });

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.annotations).toEqual([]);
    expect(run.outputs.image).toBe(NEW_IMAGE);
    const rendered = JSON.parse(await readFile(run.outputs['task-definition'] as string, 'utf8')) as Record<string, unknown>;
    expect(rendered.cpu).toBe('1024');
    expect(rendered.tags).toEqual([
      { key: 'Environment', value: 'staging' },
      { key: 'Release', value: '1.4.2' },
    ]);
    const [backend, router] = rendered.containerDefinitions as Record<string, unknown>[];
    expect(backend?.portMappings).toEqual([{ containerPort: 8000 }]);
    expect(backend?.environment).toEqual([
      { name: 'MONGO_AUTH_CREDENTIALS', value: 'mongodb+srv://quiz:EXAMPLE-OLD@db.example/quiz' },
      { name: 'TLS_CA', value: '-----BEGIN CERTIFICATE-----\nMIIB=EXAMPLE\n-----END CERTIFICATE-----\n' },
    ]);
    expect(router?.image).toBe('public.ecr.aws/aws-observability/aws-for-fluent-bit:2.33.0');

    expect(run.log).toContain('Container "quiz-backend" environment: added 1 (TLS_CA), changed none, removed 1 (OLD_FLAG).');
    expect(run.log).toContain('Image public.ecr.aws/aws-observability/aws-for-fluent-bit:2.33.0 is not in ECR, so its architecture was not checked.');
    expect(run.summary).toContain('| Task | tags changed | `Environment` |');
    expect(run.summary).toContain('| Container `log-router` | image | `public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0` → `public.ecr.aws/aws-observability/aws-for-fluent-bit:2.33.0` |');
    const visible = visibleText(run);
    for (const value of ['EXAMPLE-OLD', 'MIIB=EXAMPLE']) expect(visible).not.toContain(value);

    const registered = await ecsClient().send(new RegisterTaskDefinitionCommand(rendered as unknown as RegisterTaskDefinitionCommandInput));
    expect(registered.taskDefinition?.containerDefinitions?.map((container) => container.image)).toEqual([NEW_IMAGE, 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.33.0']);
  });

  it('rejects a misspelled field with its path', async () => {
    const file = path.join(runnerTemp, 'taskdef.json');
    await writeFile(
      file,
      JSON.stringify({ family: NAME, containerDefinitions: [{ name: 'quiz-backend', image: 'quiz:1', memoryReservaton: 512, portMappings: [{ containerPort: 'http' }] }] }),
    );

    const run = await runActionBundle(ACTION_DIR, { inputs: { 'task-definition': file }, runnerTemp });

    expect(run.exitCode).toBe(1);
    expect(run.annotations).toHaveLength(1);
    const message = run.annotations[0]?.message ?? '';
    expect(message).toContain(`ecs-render-taskdef: Task definition ${file} does not match the RegisterTaskDefinition input`);
    expect(message).toContain('containerDefinitions[0].memoryReservaton: unknown field of ContainerDefinition, which RegisterTaskDefinition would drop. Did you mean "memoryReservation"?');
    expect(message).toContain('containerDefinitions[0].portMappings[0].containerPort: expected a number, got "http".');
  });

  it('warns about a misspelled field in warn mode', async () => {
    const file = path.join(runnerTemp, 'taskdef.json');
    await writeFile(file, JSON.stringify({ family: NAME, containerDefinitions: [{ name: 'quiz-backend', image: 'quiz:1', memoryReservaton: 512 }] }));

    const run = await runActionBundle(ACTION_DIR, { inputs: { 'task-definition': file, 'unknown-fields': 'warn' }, runnerTemp });

    expect(run.exitCode).toBe(0);
    expect(run.annotations).toEqual([
      {
        level: 'warning',
        message:
          'containerDefinitions[0].memoryReservaton: unknown field of ContainerDefinition, which RegisterTaskDefinition would drop. Did you mean "memoryReservation"? The field was removed from the rendered file.',
      },
    ]);
  });
});
