import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ActionError, awsConfigFromEnvironment, coreInputReader, coreLogger, runAction, setOutputs, systemClock, writeSummary } from '@ecs-deploy-kit/shared';

import { undiciClient } from './http.ts';
import { readInputs } from './inputs.ts';
import { run } from './run.ts';
import type { Result } from './run.ts';
import type { EvidenceClients } from './evidence.ts';

const ACTION = 'load-test';

export async function main(): Promise<void> {
  await runAction(ACTION, async () => {
    const inputs = readInputs(coreInputReader);
    const evidence = Object.keys(inputs.aws).length > 0 ? evidenceClients(inputs.aws.cluster !== undefined) : undefined;
    // dist/index.js runs from the action's folder, whose scenarios/ folder contains the built-in scenarios.
    const actionDir = path.resolve(path.dirname(process.argv[1] ?? '.'), '..');
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();

    const result = await run(inputs, {
      createClient: undiciClient,
      readFile: (file) => readFile(path.resolve(workspace, file), 'utf8'),
      writeFile: async (file, text) => {
        await mkdir(path.dirname(path.resolve(workspace, file)), { recursive: true });
        await writeFile(path.resolve(workspace, file), text);
      },
      scenarioDir: path.join(actionDir, 'scenarios'),
      defaultReportDir: path.join(process.env.RUNNER_TEMP ?? workspace, 'load-test'),
      runId: runIdFromEnvironment(),
      ...(evidence ? { evidence } : {}),
      logger: coreLogger(),
      clock: systemClock,
      monotonic: () => performance.now(),
      wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
      eventLoop: () => performance.eventLoopUtilization(),
      cpuTimeUs: () => {
        const usage = process.cpuUsage();
        return usage.user + usage.system;
      },
    });

    setOutputs(outputsOf(result));
    await writeSummary(result.markdown);
    if (inputs.failStep && result.report.verdict !== 'pass') {
      throw new ActionError(`verdict ${result.report.verdict}. ${result.report.reasons.join(' ')} Details: ${result.markdownPath}.`);
    }
  });
}

function evidenceClients(withEcs: boolean): EvidenceClients {
  const clients: EvidenceClients = { cloudWatch: new CloudWatchClient(awsConfigFromEnvironment(process.env, 'CloudWatch', ACTION)) };
  if (withEcs) {
    clients.ecs = new ECSClient(awsConfigFromEnvironment(process.env, 'ECS', ACTION));
    clients.autoScaling = new ApplicationAutoScalingClient(awsConfigFromEnvironment(process.env, 'Application Auto Scaling', ACTION));
  }
  return clients;
}

/** Synthetic user ids start with this id, so a run's records can be found and deleted afterwards. */
function runIdFromEnvironment(): string {
  const run = process.env.GITHUB_RUN_ID;
  if (run) return `lt-${run}-${process.env.GITHUB_RUN_ATTEMPT ?? '1'}`;
  return `lt-local-${Date.now().toString(36)}`;
}

export function outputsOf(result: Result): Record<string, string> {
  const { summary } = result.report;
  return {
    verdict: result.report.verdict,
    'p95-ms': String(summary.latency.p95Ms),
    'p99-ms': String(summary.latency.p99Ms),
    'error-rate': String(summary.errorRate),
    'achieved-rps': String(summary.achievedRps),
    report: result.reportPath,
  };
}
