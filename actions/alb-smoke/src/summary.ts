import { markdownTable } from '@ecs-deploy-kit/shared';

import type { Result } from './run.ts';

/** Renders the job summary: one row per URL, or the reason the test was skipped. */
export function renderSummary(result: Result): string {
  if (result.skipped) return `### Smoke test skipped\n\n${result.reason}\n`;

  const heading = result.passed ? '### Smoke test passed' : '### Smoke test failed';
  const rows = result.urls.map((item) => [
    item.url,
    item.passed ? 'passed' : `failed: ${item.reason ?? 'no counted response'}`,
    String(item.attempts),
    item.lastSuccessLatencyMs === undefined ? '-' : `${item.lastSuccessLatencyMs} ms`,
    item.version ?? '-',
  ]);
  return `${heading}\n\n${markdownTable(['URL', 'Result', 'Attempts', 'Latency', 'Version'], rows)}\n`;
}

/** Returns the one-line failure message for the step, naming each URL that failed. */
export function failureMessage(result: Result): string {
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
