// Contract check of the workflows in this repository and in the example application repository.
// It reads them with the action.yml of every action they use and lists each broken contract
// (inputs, outputs, reusable workflow calls) and each broken workflow security rule.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse } from 'yaml';

export interface Problem {
  file: string;
  location: string;
  message: string;
}

export interface InputSpec {
  required: boolean;
}

export interface ActionSpec {
  inputs: Record<string, InputSpec>;
  outputs: string[];
}

/** Metadata of a third-party action at the commit the workflows pin. */
export interface RecordedAction extends ActionSpec {
  version: string;
  commit: string;
}

export interface WorkflowSource {
  /** Path relative to the repository root, with forward slashes. */
  path: string;
  text: string;
}

export interface Repository {
  workflows: WorkflowSource[];
  /** This repository's actions by folder name (actions/NAME/action.yml). */
  actions: Record<string, ActionSpec>;
  /** Third-party actions by OWNER/REPO. */
  recorded: Record<string, RecordedAction>;
}

type YamlMap = Record<string, unknown>;

const KIT_REPOSITORY = 'ecs-deploy-kit';
const RECORD_FILE = 'test/workflows/fixtures/third-party-actions.json';
const FULL_SHA = /^[0-9a-f]{40}$/;
const STEP_OUTPUT = /steps\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)/g;
const NEEDS_OUTPUT = /needs\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)/g;
const INPUT_REFERENCE = /\binputs\.([A-Za-z_][\w-]*)/g;
const JOB_OUTPUT = /jobs\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)/g;
// Jobs that run these actions change a live service, so no cache may feed them.
const DEPLOY_ACTIONS = new Set(['ecs-render-taskdef', 'ecs-deploy-wait', 'alb-smoke', 'promote-image', 'load-test']);

export function formatProblem(problem: Problem): string {
  return `${problem.file} ${problem.location}: ${problem.message}`;
}

/** Reads the workflows, this repository's action.yml files and the recorded third-party metadata. */
export function loadRepository(root: string): Repository {
  const workflowFolders = [join(root, '.github/workflows')];
  const examples = join(root, 'examples');
  if (existsSync(examples)) {
    for (const app of readdirSync(examples).sort()) {
      workflowFolders.push(join(examples, app, '.github/workflows'));
    }
  }

  const workflows: WorkflowSource[] = [];
  for (const folder of workflowFolders) {
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder).sort()) {
      if (!/\.ya?ml$/.test(name)) continue;
      const absolute = join(folder, name);
      workflows.push({ path: relative(root, absolute).split(sep).join('/'), text: readFileSync(absolute, 'utf8') });
    }
  }

  const actions: Record<string, ActionSpec> = {};
  for (const name of readdirSync(join(root, 'actions')).sort()) {
    const file = ['action.yml', 'action.yaml'].map((f) => join(root, 'actions', name, f)).find((f) => existsSync(f));
    if (file) actions[name] = actionSpec(parse(readFileSync(file, 'utf8')));
  }

  const recorded = JSON.parse(readFileSync(join(root, RECORD_FILE), 'utf8')) as Record<string, RecordedAction>;
  return { workflows, actions, recorded };
}

function actionSpec(document: unknown): ActionSpec {
  const inputs: Record<string, InputSpec> = {};
  for (const [name, value] of Object.entries(asMap(asMap(document).inputs))) {
    const input = asMap(value);
    inputs[name] = { required: input.required === true && input.default === undefined };
  }
  return { inputs, outputs: Object.keys(asMap(asMap(document).outputs)) };
}

/** Returns every broken contract and security rule, one problem per finding. */
export function checkRepository(repository: Repository): Problem[] {
  const documents = new Map<string, YamlMap>();
  const problems: Problem[] = [];
  for (const source of repository.workflows) {
    try {
      documents.set(source.path, asMap(parse(source.text)));
    } catch (error) {
      problems.push({ file: source.path, location: '(file)', message: `is not valid YAML: ${String(error)}` });
    }
  }

  for (const source of repository.workflows) {
    const document = documents.get(source.path);
    if (document) problems.push(...new WorkflowChecker(repository, documents, source, document).check());
  }
  return problems;
}

