import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { inputVariable, parseOutputFile, runActionBundle } from '../src/index.ts';

describe('inputVariable', () => {
  it('keeps hyphens and upper-cases', () => {
    expect(inputVariable('task-definition')).toBe('INPUT_TASK-DEFINITION');
    expect(inputVariable('my input')).toBe('INPUT_MY_INPUT');
  });
});

describe('parseOutputFile', () => {
  it('reads plain and delimited outputs', () => {
    const text = 'digest=sha256:abc\ntags<<ghadelimiter_1\n[{"tag":"v1"}]\nsecond line\nghadelimiter_1\nempty=\n';
    expect(parseOutputFile(text)).toEqual({ digest: 'sha256:abc', tags: '[{"tag":"v1"}]\nsecond line', empty: '' });
  });
});

async function writeAction(main: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'runner-test-'));
  await mkdir(path.join(dir, 'dist'));
  await writeFile(
    path.join(dir, 'action.yml'),
    'name: probe\ninputs:\n  greeting:\n    default: hello\n  name:\n    required: true\nruns:\n  using: node24\n  main: dist/index.js\n',
  );
  await writeFile(path.join(dir, 'dist', 'index.js'), main);
  return dir;
}

describe('runActionBundle', () => {
  it('passes inputs and collects outputs, summary and commands', async () => {
    const dir = await writeAction(`
      import { appendFileSync } from 'node:fs';
      const greeting = process.env['INPUT_GREETING'];
      const name = process.env['INPUT_NAME'];
      appendFileSync(process.env.GITHUB_OUTPUT, 'message=' + greeting + ' ' + name + '\\n');
      appendFileSync(process.env.GITHUB_STEP_SUMMARY, '## Done\\n');
      console.log('::add-mask::hidden-value');
      console.log('::group::Phase one');
      console.log('working');
      console.log('::warning::careful%0Anext line');
      console.log('::endgroup::');
      process.exitCode = 3;
    `);
    await writeFile(path.join(dir, 'dist', 'package.json'), '{"type":"module"}');
    const run = await runActionBundle(dir, { inputs: { name: 'quiz' } });
    expect(run.exitCode).toBe(3);
    expect(run.outputs).toEqual({ message: 'hello quiz' });
    expect(run.summary).toBe('## Done\n');
    expect(run.masked).toEqual(['hidden-value']);
    expect(run.annotations).toEqual([{ level: 'warning', message: 'careful\nnext line' }]);
    expect(run.log).toBe('▸ Phase one\nworking\nwarning: careful\nnext line');
  });

  it('rejects an input the action does not declare', async () => {
    const dir = await writeAction('');
    await expect(runActionBundle(dir, { inputs: { nmae: 'typo' } })).rejects.toThrow('probe declares no input "nmae"');
  });
});
