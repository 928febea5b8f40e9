// Prints one closing line, "N passed, N failed", over every test report that make test wrote:
// jest's JSON reports and pytest's JUnit XML, so the whole run has one count.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const reports = path.resolve(import.meta.dirname, '../.tools/reports');
let passed = 0;
let failed = 0;
let skipped = 0;

for (const name of existsSync(reports) ? readdirSync(reports) : []) {
  const text = readFileSync(path.join(reports, name), 'utf8');
  if (name.endsWith('.json')) {
    const jest = JSON.parse(text) as { numPassedTests: number; numFailedTests: number; numPendingTests: number };
    passed += jest.numPassedTests;
    failed += jest.numFailedTests;
    skipped += jest.numPendingTests;
  } else if (name.endsWith('.xml')) {
    const suite = /<testsuite\b[^>]*>/.exec(text)?.[0] ?? '';
    const count = (attribute: string): number => Number(new RegExp(`${attribute}="(\\d+)"`).exec(suite)?.[1] ?? 0);
    const notPassed = count('failures') + count('errors') + count('skipped');
    passed += count('tests') - notPassed;
    failed += count('failures') + count('errors');
    skipped += count('skipped');
  }
}

console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
