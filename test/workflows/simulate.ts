// Runs one job of a reusable workflow on this machine, step by step, the way a runner would.
// This repository's actions run from their built bundles and run: steps run in bash. Steps that
// need GitHub or AWS (checkout, OIDC credentials) are replaced by stand-ins that the test
// provides. The expression evaluator supports only what the workflows use and throws on anything
// else, so a new expression cannot silently evaluate to an empty string.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { parseOutputFile, runActionBundle } from '@ecs-deploy-kit/action-runner';

import { resolveKitAction } from './contract.ts';
import { parse } from 'yaml';

export interface StepRun {
  id?: string;
  name: string;
  /** The kit action's folder name, the third-party action's OWNER/REPO, or "run". */
  kind: string;
  exitCode: number;
  outputs: Record<string, string>;
  log: string;
}

export interface JobRun {
  steps: StepRun[];
  /** The job's outputs, evaluated after the last step that ran, as GitHub does. */
  outputs: Record<string, string>;
  succeeded: boolean;
}

export interface SimulationOptions {
  root: string;
  workflow: string;
  job: string;
  inputs: Record<string, string>;
  /** Environment of every step (the AWS endpoint and credentials of the emulator). */
  env: Record<string, string>;
  /** Replacements for third-party actions by OWNER/REPO; each returns the step's outputs. */
  standIns: Record<string, (inputs: Record<string, string>) => Record<string, string>>;
  /** Values of job.* (job.workflow_repository, job.workflow_sha). */
  jobContext?: Record<string, string>;
  /** Values of vars.*, the variables of the repository and the job's environment. */
  vars?: Record<string, string>;
}

type YamlMap = Record<string, unknown>;

interface Context {
  inputs: Record<string, string>;
  steps: Record<string, Record<string, string>>;
  job: Record<string, string>;
  vars: Record<string, string>;
}

export async function simulateJob(options: SimulationOptions): Promise<JobRun> {
  const workflow = parse(await readFile(path.join(options.root, options.workflow), 'utf8')) as YamlMap;
  const call = ((workflow.on as YamlMap).workflow_call ?? {}) as YamlMap;
  const job = (workflow.jobs as YamlMap)[options.job] as YamlMap;
  const context: Context = { inputs: withDefaults(call, options.inputs), steps: {}, job: options.jobContext ?? {}, vars: options.vars ?? {} };

  const runnerTemp = await mkdtemp(path.join(tmpdir(), 'workflow-simulation-'));
  const steps: StepRun[] = [];
  try {
    for (const [index, value] of (job.steps as YamlMap[]).entries()) {
      const step = await runStep(value, index, context, options, runnerTemp);
      steps.push(step);
      if (step.id) context.steps[step.id] = step.outputs;
      if (step.exitCode !== 0) break;
    }
  } finally {
    await rm(runnerTemp, { recursive: true, force: true });
  }

  const outputs: Record<string, string> = {};
  for (const [name, expression] of Object.entries((job.outputs ?? {}) as Record<string, string>)) {
    outputs[name] = evaluate(expression, context);
  }
  return { steps, outputs, succeeded: steps.every((step) => step.exitCode === 0) };
}

function withDefaults(call: YamlMap, passed: Record<string, string>): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const [name, value] of Object.entries((call.inputs ?? {}) as Record<string, YamlMap>)) {
    if (name in passed) inputs[name] = passed[name]!;
    else if (value.default !== undefined) inputs[name] = String(value.default);
    else if (value.required === true) throw new Error(`the required input "${name}" is missing`);
  }
  for (const name of Object.keys(passed)) {
    if (!(name in inputs)) throw new Error(`the workflow declares no input "${name}"`);
  }
  return inputs;
}

