// Numbered migrations, applied in order at open; schema_migrations records each one applied.
// Feature areas keep to their own number ranges so parallel work never collides:
// 1–9 foundation, 10–19 checkout, 20–29 sync, 30–39 import/export, 40–49 printing.
import type { DB } from './open.js';

export const migrations: Record<number, string> = {
  1: `
    CREATE TABLE settings (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );

    CREATE TABLE products (
      id          INTEGER PRIMARY KEY,
      name        TEXT NOT NULL CHECK (length(name) > 0),
      pinyin      TEXT NOT NULL DEFAULT '',
      price_fen   INTEGER NOT NULL CHECK (price_fen >= 0),
      unit        TEXT NOT NULL DEFAULT '',
      category    TEXT NOT NULL DEFAULT '',
      weighed     INTEGER NOT NULL DEFAULT 0 CHECK (weighed IN (0, 1)),
      plu         TEXT UNIQUE,
      -- Copy of this product's barcodes (comma-separated, sorted) for one-row reads on the hot
      -- path; product_barcodes is the source of truth and the unique index. Writers keep both.
      barcodes    TEXT NOT NULL DEFAULT '',
      active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
      updated_at  TEXT NOT NULL
    );
    CREATE INDEX products_pinyin ON products (pinyin);
    CREATE INDEX products_name ON products (name);

    CREATE TABLE product_barcodes (
      barcode    TEXT PRIMARY KEY,
      product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE
    ) WITHOUT ROWID;
    CREATE INDEX product_barcodes_product ON product_barcodes (product_id);

    CREATE TABLE users (
      id              TEXT PRIMARY KEY,
      name            TEXT NOT NULL,
      role            TEXT NOT NULL CHECK (role IN ('cashier', 'supervisor', 'admin')),
      pin_hash        TEXT NOT NULL,
      active          INTEGER NOT NULL DEFAULT 1,
      failed_attempts INTEGER NOT NULL DEFAULT 0,
      locked_until    TEXT,
      created_at      TEXT NOT NULL
    );

    -- A sale is made on the till: UUIDv7 id (offline-safe, time-ordered), a human receipt
    -- number, and the gap-free per-till seq that sync uploads in order.
    CREATE TABLE sales (
      id                 TEXT PRIMARY KEY,
      receipt_no         TEXT NOT NULL UNIQUE,
      store_code         TEXT NOT NULL,
      till_code          TEXT NOT NULL,
      seq                INTEGER NOT NULL UNIQUE CHECK (seq > 0),
      business_date      TEXT NOT NULL,
      cashier_id         TEXT NOT NULL,
      cashier_name       TEXT NOT NULL,
      created_at         TEXT NOT NULL,
      status             TEXT NOT NULL CHECK (status IN ('completed', 'voided')),
      subtotal_fen       INTEGER NOT NULL,
      discount_fen       INTEGER NOT NULL,
      order_discount_fen INTEGER NOT NULL,
      total_fen          INTEGER NOT NULL,
      paid_fen           INTEGER NOT NULL,
      change_fen         INTEGER NOT NULL,
      item_count         INTEGER NOT NULL
    );
    CREATE INDEX sales_created_at ON sales (created_at);
    CREATE INDEX sales_business_date ON sales (business_date);

    CREATE TABLE sale_lines (
      sale_id          TEXT NOT NULL REFERENCES sales (id) ON DELETE CASCADE,
      line_no          INTEGER NOT NULL,
      product_id       INTEGER,
      barcode          TEXT,
      name             TEXT NOT NULL,
      qty              INTEGER NOT NULL,
      qty_grams        INTEGER,
      unit_price_fen   INTEGER NOT NULL,
      discount_fen     INTEGER NOT NULL,
      line_total_fen   INTEGER NOT NULL,
      PRIMARY KEY (sale_id, line_no)
    ) WITHOUT ROWID;

    CREATE TABLE payments (
      sale_id      TEXT NOT NULL REFERENCES sales (id) ON DELETE CASCADE,
      idx          INTEGER NOT NULL,
      method       TEXT NOT NULL CHECK (method IN ('cash', 'card', 'wechat', 'alipay')),
      amount_fen   INTEGER NOT NULL,
      tendered_fen INTEGER NOT NULL,
      change_fen   INTEGER NOT NULL,
      reference    TEXT,
      PRIMARY KEY (sale_id, idx)
    ) WITHOUT ROWID;

    -- The upload queue: one row per sale, in seq order, written in the sale's transaction.
    CREATE TABLE outbox (
      seq        INTEGER PRIMARY KEY,
      sale_id    TEXT NOT NULL UNIQUE REFERENCES sales (id),
      payload    TEXT NOT NULL,
      created_at TEXT NOT NULL,
      synced_at  TEXT
    );
    CREATE INDEX outbox_pending ON outbox (seq) WHERE synced_at IS NULL;

    -- Sales put aside by the cashier (挂单) and resumed later (取单).
    CREATE TABLE suspended_sales (
      id         INTEGER PRIMARY KEY,
      cashier_id TEXT NOT NULL,
      label      TEXT NOT NULL,
      cart       TEXT NOT NULL,
      created_at TEXT NOT NULL
    );
  `,
  // Checkout (10–19). The sale being rung up, saved a moment after each change: after a crash
  // or a power cut the next sign-in finds it again (db/open-cart.ts). One row: one cart per till.
  10: `
    CREATE TABLE open_cart (
      id         INTEGER PRIMARY KEY CHECK (id = 1),
      cashier_id TEXT NOT NULL,
      cart       TEXT NOT NULL,
      saved_at   TEXT NOT NULL
    );
  `,
  // Every supervisor approval given at the checkout (a discount over the limit, a change after
  // a payment, cancelling a part-paid sale): who asked, who approved, what, and when. Loss
  // prevention reads it with `till sales approvals`; nothing ever updates or deletes a row.
  11: `
    CREATE TABLE approvals (
      id            INTEGER PRIMARY KEY,
      at            TEXT NOT NULL,
      cashier_id    TEXT NOT NULL,
      supervisor_id TEXT NOT NULL,
      reason        TEXT NOT NULL,
      action        TEXT NOT NULL,
      detail        TEXT NOT NULL
    );
    CREATE INDEX approvals_at ON approvals (at);
  `,
  // Sync (20–29). Catalog rows that came from HQ carry HQ's id; HQ wins on their fields.
  20: `
    ALTER TABLE products ADD COLUMN hq_id INTEGER;
    CREATE UNIQUE INDEX products_hq_id ON products (hq_id) WHERE hq_id IS NOT NULL;

    -- One uploader at a time per till, across processes (checkout, \`till sync --watch\`, cron):
    -- a lease with an expiry, taken and renewed in IMMEDIATE transactions.
    CREATE TABLE sync_lease (
      name       TEXT PRIMARY KEY,
      holder     TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    );

    -- HQ ids seen while re-pulling the catalog from 0 after a reset; HQ products not seen by
    -- the time the pull is up to date were deleted at HQ beyond its tombstone horizon.
    CREATE TABLE sync_catalog_seen (
      hq_id INTEGER PRIMARY KEY
    );
  `,
  // Import/export (30–39). products_name and products_pinyin serve no query: product search is
  // LIKE '%…%' on both columns, a full scan either way (EXPLAIN QUERY PLAN of listProducts:
  // "SCAN p"), and a LIKE prefix cannot use a BINARY index. Yet every product write paid two
  // random-order index inserts: they were ~70% of a 1,000,000-product import (bench/import).
  30: `
    DROP INDEX IF EXISTS products_name;
    DROP INDEX IF EXISTS products_pinyin;
  `,
  // `plu TEXT UNIQUE` kept an index entry for every product, though only weighed goods have a
  // PLU: a million NULL entries written on every import (~0.3 s per million products). A
  // partial unique index holds the PLUs alone and still serves `WHERE plu = ?`. A column
  // constraint cannot be dropped, so products is rebuilt (SQLite's "12 steps"; migrate() runs
  // this with foreign keys off, so product_barcodes keeps its rows and its reference).
  31: `
    CREATE TABLE products_new (
      id          INTEGER PRIMARY KEY,
      name        TEXT NOT NULL CHECK (length(name) > 0),
      pinyin      TEXT NOT NULL DEFAULT '',
      price_fen   INTEGER NOT NULL CHECK (price_fen >= 0),
      unit        TEXT NOT NULL DEFAULT '',
      category    TEXT NOT NULL DEFAULT '',
      weighed     INTEGER NOT NULL DEFAULT 0 CHECK (weighed IN (0, 1)),
      plu         TEXT,
      -- Copy of this product's barcodes (comma-separated, sorted) for one-row reads on the hot
      -- path; product_barcodes is the source of truth and the unique index. Writers keep both.
      barcodes    TEXT NOT NULL DEFAULT '',
      active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
      updated_at  TEXT NOT NULL,
      hq_id       INTEGER
    );
    INSERT INTO products_new (id, name, pinyin, price_fen, unit, category, weighed, plu, barcodes, active, updated_at, hq_id)
      SELECT id, name, pinyin, price_fen, unit, category, weighed, plu, barcodes, active, updated_at, hq_id FROM products;
    DROP TABLE products;
    ALTER TABLE products_new RENAME TO products;
    CREATE UNIQUE INDEX products_hq_id ON products (hq_id) WHERE hq_id IS NOT NULL;
    CREATE UNIQUE INDEX products_plu ON products (plu) WHERE plu IS NOT NULL;
  `,
  // Voids at the checkout (issue 11): a cancelled sale, a removed line, a sale dropped on
  // leaving, written in the same transaction as the change. Shaped as the events the store's-day
  // issue sends to HQ: a UUIDv7 id, the time, the business date, a kind. Never updated.
  32: `
    CREATE TABLE voids (
      id             TEXT PRIMARY KEY,
      at             TEXT NOT NULL,
      business_date  TEXT NOT NULL,
      kind           TEXT NOT NULL CHECK (kind IN ('sale-cancelled', 'line-removed', 'sale-dropped')),
      cashier_id     TEXT NOT NULL,
      approver_id    TEXT,
      lines          TEXT NOT NULL,
      amount_fen     INTEGER NOT NULL,
      sale_total_fen INTEGER NOT NULL,
      paid_fen       INTEGER NOT NULL
    );
    CREATE INDEX voids_at ON voids (at);
  `,
  // Product search (listProducts/searchProducts in db/products.ts) without reading every
  // product: a LIKE '%…%' cannot use an index, and the checkout searches as the cashier types.
  // - product_search: an FTS5 trigram index of each product's name and pinyin initials, with
  //   markers (char 2 before the name, char 3 before the pinyin) so that "starts with" is a
  //   trigram too, and two pad characters (char 1) after each, so that every character begins
  //   a trigram and 1–2 character queries are answered by the terms that start with them
  //   (product_search_terms). Contentless and detail=none: only which products hold which
  //   trigrams, the smallest index; every candidate is checked against products with the
  //   exact LIKE semantics. Its rowid is id × 1024 + the name's length, so candidates sort in
  //   the search's order without reading products, and rowids rise with ids: an import
  //   inserting ids in order keeps FTS5's in-memory batch (a smaller rowid flushes it).
  // - products_name_length: walks products in the search's order (shortest name, then id)
  //   when a query matches a good share of them (one letter): the first rows hold enough.
  // Triggers keep the index in step with every writer (single writes, imports, HQ's catalog).
  // FTS5 writes its pending terms to disk at the end of each statement that changed it, so a
  // bulk writer's many INSERTs would each leave a small segment to merge (an import of 1M
  // products took 3-4x as long): an import defers the index of the products it adds
  // (product_search_deferred holds the highest id before them) and writes it in one statement
  // per transaction from product_search_rows (deferSearchIndex in db/products.ts).
  // A migration that rebuilds products must create these triggers again.
  33: `
    CREATE VIRTUAL TABLE product_search USING fts5(text, tokenize = 'trigram', detail = none, content = '', contentless_delete = 1);
    CREATE VIRTUAL TABLE product_search_terms USING fts5vocab(product_search, 'row');
    CREATE INDEX products_name_length ON products (length(name));
    CREATE VIEW product_search_rows AS
      SELECT id, id * 1024 + min(length(name), 1023) AS search_rowid, char(2) || name || char(1, 1, 3) || pinyin || char(1, 1) AS text FROM products;
    CREATE TABLE product_search_deferred (after INTEGER NOT NULL);
    INSERT INTO product_search (rowid, text) SELECT search_rowid, text FROM product_search_rows ORDER BY id;
    CREATE TRIGGER products_search_insert AFTER INSERT ON products
      WHEN NOT EXISTS (SELECT 1 FROM product_search_deferred) BEGIN
      INSERT INTO product_search (rowid, text)
        VALUES (new.id * 1024 + min(length(new.name), 1023), char(2) || new.name || char(1, 1, 3) || new.pinyin || char(1, 1));
    END;
    CREATE TRIGGER products_search_delete AFTER DELETE ON products
      WHEN NOT EXISTS (SELECT 1 FROM product_search_deferred WHERE old.id > after) BEGIN
      DELETE FROM product_search WHERE rowid = old.id * 1024 + min(length(old.name), 1023);
    END;
    CREATE TRIGGER products_search_update AFTER UPDATE OF id, name, pinyin ON products
      WHEN (old.id IS NOT new.id OR old.name IS NOT new.name OR old.pinyin IS NOT new.pinyin)
        AND NOT EXISTS (SELECT 1 FROM product_search_deferred WHERE old.id > after OR new.id > after) BEGIN
      DELETE FROM product_search WHERE rowid = old.id * 1024 + min(length(old.name), 1023);
      INSERT INTO product_search (rowid, text)
        VALUES (new.id * 1024 + min(length(new.name), 1023), char(2) || new.name || char(1, 1, 3) || new.pinyin || char(1, 1));
    END;
  `,
  // Sync integrity (issue 17): each installation is its own stream at HQ, named by a device id
  // (a random UUID, made here for a till that has none; `till init` makes a new one). An outbox
  // row HQ holds other content for is a conflict: kept and shown, never counted as synced.
  34: `
    INSERT INTO settings (key, value)
      SELECT 'device.id', lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
        || substr('89ab', 1 + abs(random()) % 4, 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))
      WHERE NOT EXISTS (SELECT 1 FROM settings WHERE key = 'device.id');
    ALTER TABLE outbox ADD COLUMN conflict TEXT;
    DROP INDEX IF EXISTS outbox_pending;
    CREATE INDEX outbox_pending ON outbox (seq) WHERE synced_at IS NULL AND conflict IS NULL;
    CREATE INDEX outbox_conflict ON outbox (seq) WHERE conflict IS NOT NULL;
  `,
  // The store's day (35): shifts of a cashier at a drawer, and the drawer's cash ledger. A shift
  // is open while closed_at is NULL; one open shift per drawer (a handover closes and opens).
  // A closed shift and every ledger row are never changed again: triggers refuse it.
  35: `
    CREATE TABLE shifts (
      id            INTEGER PRIMARY KEY,
      drawer        TEXT NOT NULL,
      cashier_id    TEXT NOT NULL REFERENCES users (id),
      opened_at     TEXT NOT NULL,
      business_date TEXT NOT NULL,
      closed_at     TEXT,
      closed_by     TEXT REFERENCES users (id),
      counted_fen   INTEGER,
      expected_fen  INTEGER,
      count_detail  TEXT,
      CHECK ((closed_at IS NULL) = (counted_fen IS NULL) AND (closed_at IS NULL) = (expected_fen IS NULL)),
      CHECK (counted_fen IS NULL OR counted_fen >= 0)
    );
    CREATE UNIQUE INDEX shifts_open_per_drawer ON shifts (drawer) WHERE closed_at IS NULL;
    CREATE INDEX shifts_opened_at ON shifts (opened_at);
    CREATE TRIGGER shifts_closed_are_final BEFORE UPDATE ON shifts WHEN OLD.closed_at IS NOT NULL
      BEGIN SELECT RAISE(ABORT, 'a closed shift is never changed'); END;
    CREATE TRIGGER shifts_never_deleted BEFORE DELETE ON shifts
      BEGIN SELECT RAISE(ABORT, 'shifts are never deleted'); END;

    CREATE TABLE cash_movements (
      id         INTEGER PRIMARY KEY,
      shift_id   INTEGER NOT NULL REFERENCES shifts (id),
      kind       TEXT NOT NULL CHECK (kind IN ('float', 'pay-in', 'pay-out')),
      amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
      reason     TEXT NOT NULL,
      by_id      TEXT NOT NULL REFERENCES users (id),
      at         TEXT NOT NULL
    );
    CREATE INDEX cash_movements_shift ON cash_movements (shift_id);
    CREATE TRIGGER cash_movements_no_update BEFORE UPDATE ON cash_movements
      BEGIN SELECT RAISE(ABORT, 'cash_movements is append-only'); END;
    CREATE TRIGGER cash_movements_no_delete BEFORE DELETE ON cash_movements
      BEGIN SELECT RAISE(ABORT, 'cash_movements is append-only'); END;
  `,
  // Returns and post-voids, training mode (issue 12; db/returns.ts). A return is its own numbered
  // record referencing the sale: the lines it takes back (original line number, qty, refund) and
  // where the money went (the original payment it was refunded to, or cash instead). The share of
  // the sale discount each line bore is stored at sale time (sale_lines.sale_discount_fen): a
  // refund is what the customer paid for the line. Sales written before this have NULL there and
  // are computed on the fly by the same largest-remainder rule. A training sale (练习模式) never
  // reaches the outbox, lists, exports, or a return; it numbers its seq in a range of its own.
  36: `
    ALTER TABLE sales ADD COLUMN training INTEGER NOT NULL DEFAULT 0 CHECK (training IN (0, 1));
    ALTER TABLE sale_lines ADD COLUMN sale_discount_fen INTEGER CHECK (sale_discount_fen >= 0);

    CREATE TABLE returns (
      id            TEXT PRIMARY KEY,
      return_no     TEXT NOT NULL UNIQUE,
      sale_id       TEXT NOT NULL REFERENCES sales (id),
      kind          TEXT NOT NULL CHECK (kind IN ('return', 'post-void')),
      business_date TEXT NOT NULL,
      cashier_id    TEXT NOT NULL,
      supervisor_id TEXT NOT NULL CHECK (supervisor_id <> cashier_id),
      reason        TEXT NOT NULL DEFAULT '',
      refund_mode   TEXT NOT NULL CHECK (refund_mode IN ('original', 'cash')),
      refund_fen    INTEGER NOT NULL CHECK (refund_fen >= 0),
      created_at    TEXT NOT NULL
    );
    CREATE INDEX returns_sale ON returns (sale_id);
    CREATE INDEX returns_created_at ON returns (created_at);
    CREATE INDEX returns_business_date ON returns (business_date);

    CREATE TABLE return_lines (
      return_id  TEXT NOT NULL REFERENCES returns (id),
      sale_id    TEXT NOT NULL,
      line_no    INTEGER NOT NULL,
      qty        INTEGER NOT NULL CHECK (qty > 0),
      qty_grams  INTEGER,
      refund_fen INTEGER NOT NULL CHECK (refund_fen >= 0),
      PRIMARY KEY (return_id, line_no),
      FOREIGN KEY (sale_id, line_no) REFERENCES sale_lines (sale_id, line_no)
    ) WITHOUT ROWID;
    CREATE INDEX return_lines_sale_line ON return_lines (sale_id, line_no);

    -- Never more back than was sold, whatever writes the row (core/refund.ts refuses it first,
    -- with a message; this is the till's last word, inside the same transaction).
    CREATE TRIGGER return_lines_within_sold BEFORE INSERT ON return_lines
    WHEN NEW.qty + coalesce((SELECT sum(qty) FROM return_lines WHERE sale_id = NEW.sale_id AND line_no = NEW.line_no), 0)
         > (SELECT qty FROM sale_lines WHERE sale_id = NEW.sale_id AND line_no = NEW.line_no)
    BEGIN
      SELECT RAISE(ABORT, 'a line cannot be returned beyond the quantity sold');
    END;

    CREATE TABLE return_tenders (
      return_id   TEXT NOT NULL REFERENCES returns (id),
      idx         INTEGER NOT NULL,
      -- The sale's payment (payments.idx) refunded to; NULL for cash given instead (--refund cash).
      payment_idx INTEGER,
      method      TEXT NOT NULL CHECK (method IN ('cash', 'card', 'wechat', 'alipay')),
      amount_fen  INTEGER NOT NULL CHECK (amount_fen > 0),
      PRIMARY KEY (return_id, idx)
    ) WITHOUT ROWID;
  `,
  // X and Z reports (issue 12; db/zreports.ts). A Z is numbered per device from 1, gapless and
  // never reset (the insert trigger takes only max + 1), never edited or deleted; it records the
  // last event of each stream it covers (the next Z starts after them), the first ones, the
  // business days it spans and the running grand total (the previous one + its net, checked).
  // The report itself is kept whole in body (JSON), as printed. Reports read sales by seq (the
  // UNIQUE index) and returns by rowid: no other index is needed (bench/report.bench.ts).
  37: `
    CREATE TABLE z_reports (
      no                 INTEGER PRIMARY KEY CHECK (no > 0),
      store_code         TEXT NOT NULL,
      till_code          TEXT NOT NULL,
      created_at         TEXT NOT NULL,
      business_day_from  TEXT,
      business_day_to    TEXT,
      first_sale_seq     INTEGER,
      last_sale_seq      INTEGER NOT NULL,
      first_return_rowid INTEGER,
      last_return_rowid  INTEGER NOT NULL,
      last_training_seq  INTEGER NOT NULL,
      last_shift_id      INTEGER NOT NULL,
      last_void_rowid    INTEGER NOT NULL DEFAULT 0,
      sales_count        INTEGER NOT NULL,
      taken_by           TEXT,
      net_fen            INTEGER NOT NULL,
      grand_total_fen    INTEGER NOT NULL,
      body               TEXT NOT NULL
    );
    CREATE TRIGGER z_reports_gapless BEFORE INSERT ON z_reports
    WHEN NEW.no <> coalesce((SELECT max(no) FROM z_reports), 0) + 1
    BEGIN
      SELECT RAISE(ABORT, 'Z reports are numbered without gaps');
    END;
    CREATE TRIGGER z_reports_grand_total BEFORE INSERT ON z_reports
    WHEN NEW.grand_total_fen <> coalesce((SELECT grand_total_fen FROM z_reports WHERE no = NEW.no - 1), 0) + NEW.net_fen
    BEGIN
      SELECT RAISE(ABORT, 'a Z report''s grand total is the previous one plus its net');
    END;
    CREATE TRIGGER z_reports_no_update BEFORE UPDATE ON z_reports
      BEGIN SELECT RAISE(ABORT, 'a Z report is never changed'); END;
    CREATE TRIGGER z_reports_no_delete BEFORE DELETE ON z_reports
      BEGIN SELECT RAISE(ABORT, 'Z reports are never deleted'); END;
  `,
  // The outbox becomes the device's one event stream (DESIGN.md, "Events"): every kind (sale,
  // return, void, approval, shift-open/close, pay-in/out, z-report) takes the next number of
  // one gap-free seq, and the outbox itself is that counter (db/outbox.ts nextSeq): a sale's
  // sales.seq is the seq of its outbox row, so sales.seq keeps its meaning. A sale's row keeps
  // sale_id (the join of `till sales list`); every row has a kind and an event id (a sale's
  // is its id). hq_flag: why HQ flagged the event it holds (counted all the same), e.g. a
  // return of a line another till had already taken back. Rebuilt, as SQLite cannot drop sale_id's NOT NULL in place.
  38: `
    CREATE TABLE outbox_v38 (
      seq        INTEGER PRIMARY KEY,
      kind       TEXT NOT NULL DEFAULT 'sale',
      event_id   TEXT NOT NULL UNIQUE,
      sale_id    TEXT UNIQUE REFERENCES sales (id),
      payload    TEXT NOT NULL,
      created_at TEXT NOT NULL,
      synced_at  TEXT,
      conflict   TEXT,
      hq_flag    TEXT,
      CHECK ((kind = 'sale') = (sale_id IS NOT NULL))
    );
    INSERT INTO outbox_v38 (seq, kind, event_id, sale_id, payload, created_at, synced_at, conflict)
      SELECT seq, 'sale', sale_id, sale_id, payload, created_at, synced_at, conflict FROM outbox;
    DROP TABLE outbox;
    ALTER TABLE outbox_v38 RENAME TO outbox;
    CREATE INDEX outbox_pending ON outbox (seq) WHERE synced_at IS NULL AND conflict IS NULL;
    CREATE INDEX outbox_conflict ON outbox (seq) WHERE conflict IS NOT NULL;
  `,
};