interface StepInfo {
  outputs?: string[];
  runText?: string;
}

class WorkflowChecker {
  private readonly problems: Problem[] = [];
  private readonly repository: Repository;
  private readonly documents: Map<string, YamlMap>;
  private readonly source: WorkflowSource;
  private readonly document: YamlMap;

  constructor(repository: Repository, documents: Map<string, YamlMap>, source: WorkflowSource, document: YamlMap) {
    this.repository = repository;
    this.documents = documents;
    this.source = source;
    this.document = document;
  }

  check(): Problem[] {
    const triggers = triggerNames(this.document.on);
    if (triggers.includes('pull_request_target')) {
      this.report('on', 'pull_request_target runs with the base repository\'s secrets on code from forks; use pull_request.');
    }
    if (!isEmptyMap(this.document.permissions)) {
      this.report('permissions', 'the workflow must set "permissions: {}" so that every job states the least it needs.');
    }

    const jobs = asMap(this.document.jobs);
    for (const [jobId, value] of Object.entries(jobs)) {
      this.checkJob(jobId, asMap(value), jobs);
    }
    this.checkWorkflowCallOutputs(jobs);
    return this.problems;
  }

  private report(location: string, message: string): void {
    this.problems.push({ file: this.source.path, location, message });
  }

  private checkJob(jobId: string, job: YamlMap, jobs: YamlMap): void {
    const where = `jobs.${jobId}`;
    const permissions = job.permissions;
    if (permissions === undefined || typeof permissions !== 'object' || permissions === null) {
      this.report(where, 'the job must list its permissions (an empty map when it needs none).');
    }
    const grantsIdToken = asMap(permissions)['id-token'] === 'write';

    if (typeof job.uses === 'string') {
      this.checkWorkflowCall(where, job, grantsIdToken);
    } else {
      this.checkSteps(where, job, grantsIdToken);
    }

    this.checkNeedsReferences(where, job, jobs);
    this.checkInputReferences(where, job);
  }

  private checkWorkflowCall(where: string, job: YamlMap, grantsIdToken: boolean): void {
    const uses = job.uses as string;
    this.checkPin(where, uses);
    const path = this.resolveWorkflow(uses);
    if (!path) return;

    const called = this.documents.get(path);
    const call = called ? asMap(asMap(called.on).workflow_call) : undefined;
    if (!called || !('workflow_call' in asMap(called.on))) {
      this.report(where, `calls ${uses}, but ${path} is not a reusable workflow in this repository (no on.workflow_call).`);
      return;
    }

    const declared = asMap(call?.inputs);
    const passed = asMap(job.with);
    for (const name of Object.keys(passed)) {
      if (!(name in declared)) {
        this.report(`${where}.with.${name}`, `${path} declares no input "${name}"; its inputs: ${Object.keys(declared).join(', ')}.`);
      }
    }
    for (const [name, value] of Object.entries(declared)) {
      const input = asMap(value);
      if (input.required === true && input.default === undefined && !(name in passed)) {
        this.report(`${where}.with`, `the required input "${name}" of ${path} is missing.`);
      }
    }

    const declaredSecrets = asMap(call?.secrets);
    const passedSecrets = job.secrets === 'inherit' ? undefined : asMap(job.secrets);
    if (job.secrets === 'inherit') {
      this.report(`${where}.secrets`, 'pass each secret by name instead of "inherit", so the called workflow gets only what it declares.');
    }
    for (const name of Object.keys(passedSecrets ?? {})) {
      if (!(name in declaredSecrets)) this.report(`${where}.secrets.${name}`, `${path} declares no secret "${name}".`);
    }
    for (const [name, value] of Object.entries(declaredSecrets)) {
      if (asMap(value).required === true && passedSecrets && !(name in passedSecrets)) {
        this.report(`${where}.secrets`, `the required secret "${name}" of ${path} is missing.`);
      }
    }

    const calledNeedsIdToken = Object.values(asMap(called.jobs)).some((calledJob) => asMap(asMap(calledJob).permissions)['id-token'] === 'write');
    if (grantsIdToken && !calledNeedsIdToken) {
      this.report(`${where}.permissions`, `grants id-token: write, but no job of ${path} assumes a role.`);
    }
    if (!grantsIdToken && calledNeedsIdToken) {
      this.report(`${where}.permissions`, `${path} assumes a role, so the calling job must grant id-token: write.`);
    }
  }

