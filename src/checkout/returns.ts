// Returns and post-voids below the screen, shared by the checkout and `till sales return|void`:
// find the sale from its receipt code, show what it would refund, then commit with a supervisor's
// approval. No Ink or React here. The checkout's return mode calls, in order:
//   findReturnable(db, scannedOrTyped)   the sale and what is left to return of each line
//   previewReturn(db, request)           the refund per line and per tender, nothing written
//   commitReturn(db, request, approval)  supervisor checked, return recorded (one transaction)
// and prints the slip with printReturnReceipt (print/index.ts) after commitReturn has returned.
import type { DB } from '../db/open.js';
import { checkApprover, previewReturn, recordReturn, returnableSale, type ReturnableSale, type ReturnInput, type ReturnRecord } from '../db/returns.js';
import { UserError } from '../errors.js';

export { previewReturn };

/**
 * The sale a scanned or typed receipt code names (the receipt's CODE128/QR holds its number),
 * with what can still come back. Training sales are found, and refused when committed.
 */
export function findReturnable(db: DB, code: string): ReturnableSale {
  // A scanner may add a prefix/suffix the receipt never had (a CR, spaces): the number is what counts.
  const receiptNo = code.replace(/[\r\n]/g, '').trim();
  if (!receiptNo) throw new UserError('Scan the receipt\'s barcode or type its number.', 'E_INPUT');
  return returnableSale(db, receiptNo);
}

export interface Approval {
  supervisorId: string;
  pin: string;
}

/**
 * Records the return once a supervisor or admin other than the cashier has approved it with
 * their PIN (a wrong PIN counts toward the lockout even when the return is then refused).
 */
export function commitReturn(db: DB, request: Omit<ReturnInput, 'supervisorId'>, approval: Approval, at: Date = new Date()): ReturnRecord {
  const cashierId = request.cashierId ?? returnableSale(db, request.receiptNo).cashierId;
  checkApprover(db, { supervisorId: approval.supervisorId, pin: approval.pin, cashierId, kind: request.kind }, at);
  return recordReturn(db, { ...request, cashierId, supervisorId: approval.supervisorId }, at);
}