/**
 * Applies every migration not yet recorded in schema_migrations, in number order. Recording
 * each number (rather than only the highest, as PRAGMA user_version would) matters because the
 * feature ranges land independently: a database that already has 20 must still get a later 12.
 */
export function migrate(db: DB): void {
  const hasLedger = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!hasLedger) {
    db.transaction(() => {
      db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
      // Databases made before the ledger recorded only the highest number in user_version, and
      // then every migration up to it had run (ranges landed in order until then).
      const legacy = db.pragma('user_version', { simple: true }) as number;
      const bridge = db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, 'before-ledger')");
      for (const n of Object.keys(migrations).map(Number)) if (n <= legacy) bridge.run(n);
    }).immediate();
  }
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
  const pending = Object.keys(migrations)
    .map(Number)
    .filter((n) => !applied.has(n))
    .sort((a, b) => a - b);
  if (pending.length === 0) return;
  const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
  // Foreign keys off while the schema changes, as SQLite prescribes for rebuilding a table:
  // with them on, dropping the old table would cascade-delete the rows that refer to it. Each
  // migration checks the references are all still whole before it commits.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    for (const n of pending) {
      db.transaction(() => {
        db.exec(migrations[n]);
        const broken = db.pragma('foreign_key_check') as Array<{ table: string; parent: string }>;
        if (broken.length) throw new Error(`migration ${n} left ${broken.length} row(s) of ${broken[0].table} without their ${broken[0].parent}`);
        record.run(n, new Date().toISOString());
      }).immediate();
    }
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys}`);
  }
}