  private checkSteps(where: string, job: YamlMap, grantsIdToken: boolean): void {
    const steps = Array.isArray(job.steps) ? job.steps.map(asMap) : [];
    const stepInfo = new Map<string, StepInfo>();
    let assumesRole = false;
    let deploys = false;
    const cacheSteps: string[] = [];

    steps.forEach((step, index) => {
      const location = `${where}.steps[${index}]${typeof step.name === 'string' ? ` (${step.name})` : ''}`;
      const info: StepInfo = {};

      if (typeof step.run === 'string') {
        info.runText = step.run;
        if (step.run.includes('${{')) {
          this.report(location, 'a run script interpolates ${{ }}; pass the value through env: and read the variable, so the value cannot inject shell code.');
        }
      }

      if (typeof step.uses === 'string') {
        const uses = step.uses;
        const passed = asMap(step.with);
        const kitAction = resolveKitAction(uses);
        if (kitAction !== undefined) {
          const spec = this.repository.actions[kitAction];
          if (!spec) {
            this.report(location, `uses ${uses}, but actions/${kitAction}/action.yml does not exist.`);
          } else {
            this.checkActionInputs(location, `actions/${kitAction}`, spec, passed);
            info.outputs = spec.outputs;
          }
          if (DEPLOY_ACTIONS.has(kitAction)) deploys = true;
          if (!uses.startsWith('./')) this.checkPin(location, uses);
        } else if (!uses.startsWith('./') && !uses.startsWith('docker://')) {
          const key = uses.split('@')[0]!.split('/').slice(0, 2).join('/');
          const recorded = this.checkPin(location, uses);
          if (recorded) {
            this.checkActionInputs(location, `${key}@${recorded.version}`, recorded, passed);
            info.outputs = recorded.outputs;
          }
          if (key === 'actions/checkout' && String(passed['persist-credentials']) !== 'false') {
            this.report(location, 'actions/checkout must set persist-credentials: false, so later steps cannot push with the job token.');
          }
          if (key === 'aws-actions/configure-aws-credentials') assumesRole = true;
          if (key === 'actions/cache' || 'cache' in passed || 'cache-from' in passed) cacheSteps.push(location);
        }
      }

      if (typeof step.id === 'string') stepInfo.set(step.id, info);
    });

    if (grantsIdToken && !assumesRole) {
      this.report(`${where}.permissions`, 'grants id-token: write, but no step assumes a role with aws-actions/configure-aws-credentials.');
    }
    if (deploys) {
      for (const location of cacheSteps) {
        this.report(location, 'a deploy job restores a cache; a poisoned cache would reach the deployment, so deploy jobs use none.');
      }
    }
    this.checkStepReferences(where, job, stepInfo);
  }

  private checkActionInputs(location: string, actionName: string, spec: ActionSpec, passed: YamlMap): void {
    for (const name of Object.keys(passed)) {
      if (!(name in spec.inputs)) {
        this.report(`${location}.with.${name}`, `${actionName} declares no input "${name}"; its inputs: ${Object.keys(spec.inputs).join(', ')}.`);
      }
    }
    for (const [name, input] of Object.entries(spec.inputs)) {
      if (input.required && !(name in passed)) {
        this.report(`${location}.with`, `the required input "${name}" of ${actionName} is missing.`);
      }
    }
  }

