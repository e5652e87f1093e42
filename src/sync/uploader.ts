// The upload half of sync (DESIGN.md, "Upload"): the outbox goes to HQ in seq order, one
// batch per request, and a row is marked synced only after HQ acknowledged it.
//
// Correctness never rests on the lease: HQ treats a seq it already has (same hash) as a
// duplicate and acknowledges it, so two uploaders racing or a retried batch whose answer was
// lost cost bandwidth, never a duplicate sale. The lease keeps uploads in order and cheap.
import type { DB } from '../db/open.js';
import { markPendingAfter, markSyncedThrough, pendingBatch, type OutboxRow } from '../db/outbox.js';
import { getIdentity } from '../db/settings.js';
import { continueAfter, firstPendingSeq, lastLocalSeq, localSyncStatus, recordSyncSuccess } from '../db/sync-state.js';
import { HqError, type HqClient } from './client.js';
import type { SyncEvent, SyncOptions } from './engine.js';
import { dropUploadLease, takeUploadLease } from './lease.js';
import { contentHash } from './protocol.js';

export interface UploadStats {
  batches: number;
  /** Rows HQ acknowledged in this run. */
  acked: number;
  /** Rows HQ had lost (restored from a backup) and that were marked for upload again. */
  resent: number;
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
  needHandshake = true;
  uploading = false;

  constructor(private readonly ctx: UploadContext) {}

  private handshakeDue(): boolean {
    return this.needHandshake || Date.now() - this.lastHandshakeAt >= this.ctx.options.handshakeEveryMs;
  }

  /**
   * Asks HQ how far it has this till's sales. Rows HQ has are marked synced (an answer lost on
   * the way); rows after its mark are pending again (HQ restored from an older backup).
   */
  async handshake(client: HqClient, stats: UploadStats, signal?: AbortSignal): Promise<void> {
    const { db } = this.ctx;
    const state = await this.ctx.req(client.state(signal));
    const id = getIdentity(db);
    if (id && (state.storeCode !== id.storeCode || state.tillCode !== id.tillCode)) {
      throw new HqError(
        `HQ knows this till's token as ${state.storeCode}/${state.tillCode} but this till is ${id.storeCode}/${id.tillCode}; enroll it again with a code for ${id.storeCode}/${id.tillCode}`,
        'fatal',
        'E_IDENTITY',
      );
    }
    // A replacement till with no sale yet (enrolled under a dead till's code) continues after
    // HQ's mark; one that has sales and is behind HQ was restored from an old backup.
    let local = lastLocalSeq(db);
    if (state.hwm > local && continueAfter(db, state.hwm)) {
      this.ctx.emit({ type: 'continued', hwm: state.hwm });
      local = state.hwm;
    }
    if (state.hwm > local) {
      throw new HqError(
        `HQ already holds sales up to seq ${state.hwm} from ${state.storeCode}/${state.tillCode}, but this till's last sale is seq ${local}; was this till's database restored from an old backup or copied from another till? Ask HQ before selling on it`,
        'fatal',
        'E_HQ_AHEAD',
      );
    }
    const resent = db.transaction(() => {
      markSyncedThrough(db, state.hwm);
      return markPendingAfter(db, state.hwm);
    })();
    if (resent > 0) {
      stats.resent += resent;
      this.ctx.emit({ type: 'resent', count: resent, hwm: state.hwm });
    }
    this.needHandshake = false;
    this.lastHandshakeAt = Date.now();
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
      // The stored payload goes on the wire as it is; the hash is HQ's own contentHash, so a
      // re-sent sale and the copy HQ kept agree on what "the same sale" means.
      parts.push(`{"seq":${r.seq},"hash":"${contentHash(JSON.parse(r.payload))}","sale":${r.payload}}`);
      bytes += r.payload.length;
      n++;
    }
    return { rows: rows.slice(0, n), body: `{"sales":[${parts.join(',')}]}` };
  }

  /** Uploads every pending sale (or stops at the first failure, which it throws). */
  async upload(signal?: AbortSignal, stats: UploadStats = { batches: 0, acked: 0, resent: 0 }): Promise<UploadStats> {
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
        const acked = db.transaction(() => {
          const n = markSyncedThrough(db, res.ackedThrough);
          recordSyncSuccess(db);
          return n;
        })();
        stats.acked += acked;
        if (res.expectedSeq !== undefined && res.expectedSeq <= first) {
          // HQ is behind what we think it has (restored, or an ack we trusted was rolled back).
          const again = markPendingAfter(db, res.expectedSeq - 1);
          stats.resent += again;
          if (again > 0) this.ctx.emit({ type: 'resent', count: again, hwm: res.expectedSeq - 1 });
        }
        if (res.ackedThrough < first) {
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
