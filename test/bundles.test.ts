import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const actions = readdirSync(path.join(root, 'actions'));

// Lines found only in the browser builds of @smithy/core 3.41's submodules
// (dist-cjs/submodules/*/index.browser.js): serde marks its Node-only exports with this symbol,
// and reads random values from the global crypto object.
const BROWSER_ONLY = ['Symbol.for("node-only")', 'crypto.getRandomValues(array)'];

describe('action bundles', () => {
  it.each(actions)('%s holds the Node builds of @smithy/core', (action) => {
    const bundle = readFileSync(path.join(root, 'actions', action, 'dist', 'index.js'), 'utf8');
    for (const marker of BROWSER_ONLY) expect(bundle).not.toContain(marker);
    // A line of the Node build of the retry submodule, which reads AWS_MAX_ATTEMPTS.
    expect(bundle).toContain('AWS_MAX_ATTEMPTS');
  });
});
