// Terminal rendering for the demo: step headers, indented action logs and job summaries
// turned from Markdown into aligned plain text.

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string) => (text: string) => (useColor ? `\u001b[${code}m${text}\u001b[0m` : text);
export const bold = paint('1');
export const dim = paint('2');
export const green = paint('32');
export const red = paint('31');

export function heading(text: string): void {
  console.log(`\n${bold(`━━ ${text} ${'━'.repeat(Math.max(0, 74 - text.length))}`)}`);
}

export function step(text: string): void {
  console.log(`\n${bold('▶')} ${text}`);
}

export function indented(text: string, prefix = '  │ '): void {
  for (const line of text.split('\n')) console.log(`${dim(prefix)}${line}`);
}

function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

function plain(text: string): string {
  return text
    .replace(/<br>/g, ' / ')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 <$2>')
    .replace(/<\/?(details|summary|code|b|strong)>/g, '');
}

/** Renders a job summary (GitHub-flavoured Markdown) as plain text with aligned tables. */
export function summaryAsText(markdown: string): string {
  const out: string[] = [];
  const lines = markdown.trim().split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] as string;
    if (line.trim().startsWith('|')) {
      const rows: string[][] = [];
      while (index < lines.length && (lines[index] as string).trim().startsWith('|')) {
        const row = cells(lines[index] as string);
        if (!row.every((cell) => /^:?-+:?$/.test(cell))) rows.push(row.map(plain));
        index += 1;
      }
      index -= 1;
      const widths = (rows[0] ?? []).map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
      rows.forEach((row, rowIndex) => {
        out.push(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
        if (rowIndex === 0) out.push(widths.map((width) => '─'.repeat(width)).join('  '));
      });
      continue;
    }
    const header = /^#{1,6}\s+(.*)$/.exec(line);
    if (header) {
      out.push(bold(plain(header[1] as string)));
      continue;
    }
    if (line.trim() === '```') continue;
    out.push(plain(line));
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}
