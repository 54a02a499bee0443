#include "store/migrations.hpp"

#include <array>
#include <string>

namespace bk {
namespace {

// 1: the event log (own events get a gap-free seq per kiosk) and the state
//    as records, one row per entity, JSON body.
constexpr const char* kV1 = R"sql(
CREATE TABLE meta(
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE events(
  pos        INTEGER PRIMARY KEY,          -- local apply order
  event_id   BLOB NOT NULL UNIQUE,         -- 16 bytes, UUIDv7 (time-ordered)
  origin     TEXT NOT NULL,                -- kiosk instance id that made it
  origin_seq INTEGER NOT NULL,             -- gap-free per origin
  wall_ms    INTEGER NOT NULL,             -- the device's wall time
  hlc        INTEGER NOT NULL,             -- hybrid logical clock
  type       TEXT NOT NULL,
  body       TEXT NOT NULL,                -- canonical JSON of the action
  UNIQUE(origin, origin_seq)
);
CREATE TABLE records(
  kind TEXT NOT NULL,
  id   TEXT NOT NULL,
  wo   TEXT,
  body TEXT NOT NULL,
  PRIMARY KEY(kind, id)
) WITHOUT ROWID;
)sql";

// 2: sign-in credentials: PIN hashes (Argon2id over a peppered HMAC) and
//    lock-out state. Never synced as events.
constexpr const char* kV2 = R"sql(
CREATE TABLE credentials(
  person       TEXT PRIMARY KEY,
  pin_hash     TEXT NOT NULL,
  failures     INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
)sql";

// 3: boards read records by work order.
constexpr const char* kV3 = R"sql(
CREATE INDEX records_by_wo ON records(kind, wo);
)sql";

// 4: sync. Kiosks remember how far the hub acknowledged their events and
//    how far they pulled; the hub keeps enrolled kiosks (token hashes only)
//    and one-time enrolment codes (hashes only).
constexpr const char* kV4 = R"sql(
CREATE INDEX events_by_origin ON events(origin, origin_seq);
CREATE TABLE enrolled_kiosks(
  kiosk_id    TEXT PRIMARY KEY,
  token_hash  TEXT NOT NULL UNIQUE,      -- hex SHA-256 of the bearer token
  enrolled_at INTEGER NOT NULL,
  revoked_at  INTEGER
) WITHOUT ROWID;
CREATE TABLE enrol_codes(
  code_hash  TEXT PRIMARY KEY,           -- hex SHA-256 of the one-time code
  expires_at INTEGER NOT NULL,
  used_by    TEXT
) WITHOUT ROWID;
)sql";

// 5: the log is tamper-evident: each event's hash covers the previous
//    one's (filled in by the store, also for events written before v5).
constexpr const char* kV5 = R"sql(
CREATE TABLE chain(
  pos  INTEGER PRIMARY KEY,   -- events.pos
  hash BLOB NOT NULL          -- SHA-256(previous hash | id | origin | seq | body)
);
)sql";

// 6: a kiosk keeps each event's place in the hub's log, so its view can be
//    rebased on the hub's order after a conflict (R16): the hub is the
//    authority on what happened first.
constexpr const char* kV6 = R"sql(
ALTER TABLE events ADD COLUMN hub_pos INTEGER;
CREATE UNIQUE INDEX events_by_hub_pos ON events(hub_pos) WHERE hub_pos IS NOT NULL;
CREATE INDEX events_unplaced ON events(pos) WHERE hub_pos IS NULL;
UPDATE meta SET value = '0' WHERE key = 'hub_cursor';  -- fetch again to learn every place
)sql";

