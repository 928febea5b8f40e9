import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const actions = readdirSync(path.join(root, 'actions'));

interface Manifest {
  name?: string;
  description?: string;
  inputs?: Record<string, { description?: string }>;
  runs?: { using?: string; main?: string };
}

// The runner reads action.yml as YAML before anything runs, so one stray ": " in a plain
// description breaks the action for every user.
describe('action manifests', () => {
  it.each(actions)('%s/action.yml parses and runs its bundle on node24', (action) => {
    const manifest = parseYaml(readFileSync(path.join(root, 'actions', action, 'action.yml'), 'utf8')) as Manifest;
    expect(manifest.runs?.using).toBe('node24');
    expect(manifest.runs?.main).toBe('dist/index.js');
    expect(manifest.description).toEqual(expect.any(String));
  });

  it.each(actions)('%s/action.yml describes every input', (action) => {
    const manifest = parseYaml(readFileSync(path.join(root, 'actions', action, 'action.yml'), 'utf8')) as Manifest;
    const undescribed = Object.entries(manifest.inputs ?? {}).filter(([, input]) => typeof input?.description !== 'string' || input.description.trim() === '');
    expect(undescribed.map(([name]) => name)).toEqual([]);
  });
});
