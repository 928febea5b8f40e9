import { parse as parseYaml, YAMLParseError } from 'yaml';

import { InputError } from './errors.ts';

/** Reads one raw input value; main() passes a reader backed by @actions/core. */
export type InputReader = (name: string) => string;

export function requiredString(name: string, raw: string): string {
  const value = raw.trim();
  if (value === '') throw new InputError(name, 'is required but was empty. Set it in the step\'s "with:".');
  return value;
}

export function optionalString(raw: string): string | undefined {
  const value = raw.trim();
  return value === '' ? undefined : value;
}

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

export function parseBoolean(name: string, raw: string, fallback: boolean): boolean {
  const value = raw.trim().toLowerCase();
  if (value === '') return fallback;
  if (TRUE_WORDS.has(value)) return true;
  if (FALSE_WORDS.has(value)) return false;
  throw new InputError(name, `"${raw.trim()}" is not a boolean. Use true or false.`);
}

export function parseInteger(name: string, raw: string, fallback: number, range: { min?: number; max?: number } = {}): number {
  const value = raw.trim();
  if (value === '') return fallback;
  if (!/^-?\d+$/.test(value)) throw new InputError(name, `"${value}" is not a whole number.`);
  const parsed = Number(value);
  if (range.min !== undefined && parsed < range.min) throw new InputError(name, `${parsed} is below the minimum ${range.min}.`);
  if (range.max !== undefined && parsed > range.max) throw new InputError(name, `${parsed} is above the maximum ${range.max}.`);
  return parsed;
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration such as `30s`, `10m`, `1h`, `1m30s` or `500ms` into milliseconds. A bare
 * number is rejected because seconds and minutes are both plausible readings of it.
 */
export function parseDuration(name: string, raw: string, fallbackMs: number): number {
  const value = raw.trim().toLowerCase();
  if (value === '') return fallbackMs;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const match of value.matchAll(part)) {
    if (match.index !== consumed) break;
    total += Number(match[1]) * (DURATION_UNITS_MS[match[2] as string] as number);
    consumed += match[0].length;
  }
  if (consumed === 0 || consumed !== value.length) {
    throw new InputError(name, `"${raw.trim()}" is not a duration. Use a number with a unit: 500ms, 30s, 10m, 1h or 1m30s.`);
  }
  return Math.round(total);
}

/** Splits a newline- or comma-separated list, dropping blanks and `#` comment lines. */
export function parseList(raw: string): string[] {
  return raw
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '' && !item.startsWith('#'));
}

/**
 * Parses `KEY=VALUE` lines, split on the first `=` so values may contain `=`. Blank lines and
 * `#` comments are skipped. A repeated key is an error because one of the values would be
 * lost without notice. Error messages name the line, never the value, since values may be
 * secrets.
 */
export function parseKeyValueLines(name: string, raw: string): Map<string, string> {
  const entries = new Map<string, string>();
  const lines = raw.split('\n');
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const separator = trimmed.indexOf('=');
    if (separator <= 0) {
      throw new InputError(name, `line ${index + 1} is not KEY=VALUE (no "=" after a name). Write one KEY=VALUE per line.`);
    }
    const key = trimmed.slice(0, separator).trim();
    if (entries.has(key)) throw new InputError(name, `"${key}" is given twice (line ${index + 1}). Keep one.`);
    entries.set(key, trimmed.slice(separator + 1));
  });
  return entries;
}

/** Parses a YAML or JSON value (JSON is YAML), reporting the line and column of a syntax error. */
export function parseStructured(name: string, raw: string): unknown {
  try {
    return parseYaml(raw);
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const position = error.linePos?.[0];
      const where = position ? ` at line ${position.line}, column ${position.col}` : '';
      throw new InputError(name, `is not valid YAML or JSON${where}: ${error.message.split('\n')[0]}`);
    }
    throw error;
  }
}

export interface Arn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

export function isArn(value: string): boolean {
  return value.startsWith('arn:');
}

export function parseArn(name: string, raw: string): Arn {
  const value = raw.trim();
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || !parts[1] || !parts[2]) {
    throw new InputError(name, `"${value}" is not an ARN. Expected arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE.`);
  }
  const [, partition, service, region, accountId] = parts as [string, string, string, string, string];
  return { partition, service, region, accountId, resource: parts.slice(5).join(':') };
}