// 7: the hub writes every event of the shop, so the log carries no index
//    nobody reads: events_by_origin repeated UNIQUE(origin, origin_seq),
//    events_unplaced held every event on the hub (nothing is "placed"
//    there) for a count a kiosk takes only after a conflict, and
//    records_by_wo was never read (the shop is held in memory). Each
//    event's chain hash moves into its own row, written with it.
constexpr const char* kV7 = R"sql(
DROP INDEX events_by_origin;
DROP INDEX events_unplaced;
DROP INDEX records_by_wo;
ALTER TABLE events ADD COLUMN chain BLOB;   -- SHA-256(previous event's chain | id | origin | seq | body)
UPDATE events SET chain = (SELECT hash FROM chain WHERE chain.pos = events.pos);
DROP TABLE chain;
)sql";

// 8: an enrolment code names the one kiosk id it may enrol, and whether it
//    may replace that id if it was enrolled before (an administrator's
//    explicit choice). Codes from before name none and enrol nothing.
constexpr const char* kV8 = R"sql(
ALTER TABLE enrol_codes ADD COLUMN kiosk_id TEXT;
ALTER TABLE enrol_codes ADD COLUMN replace_ok INTEGER NOT NULL DEFAULT 0;
)sql";

// 9: an event the rules refuse at ingest is held with no effect until a
//    person accepts or voids it (R16), where before it was applied and a
//    review item added. The records are made again from the log under the
//    new rule when the store opens (Store: records empty, events present).
constexpr const char* kV9 = R"sql(
DELETE FROM records;
)sql";

// 10: an own event the hub refused as bad input (DECISIONS.md) is marked,
//     kept as it was recorded, and has no effect here either. (At the hub
//     such an event is a tombstone: type 'refused', no body.)
constexpr const char* kV10 = R"sql(
ALTER TABLE events ADD COLUMN refused TEXT;
)sql";

// 11: issue 11. An enrolment code gives the client a scope (a bay kiosk
//     works the floor, the front desk writes work orders); an enrolled
//     client keeps its scope and its device key's public half. Clients
//     enrolled before are bay kiosks.
constexpr const char* kV11 = R"sql(
ALTER TABLE enrol_codes ADD COLUMN scope TEXT NOT NULL DEFAULT 'floor';
ALTER TABLE enrolled_kiosks ADD COLUMN scope TEXT NOT NULL DEFAULT 'floor';
ALTER TABLE enrolled_kiosks ADD COLUMN device_key TEXT;
)sql";

// 12: issue 11. Device keys: the hub keeps each push batch's device
//     signature with the range it covers. A kiosk keeps the hub's signed
//     chain heads it pulled, as witnesses. The chain hash now covers each
//     event's whole envelope (wall time, hlc, type): the log is chained
//     again from the start when the store opens.
constexpr const char* kV12 = R"sql(
CREATE TABLE device_batches(
  id         INTEGER PRIMARY KEY,
  origin     TEXT NOT NULL,
  first_seq  INTEGER NOT NULL,
  last_seq   INTEGER NOT NULL,
  device_key TEXT NOT NULL,     -- hex Ed25519 public key
  hashes     BLOB NOT NULL,     -- 32 bytes per event, first_seq..last_seq
  sig        TEXT NOT NULL      -- hex Ed25519 over the batch message
);
CREATE TABLE witnesses(
  hub  TEXT NOT NULL,           -- hub instance
  pos  INTEGER NOT NULL,        -- the hub's log position the head is at
  at   INTEGER NOT NULL,        -- when the hub signed it
  head TEXT NOT NULL,           -- hex chain hash at pos
  key  TEXT NOT NULL,           -- hex public key of the hub
  sig  TEXT NOT NULL,           -- hex Ed25519
  PRIMARY KEY(hub, pos)
) WITHOUT ROWID;
UPDATE events SET chain = NULL;
DELETE FROM meta WHERE key = 'chain_head';
)sql";

