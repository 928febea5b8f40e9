import { readFile } from 'node:fs/promises';

import { DescribeServicesCommand, ECSClient, ListServicesCommand } from '@aws-sdk/client-ecs';
import type { DescribeServicesCommandOutput } from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { ActionError, MemoryLogger } from '@ecs-deploy-kit/shared';
import { mockClient } from 'aws-sdk-client-mock';

import { readInputs } from '../src/inputs.ts';
import { run } from '../src/run.ts';
import { failureMessage, renderOutputs, renderSummary } from '../src/summary.ts';
import { fakeWorld } from './fakes.ts';
import type { Reply } from './fakes.ts';

const ecsMock = mockClient(ECSClient);

async function describeServicesFixture(desiredCount: number): Promise<DescribeServicesCommandOutput> {
  const text = await readFile(new URL('./fixtures/describe-services.json', import.meta.url), 'utf8');
  const output = JSON.parse(text) as DescribeServicesCommandOutput;
  for (const service of output.services ?? []) service.desiredCount = desiredCount;
  return output;
}

function inputsOf(values: Record<string, string>) {
  return readInputs((name) => values[name] ?? '');
}

async function runWith(values: Record<string, string>, replies: Reply[]) {
  const world = fakeWorld(replies);
  const logger = new MemoryLogger();
  const result = await run(inputsOf(values), { ...world, logger, ecs: new ECSClient({ region: 'ap-south-1' }) });
  return { result, world, logger };
}

beforeEach(() => {
  ecsMock.reset();
});

describe('run', () => {
  it('skips a service scaled to zero', async () => {
    ecsMock.on(DescribeServicesCommand).resolves(await describeServicesFixture(0));

    const { result, world, logger } = await runWith(
      { url: 'https://quiz.example.org/health', cluster: 'quiz-backend-testing', service: 'quiz-backend-testing' },
      [],
    );

    expect(result.skipped).toBe(true);
    expect(world.requests).toEqual([]);
    expect(ecsMock.commandCalls(DescribeServicesCommand)[0]?.args[0].input).toEqual({
      cluster: 'quiz-backend-testing',
      services: ['quiz-backend-testing'],
    });
    expect(logger.lines).toContain(
      'notice: Skipping the smoke test: service "quiz-backend-testing" in cluster "quiz-backend-testing" has desiredCount 0, so no task serves these URLs.',
    );
    expect(renderOutputs(result)).toEqual({ status: '', 'latency-ms': '', attempts: '0', version: '', skipped: 'true' });
    expect(renderSummary(result)).toContain('### Smoke test skipped');
  });

  it('checks a running service', async () => {
    ecsMock.on(DescribeServicesCommand).resolves(await describeServicesFixture(1));

    const { result, world } = await runWith(
      { url: 'https://quiz.example.org/health', cluster: 'quiz-backend-testing', service: 'quiz-backend-testing' },
      [{ status: 200, latencyMs: 31, headers: { 'x-app-version': '1.4.0' } }],
    );

    expect(result.skipped).toBe(false);
    expect(result.passed).toBe(true);
    expect(world.requests).toEqual(['https://quiz.example.org/health']);
    expect(renderOutputs(result)).toEqual({ status: '200', 'latency-ms': '31', attempts: '1', version: '1.4.0', skipped: 'false' });
  });

  it('names services when not found', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'quiz-backend-testng', reason: 'MISSING' }] });
    ecsMock.on(ListServicesCommand).resolves({
      serviceArns: ['arn:aws:ecs:ap-south-1:123456789012:service/quiz-backend-testing/quiz-backend-testing'],
    });

    const promise = runWith({ url: 'https://quiz.example.org/health', cluster: 'quiz-backend-testing', service: 'quiz-backend-testng' }, []);

    await expect(promise).rejects.toThrow(ActionError);
    await expect(promise).rejects.toThrow(
      'Service "quiz-backend-testng" not found in cluster "quiz-backend-testing". Services in this cluster: quiz-backend-testing.',
    );
  });

  it('explains denied DescribeServices', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: ecs:DescribeServices'), { name: 'AccessDeniedException' });
    ecsMock.on(DescribeServicesCommand).rejects(denied);

    const promise = runWith({ url: 'https://quiz.example.org/health', cluster: 'c', service: 's' }, []);

    await expect(promise).rejects.toThrow('ecs:DescribeServices was denied');
  });

  it('reports the last response on failure', async () => {
    const body = `{"detail":"database unavailable"}${'x'.repeat(3000)}`;
    const { result, logger } = await runWith({ url: 'https://quiz.example.org/health', attempts: '2', interval: '1s' }, [
      { status: 503 },
      { status: 503, body, headers: { 'content-type': 'application/json', 'set-cookie': 'session=abc123secret', 'x-app-version': '1.3.9' } },
    ]);
    const log = logger.text();

    expect(result.passed).toBe(false);
    expect(log).toContain('[Last response from https://quiz.example.org/health]');
    expect(log).toContain('Failed after 2 attempt(s): status 503 is not expected (expected 200)');
    expect(log).toContain('Status: 503');
    expect(log).toContain('  content-type: application/json');
    expect(log).toContain('  set-cookie: ***');
    expect(log).not.toContain('abc123secret');
    expect(log).toContain(`Body (first 2048 of ${body.length} bytes):\n{"detail":"database unavailable"}`);
    expect(log).not.toContain('x'.repeat(2100));
    expect(failureMessage(result)).toBe(
      '1 of 1 URL(s) failed the smoke test. https://quiz.example.org/health after 2 attempt(s): status 503 is not expected (expected 200). The last response of each is in the log above.',
    );
  });

  it('summarizes each URL', async () => {
    const { result } = await runWith(
      { url: 'https://a.example/health\nhttps://user:pw@b.example/health?token=t0ps3cret', attempts: '1', 'expected-version': 'v2', 'consecutive-successes': '1' },
      [
        { status: 200, latencyMs: 12, headers: { 'x-app-version': 'v2' } },
        { status: 200, latencyMs: 15, headers: { 'x-app-version': 'v1' } },
      ],
    );

    expect(renderSummary(result)).toBe(
      [
        '### Smoke test failed',
        '',
        '| URL | Result | Attempts | Latency | Version |',
        '| --- | --- | --- | --- | --- |',
        '| https://a.example/health | passed | 1 | 12 ms | v2 |',
        '| https://***:***@b.example/health?token=*** | failed: version "v1" seen, expected "v2" | 1 | - | v1 |',
        '',
      ].join('\n'),
    );
    expect(renderOutputs(result)).toEqual({ status: '200', 'latency-ms': '12', attempts: '2', version: 'v1', skipped: 'false' });
  });
});
