// The upload half of sync (DESIGN.md, "Upload"): the outbox goes to HQ in seq order, one
// batch per request, and a row is marked synced only when HQ acknowledged holding that very
// sale — its seq, id and content hash (protocol 2 `acks`), never by a sequence number alone.
// HQ holding other content at a seq is a conflict: the row is kept, counted and shown (and
// HQ quarantines the till's copy and raises an alert), never silently marked synced.
//
// Correctness never rests on the lease: HQ treats a seq it already has (same hash) as a
// duplicate and acknowledges it, so two uploaders racing or a retried batch whose answer was
// lost cost bandwidth, never a duplicate sale. The lease keeps uploads in order and cheap.
import { QUARANTINED_AT_HQ } from '../db/outbox.js';
import type { DB } from '../db/open.js';
import { markConflict, markFlagged, markPendingAfter, markSynced, markUnsynced, pendingBatch, rowsThrough, type OutboxRow } from '../db/outbox.js';
import { getDeviceIdentity, getIdentity } from '../db/settings.js';
import { continueAfter, firstPendingSeq, lastLocalSeq, localSyncStatus, recordHqView, recordSyncSuccess } from '../db/sync-state.js';
import { HqError, type HqClient } from './client.js';
import type { SyncEvent, SyncOptions } from './engine.js';
import { dropUploadLease, takeUploadLease } from './lease.js';
import { heldHash, type Ack } from './protocol.js';

/** How many of the latest synced rows the first handshake of an engine checks against HQ. */
const START_CHECK_WINDOW = 5000;

export interface UploadStats {
  batches: number;
  /** Rows HQ acknowledged in this run. */
  acked: number;
  /** Rows HQ had lost (restored from a backup) and that were marked for upload again. */
  resent: number;
  /** Rows found to conflict with what HQ holds at their seq (kept, shown, not synced). */
  conflicts: number;
  /** Rows HQ took into quarantine in this run (held, not counted until a person accepts them). */
  quarantined?: number;
  /** Set when another process holds the upload lease: nothing was uploaded here. */
  leaseHeldBy?: string;
}

export interface UploadContext {
  db: DB;
  options: SyncOptions;
  holder: string;
  client(): Promise<HqClient>;
  /** Wraps a request to HQ (keeps the engine's online flag). */
  req<T>(p: Promise<T>): Promise<T>;
  emit(e: SyncEvent): void;
}

export class Uploader {
  private lastHandshakeAt = 0;
  /** The first handshake of this engine checks synced rows too (HQ may have changed since). */
  private checkedSynced = false;
  needHandshake = true;
  uploading = false;

  constructor(private readonly ctx: UploadContext) {}

  private handshakeDue(): boolean {
    return this.needHandshake || Date.now() - this.lastHandshakeAt >= this.ctx.options.handshakeEveryMs;
  }