// 13: issue 16, the first saving of space. `records` was WITHOUT ROWID: a
//     row of more than about 1 KB (a signed inspection averages 1.2 KB)
//     spilled into an overflow page of its own, mostly empty; two thirds of
//     the table was unused space. A rowid table keeps such a row whole in
//     its page; (kind, id) stays unique, and the store's upsert keeps
//     working on it.
constexpr const char* kV13 = R"sql(
CREATE TABLE records_v13(
  kind TEXT NOT NULL,
  id   TEXT NOT NULL,
  wo   TEXT,
  body TEXT NOT NULL,
  UNIQUE(kind, id)
);
INSERT INTO records_v13(kind, id, wo, body) SELECT kind, id, wo, body FROM records ORDER BY kind, id;
DROP TABLE records;
ALTER TABLE records_v13 RENAME TO records;
)sql";

// 14: issue 16, the log's bodies compressed (store/bodies.hpp): the
//     dictionaries a store trained on its own bodies, kept for as long as
//     any body names one. Bodies stay as they are until the store trains
//     its first (then they are compressed once; meta 'bodies_compacted').
constexpr const char* kV14 = R"sql(
CREATE TABLE body_dicts(
  id          INTEGER PRIMARY KEY,  -- the zstd dictionary id each frame names
  dict        BLOB NOT NULL,
  made_at_pos INTEGER NOT NULL      -- the log's last position when it was trained
);
)sql";

// 15: issue 16, the records compressed too, with a dictionary of their own
//     (trained on records, which differ from the log's bodies): what each
//     dictionary is for. Records stay as they are until the store trains
//     it (then they are compressed once; meta 'records_compacted').
constexpr const char* kV15 = R"sql(
ALTER TABLE body_dicts ADD COLUMN kind TEXT NOT NULL DEFAULT 'events';
)sql";

// 16: issue 16, what a device signature costs beside the rest: it names
//     its key by a number (the keys are a handful, the signatures one for
//     each push: 31 bytes each, 18 an event). (Keying the compressed
//     records by (kind, id) WITHOUT ROWID, to drop their index, was
//     measured and saves nothing: the rows sit again in the interior pages.)
constexpr const char* kV16 = R"sql(
CREATE TABLE device_keys(
  id  INTEGER PRIMARY KEY,
  key BLOB NOT NULL UNIQUE  -- an Ed25519 public key, 32 bytes
);
INSERT OR IGNORE INTO device_keys(key)
  SELECT device_key FROM device_batches WHERE typeof(device_key) = 'blob' AND length(device_key) = 32 ORDER BY id;
CREATE TABLE device_batches_v16(
  id         INTEGER PRIMARY KEY,
  origin     TEXT NOT NULL,
  first_seq  INTEGER NOT NULL,
  last_seq   INTEGER NOT NULL,
  device_key NOT NULL,        -- device_keys.id (before v16: hex, then 32 bytes)
  hashes     BLOB NOT NULL,   -- 32 bytes per event, first_seq..last_seq, or their first 4 (v14)
  sig        NOT NULL         -- Ed25519 over the batch message: 64 bytes (before v14: hex)
);
INSERT INTO device_batches_v16(id, origin, first_seq, last_seq, device_key, hashes, sig)
  SELECT b.id, b.origin, b.first_seq, b.last_seq, COALESCE(k.id, b.device_key), b.hashes, b.sig
  FROM device_batches b LEFT JOIN device_keys k ON k.key = b.device_key ORDER BY b.id;
DROP TABLE device_batches;
ALTER TABLE device_batches_v16 RENAME TO device_batches;
)sql";

