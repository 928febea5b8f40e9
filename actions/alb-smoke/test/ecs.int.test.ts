import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { runActionBundle } from '@ecs-deploy-kit/action-runner';
import { startEmulator } from '@ecs-deploy-kit/emulator';

import { createQuizService, deployRevision, QUIZ, roundRobinOfRunningTasks, startStandIn, waitForSteadyState } from './quiz-environment.ts';
import type { StandIn } from './quiz-environment.ts';

const ACTION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Each case creates a service and waits for one or two emulated deployments.
jest.setTimeout(60_000);

let emulator: Awaited<ReturnType<typeof startEmulator>>;
let standIn: StandIn | undefined;

function awsEnv(): Record<string, string> {
  return { AWS_ENDPOINT_URL: emulator.endpoint, AWS_REGION: 'ap-south-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
}

function serviceInputs(url: string): Record<string, string> {
  return { url, cluster: QUIZ.cluster, service: QUIZ.service, interval: '200ms', 'request-timeout': '2s', attempts: '40', timeout: '60s' };
}

beforeAll(async () => {
  emulator = await startEmulator();
  // A quicker rollout than the defaults. Targets stay initial or unhealthy for 1.5 s, several
  // 200 ms polls, so the logs show each state even when the bundle starts slowly.
  await emulator.setTiming({ tickSeconds: 0.02, provisionSeconds: 0.1, taskStartSeconds: 0.5, healthySeconds: 1.5, drainSeconds: 0.6, stopSeconds: 0.1 });
});

afterAll(async () => {
  await emulator?.stop();
});

beforeEach(async () => {
  await emulator.reset();
});

afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

describe('alb-smoke with ECS', () => {
  it('skips desiredCount 0', async () => {
    await createQuizService(emulator.endpoint, '1.4.0', 0);

    // Nothing listens on port 1, so the test would fail had it sent a request.
    const run = await runActionBundle(ACTION_DIR, { inputs: { ...serviceInputs('http://127.0.0.1:1/health'), attempts: '1' }, env: awsEnv() });

    expect(run.exitCode).toBe(0);
    expect(run.outputs.skipped).toBe('true');
    expect(run.outputs.attempts).toBe('0');
    expect(run.annotations).toEqual([
      {
        level: 'notice',
        message:
          'Skipping the smoke test: service "quiz-backend-testing" in cluster "quiz-backend-testing" has desiredCount 0, so no task serves these URLs.',
      },
    ]);
    expect(run.summary).toContain('### Smoke test skipped');
  });

  it('passes a healthy deployment', async () => {
    await createQuizService(emulator.endpoint, '1.4.0', 1);
    await waitForSteadyState(emulator.endpoint);
    standIn = await startStandIn(roundRobinOfRunningTasks(() => emulator.runningImages(QUIZ.cluster, QUIZ.service)));

    await deployRevision(emulator.endpoint, '1.5.0');
    const run = await runActionBundle(ACTION_DIR, { inputs: { ...serviceInputs(`${standIn.url}/health`), 'expected-version': '1.5.0' }, env: awsEnv() });

    expect(run.exitCode).toBe(0);
    expect(run.outputs.version).toBe('1.5.0');
    expect(run.log).toMatch(/Target 10\.0\.\d+\.\d+:8000 in quiz-backend-testing: initial \(Elb\.RegistrationInProgress: Target registration is in progress\)/);
    expect(run.log).toMatch(/Target 10\.0\.\d+\.\d+:8000 in quiz-backend-testing: healthy/);
    expect(run.log).toMatch(/Target 10\.0\.\d+\.\d+:8000 in quiz-backend-testing \(not a RUNNING task of the deployed revision\): healthy/);
    expect(run.log).toMatch(/Targets healthy after \d+ ms: 1 in quiz-backend-testing\./);
    expect(standIn.versionsServed.slice(-3)).toEqual(['1.5.0', '1.5.0', '1.5.0']);
    expect(run.summary).toContain('Targets of quiz-backend-testing:2 healthy after');
    expect(run.summary).toMatch(/\| passed \| \d+ \| \d+ \/ \d+ ms \| 1\.5\.0 \|/);
  });

  it('fails on the old version', async () => {
    await createQuizService(emulator.endpoint, '1.4.0', 1);
    await waitForSteadyState(emulator.endpoint);
    // The deployment completes, but the load balancer still reaches a server with the old build.
    standIn = await startStandIn(async () => '1.4.0');

    await deployRevision(emulator.endpoint, '1.5.0');
    const run = await runActionBundle(ACTION_DIR, { inputs: { ...serviceInputs(`${standIn.url}/health`), 'expected-version': '1.5.0', attempts: '5' }, env: awsEnv() });

    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(/Targets healthy after \d+ ms: 1 in quiz-backend-testing\./);
    expect(run.outputs.version).toBe('1.4.0');
    expect(run.log).toContain('Stopping after attempt 3: the 2 attempt(s) left cannot make 3 counted responses in a row.');
    expect(run.annotations.at(-1)?.message).toBe(
      `alb-smoke: 1 of 1 URL(s) failed the smoke test. ${standIn.url}/health after 3 attempt(s): version "1.4.0" seen, expected "1.5.0". The last response of each is in the log above.`,
    );
  });

  it('reports unhealthy targets', async () => {
    await createQuizService(emulator.endpoint, '1.4.0', 1);
    await waitForSteadyState(emulator.endpoint);
    await emulator.addDeploymentOutcome({ image: ':1.5.0', outcome: 'failing-health-check' });
    standIn = await startStandIn(async () => '1.4.0');

    await deployRevision(emulator.endpoint, '1.5.0');
    const run = await runActionBundle(ACTION_DIR, { inputs: { ...serviceInputs(`${standIn.url}/health`), 'target-health-timeout': '4s' }, env: awsEnv() });

    expect(run.exitCode).toBe(1);
    expect(standIn.versionsServed).toEqual([]);
    expect(run.log).toMatch(/Target 10\.0\.\d+\.\d+:8000 in quiz-backend-testing: unhealthy \(Target\.ResponseCodeMismatch: Health checks failed with these codes: \[503\]\)/);
    expect(run.annotations.at(-1)?.message).toMatch(
      /^alb-smoke: Smoke test failed before any request: targets not healthy within 4s \(target-health-timeout\): 0 of 1 target\(s\) of quiz-backend-testing:\d+ healthy in quiz-backend-testing\. Each target's state is in the log above\.$/,
    );
  });

  it('fails on a missing service', async () => {
    await createQuizService(emulator.endpoint, '1.4.0', 1);

    const run = await runActionBundle(ACTION_DIR, { inputs: { ...serviceInputs('http://127.0.0.1:1/health'), service: 'quiz-backend-testng' }, env: awsEnv() });

    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]?.message).toBe(
      'alb-smoke: Service "quiz-backend-testng" not found in cluster "quiz-backend-testing". Services in this cluster: quiz-backend-testing.',
    );
  });
});
