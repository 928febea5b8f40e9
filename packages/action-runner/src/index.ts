import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { parse as parseYaml } from 'yaml';

interface ActionManifest {
  name: string;
  inputs?: Record<string, { required?: boolean; default?: string | number | boolean }>;
  outputs?: Record<string, { description?: string }>;
  runs: { using: string; main: string };
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
}

export interface ActionRun {
  exitCode: number;
  outputs: Record<string, string>;
  /** The job summary the step wrote (Markdown). */
  summary: string;
  /** The log as the runner shows it: workflow commands removed, groups kept as their titles. */
  log: string;
  /** Raw stdout and stderr, workflow commands included. */
  stdout: string;
  stderr: string;
  annotations: Annotation[];
  /** Values the step registered with ::add-mask::. */
  masked: string[];
  durationMs: number;
}

export interface RunOptions {
  /** Inputs as written under the step's `with:`; declared defaults fill the rest, as the runner does. */
  inputs?: Record<string, string>;
  /** Extra environment (AWS settings, for example). */
  env?: Record<string, string>;
  /** Directory used as RUNNER_TEMP, shared by the steps of one job; a fresh one is made and removed when not given. */
  runnerTemp?: string;
  /** Called with each line of the log as it arrives. */
  onLine?: (line: string) => void;
}

/** Returns the variable name the runner sets for an input, as @actions/core reads it. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Parses a GITHUB_OUTPUT file: `name=value` lines and `name<<DELIMITER` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] as string;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      index += 1;
      while (index < lines.length && lines[index] !== delimiter) {
        value.push(lines[index] as string);
        index += 1;
      }
      outputs[name] = value.join('\n');
      continue;
    }
    const separator = line.indexOf('=');
    if (separator > 0) outputs[line.slice(0, separator)] = line.slice(separator + 1);
  }
  return outputs;
}

const COMMAND = /^::([a-z-]+)(?: [^:]*)?::(.*)$/;

function unescapeData(value: string): string {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/**
 * Runs the bundled action in `actionDir` on this Node runtime (Node 24 under make), with the
 * `INPUT_*`, `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY` and `RUNNER_TEMP` environment a runner gives a
 * JavaScript action, and collects what the step produced.
 */
export async function runActionBundle(actionDir: string, options: RunOptions = {}): Promise<ActionRun> {
  const manifest = parseYaml(await readFile(path.join(actionDir, 'action.yml'), 'utf8')) as ActionManifest;
  if (manifest.runs.using !== 'node24') throw new Error(`${actionDir}/action.yml: runs.using is ${manifest.runs.using}, expected node24`);

  const work = await mkdtemp(path.join(tmpdir(), 'action-run-'));
  const runnerTemp = options.runnerTemp ?? path.join(work, 'runner-temp');
  const outputFile = path.join(work, 'output');
  const summaryFile = path.join(work, 'summary');
  await Promise.all([writeFile(outputFile, ''), writeFile(summaryFile, '')]);
  await mkdir(runnerTemp, { recursive: true });

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? work,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: process.cwd(),
    GITHUB_REPOSITORY: 'example-org/quiz-backend',
    GITHUB_RUN_ID: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    RUNNER_TEMP: runnerTemp,
    ...options.env,
  };
  for (const [name, spec] of Object.entries(manifest.inputs ?? {})) {
    if (spec.default !== undefined) env[inputVariable(name)] = String(spec.default);
  }
  for (const [name, value] of Object.entries(options.inputs ?? {})) {
    if (!(name in (manifest.inputs ?? {}))) throw new Error(`${manifest.name} declares no input "${name}"`);
    env[inputVariable(name)] = value;
  }

  const started = Date.now();
  const child = spawn(process.execPath, [path.join(actionDir, manifest.runs.main)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let pending = '';
  const log: string[] = [];
  const annotations: Annotation[] = [];
  const masked: string[] = [];
  const takeLine = (line: string): void => {
    const command = COMMAND.exec(line);
    let shown: string | undefined = line;
    if (command) {
      const [, name, data] = command as unknown as [string, string, string];
      const message = unescapeData(data);
      if (name === 'add-mask') masked.push(message);
      if (name === 'error' || name === 'warning' || name === 'notice') annotations.push({ level: name, message });
      if (name === 'group') shown = `▸ ${message}`;
      else if (name === 'error' || name === 'warning' || name === 'notice') shown = `${name}: ${message}`;
      else shown = undefined;
    }
    if (shown !== undefined) {
      log.push(shown);
      options.onLine?.(shown);
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    lines.forEach(takeLine);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  if (pending !== '') takeLine(pending);

  const [outputText, summary] = await Promise.all([readFile(outputFile, 'utf8'), readFile(summaryFile, 'utf8')]);
  // A RUNNER_TEMP given by the caller lives outside `work` and survives, so later steps can read
  // files this step wrote there, as on a runner.
  await rm(work, { recursive: true, force: true });
  return {
    exitCode,
    outputs: parseOutputFile(outputText),
    summary,
    log: log.join('\n'),
    stdout,
    stderr,
    annotations,
    masked,
    durationMs: Date.now() - started,
  };
}