// 17: issue 16, a record's kind kept as its number (RecordKind, fixed for
//     good), not its name: it is in the row and again in the (kind, id)
//     index, 17 bytes a record. The rows keep their order (and so the
//     records' dictionary its spread).
constexpr const char* kV17 = R"sql(
CREATE TABLE records_v17(
  kind INTEGER NOT NULL,  -- RecordKind: 0 person, 1 bay, 2 work_order, 3 operation, 4 time_entry,
                          -- 5 inspection, 6 rework, 7 incident, 8 addon, 9 review, 10 supersede,
                          -- 11 client, 12 pin_attempts, 13 policy, 14 setup_code, 15 message, 16 fault_slips
  id   TEXT NOT NULL,
  wo   TEXT,
  body BLOB NOT NULL,     -- JSON, or a zstd frame (store/bodies.hpp)
  UNIQUE(kind, id)
);
INSERT INTO records_v17(kind, id, wo, body)
  SELECT CASE kind WHEN 'person' THEN 0 WHEN 'bay' THEN 1 WHEN 'work_order' THEN 2 WHEN 'operation' THEN 3
                   WHEN 'time_entry' THEN 4 WHEN 'inspection' THEN 5 WHEN 'rework' THEN 6 WHEN 'incident' THEN 7
                   WHEN 'addon' THEN 8 WHEN 'review' THEN 9 WHEN 'supersede' THEN 10 WHEN 'client' THEN 11
                   WHEN 'pin_attempts' THEN 12 WHEN 'policy' THEN 13 WHEN 'setup_code' THEN 14 WHEN 'message' THEN 15
                   WHEN 'fault_slips' THEN 16
                   ELSE -1 - rowid END,  -- (none such: the store would make its records again from the log)
         id, wo, body
  FROM records ORDER BY rowid;
DROP TABLE records;
ALTER TABLE records_v17 RENAME TO records;
)sql";

// 18: issue 16, the working set: a store holds in memory only the work
//     orders still in work (and those delivered within the kept window);
//     the rest stay here and are read when asked for. `work_orders` is the
//     compact history row of each (store/working_set.hpp): what a history
//     query selects by (the car, the time its records span, the delivery,
//     the work order it came back for). Its rows are made by the store as
//     it opens (the bodies are compressed: SQL cannot read them), from the
//     records. A record of a work order's names it by its number (`n`),
//     and `records_by_wo` finds a work order's records by it (a number:
//     half the bytes of the id, in the row and in the index). And each
//     event keeps only the first 8 bytes of its chain hash (Store).
constexpr const char* kV18 = R"sql(
CREATE TABLE work_orders(
  n            INTEGER PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  vin          TEXT NOT NULL DEFAULT '',  -- upper case
  first_at     INTEGER,                   -- the earliest and latest time in its records (NULL: not yet made)
  last_at      INTEGER,
  delivered_at INTEGER,                   -- NULL: still in work
  back_of      TEXT,                      -- a comeback of this work order
  pinned       INTEGER NOT NULL DEFAULT 0 -- delivered, but kept in memory: an entry still open, a dispute undecided
);
INSERT INTO work_orders(id) SELECT id FROM records WHERE kind = 2 ORDER BY rowid;
CREATE TABLE records_v18(
  kind INTEGER NOT NULL,  -- RecordKind: 0 person, 1 bay, 2 work_order, 3 operation, 4 time_entry,
                          -- 5 inspection, 6 rework, 7 incident, 8 addon, 9 review, 10 supersede,
                          -- 11 client, 12 pin_attempts, 13 policy, 14 setup_code, 15 message, 16 fault_slips
  id   TEXT NOT NULL,
  wo   INTEGER,           -- work_orders.n: kinds 2 to 8 (a work order and what is of it)
  body BLOB NOT NULL,     -- JSON, or a zstd frame (store/bodies.hpp)
  UNIQUE(kind, id)
);
INSERT INTO records_v18(kind, id, wo, body)
  SELECT r.kind, r.id, CASE WHEN r.kind BETWEEN 2 AND 8 THEN w.n END, r.body
  FROM records r LEFT JOIN work_orders w ON w.id = r.wo ORDER BY r.rowid;