  /**
   * Asks HQ where this device's stream stands: its mark, what it holds at the seqs the till has
   * not seen acknowledged (an answer lost on the way) — on start, at its latest synced seqs too —
   * and what it has quarantined. Rows HQ holds with the same content are marked synced; rows
   * after its mark, and rows HQ no longer holds, are pending again (HQ restored from an older
   * backup); rows HQ holds other content for are pending, so that the next upload tells HQ
   * (which quarantines the till's copy) and the ack marks the conflict.
   */
  async handshake(client: HqClient, stats: UploadStats, signal?: AbortSignal): Promise<void> {
    const { db } = this.ctx;
    const device = getDeviceIdentity(db);
    const state = await this.ctx.req(client.state(signal, device?.id));
    const id = getIdentity(db);
    if (id && (state.storeCode !== id.storeCode || state.tillCode !== id.tillCode)) {
      throw new HqError(
        `HQ knows this till's token as ${state.storeCode}/${state.tillCode} but this till is ${id.storeCode}/${id.tillCode}; enroll it again with a code for ${id.storeCode}/${id.tillCode}`,
        'fatal',
        'E_IDENTITY',
      );
    }
    if (device && state.deviceId && state.deviceId !== device.id) {
      throw new HqError(
        `HQ knows this till's token as device ${state.deviceId}, but this installation is device ${device.id}; was the till's home copied from another till? Enroll this till with a code of its own`,
        'fatal',
        'E_DEVICE',
      );
    }
    recordHqView(db, { quarantined: state.quarantined ?? 0, retiredAt: state.retiredAt ?? null, at: new Date().toISOString() });
    // A new device with no sale yet (a replacement under a till code) starts after HQ's mark
    // for it; one that has sales and is behind HQ was restored from an old backup.
    let local = lastLocalSeq(db);
    if (state.hwm > local && continueAfter(db, state.hwm, state.lastReceiptNo)) {
      this.ctx.emit({ type: 'continued', hwm: state.hwm });
      local = state.hwm;
    }
    const resent = markPendingAfter(db, state.hwm);
    // Rows up to HQ's mark: HQ may hold them (an answer lost), hold other content (a
    // conflict), or nothing (it takes them when they are sent). On start, the latest rows
    // marked synced are looked at too: HQ restored from a backup and written to since no
    // longer holds them (older ones stay as HQ acknowledged them).
    const through = Math.min(state.hwm, local);
    let unsynced = 0;
    const passes = [{ afterSeq: 0, synced: false }];
    if (!this.checkedSynced) passes.push({ afterSeq: Math.max(0, through - START_CHECK_WINDOW), synced: true });
    for (const pass of passes) {
      for (let after = pass.afterSeq; ; ) {
        const rows = rowsThrough(db, { afterSeq: after, maxSeq: through, limit: 1000, synced: pass.synced });
        if (rows.length === 0) break;
        const { held } = await this.ctx.req(client.held(rows.map((r) => r.seq), signal));
        unsynced += this.reconcile(rows, held, stats);
        after = rows[rows.length - 1].seq;
      }
    }
    this.checkedSynced = true;
    if (resent + unsynced > 0) {
      stats.resent += resent + unsynced;
      this.ctx.emit({ type: 'resent', count: resent + unsynced, hwm: state.hwm });
    }
    if (state.hwm > local) {
      throw new HqError(
        `HQ already holds sales up to seq ${state.hwm} from ${state.storeCode}/${state.tillCode}, but this till's last sale is seq ${local}; was this till's database restored from an old backup or copied from another till? Ask HQ before selling on it`,
        'fatal',
        'E_HQ_AHEAD',
      );
    }
    this.needHandshake = false;
    this.lastHandshakeAt = Date.now();
  }

  /**
   * What HQ said it holds at these rows' seqs, at the handshake: a row HQ holds with its content
   * is synced; a synced row HQ does not hold (or holds other content for) is to be sent again
   * (HQ takes it, or quarantines the conflict and the ack marks it); the rest stay as they are.
   * Returns how many synced rows were to be sent again.
   */
  private reconcile(rows: OutboxRow[], held: Ack[], stats: UploadStats): number {
    const { db } = this.ctx;
    const bySeq = new Map(held.map((a) => [a.seq, a]));
    let synced = 0;
    let again = 0;
    db.transaction(() => {
      for (const r of rows) {
        const a = bySeq.get(r.seq);
        const same = a !== undefined && a.status !== 'conflict' && a.hash === heldHash(JSON.parse(r.payload), r.kind);
        if (same && a.flag) markFlagged(db, r.seq, a.flag);
        if (same && r.syncedAt === null) synced += markSynced(db, r.seq);
        else if (!same && r.syncedAt !== null) again += markUnsynced(db, r.seq);
      }
    })();
    stats.acked += synced;
    return again;
  }

  /**
   * An upload's acks: each row HQ holds with this row's content is synced; a row HQ holds
   * other content for is a conflict (HQ has quarantined the till's copy); a row HQ says nothing
   * about (after a gap) stays pending. Returns how many rows were settled either way.
   */
  private applyAcks(rows: OutboxRow[], acks: Ack[], stats: UploadStats): { synced: number; conflicts: number } {
    const { db } = this.ctx;
    const bySeq = new Map(acks.map((a) => [a.seq, a]));
    let synced = 0;
    let conflicts = 0;
    db.transaction(() => {
      for (const r of rows) {
        const a = bySeq.get(r.seq);
        if (!a) continue;
        if (a.status !== 'conflict' && a.hash === heldHash(JSON.parse(r.payload), r.kind)) {
          synced += markSynced(db, r.seq);
          // HQ holds it, but in quarantine: not counted until a person accepts it. Shown per sale.
          if (a.status === 'quarantined') {
            markFlagged(db, r.seq, QUARANTINED_AT_HQ);
            stats.quarantined = (stats.quarantined ?? 0) + 1;
          } else if (a.flag) markFlagged(db, r.seq, a.flag);
        }
        else {
          conflicts += markConflict(
            db,
            r.seq,
            `HQ holds ${a.saleId && a.saleId !== r.eventId ? `${r.kind === 'sale' ? 'sale' : 'event'} ${a.saleId}` : 'other content'} at seq ${r.seq} (hash ${a.hash.slice(0, 12)}); this ${r.kind === 'sale' ? 'sale' : r.kind} is in HQ's quarantine`,
          );
        }
      }
    })();
    if (conflicts > 0) {
      stats.conflicts += conflicts;
      this.ctx.emit({ type: 'conflict', count: conflicts });
    }
    stats.acked += synced;
    return { synced, conflicts };
  }

