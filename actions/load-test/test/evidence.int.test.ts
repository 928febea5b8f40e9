import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { runActionBundle } from '@ecs-deploy-kit/action-runner';
import { startEmulator } from '@ecs-deploy-kit/emulator';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { Report } from '../src/report.ts';
import { fastHandler, startServer } from './servers.ts';
import type { TestServer } from './servers.ts';

const ACTION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOAD_BALANCER = 'app/quiz-backend-testing/50dc6c495c0c9188';

let emulator: Awaited<ReturnType<typeof startEmulator>>;
let server: TestServer;
let reportDir: string;

beforeAll(async () => {
  emulator = await startEmulator();
  server = await startServer(fastHandler);
  reportDir = await mkdtemp(path.join(tmpdir(), 'load-test-evidence-'));
});

afterAll(async () => {
  await server?.close();
  await emulator?.stop();
  if (reportDir) await rm(reportDir, { recursive: true, force: true });
});

describe('load-test with CloudWatch', () => {
  it('adds the window metrics to the report', async () => {
    // Data points the load balancer would publish during the test, stored in the emulator's CloudWatch.
    const cloudWatch = new CloudWatchClient({ region: 'ap-south-1', endpoint: emulator.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const dimensions = [{ Name: 'LoadBalancer', Value: LOAD_BALANCER }];
    await cloudWatch.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/ApplicationELB',
        MetricData: [
          { MetricName: 'RequestCount', Dimensions: dimensions, Timestamp: new Date(), Value: 100, Unit: 'Count' },
          { MetricName: 'HTTPCode_ELB_5XX_Count', Dimensions: dimensions, Timestamp: new Date(), Value: 3, Unit: 'Count' },
        ],
      }),
    );
    cloudWatch.destroy();

    const result = await runActionBundle(ACTION_DIR, {
      inputs: { 'target-url': server.url, 'allowed-hosts': '127.0.0.1', rate: '50', duration: '2s', 'load-balancer': `arn:aws:elasticloadbalancing:ap-south-1:123456789012:loadbalancer/${LOAD_BALANCER}`, 'report-dir': reportDir },
      env: { AWS_ENDPOINT_URL: emulator.endpoint, AWS_REGION: 'ap-south-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
    });

    expect(result.exitCode).toBe(0);
    const report = JSON.parse(await readFile(path.join(reportDir, 'report.json'), 'utf8')) as Report;
    const byId = new Map(report.evidence?.metrics.map((series) => [series.id, series]));
    expect(byId.get('alb_requests')?.values.reduce((sum, value) => sum + value, 0)).toBe(100);
    expect(byId.get('alb_elb_5xx')?.values.reduce((sum, value) => sum + value, 0)).toBe(3);
    expect(byId.get('alb_target_5xx')?.values).toEqual([]);
    expect(report.evidence?.problems).toEqual([]);
    expect(result.summary).toContain('| ALB requests | total | 100 count |');
    expect(result.summary).toContain('| ELB 5xx | total | 3 count |');
    expect(result.log).toContain('Fetched 6 CloudWatch metrics');
  });
});