DROP TABLE records;
ALTER TABLE records_v18 RENAME TO records;
CREATE INDEX work_orders_by_vin ON work_orders(vin);
CREATE INDEX work_orders_by_time ON work_orders(last_at, first_at, id);
CREATE INDEX work_orders_by_back ON work_orders(back_of) WHERE back_of IS NOT NULL;
CREATE INDEX records_by_wo ON records(wo) WHERE wo IS NOT NULL;
-- each event keeps the first 8 bytes of its chain hash (the chain is made
-- again from the events to check it; the head stays whole in meta)
UPDATE events SET chain = substr(chain, 1, 8) WHERE length(chain) > 8;
)sql";

// v19 (issue 16): a month's report as computed, kept while nothing it
// read has changed (store/working_set.hpp, KeptReports)
constexpr const char* kV19 = R"sql(
CREATE TABLE reports(
  from_ms INTEGER NOT NULL,  -- the range [from, to), a calendar month
  to_ms   INTEGER NOT NULL,
  recipe  TEXT NOT NULL,     -- the program version and report revision that computed it
  body    TEXT NOT NULL,     -- the MonthlyReport as JSON
  PRIMARY KEY(from_ms, to_ms)
) WITHOUT ROWID;
)sql";

// v20 (issue 16): the snapshot a new kiosk started from, instead of the
// hub's whole log (Store::startFrom): every replay of its log starts here
constexpr const char* kV20 = R"sql(
CREATE TABLE snapshot_base(
  id      INTEGER PRIMARY KEY CHECK (id = 1),  -- a store starts from one snapshot at most
  hub_pos INTEGER NOT NULL,  -- the hub's log position it was taken at (0: that hub's order forgotten)
  hlc     INTEGER NOT NULL,  -- the hub's clock there
  origins TEXT NOT NULL,     -- {"origin": its last sequence number there, ...}
  records TEXT NOT NULL,     -- [[kind, id, body], ...], each body canonical JSON
  stale   INTEGER NOT NULL DEFAULT 0  -- 1: it judged an event of the hub's otherwise than clean (wantsSnapshot)
);
)sql";

// v21 (issue 16): the work orders in work, or delivered but pinned, by an
// index of their own: a store's start and a snapshot read those and the
// window's (work_orders_by_time), not every work order the shop has had
// (a scan of 250k rows at 2.5M events)
constexpr const char* kV21 = R"sql(
CREATE INDEX work_orders_in_work ON work_orders(n) WHERE delivered_at IS NULL OR pinned;
)sql";

// v22 (issue 16): what the log stores of each event's envelope twice, or
// in full where a number would do. Its type is a number fixed for good
// (store/log_codes.hpp; a type without one keeps its name), and its origin
// is a number in `origins`: in the row and again in the (origin,
// origin_seq) index, and in each device batch. About 35 bytes an event.
// The log and the batches are copied into their new form (the store then
// writes its file again, compact, as it opens).
constexpr const char* kV22 = R"sql(
CREATE TABLE origins(
  n    INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE  -- a client's instance id: a kiosk, the desk, the hub
);
INSERT INTO origins(name) SELECT origin FROM events GROUP BY origin ORDER BY MIN(pos);
INSERT INTO origins(name) SELECT origin FROM device_batches WHERE origin NOT IN (SELECT name FROM origins)
  GROUP BY origin ORDER BY MIN(id);
