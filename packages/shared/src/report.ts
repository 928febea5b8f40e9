/** The logging surface the core of an action uses; main() backs it with @actions/core. */
export interface Logger {
  info(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  group<T>(title: string, body: () => Promise<T>): Promise<T>;
}

/** A logger that keeps lines in memory, for tests and for code that reports later. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];

  info(message: string): void {
    this.lines.push(message);
  }

  notice(message: string): void {
    this.lines.push(`notice: ${message}`);
  }

  warning(message: string): void {
    this.lines.push(`warning: ${message}`);
  }

  error(message: string): void {
    this.lines.push(`error: ${message}`);
  }

  debug(message: string): void {
    this.lines.push(`debug: ${message}`);
  }

  async group<T>(title: string, body: () => Promise<T>): Promise<T> {
    this.lines.push(`[${title}]`);
    return body();
  }

  text(): string {
    return this.lines.join('\n');
  }
}

function escapeCell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** Renders a GitHub-flavoured Markdown table. */
export function markdownTable(headers: string[], rows: string[][]): string {
  const head = `| ${headers.map(escapeCell).join(' | ')} |`;
  const rule = `| ${headers.map(() => '---').join(' | ')} |`;
  const body = rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`);
  return [head, rule, ...body].join('\n');
}

/** Renders rows as aligned plain-text columns for the log. */
export function textTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const format = (row: string[]): string =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [format(headers), ...rows.map(format)].join('\n');
}

// Values shorter than this are not masked: masking "1" or "true" would blank those words
// everywhere in the log while protecting nothing.
const MIN_MASKED_LENGTH = 4;

/**
 * Registers every value with the runner's masker (each line of a multi-line value too, because
 * the runner masks line by line). Used on environment values of task definitions, which may
 * hold credentials even though they should not.
 */
export function maskValues(values: Iterable<string>, setSecret: (value: string) => void): void {
  const masked = new Set<string>();
  for (const value of values) {
    for (const line of new Set([value, ...value.split(/\r?\n/)])) {
      if (line.trim().length >= MIN_MASKED_LENGTH && !masked.has(line)) {
        masked.add(line);
        setSecret(line);
      }
    }
  }
}

/** Formats names for a log line, e.g. `3 (A, B, C)`; never values. */
export function formatNames(names: readonly string[]): string {
  if (names.length === 0) return 'none';
  return `${names.length} (${names.join(', ')})`;
}