async function runStep(step: YamlMap, index: number, context: Context, options: SimulationOptions, runnerTemp: string): Promise<StepRun> {
  if (step.if !== undefined) throw new Error(`step ${index} has an "if", which the simulation does not evaluate`);
  const id = typeof step.id === 'string' ? step.id : undefined;
  const name = evaluate(String(step.name ?? step.uses ?? `step ${index}`), context);
  const env = Object.fromEntries(Object.entries((step.env ?? {}) as Record<string, string>).map(([key, value]) => [key, evaluate(String(value), context)]));
  const inputs = Object.fromEntries(Object.entries((step.with ?? {}) as Record<string, unknown>).map(([key, value]) => [key, evaluate(String(value), context)]));

  if (typeof step.run === 'string') {
    const result = await runScript(step.run, { ...options.env, ...env }, runnerTemp);
    return { id, name, kind: 'run', ...result };
  }

  const uses = String(step.uses);
  const kitAction = resolveKitAction(uses);
  if (kitAction !== undefined) {
    const run = await runActionBundle(path.join(options.root, 'actions', kitAction), { inputs, env: { ...options.env, ...env }, runnerTemp });
    return { id, name, kind: kitAction, exitCode: run.exitCode, outputs: run.outputs, log: run.log };
  }

  const key = uses.split('@')[0]!.split('/').slice(0, 2).join('/');
  const standIn = options.standIns[key];
  if (!standIn) throw new Error(`step ${index} uses ${key}, which has no stand-in`);
  return { id, name, kind: key, exitCode: 0, outputs: standIn(inputs), log: '' };
}

async function runScript(script: string, env: Record<string, string>, runnerTemp: string): Promise<{ exitCode: number; outputs: Record<string, string>; log: string }> {
  const outputFile = path.join(runnerTemp, `output-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  const summaryFile = `${outputFile}-summary`;
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');

  // On Linux runners a run: step without "shell:" runs as `bash -e {0}` (GitHub docs, workflow
  // syntax, jobs.<job_id>.steps[*].shell).
  const child = spawn('bash', ['-e', '-c', script], {
    env: { PATH: process.env.PATH ?? '', ...env, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, RUNNER_TEMP: runnerTemp },
  });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));

  return { exitCode, outputs: parseOutputFile(await readFile(outputFile, 'utf8')), log };
}

/** Replaces each ${{ }} in text with its value. */
function evaluate(text: string, context: Context): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_match, expression: string) => evaluateExpression(expression.trim(), context));
}

// Supports "a || b", "a && b" and "a == b" over inputs.*, steps.*.outputs.*, job.*, vars.* and
// 'literals': what the deploy job's expressions use. As in GitHub's expressions, && and || return
// an operand, the empty string is falsy, and a comparison is 'true' or falsy.
function evaluateExpression(expression: string, context: Context): string {
  let value = '';
  for (const alternative of expression.split('||')) {
    value = evaluateConjunction(alternative.trim(), context);
    if (value !== '') return value;
  }
  return value;
}

function evaluateConjunction(expression: string, context: Context): string {
  let value = '';
  for (const term of expression.split('&&')) {
    value = evaluateComparison(term.trim(), context);
    if (value === '') return value;
  }
  return value;
}

function evaluateComparison(expression: string, context: Context): string {
  const sides = expression.split(/\s*==\s*/);
  if (sides.length === 1) return evaluateOperand(expression, context);
  if (sides.length !== 2) throw new Error(`the simulation does not evaluate "${expression}"`);
  return evaluateOperand(sides[0]!, context) === evaluateOperand(sides[1]!, context) ? 'true' : '';
}

function evaluateOperand(operand: string, context: Context): string {
  const literal = /^'((?:[^']|'')*)'$/.exec(operand);
  if (literal) return literal[1]!.replaceAll("''", "'");

  const input = /^inputs\.([\w-]+)$/.exec(operand);
  if (input) {
    if (!(input[1]! in context.inputs)) throw new Error(`inputs.${input[1]} is not declared`);
    return context.inputs[input[1]!]!;
  }

  const stepOutput = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(operand);
  if (stepOutput) return context.steps[stepOutput[1]!]?.[stepOutput[2]!] ?? '';

  const job = /^job\.([\w-]+)$/.exec(operand);
  if (job) return context.job[job[1]!] ?? '';

  const variable = /^vars\.([\w-]+)$/.exec(operand);
  if (variable) return context.vars[variable[1]!] ?? '';

  throw new Error(`the simulation does not evaluate "${operand}"`);
}