CREATE TABLE events_v22(
  pos        INTEGER PRIMARY KEY,   -- local apply order
  event_id   BLOB NOT NULL UNIQUE,  -- 16 bytes, UUIDv7 (time-ordered)
  origin     INTEGER NOT NULL,      -- origins.n: the client that made it
  origin_seq INTEGER NOT NULL,      -- gap-free per origin
  wall_ms    INTEGER NOT NULL,      -- the device's wall time
  hlc        INTEGER NOT NULL,      -- hybrid logical clock
  type       NOT NULL,              -- its number (store/log_codes.hpp), or its name if it has none
  body       TEXT NOT NULL,         -- canonical JSON of the action, or a zstd frame (store/bodies.hpp)
  hub_pos    INTEGER,               -- a kiosk's: the event's place in the hub's log
  chain      BLOB,                  -- the first bytes of its chain hash
  refused    TEXT,                  -- a kiosk's own event the hub refused: why
  UNIQUE(origin, origin_seq)
);
INSERT INTO events_v22(pos, event_id, origin, origin_seq, wall_ms, hlc, type, body, hub_pos, chain, refused)
  SELECT e.pos, e.event_id, o.n, e.origin_seq, e.wall_ms, e.hlc,
         CASE e.type WHEN 'refused' THEN 0 WHEN 'enroll_person' THEN 1 WHEN 'define_bay' THEN 2
                    WHEN 'open_work_order' THEN 3 WHEN 'update_work_order' THEN 4 WHEN 'add_operations' THEN 5
                    WHEN 'clock_on' THEN 6 WHEN 'clock_off' THEN 7 WHEN 'end_shift' THEN 8
                    WHEN 'record_inspection' THEN 9 WHEN 'propose_addon' THEN 10
                    WHEN 'decide_warranty' THEN 11 WHEN 'quote_addon' THEN 12
                    WHEN 'sign_addon_technical' THEN 13 WHEN 'sign_addon_cost' THEN 14
                    WHEN 'return_addon' THEN 15 WHEN 'record_consent' THEN 16 WHEN 'dispute_charge' THEN 17
                    WHEN 'decide_dispute' THEN 18 WHEN 'enrol_client' THEN 19 WHEN 'pin_failed' THEN 20
                    WHEN 'resolve_review' THEN 21 WHEN 'deliver_work_order' THEN 22
                    WHEN 'register_key' THEN 23 WHEN 'set_policy' THEN 24 WHEN 'issue_setup_code' THEN 25
                    WHEN 'undo_clock' THEN 26 WHEN 'correct_entry' THEN 27 WHEN 'reassign_operation' THEN 28
                    WHEN 'send_message' THEN 29 WHEN 'read_message' THEN 30 WHEN 'sign_fault_slips' THEN 31 ELSE e.type END,
         e.body, e.hub_pos, e.chain, e.refused
  FROM events e JOIN origins o ON o.name = e.origin ORDER BY e.pos;
DROP TABLE events;
ALTER TABLE events_v22 RENAME TO events;
CREATE UNIQUE INDEX events_by_hub_pos ON events(hub_pos) WHERE hub_pos IS NOT NULL;
CREATE TABLE device_batches_v22(
  id         INTEGER PRIMARY KEY,
  origin     INTEGER NOT NULL,  -- origins.n
  first_seq  INTEGER NOT NULL,
  last_seq   INTEGER NOT NULL,
  device_key NOT NULL,          -- device_keys.id (before v16: hex, then 32 bytes)
  hashes     BLOB NOT NULL,     -- 32 bytes per event, first_seq..last_seq, or their first 4 (v14)
  sig        NOT NULL           -- Ed25519 over the batch message: 64 bytes (before v14: hex)
);
INSERT INTO device_batches_v22(id, origin, first_seq, last_seq, device_key, hashes, sig)
  SELECT b.id, o.n, b.first_seq, b.last_seq, b.device_key, b.hashes, b.sig
  FROM device_batches b JOIN origins o ON o.name = b.origin ORDER BY b.id;
DROP TABLE device_batches;
ALTER TABLE device_batches_v22 RENAME TO device_batches;
)sql";

