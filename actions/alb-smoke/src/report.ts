import type { HttpResponse } from './http.ts';
import { printableHeaderValue } from './redact.ts';

// How much of the last body the failure report prints.
export const REPORT_BODY_BYTES = 2048;

/**
 * Formats the last response of a failed URL for the log: status, headers with secret-looking
 * values masked, and the start of the body.
 */
export function formatLastResponse(response: HttpResponse): string {
  const lines = [`Status: ${response.status}`, 'Headers:'];
  for (const [name, value] of Object.entries(response.headers).sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  ${name}: ${printableHeaderValue(name, value)}`);
  }

  if (response.body.length === 0) {
    lines.push('Body: empty');
    return lines.join('\n');
  }
  const bodyStart = response.body.subarray(0, REPORT_BODY_BYTES);
  const total = response.bodyTruncated ? `more than ${response.body.length}` : String(response.body.length);
  const cut = bodyStart.length < response.body.length || response.bodyTruncated ? ` (first ${bodyStart.length} of ${total} bytes)` : ` (${bodyStart.length} bytes)`;
  lines.push(`Body${cut}:`, bodyStart.toString('utf8'));
  return lines.join('\n');
}
