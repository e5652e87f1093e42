// Plain-text tables that line up with Chinese text (a CJK character takes two columns).
import { textWidth } from './text-width.js';

export function padEnd(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - textWidth(s)));
}

export function padStart(s: string, width: number): string {
  return ' '.repeat(Math.max(0, width - textWidth(s))) + s;
}

/** Cuts a string to at most `width` columns, marking the cut with "…". */
export function truncate(s: string, width: number): string {
  if (textWidth(s) <= width) return s;
  let out = '';
  for (const ch of s) {
    if (textWidth(out + ch) > width - 1) break;
    out += ch;
  }
  return out + '…';
}

export interface Column {
  header: string;
  align?: 'left' | 'right';
  max?: number;
}

export function renderTable(columns: Column[], rows: string[][]): string {
  const cells = rows.map((r) => r.map((c, i) => (columns[i].max ? truncate(c, columns[i].max!) : c)));
  const widths = columns.map((c, i) => Math.max(textWidth(c.header), ...cells.map((r) => textWidth(r[i] ?? ''))));
  const line = (r: string[]) =>
    r
      .map((c, i) => (columns[i].align === 'right' ? padStart(c, widths[i]) : padEnd(c, widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}
