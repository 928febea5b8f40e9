import { InputError } from '@ecs-deploy-kit/shared';

/** An inclusive range of HTTP status codes; a single code has min equal to max. */
export interface StatusRange {
  min: number;
  max: number;
}

/** The accepted status codes, with the text the user wrote for messages. */
export interface StatusMatcher {
  text: string;
  ranges: StatusRange[];
}

const CODE = /^[1-5]\d\d$/;
const CLASS = /^([1-5])xx$/i;
const RANGE = /^([1-5]\d\d)\s*-\s*([1-5]\d\d)$/;

/** Parses `200`, `200-299`, `2xx` or a comma-separated mix of them. */
export function parseExpectedStatus(name: string, raw: string): StatusMatcher {
  const text = raw.trim() === '' ? '200' : raw.trim();
  const ranges: StatusRange[] = [];

  for (const part of text.split(',').map((item) => item.trim())) {
    const range = parseStatusPart(part);
    if (!range) {
      throw new InputError(
        name,
        `"${part}" is not a status code, range or class. Use codes from 100 to 599 such as 200, ranges such as 200-299, classes such as 2xx, separated by commas.`,
      );
    }
    ranges.push(range);
  }

  return { text: ranges.map(formatRange).join(','), ranges };
}

function parseStatusPart(part: string): StatusRange | undefined {
  if (CODE.test(part)) return { min: Number(part), max: Number(part) };

  const statusClass = CLASS.exec(part);
  if (statusClass) {
    const hundreds = Number(statusClass[1]) * 100;
    return { min: hundreds, max: hundreds + 99 };
  }

  const range = RANGE.exec(part);
  if (range) {
    const min = Number(range[1]);
    const max = Number(range[2]);
    if (min <= max) return { min, max };
  }
  return undefined;
}

function formatRange(range: StatusRange): string {
  if (range.min === range.max) return String(range.min);
  if (range.min % 100 === 0 && range.max === range.min + 99) return `${range.min / 100}xx`;
  return `${range.min}-${range.max}`;
}

export function matchesStatus(matcher: StatusMatcher, status: number): boolean {
  return matcher.ranges.some((range) => status >= range.min && status <= range.max);
}
