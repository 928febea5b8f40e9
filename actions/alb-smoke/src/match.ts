import { InputError } from '@ecs-deploy-kit/shared';

/** The expected body: a substring, or a regular expression written as /pattern/flags. */
export type BodyMatcher = { kind: 'substring'; text: string } | { kind: 'regex'; text: string; regex: RegExp };

const REGEX_LITERAL = /^\/(.+)\/([dgimsuyv]*)$/s;

export function parseBodyMatcher(name: string, raw: string): BodyMatcher | undefined {
  const text = raw.trim();
  if (text === '') return undefined;

  const literal = REGEX_LITERAL.exec(text);
  if (!literal) return { kind: 'substring', text };
  // The g and y flags make test() stateful across calls, which would make attempts disagree.
  const flags = (literal[2] ?? '').replace(/[gy]/g, '');
  try {
    return { kind: 'regex', text, regex: new RegExp(literal[1] as string, flags) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(name, `"${text}" is not a valid regular expression (${reason}). Write /pattern/flags, or text without slashes around it for a substring.`);
  }
}

export function matchesBody(matcher: BodyMatcher, body: string): boolean {
  return matcher.kind === 'regex' ? matcher.regex.test(body) : body.includes(matcher.text);
}

/**
 * Parses a JSON path such as `version`, `build.version`, `$.build.version` or `items[0].sha`
 * into field names and array indexes.
 */
export function parseJsonPath(name: string, raw: string): Array<string | number> {
  const text = raw.trim().replace(/^\$\.?/, '');
  const segments: Array<string | number> = [];
  const part = /([^.[\]]+)|\[(\d+)\]|\.(?=[^.[\]])/gy;
  let consumed = 0;
  for (const match of text.matchAll(part)) {
    if (match[1] !== undefined) segments.push(match[1]);
    if (match[2] !== undefined) segments.push(Number(match[2]));
    consumed = (match.index ?? 0) + match[0].length;
  }
  if (segments.length === 0 || consumed !== text.length) {
    throw new InputError(name, `"${raw.trim()}" is not a JSON path. Use field names joined by dots with [n] for array items, e.g. version, build.version or $.items[0].sha.`);
  }
  return segments;
}

/** Reads the value at `segments` from a parsed JSON document; undefined when a step is missing. */
export function readJsonPath(document: unknown, segments: Array<string | number>): unknown {
  let value: unknown = document;
  for (const segment of segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(value)) return undefined;
      value = value[segment];
    } else {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, segment)) return undefined;
      value = (value as Record<string, unknown>)[segment];
    }
  }
  return value;
}