// v23 (issue 16): each work order that left memory keeps one compact row
// of what a month's report reads of its records (store/report_rows.hpp),
// written by the store. A write to any of its records, or the work order's
// removal, deletes it in the same statement: a row is never older than
// the records it was made from. And the work orders of long spans by an
// index of their own.
constexpr const char* kV23 = R"sql(
CREATE TABLE report_rows(
  wo   INTEGER PRIMARY KEY,  -- work_orders.n
  body BLOB NOT NULL         -- store/report_rows.hpp
);
CREATE TRIGGER report_rows_on_insert AFTER INSERT ON records WHEN NEW.wo IS NOT NULL
BEGIN DELETE FROM report_rows WHERE wo = NEW.wo; END;
CREATE TRIGGER report_rows_on_update AFTER UPDATE ON records WHEN OLD.wo IS NOT NULL OR NEW.wo IS NOT NULL
BEGIN DELETE FROM report_rows WHERE wo = OLD.wo OR wo = NEW.wo; END;
CREATE TRIGGER report_rows_on_delete AFTER DELETE ON records WHEN OLD.wo IS NOT NULL
BEGIN DELETE FROM report_rows WHERE wo = OLD.wo; END;
CREATE TRIGGER report_rows_on_work_order_gone AFTER DELETE ON work_orders
BEGIN DELETE FROM report_rows WHERE wo = OLD.n; END;
-- the few work orders whose records span 31 days or more: a month's are
-- then found by a bounded range of last_at (wsql::kOfMonth)
CREATE INDEX work_orders_long ON work_orders(last_at) WHERE last_at - first_at >= 2678400000;
)sql";

// v24 (issue 16): a work order that left memory keeps its records as one
// row, its bundle (store/working_set.hpp, Bundles), instead of a row each
// with its (kind, id) and records_by_wo index entries: about 130 bytes a
// record, and the ids and phrases its records repeat compressed once. The
// ids of its records stay findable (record_owners: an action that names
// one brings its work order in, and a new record may not take its id).
// The store makes the bundles as work orders leave memory, and once, as
// it opens after this upgrade, of every work order already out of it.
// Records written to a bundled work order unpack it first: a work order's
// records are in one form or the other, never both.
constexpr const char* kV24 = R"sql(
CREATE TABLE bundles(
  wo   INTEGER PRIMARY KEY,  -- work_orders.n
  body BLOB NOT NULL         -- [[kind, id, record], ...] as JSON, compressed as the records are
);
CREATE TABLE record_owners(
  key INTEGER NOT NULL,      -- a bundled record's id (kinds 3 to 8) hashed to 64 bits (working_set.hpp, ownerKey):
                             -- ids that share one give each work order as a candidate
  wo  INTEGER NOT NULL,      -- work_orders.n
  PRIMARY KEY(key, wo)
) WITHOUT ROWID;
-- records moved into their bundle keep their work order's report row
DROP TRIGGER report_rows_on_delete;
CREATE TRIGGER report_rows_on_delete AFTER DELETE ON records
WHEN OLD.wo IS NOT NULL AND NOT EXISTS(SELECT 1 FROM bundles WHERE wo = OLD.wo)
BEGIN DELETE FROM report_rows WHERE wo = OLD.wo; END;
)sql";

constexpr std::array<const char*, 24> kMigrations{kV1,  kV2,  kV3,  kV4,  kV5,  kV6,  kV7,  kV8,  kV9,  kV10, kV11, kV12,
                                                  kV13, kV14, kV15, kV16, kV17, kV18, kV19, kV20, kV21, kV22, kV23, kV24};

}  // namespace

int schemaVersion(sql::Db& db) { return static_cast<int>(db.scalarInt("PRAGMA user_version")); }
int latestSchemaVersion() { return static_cast<int>(kMigrations.size()); }

void migrate(sql::Db& db, int target) {
  if (target < 0) target = latestSchemaVersion();
  int v = schemaVersion(db);
  if (v > latestSchemaVersion())
    throw sql::SqliteError(SQLITE_ERROR, "database schema v" + std::to_string(v) +
                                             " is newer than this program (v" +
                                             std::to_string(latestSchemaVersion()) + ")");
  for (; v < target; ++v) {
    sql::Tx tx(db);
    db.exec(kMigrations[static_cast<std::size_t>(v)]);
    db.exec("PRAGMA user_version = " + std::to_string(v + 1));
    tx.commit();
  }
}

}  // namespace bk
