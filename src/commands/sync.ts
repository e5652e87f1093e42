// till enroll <hq-url> --code <code> · till sync [--once|--watch] · till sync status [--json]
// Thin adapters over src/sync (loaded lazily: zod, fetch and the pinyin dictionary stay out of
// every other command's start-up).
import { Command, Option } from 'commander';
import { UsageError, UserError, clause } from '../errors.js';
import { homeOf, openTill, printJson, say, writeOut } from './context.js';
import { positiveInt, withTill } from './options.js';

export const enrollCommand = new Command('enroll')
  .description('connect this till to HQ with a one-time code from `till hq enroll-code`')
  .argument('<hq-url>', "HQ's address, e.g. https://hq.example.com or http://192.168.1.10:8787")
  .requiredOption('--code <code>', 'the one-time enrollment code HQ gave for this till')
  .option('--json', 'print the enrollment as JSON')
  .action(async (url: string, opts, cmd: Command) => {
    const { enrollTill } = await import('../sync/enroll.js');
    await withTill(cmd, async ({ home, db }) => {
      const r = await enrollTill({ home, db, url, code: opts.code });
      if (opts.json) printJson(r);
      else {
        say(`Enrolled as ${r.storeCode}/${r.tillCode} (${r.storeName}) with HQ at ${r.url}${r.deviceId ? `, device ${r.deviceId}` : ''}.`);
        if (r.renamed) say(`This till now uses HQ's codes: store ${r.storeCode}, till ${r.tillCode}.`);
        if (r.continuesAfterSeq !== null) say(`HQ already has ${r.continuesAfterSeq} sale(s) from ${r.storeCode}/${r.tillCode} (the till this one replaces): this till's sales continue from seq ${r.continuesAfterSeq + 1}.`);
        say('Sales go up and the catalog comes down with `till sync --once`, `till sync --watch`, or by themselves in the checkout.');
      }
    });
  });

function fmtError(e: { code: string; message: string; at: string } | null): string {
  return e ? `${e.message} (${e.code}, ${new Date(e.at).toLocaleString()})` : '-';
}

