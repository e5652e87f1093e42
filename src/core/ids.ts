// Identities made on the till, offline: UUIDv7 for a sale, and its human receipt number.
import { v7 as uuidv7 } from 'uuid';

export function newSaleId(): string {
  return uuidv7();
}

/** yyyymmdd of a date in the till's local time (the business day printed on the receipt). */
export function businessDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}`;
}

/** <store>-<till>-<yyyymmdd>-<seq>, the daily seq zero-padded to 4 digits. */
export function receiptNumber(store: string, till: string, date: string, dailySeq: number): string {
  return `${store}-${till}-${date}-${String(dailySeq).padStart(4, '0')}`;
}

/**
 * The store a receipt number names (<store>-<till>-<yyyymmdd>-<seq>; a store code may itself hold
 * a hyphen, a till code does not), or null when the text is no receipt number.
 */
export function receiptStore(receiptNo: string): string | null {
  const m = /^(.+)-[^-]+-\d{8}-\d{4,}$/.exec(receiptNo.trim());
  return m ? m[1] : null;
}
