// Rows → CSV, JSON or NDJSON text, a chunk at a time. CSV cells that a spreadsheet would run as
// a formula (= + - @, tab or CR first) are neutralised with a leading apostrophe (CSV
// injection, OWASP); numbers are written by us and left alone. `till products import` takes
// the apostrophe off again, so an exported catalog imports back unchanged.
import { stringify } from 'csv-stringify/sync';
import type { Format } from './output.js';

export type Cell = string | number | boolean | null | undefined;

export interface Column<T> {
  header: string;
  value: (row: T) => Cell;
}

const FORMULA = /^[=+\-@\t\r]/;

/** "=HYPERLINK(…)" → "'=HYPERLINK(…)"; other text as it is. */
export function guardCell(text: string): string {
  return FORMULA.test(text) ? `'${text}` : text;
}

function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return guardCell(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

/** Turns batches of rows into text for one format; JSON is an array spread over the chunks. */
export class Formatter<T> {
  private rows = 0;

  constructor(
    private format: Format,
    private columns: Column<T>[],
    /** The JSON object of a row (json/ndjson); defaults to the columns by header. */
    private toJson: (row: T) => unknown = (row) => Object.fromEntries(columns.map((c) => [c.header, c.value(row)])),
  ) {}

  head(): string {
    if (this.format === 'csv') return stringify([this.columns.map((c) => c.header)]);
    if (this.format === 'json') return '[';
    return '';
  }

  chunk(batch: T[]): string {
    if (batch.length === 0) return '';
    if (this.format === 'csv') return stringify(batch.map((r) => this.columns.map((c) => csvCell(c.value(r)))));
    let out = '';
    for (const r of batch) {
      const json = JSON.stringify(this.toJson(r));
      out += this.format === 'json' ? `${this.rows++ === 0 ? '\n' : ',\n'}${json}` : `${json}\n`;
    }
    return out;
  }

  tail(): string {
    return this.format === 'json' ? (this.rows ? '\n]\n' : ']\n') : '';
  }
}