const status = new Command('status')
  .description('pending sales, last sync, last error, catalog cursor and whether HQ answers')
  .option('--json', 'print JSON (keys pending, oldestPendingAt, lastSyncAt, lastError, catalogCursor, online, …)')
  .action(async (_opts, cmd: Command) => {
    // `sync` has its own --json: commander hands the flag to whichever command it meets first.
    const opts = cmd.optsWithGlobals() as { json?: boolean };
    const { syncStatus } = await import('../sync/service.js');
    await withTill(cmd, async ({ home, db }) => {
      const s = await syncStatus(home, db);
      if (opts.json) return printJson(s);
      const when = (t: string | null) => (t ? new Date(t).toLocaleString() : '-');
      writeOut(
        1,
        [
          `HQ          ${s.hqUrl ?? '-'} · ${s.online ? `online (HQ has this till's sales through seq ${s.hqHwm})` : `offline (${s.offlineReason})`}`,
          `Enrolled    ${s.enrolled ? `${s.storeCode}/${s.tillCode}` : 'no — run `till enroll <hq-url> --code <code>`'}`,
          `Device      ${s.deviceId ?? '-'}`,
          `Pending     ${s.pending} sale(s)${s.oldestPendingAt ? `, oldest ${when(s.oldestPendingAt)}` : ''}`,
          `Conflicts   ${s.conflicts ? `${s.conflicts} sale(s): HQ holds other content at their seq (see \`till hq quarantine list\` at HQ)` : 'none'}`,
          `Quarantined ${s.quarantined ? `${s.quarantined} upload(s) held at HQ, not counted, until HQ resolves them` : 'none'}`,
          `Flagged     ${s.flaggedByHq ? `${s.flaggedByHq} event(s) HQ counted but flagged for a person (e.g. a return another till had already made; see \`till hq alerts list\` at HQ)` : 'none'}`,
          `Last sync   ${when(s.lastSyncAt)}`,
          `Last error  ${fmtError(s.lastError)}`,
          `Catalog     cursor ${s.catalogCursor}`,
          `Uploader    ${s.uploader ?? 'none running'}`,
        ].join('\n') + '\n',
      );
    });
  });

export const syncCommand = new Command('sync')
  .description('send pending sales to HQ and pull its catalog: once (cron, scripts) or continuously')
  .addOption(new Option('--once', 'sync until nothing is pending and the catalog is up to date, then exit (the default)'))
  .addOption(new Option('--watch', 'keep syncing until stopped (Ctrl-C); retries forever while HQ is unreachable').conflicts('once'))
  .option('--timeout <seconds>', 'with --once: give up retrying after this many seconds (default 60)', (v) => positiveInt(v, '--timeout'))
  .option('--json', 'with --once: print what was done and the status as JSON')
  .addHelpText('after', '\nEnvironment: TILL_SYNC_TIMEOUT_MS (per request, default 15000), TILL_SYNC_BACKOFF_MS (first retry ceiling, default 250).')
  .addCommand(status)
  .action(async (opts, cmd: Command) => {
    if (opts.watch && opts.timeout) throw new UsageError('--timeout applies to --once only; --watch retries until stopped.');
    const home = homeOf(cmd);
    const { db } = openTill(cmd);
    const { engineFor } = await import('../sync/service.js');
    const { readToken } = await import('../sync/credentials.js');
    const { getEnrollment } = await import('../db/sync-state.js');
    try {
      if (!getEnrollment(db) || !readToken(home)) {
        const { notEnrolled } = await import('../sync/credentials.js');
        throw notEnrolled();
      }
      const engine = engineFor(home, db);
      const ac = new AbortController();
      const stop = () => ac.abort();
      // `on`, not `once`: conf's exit hook (when-exit) re-raises the signal after its own
      // listener ran, and that second delivery must find ours still there, not the default kill.
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      try {
        if (opts.watch) await watch(engine, ac.signal);
        else await once(engine, ac.signal, (opts.timeout ?? 60) * 1000, Boolean(opts.json));
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    } finally {
      db.close();
    }
  });

type Engine = import('../sync/engine.js').SyncEngine;

async function once(engine: Engine, signal: AbortSignal, timeoutMs: number, json: boolean): Promise<void> {
  const { HqError } = await import('../sync/client.js');
  engine.on((e) => {
    if (e.type === 'retry') say(`${e.error.message}; retrying in ${(e.delayMs / 1000).toFixed(1)} s`);
    if (e.type === 'resent') say(`HQ has this till's sales only through seq ${e.hwm}: sending ${e.count} again.`);
    if (e.type === 'continued') say(`HQ already has ${e.hwm} sale(s) from this till's code (the till it replaces): its sales continue from seq ${e.hwm + 1}.`);
  });
  try {
    const r = await engine.runOnce({ deadline: Date.now() + timeoutMs, signal });
    const s = engine.snapshot();
    const newlyQuarantined = r.upload.quarantined ?? 0;
    if (json) return printJson({ uploaded: r.upload.acked, quarantinedNow: newlyQuarantined, resent: r.upload.resent, conflicted: r.upload.conflicts, batches: r.upload.batches, catalog: r.catalog, ...s });
    // Events of every kind travel in one stream (sales, returns, shifts, Z…): counted as events.
    const parts = [`Uploaded ${r.upload.acked - newlyQuarantined} event(s)`];
    if (newlyQuarantined) parts.push(`and ${newlyQuarantined} that HQ took into quarantine (not counted)`);
    if (r.waitedForOtherUploader) parts.push('(another process was uploading; waited for it)');
    say(`${parts.join(' ')}; ${s.pending} pending. Catalog: ${r.catalog.upserts} updated, ${r.catalog.deletes + r.catalog.swept} removed, cursor ${s.catalogCursor}.`);
    if (r.catalog.skipped) say(`Warning: ${s.lastError?.message}`);
    if (s.conflicts) say(`Warning: HQ holds other content at the seq of ${s.conflicts} sale(s) of this till; they are not synced and HQ has them in quarantine. Ask HQ to look at them.`);
    if (s.quarantined) say(`Warning: HQ holds ${s.quarantined} upload(s) of this till in quarantine (not counted) until it resolves them.`);
    if (s.flaggedByHq) say(`Warning: HQ flagged ${s.flaggedByHq} event(s) of this till (counted all the same), e.g. a return of a line another till had already taken back; see \`till sync status\`.`);
  } catch (e) {
    if (!(e instanceof HqError)) throw e;
    const pending = engine.snapshot().pending;
    if (e.kind === 'fatal') throw new UserError(`Sync stopped: ${clause(e.message)}. ${pending} sale(s) stay queued on this till.`, e.code);
    throw new UserError(`Could not finish syncing: ${clause(e.message)}. ${pending} sale(s) stay queued; they go with the next sync.`, e.code);
  }
}

async function watch(engine: Engine, signal: AbortSignal): Promise<void> {
  let fatal: InstanceType<typeof import('../sync/client.js').HqError> | undefined;
  engine.on((e) => {
    const t = new Date().toLocaleTimeString();
    if (e.type === 'uploaded' && e.acked > 0) say(`${t} uploaded ${e.acked} sale(s), HQ has them through seq ${e.through}; ${e.pending} pending`);
    if (e.type === 'resent') say(`${t} HQ has this till's sales only through seq ${e.hwm}: sending ${e.count} again`);
    if (e.type === 'continued') say(`${t} HQ already has ${e.hwm} sale(s) from this till's code: sales continue from seq ${e.hwm + 1}`);
    if (e.type === 'catalog') say(`${t} catalog: ${e.upserts} updated, ${e.deletes + e.swept} removed (cursor ${e.cursor})`);
    if (e.type === 'conflict') say(`${t} HQ holds other content at the seq of ${e.count} sale(s): not synced, in HQ's quarantine; ask HQ to look at them`);
    if (e.type === 'retry') say(`${t} ${e.error.message}; retrying in ${(e.delayMs / 1000).toFixed(1)} s`);
  });
  say(`Syncing with HQ; ${engine.snapshot().pending} sale(s) pending. Ctrl-C stops.`);
  await engine.watch({
    signal,
    onFatal: async (e) => {
      fatal = e;
      return 'stop';
    },
  });
  if (fatal) throw new UserError(`Sync stopped: ${clause(fatal.message)}. ${engine.snapshot().pending} sale(s) stay queued on this till.`, fatal.code);
  say(`Stopped; ${engine.snapshot().pending} sale(s) pending.`);
}