  /** The next batch: consecutive pending rows from the first one, within the size limits. */
  private nextBatch(): { rows: OutboxRow[]; body: string } | undefined {
    const rows = pendingBatch(this.ctx.db, this.ctx.options.batchSize);
    if (rows.length === 0) return undefined;
    const parts: string[] = [];
    let bytes = 0;
    let n = 0;
    for (const r of rows) {
      if (n > 0 && (r.seq !== rows[n - 1].seq + 1 || bytes + r.payload.length > this.ctx.options.maxBatchBytes)) break;
      // The stored payload goes on the wire as it is, with the hash HQ acknowledges it by; a
      // sale exactly as in protocol 2, any other event with its kind (protocol 3).
      const hash = heldHash(JSON.parse(r.payload), r.kind);
      parts.push(r.kind === 'sale' ? `{"seq":${r.seq},"hash":"${hash}","sale":${r.payload}}` : `{"seq":${r.seq},"hash":"${hash}","kind":"${r.kind}","event":${r.payload}}`);
      bytes += r.payload.length;
      n++;
    }
    return { rows: rows.slice(0, n), body: `{"sales":[${parts.join(',')}]}` };
  }

  /** Uploads every pending sale (or stops at the first failure, which it throws). */
  async upload(signal?: AbortSignal, stats: UploadStats = { batches: 0, acked: 0, resent: 0, conflicts: 0 }): Promise<UploadStats> {
    const { db, options } = this.ctx;
    stats.leaseHeldBy = undefined;
    if (firstPendingSeq(db) === undefined && !this.handshakeDue()) return stats;
    const lease = takeUploadLease(db, this.ctx.holder, options.leaseTtlMs);
    if (!lease.ok) {
      stats.leaseHeldBy = lease.holder;
      return stats;
    }
    this.uploading = true;
    this.ctx.emit({ type: 'status' });
    try {
      const client = await this.ctx.client();
      if (this.handshakeDue()) await this.handshake(client, stats, signal);
      let stalls = 0;
      while (!signal?.aborted) {
        const batch = this.nextBatch();
        if (!batch) break;
        if (!takeUploadLease(db, this.ctx.holder, options.leaseTtlMs).ok) break; // lost it (we stalled past its expiry): the new holder carries on
        const first = batch.rows[0].seq;
        const last = batch.rows[batch.rows.length - 1].seq;
        const res = await this.ctx.req(client.upload(batch.body, signal));
        stats.batches++;
        if (!res.acks) {
          throw new HqError('HQ answered without acknowledging sales by content (protocol 1); upgrade HQ before this till can mark sales synced', 'fatal', 'E_HQ_PROTOCOL');
        }
        // The acks and the success are one transaction: one fsync per batch fewer.
        const { synced: acked, conflicts } = db.transaction(() => {
          const r = this.applyAcks(batch.rows, res.acks!, stats);
          recordSyncSuccess(db);
          return r;
        })();
        // HQ quarantined something: ask for its count at the next round, for the status bar.
        if (res.quarantined > 0) this.needHandshake = true;
        if (res.expectedSeq !== undefined && res.expectedSeq <= first) {
          // HQ is behind what we think it has (restored, or an ack we trusted was rolled back).
          const again = markPendingAfter(db, res.expectedSeq - 1);
          stats.resent += again;
          if (again > 0) this.ctx.emit({ type: 'resent', count: again, hwm: res.expectedSeq - 1 });
        }
        if (acked + conflicts === 0) {
          if (++stalls >= 3) throw new HqError(`HQ acknowledged nothing of seq ${first}–${last} three times (ackedThrough ${res.ackedThrough})`, 'retry', 'E_HQ_NO_PROGRESS');
          this.needHandshake = true;
          await this.handshake(client, stats, signal);
        } else stalls = 0;
        this.ctx.emit({ type: 'uploaded', acked, through: res.ackedThrough, pending: firstPendingSeq(db) === undefined ? 0 : localSyncStatus(db).pending });
      }
      return stats;
    } catch (e) {
      // After any failure, ask HQ where it stands before the next batch.
      this.needHandshake = true;
      throw e;
    } finally {
      this.uploading = false;
      dropUploadLease(db, this.ctx.holder);
      this.ctx.emit({ type: 'status' });
    }
  }
}
