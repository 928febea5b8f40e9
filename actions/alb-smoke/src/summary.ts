import { markdownTable } from '@ecs-deploy-kit/shared';

import type { UrlResult } from './check.ts';
import type { Result } from './run.ts';
import { formatDuration, shortTaskDefinition } from './targets.ts';
import type { TargetHealthResult } from './targets.ts';

/** Renders the job summary: target health, then one row per URL, or the reason the test was skipped. */
export function renderSummary(result: Result): string {
  if (result.skipped) return `### Smoke test skipped\n\n${result.reason}\n`;

  const heading = result.passed ? '### Smoke test passed' : '### Smoke test failed';
  const sections = [heading];
  if (result.targetHealth) sections.push(renderTargetHealth(result.targetHealth));
  if (result.urls.length > 0) {
    const rows = result.urls.map((item) => [
      item.url,
      item.passed ? 'passed' : `failed: ${item.reason ?? 'no counted response'}`,
      String(item.attempts),
      formatLatency(item),
      item.version ?? '-',
    ]);
    sections.push(markdownTable(['URL', 'Result', 'Attempts', 'Latency p50 / max', 'Version seen'], rows));
  }
  return `${sections.join('\n\n')}\n`;
}

/** Renders the target health verdict and, when it failed, one row per target. */
function renderTargetHealth(health: TargetHealthResult): string {
  const revision = health.taskDefinition ? ` of ${shortTaskDefinition(health.taskDefinition)}` : '';
  const counts = Object.entries(health.healthy).map(([name, count]) => `${name}: ${count} of ${health.required} healthy`);
  if (health.passed) return `Targets${revision} healthy after ${formatDuration(health.elapsedMs)} (${counts.join(', ')}).`;

  const verdict = `Targets${revision} not healthy within ${formatDuration(health.timeoutMs)} (${counts.join(', ')}).`;
  const rows = health.targets.map((view) => [
    view.target,
    view.targetGroup,
    view.deployed ? 'yes' : 'no',
    view.state,
    view.reason === undefined ? '-' : `${view.reason}${view.description ? `: ${view.description}` : ''}`,
  ]);
  if (rows.length === 0) return `${verdict} No target is registered.`;
  return `${verdict}\n\n${markdownTable(['Target', 'Target group', 'Deployed revision', 'State', 'Reason'], rows)}`;
}

function formatLatency(item: UrlResult): string {
  if (item.latenciesMs.length === 0) return '-';
  return `${percentile(item.latenciesMs, 50)} / ${Math.max(...item.latenciesMs)} ms`;
}

/** Returns the nearest-rank percentile of the values. */
export function percentile(values: number[], rank: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1);
  return sorted[index] as number;
}

/** Returns the one-line failure message for the step, naming the unhealthy targets or each URL that failed. */
export function failureMessage(result: Result): string {
  if (!result.skipped && result.targetHealth && !result.targetHealth.passed) {
    return `Smoke test failed before any request: ${result.targetHealth.reason ?? 'targets not healthy'}. Each target's state is in the log above.`;
  }
  const failed = result.urls.filter((item) => !item.passed);
  const details = failed.map((item) => `${item.url} after ${item.attempts} attempt(s): ${item.reason ?? 'no counted response'}`);
  return `${failed.length} of ${result.urls.length} URL(s) failed the smoke test. ${details.join('; ')}. The last response of each is in the log above.`;
}

/** Returns the step outputs; with several URLs, status is the last URL's and attempts the total. */
export function renderOutputs(result: Result): Record<string, string> {
  const last = result.urls.at(-1);
  const lastSuccess = result.urls.findLast((item) => item.lastSuccessLatencyMs !== undefined);
  const lastVersion = result.urls.findLast((item) => item.version !== undefined);
  return {
    status: last?.lastStatus === undefined ? '' : String(last.lastStatus),
    'latency-ms': lastSuccess?.lastSuccessLatencyMs === undefined ? '' : String(lastSuccess.lastSuccessLatencyMs),
    attempts: String(result.urls.reduce((sum, item) => sum + item.attempts, 0)),
    version: lastVersion?.version ?? '',
    skipped: String(result.skipped),
  };
}
