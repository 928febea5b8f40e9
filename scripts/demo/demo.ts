// make demo: the quiz-backend release pipeline on the local emulator, run through the real
// action bundles exactly as a runner runs them. A good release is promoted, rendered,
// deployed and smoke-tested. Then a release whose image cannot be pulled fails fast, and the
// circuit breaker returns the service to the previous revision.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { runActionBundle } from '@ecs-deploy-kit/action-runner';
import type { ActionRun } from '@ecs-deploy-kit/action-runner';
import {
  QUIZ,
  createRepository,
  createTestingEnvironment,
  fixtureEnvironmentValues,
  roundRobinOfRunningTasks,
  startEmulator,
  startServiceStandIn,
  waitForSteadyState,
} from '@ecs-deploy-kit/emulator';
import type { StandIn } from '@ecs-deploy-kit/emulator';

import { bold, dim, green, heading, indented, red, step, summaryAsText } from './terminal.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const REGISTRY = '123456789012.dkr.ecr.ap-south-1.amazonaws.com';

interface StepRecord {
  title: string;
  run: ActionRun;
}

interface Check {
  what: string;
  passed: boolean;
}

const steps: StepRecord[] = [];
const checks: Check[] = [];

function expect(what: string, passed: boolean): void {
  checks.push({ what, passed });
  console.log(`  ${passed ? green('✔') : red('✘')} ${what}`);
}

async function runStep(title: string, action: string, inputs: Record<string, string>, env: Record<string, string>, runnerTemp: string): Promise<ActionRun> {
  step(`${title} ${dim(`(actions/${action}, node24)`)}`);
  const run = await runActionBundle(path.join(ROOT, 'actions', action), { inputs, env, runnerTemp, onLine: (line) => indented(line) });
  steps.push({ title, run });
  const outputs = Object.entries(run.outputs);
  if (outputs.length > 0) {
    console.log(dim('  outputs:'));
    for (const [name, value] of outputs) console.log(`    ${name} = ${value}`);
  }
  if (run.summary.trim() !== '') {
    console.log(dim('  job summary:'));
    indented(summaryAsText(run.summary), '    ');
  }
  console.log(`  ${run.exitCode === 0 ? green('step succeeded') : red(`step failed (exit code ${run.exitCode})`)} ${dim(`in ${(run.durationMs / 1000).toFixed(1)} s`)}`);
  return run;
}

async function serviceTaskDefinition(ecs: ECSClient): Promise<string> {
  const described = await ecs.send(new DescribeServicesCommand({ cluster: QUIZ.cluster, services: [QUIZ.service] }));
  return described.services?.[0]?.taskDefinition ?? '';
}

function revisionOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

async function release(
  standIn: StandIn,
  env: Record<string, string>,
  runnerTemp: string,
  build: { tag: string; version: string },
): Promise<{ promote: ActionRun; render: ActionRun; deploy: ActionRun; smoke?: ActionRun }> {
  const promote = await runStep(`Promote ${build.tag} to ${build.version}`, 'promote-image', { source: `${REGISTRY}/${QUIZ.repository}:${build.tag}`, tags: build.version }, env, runnerTemp);
  const render = await runStep(
    'Render the task definition',
    'ecs-render-taskdef',
    { cluster: QUIZ.cluster, service: QUIZ.service, 'container-name': QUIZ.container, image: promote.outputs['image-uri'] ?? '' },
    env,
    runnerTemp,
  );
  const deploy = await runStep(
    'Deploy and wait',
    'ecs-deploy-wait',
    { 'task-definition': render.outputs['task-definition'] ?? '', cluster: QUIZ.cluster, service: QUIZ.service, timeout: '2m', 'poll-interval': '1s' },
    env,
    runnerTemp,
  );
  if (deploy.exitCode !== 0) return { promote, render, deploy };
  const smoke = await runStep(
    'Smoke-test behind the load balancer',
    'alb-smoke',
    {
      url: `${standIn.url}/health`,
      'expected-version': promote.outputs.digest ?? '',
      cluster: QUIZ.cluster,
      service: QUIZ.service,
      attempts: '10',
      interval: '1s',
    },
    env,
    runnerTemp,
  );
  return { promote, render, deploy, smoke };
}

