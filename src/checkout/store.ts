// Everything the checkout screen reads or writes in the till database, behind one interface:
// the screen's modes never import db/ themselves, and a test or the store's-day flows can give
// the screen another store. `sqliteStore(db)` is the one the till uses.
import type { CartState } from '../core/cart.js';
import type { Product, Sale } from '../core/types.js';
import { recordApproval, type Approval } from '../db/approvals.js';
import type { DB } from '../db/open.js';
import { clearOpenCart, readOpenCart, saveOpenCart, type OpenCart } from '../db/open-cart.js';
import { pendingCount } from '../db/outbox.js';
import { findProductByBarcode, findProductByPlu, searchProducts } from '../db/products.js';
import { findSale } from '../db/sales.js';
import { countSuspended, listSuspended, suspendSale, takeSuspended, type SuspendedSale } from '../db/suspended.js';
import { unlockUser, verifyLogin, type LoginResult } from '../db/users.js';
import { recordVoid, type VoidEntry } from '../db/voids.js';
import { closeShift, currentShift, openShift, payInOut, shiftFigures, type ClosedShift, type CloseShiftInput, type PayInOutInput, type Shift } from '../db/shifts.js';
import { commitCart, resolveScan, type Cashier, type ScanOutcome } from './service.js';
import { commitReturn, findReturnable, previewReturn, type Approval as ReturnApproval } from './returns.js';
import type { ReturnableSale, ReturnInput, ReturnRecord } from '../db/returns.js';
import type { RefundPlan } from '../core/refund.js';
import { authorizeZ, takeZReport, xReport, type ReportBody } from '../db/zreports.js';

export interface CheckoutStore {
  resolveScan(code: string): ScanOutcome;
  /** A product by its code or PLU (weighed goods are typed by PLU). */
  productByCode(code: string): Product | undefined;
  /** Products matching typed text (name, pinyin initials, code), at most `limit`. */
  /** Products matching a search (name, pinyin initials, barcode prefix); `capped`: more matched than `limit`. */
  search(query: string, limit: number): { items: Product[]; capped: boolean };
  verifyLogin(id: string, pin: string, at: Date): LoginResult;
  /** Commits a paid cart as a sale (one transaction, the open cart dropped with it). */
  commit(cart: CartState, cashier: Cashier, at: Date): Sale;
  /** The till's last sale (NotFoundError when none). */
  lastSale(): Sale;
  recordApproval(a: Omit<Approval, 'id' | 'at'>, at: Date): void;
  /** A supervisor unlocks a locked cashier; journaled as an approval in the same transaction. */
  unlock(cashierId: string, supervisorId: string, at: Date): boolean;
  readOpenCart(): OpenCart | undefined;
  saveOpenCart(cashierId: string, cart: string, at: Date): void;
  clearOpenCart(): void;
  /** Holds the sale and drops it from the open cart in one transaction (never both held and restored). */
  suspend(input: { cashierId: string; label: string; cart: string }, at: Date): SuspendedSale;
  listSuspended(): SuspendedSale[];
  /** Takes a held sale back as the open cart of `cashierId` in one transaction (a crash right after loses neither). */
  takeSuspended(id: number, cashierId: string, at: Date): SuspendedSale | undefined;
  countSuspended(): number;
  pendingCount(): number;
  /**
   * A void and the open cart after it, in one transaction (with the approval that allowed it,
   * if any): the journal never misses a void that took effect, nor records one that did not.
   */
  recordVoid(v: Omit<VoidEntry, 'id'>, after: { cashierId: string; cart: string | null }, approval?: Omit<Approval, 'id' | 'at'>): VoidEntry;
  /** The shift open on the till's drawer, whoever's it is (db/shifts.ts). */
  currentShift(): Shift | undefined;
  openShift(cashierId: string, floatFen: number, at: Date): Shift;
  /** The cash the open shift's drawer should hold now (core/cash.ts's one definition). */
  expectedCash(): number | null;
  payInOut(o: PayInOutInput, at: Date): void;
  closeShift(o: CloseShiftInput, at: Date): ClosedShift;
  /** Returns (checkout/returns.ts): the sale a receipt code names, what it would refund, and the commit. */
  findReturnable(code: string): ReturnableSale;
  previewReturn(request: Omit<ReturnInput, 'supervisorId'>, at: Date): RefundPlan;
  commitReturn(request: Omit<ReturnInput, 'supervisorId'>, approval: ReturnApproval, at: Date): ReturnRecord;
  /** When a sale was made (its receipt number): a post-void is for a sale of the open shift. */
  saleTime(receiptNo: string): string;
  /** The X report (changes nothing), and a Z taken by a supervisor or admin (PIN checked by authorizeZ). */
  xReport(at: Date): ReportBody;
  takeZ(supervisorId: string, pin: string, at: Date): ReportBody;
}

export function sqliteStore(db: DB): CheckoutStore {
  return {
    resolveScan: (code) => resolveScan(db, code),
    productByCode: (code) => findProductByBarcode(db, code) ?? findProductByPlu(db, code),
    search: (query, limit) => searchProducts(db, query, limit),
    verifyLogin: (id, pin, at) => verifyLogin(db, id, pin, at),
    commit: (cart, cashier, at) => commitCart(db, cart, cashier, at),
    lastSale: () => findSale(db, 'last'),
    recordApproval: (a, at) => recordApproval(db, a, at),
    unlock: (cashierId, supervisorId, at) =>
      db.transaction(() => {
        const done = unlockUser(db, cashierId);
        if (done) recordApproval(db, { cashierId, supervisorId, reason: 'unlock', action: 'unlock', detail: `cashier ${cashierId} unlocked` }, at);
        return done;
      }).immediate(),
    readOpenCart: () => readOpenCart(db),
    saveOpenCart: (cashierId, cart, at) => saveOpenCart(db, cashierId, cart, at),
    clearOpenCart: () => clearOpenCart(db),
    suspend: (input, at) =>
      db.transaction(() => {
        const held = suspendSale(db, input, at);
        clearOpenCart(db);
        return held;
      }).immediate(),
    listSuspended: () => listSuspended(db),
    takeSuspended: (id, cashierId, at) =>
      db.transaction(() => {
        const taken = takeSuspended(db, id);
        if (taken) saveOpenCart(db, cashierId, taken.cart, at);
        return taken;
      }).immediate(),
    countSuspended: () => countSuspended(db),
    pendingCount: () => pendingCount(db),
    recordVoid: (v, after, approval) =>
      db.transaction(() => {
        if (approval) recordApproval(db, approval, new Date(v.at));
        const entry = recordVoid(db, v);
        if (after.cart === null) clearOpenCart(db);
        else saveOpenCart(db, after.cashierId, after.cart, new Date(v.at));
        return entry;
      }).immediate(),
    currentShift: () => currentShift(db),
    openShift: (cashierId, floatFen, at) => openShift(db, { cashierId, floatFen }, at),
    expectedCash: () => {
      const s = currentShift(db);
      return s ? shiftFigures(db, s).expectedCashFen : null;
    },
    payInOut: (o, at) => {
      payInOut(db, o, at);
    },
    closeShift: (o, at) => closeShift(db, o, at),
    findReturnable: (code) => findReturnable(db, code),
    previewReturn: (request, at) => previewReturn(db, request, at),
    commitReturn: (request, approval, at) => commitReturn(db, request, approval, at),
    saleTime: (receiptNo) => findSale(db, receiptNo).createdAt,
    xReport: (at) => xReport(db, at),
    takeZ: (supervisorId, pin, at) => takeZReport(db, at, { takenBy: authorizeZ(db, supervisorId, pin, at).id }),
  };
}