  /** Checks that a remote reference is pinned by full commit with a version comment; returns its record. */
  private checkPin(location: string, uses: string): RecordedAction | undefined {
    if (uses.startsWith('./')) return undefined;
    const [path, ref = ''] = uses.split('@');
    if (!FULL_SHA.test(ref)) {
      this.report(location, `${uses} is not pinned by a full commit SHA; a tag or branch can be moved to other code.`);
      return undefined;
    }

    const comments = this.commentsOf(uses);
    const version = comments.map((comment) => /^(v\d+(?:\.\d+)*)\b/.exec(comment)?.[1]).find((v) => v !== undefined);
    if (comments.length === 0 || comments.some((comment) => !/^v\d+(?:\.\d+)*\b/.test(comment))) {
      this.report(location, `${uses} needs a version comment such as "# v1.2.3" on its line.`);
    }

    const key = path!.split('/').slice(0, 2).join('/');
    if (key.split('/')[1] === KIT_REPOSITORY) return undefined;
    const recorded = this.repository.recorded[key];
    if (!recorded) {
      this.report(location, `${key} has no recorded metadata; add its inputs and outputs at ${ref} to ${RECORD_FILE}.`);
      return undefined;
    }
    if (recorded.commit !== ref) {
      this.report(location, `${key} is pinned to ${ref}, but ${RECORD_FILE} records ${recorded.commit} (${recorded.version}); update the record from the action.yml at the new commit.`);
      return undefined;
    }
    if (version !== undefined && version !== recorded.version) {
      this.report(location, `the comment says ${version}, but ${ref} is ${key} ${recorded.version}.`);
    }
    return recorded;
  }

  /** Returns the comment after each "uses: VALUE" line of the raw text (YAML parsing drops comments). */
  private commentsOf(uses: string): string[] {
    const escaped = uses.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const line = new RegExp(`^\\s*(?:-\\s+)?uses:\\s*['"]?${escaped}['"]?\\s*(?:#\\s*(.*))?$`);
    const comments: string[] = [];
    for (const text of this.source.text.split('\n')) {
      const match = line.exec(text);
      if (match) comments.push((match[1] ?? '').trim());
    }
    return comments;
  }

  private checkStepReferences(where: string, job: YamlMap, steps: Map<string, StepInfo>): void {
    for (const [location, text] of stringsOf(job, where)) {
      for (const [, stepId, output] of text.matchAll(STEP_OUTPUT)) {
        const step = steps.get(stepId!);
        if (!step) {
          this.report(location, `refers to steps.${stepId}.outputs.${output}, but the job has no step with id "${stepId}".`);
        } else if (step.outputs && !step.outputs.includes(output!)) {
          this.report(location, `refers to steps.${stepId}.outputs.${output}, but that action has no output "${output}"; its outputs: ${step.outputs.join(', ')}.`);
        } else if (step.runText !== undefined && !step.runText.includes(`${output}=`) && !step.runText.includes(`${output}<<`)) {
          // A run step writes an output as NAME=value, or as NAME<<DELIMITER for a multi-line value.
          this.report(location, `refers to steps.${stepId}.outputs.${output}, but that step never writes "${output}=" or "${output}<<" to GITHUB_OUTPUT.`);
        }
      }
    }
  }

  private checkNeedsReferences(where: string, job: YamlMap, jobs: YamlMap): void {
    const needs = typeof job.needs === 'string' ? [job.needs] : Array.isArray(job.needs) ? job.needs.map(String) : [];
    for (const [location, text] of stringsOf(job, where)) {
      for (const [, jobId, output] of text.matchAll(NEEDS_OUTPUT)) {
        if (!needs.includes(jobId!)) {
          this.report(location, `refers to needs.${jobId}.outputs.${output}, but the job does not need "${jobId}".`);
          continue;
        }
        const outputs = this.jobOutputs(asMap(jobs[jobId!]));
        if (outputs && !outputs.includes(output!)) {
          this.report(location, `refers to needs.${jobId}.outputs.${output}, but job "${jobId}" has no output "${output}"; its outputs: ${outputs.join(', ') || 'none'}.`);
        }
      }
    }
  }