async function main(): Promise<number> {
  const started = Date.now();
  heading('ecs-deploy-kit demo: quiz-backend on a local AWS emulator');
  console.log('Starting the emulator (moto on 127.0.0.1 with the project\'s ECS and ECR extension)...');
  const emulator = await startEmulator();
  const runnerTemp = await mkdtemp(path.join(tmpdir(), 'ecs-deploy-kit-demo-'));
  let standIn: StandIn | undefined;
  try {
    console.log(`Emulator listening on ${emulator.endpoint} (region ${emulator.region}, account ${emulator.accountId}).`);
    const target = { endpoint: emulator.endpoint, region: emulator.region };
    const env = { AWS_ENDPOINT_URL: emulator.endpoint, AWS_REGION: emulator.region, AWS_ACCESS_KEY_ID: 'demo', AWS_SECRET_ACCESS_KEY: 'demo' };
    const ecs = new ECSClient({ ...target, credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' } });

    heading('Set-up: quiz-backend testing as it runs today');
    await createRepository(target);
    const current = await emulator.seedImage({ repository: QUIZ.repository, tag: 'v1.3.0', shape: 'index-with-attestation', seed: 'v1.3.0' });
    const good = await emulator.seedImage({ repository: QUIZ.repository, tag: 'sha-4f2c9e1', shape: 'index-with-attestation', seed: 'sha-4f2c9e1' });
    const broken = await emulator.seedImage({ repository: QUIZ.repository, tag: 'sha-9b7d0a3', shape: 'index-with-attestation', seed: 'sha-9b7d0a3' });
    console.log(`ECR repository ${QUIZ.repository}: v1.3.0 (running now) and two builds, each an ARM64 image index with an attestation manifest as buildx pushes it:`);
    console.log(`  sha-4f2c9e1  ${good.digest}`);
    console.log(`  sha-9b7d0a3  ${broken.digest}  ${dim('(its image cannot be pulled: the emulator fails its tasks with CannotPullContainerError)')}`);
    await emulator.addDeploymentOutcome({ image: broken.digest, outcome: 'image-pull-failure' });
    const initial = await createTestingEnvironment(target, `${REGISTRY}/${QUIZ.repository}@${current.digest}`);
    console.log(`Cluster ${QUIZ.cluster}, target group, ALB and service ${QUIZ.service} created; the service runs ${revisionOf(initial.taskDefinitionArn)} (v1.3.0)`);
    console.log('with the deployment circuit breaker and rollback on.');
    standIn = await startServiceStandIn(roundRobinOfRunningTasks(() => emulator.runningImages(QUIZ.cluster, QUIZ.service)));
    console.log(`Load balancer stand-in: ${standIn.url} responds to /health as the service's running tasks would, with their image digest as the version.`);

    heading('Release v1.4.0: promote the tested build, render, deploy, smoke-test');
    const first = await release(standIn, env, runnerTemp, { tag: 'sha-4f2c9e1', version: 'v1.4.0' });
    const firstRevision = await serviceTaskDefinition(ecs);
    console.log('');
    expect('promote-image succeeded', first.promote.exitCode === 0);
    expect(`promote-image kept the build's digest (${good.digest.slice(0, 19)}…)`, first.promote.outputs.digest === good.digest);
    expect('ecs-deploy-wait succeeded', first.deploy.exitCode === 0);
    expect('ecs-deploy-wait reported the deployment COMPLETED', first.deploy.outputs['rollout-state'] === 'COMPLETED');
    expect('alb-smoke succeeded', first.smoke?.exitCode === 0);
    expect(`alb-smoke saw the new version respond (${(first.smoke?.outputs.version ?? '').slice(0, 19)}…)`, first.smoke?.outputs.version === good.digest);
    expect(`the service runs the new revision (${revisionOf(firstRevision)})`, firstRevision === first.deploy.outputs['task-definition-arn']);

    heading('Release v1.5.0: an image that cannot start');
    const second = await release(standIn, env, runnerTemp, { tag: 'sha-9b7d0a3', version: 'v1.5.0' });
    console.log('\nWaiting for the circuit breaker\'s rollback to finish...');
    const afterRollback = await waitForSteadyState(target);
    const answering = await emulator.runningImages(QUIZ.cluster, QUIZ.service);
    console.log('');
    expect('ecs-deploy-wait failed the step', second.deploy.exitCode !== 0);
    expect('the failure names the reason (CannotPullContainerError)', second.deploy.log.includes('CannotPullContainerError'));
    expect(`the service is back on the previous revision (${revisionOf(afterRollback)})`, afterRollback === firstRevision);
    expect('only v1.4.0 tasks are running', answering.length > 0 && answering.every((image) => image.endsWith(good.digest)));
    expect('the smoke test did not run for the failed release', second.smoke === undefined);

    heading('Secrets');
    const secretValues = await fixtureEnvironmentValues();
    // run.log is stdout as a runner shows it: ::add-mask:: commands, which carry the values to
    // the runner's masker and are never displayed, are left out.
    const printed = steps.map(({ run }) => [run.log, run.stderr, run.summary, ...Object.values(run.outputs)].join('\n')).join('\n');
    const leaked = secretValues.filter((value) => printed.includes(value));
    expect(`none of the task definition's ${secretValues.length} environment values appears in any log, output or summary`, leaked.length === 0);
  } finally {
    await standIn?.close();
    await emulator.stop();
    await rm(runnerTemp, { recursive: true, force: true });
  }

  const failed = checks.filter((check) => !check.passed);
  heading('Result');
  console.log(`${checks.length - failed.length} of ${checks.length} expectations met in ${((Date.now() - started) / 1000).toFixed(0)} s; the emulator and the stand-in server are stopped.`);
  if (failed.length > 0) {
    console.log(red(bold('The demo did not behave as described:')));
    for (const check of failed) console.log(red(`  ✘ ${check.what}`));
    return 1;
  }
  console.log(green(bold('Everything behaved as described.')));
  return 0;
}

process.exitCode = await main();
