import { parse as parseYaml } from 'yaml';

/** One HTTP request of a flow. Strings may hold `{{…}}` templates, filled per iteration. */
export interface RequestStep {
  /** Route name: the tag latency and errors are reported under, e.g. `get-quiz`. */
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** A string is sent as is; any other value is sent as JSON. */
  body?: unknown;
  /** Status codes that count as success; by default 200 to 399. */
  expectStatus?: number[];
  /** Flow variables to set from the JSON response: name → dot path such as `id` or `session.id`. */
  extract: Record<string, string>;
}

/** A sequence of requests run one after the other per arrival; a single request is a flow of one step. */
export interface Flow {
  name: string;
  weight: number;
  steps: RequestStep[];
}

export interface Scenario {
  name: string;
  description: string;
  /** True when a request changes server state; such scenarios refuse production hosts. */
  writes: boolean;
  variables: Record<string, string>;
  flows: Flow[];
}

/** A scenario file that is not valid; the message names the file and the field. */
export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const NAME = /^[A-Za-z0-9][\w.-]{0,63}$/;

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses and checks a scenario file's text; `source` names the file in error messages. */
export function parseScenario(text: string, source: string): Scenario {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ScenarioError(`${source} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!isFields(document)) throw new ScenarioError(`${source} must be a mapping with name and requests or flows.`);
  const fail = (message: string): never => {
    throw new ScenarioError(`${source}: ${message}`);
  };

  const name = typeof document.name === 'string' && NAME.test(document.name) ? document.name : fail('"name" must be a short name (letters, digits, . _ -).');
  const description = typeof document.description === 'string' ? document.description : '';
  const variables = parseVariables(document.variables, fail);

  const flows: Flow[] = [];
  if (document.requests !== undefined) {
    if (!Array.isArray(document.requests)) fail('"requests" must be a list.');
    (document.requests as unknown[]).forEach((item, index) => {
      const step = parseStep(item, `requests[${index}]`, fail);
      const weight = parseWeight(isFields(item) ? item.weight : undefined, `requests[${index}]`, fail);
      flows.push({ name: step.name, weight, steps: [step] });
    });
  }
  if (document.flows !== undefined) {
    if (!Array.isArray(document.flows)) fail('"flows" must be a list.');
    (document.flows as unknown[]).forEach((item, index) => {
      const where = `flows[${index}]`;
      if (!isFields(item)) return fail(`${where} must be a mapping with name and steps.`);
      const flowName = typeof item.name === 'string' && NAME.test(item.name) ? item.name : fail(`${where}.name must be a short name.`);
      if (!Array.isArray(item.steps) || item.steps.length === 0) fail(`${where}.steps must be a non-empty list of requests.`);
      const steps = (item.steps as unknown[]).map((step, stepIndex) => parseStep(step, `${where}.steps[${stepIndex}]`, fail));
      flows.push({ name: flowName, weight: parseWeight(item.weight, where, fail), steps });
    });
  }
  if (flows.length === 0) fail('has no "requests" and no "flows". Give at least one request.');

  const declared = typeof document.writes === 'boolean' ? document.writes : undefined;
  const writes = declared ?? flows.some((flow) => flow.steps.some((step) => WRITE_METHODS.has(step.method)));
  if (declared === false && flows.some((flow) => flow.steps.some((step) => WRITE_METHODS.has(step.method)))) {
    fail('"writes: false" but a step uses POST, PUT, PATCH or DELETE. Remove "writes" or set it to true.');
  }
  return { name, description, writes, variables, flows };
}

function parseVariables(raw: unknown, fail: (message: string) => never): Record<string, string> {
  if (raw === undefined) return {};
  if (!isFields(raw)) return fail('"variables" must be a mapping of names to values.');
  const variables: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') fail(`variables.${key} must be a string or a number.`);
    variables[key] = String(value);
  }
  return variables;
}

function parseWeight(raw: unknown, where: string, fail: (message: string) => never): number {
  if (raw === undefined) return 1;
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw <= 0) fail(`${where}.weight must be a positive number.`);
  return raw as number;
}

function parseStep(raw: unknown, where: string, fail: (message: string) => never): RequestStep {
  if (!isFields(raw)) return fail(`${where} must be a mapping with name, method and path.`);
  const name = typeof raw.name === 'string' && NAME.test(raw.name) ? raw.name : fail(`${where}.name must be a short name (letters, digits, . _ -).`);
  const method = typeof raw.method === 'string' ? raw.method.toUpperCase() : 'GET';
  if (!METHODS.has(method)) fail(`${where}.method "${String(raw.method)}" is not one of ${[...METHODS].join(', ')}.`);
  if (typeof raw.path !== 'string' || !raw.path.startsWith('/')) fail(`${where}.path must start with "/" (the host comes from target-url).`);

  const headers: Record<string, string> = {};
  if (raw.headers !== undefined) {
    if (!isFields(raw.headers)) fail(`${where}.headers must be a mapping.`);
    for (const [key, value] of Object.entries(raw.headers as Fields)) headers[key.toLowerCase()] = String(value);
  }
  if (headers.host !== undefined) fail(`${where}.headers sets "host"; the host comes from target-url and allowed-hosts only.`);

  const extract: Record<string, string> = {};
  if (raw.extract !== undefined) {
    if (!isFields(raw.extract)) fail(`${where}.extract must map variable names to JSON paths.`);
    for (const [key, value] of Object.entries(raw.extract as Fields)) {
      if (typeof value !== 'string') fail(`${where}.extract.${key} must be a dot path such as "id".`);
      extract[key] = value as string;
    }
  }

  const step: RequestStep = { name, method, path: raw.path as string, headers, extract };
  if (raw.body !== undefined) step.body = raw.body;
  if (raw.expect !== undefined) {
    const codes = Array.isArray(raw.expect) ? raw.expect : [raw.expect];
    if (!codes.every((code) => Number.isInteger(code) && code >= 100 && code <= 599)) fail(`${where}.expect must be a status code or a list of them.`);
    step.expectStatus = codes as number[];
  }
  return step;
}

/**
 * Fills every template of every step once with placeholder values, so a name that is neither a
 * scenario variable nor extracted by an earlier step of the flow fails before any request.
 */
export function checkTemplates(scenario: Scenario, source: string): void {
  for (const flow of scenario.flows) {
    const variables: Record<string, string> = { ...scenario.variables };
    for (const step of flow.steps) {
      const context = { runId: 'check', iteration: 0, variables, random: () => 0 };
      try {
        fillTemplate(step.path, context);
        for (const value of Object.values(step.headers)) fillTemplate(value, context);
        fillValue(step.body, context);
      } catch (error) {
        if (error instanceof ScenarioError) throw new ScenarioError(`${source}: step "${step.name}" of flow "${flow.name}": ${error.message}`);
        throw error;
      }
      for (const name of Object.keys(step.extract)) variables[name] = 'extracted';
    }
  }
}

/** Values a template can use: `{{runId}}`, `{{iteration}}`, `{{userId}}`, `{{random 1 100}}`, `{{uuid}}` and flow or scenario variables by name. */
export interface TemplateContext {
  runId: string;
  iteration: number;
  variables: Record<string, string>;
  random: () => number;
}

const TEMPLATE = /\{\{\s*([\w.-]+)((?:\s+-?\d+){0,2})\s*\}\}/g;

/** Fills `{{…}}` in one string; an unknown name is an error so a typo does not send literal braces. */
export function fillTemplate(template: string, context: TemplateContext): string {
  return template.replace(TEMPLATE, (_match, name: string, args: string) => {
    switch (name) {
      case 'runId':
        return context.runId;
      case 'iteration':
        return String(context.iteration);
      case 'userId':
        return `${context.runId}-user-${context.iteration}`;
      case 'uuid':
        return randomUuid(context.random);
      case 'random': {
        const [low, high] = args.trim().split(/\s+/).map(Number);
        const min = low ?? 0;
        const max = high ?? min + 1000;
        return String(min + Math.floor(context.random() * (max - min + 1)));
      }
      default: {
        const value = context.variables[name];
        if (value === undefined) throw new ScenarioError(`Template "{{${name}}}" names no variable. Known: runId, iteration, userId, uuid, random, ${Object.keys(context.variables).join(', ') || '(no variables)'}.`);
        return value;
      }
    }
  });
}

/** Fills templates in every string of a JSON-like value. */
export function fillValue(value: unknown, context: TemplateContext): unknown {
  if (typeof value === 'string') return fillTemplate(value, context);
  if (Array.isArray(value)) return value.map((item) => fillValue(item, context));
  if (isFields(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillValue(item, context)]));
  return value;
}

function randomUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  return `${hex.slice(0, 8).join('')}-${hex.slice(8, 12).join('')}-${hex.slice(12, 16).join('')}-${hex.slice(16, 20).join('')}-${hex.slice(20).join('')}`;
}

/** Reads a dot path (`session.id`, `items.0.id`) from a parsed JSON value; undefined when absent. */
export function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isFields(current)) current = current[key];
    else return undefined;
  }
  return current;
}

/** Picks flows by weight with one random draw per arrival. */
export function flowPicker(flows: readonly Flow[], random: () => number): () => Flow {
  const total = flows.reduce((sum, flow) => sum + flow.weight, 0);
  const cumulative: number[] = [];
  let running = 0;
  for (const flow of flows) {
    running += flow.weight;
    cumulative.push(running);
  }
  return () => {
    const draw = random() * total;
    const index = cumulative.findIndex((bound) => draw < bound);
    return flows[index === -1 ? flows.length - 1 : index] as Flow;
  };
}