  /** Outputs of a job, or undefined when they cannot be known (a workflow outside this repository). */
  private jobOutputs(job: YamlMap): string[] | undefined {
    if (typeof job.uses !== 'string') return Object.keys(asMap(job.outputs));
    const path = this.resolveWorkflow(job.uses);
    const called = path ? this.documents.get(path) : undefined;
    return called ? Object.keys(asMap(asMap(asMap(called.on).workflow_call).outputs)) : undefined;
  }

  private checkInputReferences(where: string, job: YamlMap): void {
    const on = asMap(this.document.on);
    const declared = new Set([...Object.keys(asMap(asMap(on.workflow_call).inputs)), ...Object.keys(asMap(asMap(on.workflow_dispatch).inputs))]);
    for (const [location, text] of stringsOf(job, where)) {
      if (!text.includes('${{') && !location.endsWith('.if')) continue;
      for (const [, name] of text.matchAll(INPUT_REFERENCE)) {
        if (!declared.has(name!)) this.report(location, `refers to inputs.${name}, but the workflow declares no input "${name}".`);
      }
    }
  }

  private checkWorkflowCallOutputs(jobs: YamlMap): void {
    const outputs = asMap(asMap(asMap(this.document.on).workflow_call).outputs);
    for (const [name, value] of Object.entries(outputs)) {
      const expression = String(asMap(value).value ?? '');
      for (const [, jobId, output] of expression.matchAll(JOB_OUTPUT)) {
        const declared = jobs[jobId!] === undefined ? undefined : this.jobOutputs(asMap(jobs[jobId!]));
        if (declared === undefined && jobs[jobId!] === undefined) {
          this.report(`on.workflow_call.outputs.${name}`, `refers to jobs.${jobId}, but the workflow has no job "${jobId}".`);
        } else if (declared && !declared.includes(output!)) {
          this.report(`on.workflow_call.outputs.${name}`, `refers to jobs.${jobId}.outputs.${output}, but job "${jobId}" has no output "${output}".`);
        }
      }
    }
  }

  /** Maps a reusable workflow reference to its path in this repository, or undefined for other repositories. */
  private resolveWorkflow(uses: string): string | undefined {
    const remote = new RegExp(`^[^/]+/${KIT_REPOSITORY}/(\\.github/workflows/[^/@]+)@`).exec(uses);
    if (remote) return remote[1];
    const local = /^\.\/(\.github\/workflows\/[^/@]+)$/.exec(uses);
    if (!local) return undefined;
    // "./" names the calling repository: an example application's own folder, or this one.
    const example = /^(examples\/[^/]+)\//.exec(this.source.path);
    return example ? `${example[1]}/${local[1]}` : local[1];
  }
}

/** Returns the folder name of an action of this repository that "uses" names, or undefined. */
export function resolveKitAction(uses: string): string | undefined {
  // ./actions/NAME, or ./FOLDER/actions/NAME in a checkout of this repository into FOLDER.
  const local = /^\.\/(?:(?!\.github\/)[^/]+\/)?actions\/([^/@]+)$/.exec(uses);
  if (local) return local[1];
  const remote = new RegExp(`^[^/]+/${KIT_REPOSITORY}/actions/([^/@]+)@`).exec(uses);
  return remote ? remote[1] : undefined;
}

function triggerNames(on: unknown): string[] {
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(String);
  return Object.keys(asMap(on));
}

function isEmptyMap(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

function asMap(value: unknown): YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as YamlMap) : {};
}

/** Yields every string in a parsed YAML value with its dotted location. */
function* stringsOf(value: unknown, location: string): Generator<[string, string]> {
  if (typeof value === 'string') {
    yield [location, value];
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* stringsOf(item, `${location}[${index}]`);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) yield* stringsOf(item, `${location}.${key}`);
  }
}
