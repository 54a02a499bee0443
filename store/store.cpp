#include "store/store.hpp"

#include "store/bodies.hpp"
#include "store/log_codes.hpp"

#include "store/migrations.hpp"
#include "store/peek.hpp"
#include "store/report_rows.hpp"
#include "domain/report.hpp"
#include "domain/vin.hpp"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <malloc.h>
#include <mutex>
#include <thread>
#include <sodium.h>

namespace bk {

namespace {
void hashLen(crypto_hash_sha256_state& st, std::string_view v) {
  unsigned char n[8];
  for (int i = 0; i < 8; ++i) n[i] = static_cast<unsigned char>(static_cast<std::uint64_t>(v.size()) >> (8 * i));
  crypto_hash_sha256_update(&st, n, sizeof n);
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(v.data()), v.size());
}

void hashInt(crypto_hash_sha256_state& st, std::int64_t v) {
  unsigned char n[8];
  for (int i = 0; i < 8; ++i) n[i] = static_cast<unsigned char>(static_cast<std::uint64_t>(v) >> (8 * i));
  crypto_hash_sha256_update(&st, n, sizeof n);
}

}  // namespace

EventHash envelopeHash(const StoredEvent& e) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  static constexpr std::string_view label = "bay-kiosk event v1";
  hashLen(st, label);
  crypto_hash_sha256_update(&st, e.id.data(), e.id.size());
  hashLen(st, e.origin);
  hashInt(st, e.origin_seq);
  hashInt(st, e.wall_ms);
  hashInt(st, e.hlc);
  hashLen(st, e.type);
  hashLen(st, e.body);
  EventHash h;
  crypto_hash_sha256_final(&st, h.data());
  return h;
}

std::string heldDigest(const ReviewItem& r) {
  json j = r;
  for (const char* later : {"resolved_by", "resolved_at", "decision", "resolution"}) j.erase(later);  // (a person's, after)
  const std::string text = canonical(j);
  std::array<unsigned char, crypto_hash_sha256_BYTES> h{};
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(text.data()), text.size());
  return toHexBytes(h.data(), h.size());
}

std::string batchMessage(const Id& origin, const std::vector<EventHash>& hashes) {
  std::string m = "bay-kiosk push v1\n" + origin + "\n";
  m.reserve(m.size() + hashes.size() * 32);
  for (const EventHash& h : hashes) m.append(reinterpret_cast<const char*>(h.data()), h.size());
  return m;
}

namespace {

using Hash = std::array<std::uint8_t, 32>;

// Schema v12 (issue 11): each event's hash covers the previous one's and
// the event's whole envelope (wall time, hlc and type too).
Hash chainHash(const Hash& prev, const StoredEvent& e) {
  const EventHash eh = envelopeHash(e);
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, prev.data(), prev.size());
  crypto_hash_sha256_update(&st, eh.data(), eh.size());
  Hash h;
  crypto_hash_sha256_final(&st, h.data());
  return h;
}

constexpr const char* kUpsertRecord =
    "INSERT INTO records(kind, id, wo, body) VALUES(?1, ?2, ?3, ?4) "
    "ON CONFLICT(kind, id) DO UPDATE SET wo = excluded.wo, body = excluded.body";
// the common write: a new record, or one changed in its work order (its
// body alone: setting wo writes records_by_wo again, a page, changed or
// not); nothing where its work order's number differs (kUpsertRecord then)
constexpr const char* kPutRecordBody =
    "INSERT INTO records(kind, id, wo, body) VALUES(?1, ?2, ?3, ?4) "
    "ON CONFLICT(kind, id) DO UPDATE SET body = excluded.body WHERE wo IS excluded.wo";
constexpr const char* kInsertEvent =
    "INSERT INTO events(event_id, origin, origin_seq, wall_ms, hlc, type, body, chain) "
    "VALUES(?1, (SELECT n FROM origins WHERE name = ?2), ?3, ?4, ?5, ?6, ?7, ?8)";
// the hub's and a kiosk's way in for events from elsewhere: an id already
// in the log changes nothing
constexpr const char* kInsertRemoteEvent =
    "INSERT INTO events(event_id, origin, origin_seq, wall_ms, hlc, type, body, chain) "
    "VALUES(?1, (SELECT n FROM origins WHERE name = ?2), ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(event_id) DO NOTHING";
constexpr const char* kSelectEvents =
    "SELECT pos, event_id, (SELECT name FROM origins WHERE n = events.origin), origin_seq, wall_ms, hlc, type, body FROM events "
    "WHERE pos > ?1 ORDER BY pos LIMIT ?2";
constexpr const char* kSelectCredential =
    "SELECT pin_hash, failures, locked_until FROM credentials WHERE person = ?1";
constexpr const char* kUpsertCredential =
    "INSERT INTO credentials(person, pin_hash) VALUES(?1, ?2) "
    "ON CONFLICT(person) DO UPDATE SET pin_hash = excluded.pin_hash, failures = 0, locked_until = 0";
constexpr const char* kSetFailures =
    "UPDATE credentials SET failures = ?2, locked_until = ?3 WHERE person = ?1";
// every PIN hash (for the hub's copy to the bays), and one taken from it:
// only written when it differs (a failure count is the bay's own)
constexpr const char* kPinHashes = "SELECT person, pin_hash FROM credentials ORDER BY person";
constexpr const char* kTakePinHash =
    "INSERT INTO credentials(person, pin_hash) VALUES(?1, ?2) "
    "ON CONFLICT(person) DO UPDATE SET pin_hash = excluded.pin_hash WHERE credentials.pin_hash <> excluded.pin_hash";

// The log's and meta's small statements, named.
namespace metasql {
// this store's own events after a number of its sequence (the (origin, origin_seq) index)
inline constexpr const char* kOwnAfter =
    "SELECT pos, event_id, (SELECT name FROM origins WHERE n = events.origin), origin_seq, wall_ms, hlc, type, body "
    "FROM events WHERE origin = (SELECT n FROM origins WHERE name = ?1) AND origin_seq > ?2 ORDER BY origin_seq LIMIT ?3";
inline constexpr const char* kLastPos = "SELECT COALESCE(MAX(pos), 0) FROM events";
inline constexpr const char* kLatestHlcAfter = "SELECT COALESCE(MAX(hlc), 0) FROM events WHERE pos > ?1";
inline constexpr const char* kEventCount = "SELECT COUNT(*) FROM events";
// the latest number of one origin's (the (origin, origin_seq) index)
inline constexpr const char* kLastSeqOf =
    "SELECT COALESCE(MAX(origin_seq), 0) FROM events WHERE origin = (SELECT n FROM origins WHERE name = ?1)";
inline constexpr const char* kGet = "SELECT value FROM meta WHERE key = ?1";
inline constexpr const char* kSet = "INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
inline constexpr const char* kSetFlag = "INSERT INTO meta(key, value) VALUES(?1, '1') ON CONFLICT(key) DO UPDATE SET value = excluded.value";
inline constexpr const char* kSetChainHead =
    "INSERT INTO meta(key, value) VALUES('chain_head', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
// an event's origin by its id, its id by origin and sequence, and the event
// itself so (the (origin, origin_seq) index)
inline constexpr const char* kOriginOfId = "SELECT (SELECT name FROM origins WHERE n = events.origin) FROM events WHERE event_id = ?1";
inline constexpr const char* kIdAtSeq =
    "SELECT event_id FROM events WHERE origin = (SELECT n FROM origins WHERE name = ?1) AND origin_seq = ?2";
inline constexpr const char* kEventAtSeq =
    "SELECT pos, event_id, (SELECT name FROM origins WHERE n = events.origin), origin_seq, wall_ms, hlc, type, "
    "body FROM events WHERE origin = (SELECT n FROM origins WHERE name = ?1) AND origin_seq = ?2";
// a device's signature over a batch, and the device keys by number (issue 16)
inline constexpr const char* kAddBatch =
    "INSERT INTO device_batches(origin, first_seq, last_seq, device_key, hashes, sig) "
    "VALUES((SELECT n FROM origins WHERE name = ?1), ?2, ?3, ?4, ?5, ?6)";
inline constexpr const char* kKeepDeviceKey = "INSERT INTO device_keys(key) VALUES(?1) ON CONFLICT(key) DO NOTHING";
inline constexpr const char* kDeviceKeyNumber = "SELECT id FROM device_keys WHERE key = ?1";
// a compressed column's dictionary, once trained (store/bodies.hpp)
inline constexpr const char* kAddDictionary =
    "INSERT INTO body_dicts(id, dict, made_at_pos, kind) VALUES(?1, ?2, ?3, ?4) ON CONFLICT(id) DO NOTHING";
}  // namespace metasql

// The records' whole-table statements (tests, `bk-hub verify`, a store's
// records made again from its log), named.
namespace recsql {
// (with every bundle's, v24: wsql::kBundle)
inline constexpr const char* kAll =
    "SELECT kind, id, body FROM records "
    "UNION ALL SELECT e.value->>0, e.value->>1, e.value->>2 FROM bundles b, json_each(bk_bundle(b.body)) e";
inline constexpr const char* kAllFiled =
    "SELECT kind, id, body, wo FROM records "
    "UNION ALL SELECT e.value->>0, e.value->>1, e.value->>2, b.wo FROM bundles b, json_each(bk_bundle(b.body)) e";
inline constexpr const char* kForget =
    "DELETE FROM records; DELETE FROM bundles; DELETE FROM record_owners; DELETE FROM work_orders";
inline constexpr const char* kWorkOrders = "SELECT COUNT(*) FROM work_orders";
inline constexpr const char* kWorkOrdersDelivered = "SELECT COUNT(*), COUNT(delivered_at) FROM work_orders";
inline constexpr const char* kAsStored = "SELECT body, wo FROM records WHERE kind = ?1 AND id = ?2";
}  // namespace recsql

// Issue 16: a column of JSON a store keeps compressed (store/bodies.hpp):
// the log's bodies, and the records made from them. Each is kept as JSON
// until it holds enough rows to train a dictionary of its own on, then
// compressed with it; the rows kept as JSON before are then compressed
// too, once.
struct CompressedColumn {
  const char* kind;     // body_dicts.kind of its dictionaries
  const char* last;     // the newest row's key: how big it has grown, when to train
  const char* samples;  // ?1 bodies to train on
  const char* page;     // key, body of the next rows after key ?1
  const char* put;      // a row's body (?2) by key (?1)
  const char* metaKey;  // '1' once every body is compressed
};
constexpr CompressedColumn kEventBodies{
    "events", "SELECT COALESCE(MAX(pos), 0) FROM events",
    "SELECT body FROM events ORDER BY pos DESC LIMIT ?1",  // the latest: today's work, not the set-up
    "SELECT pos, body FROM events WHERE pos > ?1 ORDER BY pos LIMIT 5000", "UPDATE events SET body = ?2 WHERE pos = ?1",
    "bodies_compacted"};
// (a record keeps its rowid as its entity changes: an even spread over
// them, the kinds in their shares, set-up and today's work)
constexpr CompressedColumn kRecordBodies{
    "records", "SELECT COALESCE(MAX(rowid), 0) FROM records",
    "SELECT body FROM (SELECT body, row_number() OVER (ORDER BY rowid) AS r FROM records) "
    "WHERE r % max(1, (SELECT COUNT(*) FROM records) / ?1) = 0 LIMIT ?1",
    "SELECT rowid, body FROM records WHERE rowid > ?1 ORDER BY rowid LIMIT 5000",
    "UPDATE records SET body = ?2 WHERE rowid = ?1", "records_compacted"};

class BodyStore {
 public:
  BodyStore(sql::Db& db, const CompressedColumn& col) : db_(db), col_(col) { load(); }
  std::string encode(std::string_view json) const { return codec_.encode(json); }
  std::string encodeDense(std::string_view json) const { return codec_.encodeDense(json); }
  std::string decode(std::string_view stored) {
    try {
      return codec_.decode(stored);
    } catch (const bodies::MissingDictionary&) {
      load();  // made since by another process on this file
      return codec_.decode(stored);
    }
  }
  // Binds a body to `st` in the form to store: a compressed frame as a
  // blob, JSON (before the dictionary) as text.
  void bind(sql::Stmt& st, int i, std::string_view json) const { bindStored(st, i, encode(json)); }
  // The same with the form to store made already (encode).
  static void bindStored(sql::Stmt& st, int i, const std::string& stored) { bindStoredBody(st, i, stored); }
  // After a commit, and at open: trains the dictionary when the column is
  // big enough, then compresses the bodies kept as JSON before it. Cheap
  // when there is nothing to do. Never throws: what it does is only a
  // saving. Returns how many rows it wrote again.
  std::int64_t maintain() noexcept {
    try {
      if (codec_.ready() && compacted_) return 0;
      if (!codec_.ready() && !trainNow()) return 0;
      if (compacted_) return 0;  // (trained on another connection, every row written with it: a staged snapshot)
      return compactOld();
    } catch (const std::exception&) {  // (a full disk): the bodies stay as they are, readable
      return 0;
    }
  }

 private:
  void load() {
    loadDictionaries(db_, codec_, col_.kind);
    sql::Stmt m(db_, metasql::kGet);
    m.bind(1, std::string(col_.metaKey));
    compacted_ = m.step() && m.text(0) == "1";
  }

 public:
  bool ready() const { return codec_.ready(); }
  // Issue 16 (v24): a dictionary trained on these bodies, within the
  // transaction under way (a new bay's, on the snapshot it takes, before
  // its records are written and most of them packed into bundles); then
  // every row this column holds is to be written with it.
  void trainOn(const std::vector<std::string>& samples) {
    if (codec_.ready() || samples.size() * 2 < static_cast<std::size_t>(bodies::kTrainAt)) return;
    const bodies::Dictionary d = bodies::train(samples);
    if (d.id == 0) return;
    keepDictionary(d, db_.scalarInt(col_.last));
    codec_.add(d);
    sql::Stmt done(db_, metasql::kSetFlag);
    done.bind(1, std::string(col_.metaKey)).run();
    compacted_ = true;
  }

 private:
  bool trainNow() {
    const std::int64_t last = db_.scalarInt(col_.last);
    if (last < next_check_) return false;
    next_check_ = last + 256;
    if (last < bodies::kTrainAt) return false;
    load();
    if (codec_.ready()) return true;
    std::vector<std::string> samples;
    sql::Stmt q(db_, col_.samples);
    q.bind(1, bodies::kTrainAt);
    while (q.step())
      if (std::string b = q.text(0); !bodies::compressed(b)) samples.push_back(std::move(b));
    // (bodies compressed with a dictionary this store has lost teach nothing)
    const bodies::Dictionary d = samples.size() * 2 >= static_cast<std::size_t>(bodies::kTrainAt) ? bodies::train(samples)
                                                                                                  : bodies::Dictionary{};
    if (d.id == 0) {  // too little to learn from yet
      next_check_ = last + bodies::kTrainAt;
      return false;
    }
    sql::Tx tx(db_);
    keepDictionary(d, last);
    tx.commit();
    codec_.add(d);  // (once it is on disk: no body is written with a dictionary the file lacks)
    compacted_ = false;  // (what a flag says of an earlier dictionary's rows: this one compresses them all again)
    return true;
  }
  // Writes a dictionary trained on this column's bodies up to `last`.
  void keepDictionary(const bodies::Dictionary& d, std::int64_t last) {
    sql::Stmt ins(db_, metasql::kAddDictionary);
    ins.bind(1, std::int64_t{d.id}).bindBlob(2, d.bytes.data(), static_cast<int>(d.bytes.size())).bind(3, last);
    ins.bind(4, std::string(col_.kind)).run();
  }
  std::int64_t compactOld() {
    std::int64_t after = 0, rewritten = 0;
    for (bool more = true; more;) {
      sql::Tx tx(db_);
      sql::Stmt q(db_, col_.page);
      sql::Stmt put(db_, col_.put);
      q.bind(1, after);
      more = false;
      while (q.step()) {
        more = true;
        after = q.integer(0);
        const std::string body = q.text(1);
        if (bodies::compressed(body)) continue;
        const std::string stored = codec_.encode(body);
        put.bind(1, after).bindBlob(2, stored.data(), static_cast<int>(stored.size())).run();
        ++rewritten;
      }
      if (!more) {
        sql::Stmt done(db_, metasql::kSetFlag);
        done.bind(1, std::string(col_.metaKey)).run();
      }
      tx.commit();
    }
    compacted_ = true;
    return rewritten;
  }

  sql::Db& db_;
  const CompressedColumn& col_;
  bodies::Codec codec_;
  bool compacted_ = false;
  std::int64_t next_check_ = 0;
};

// A device's signature over a batch of events, kept (statements prepared
// once: a kiosk online pushes each event as its own batch).
struct BatchStatements {
  sql::Stmt add, keepKey, keyNumber, addOrigin;
  explicit BatchStatements(sql::Db& db)
      : add(db, metasql::kAddBatch), keepKey(db, metasql::kKeepDeviceKey),  // issue 16: keys by number
        keyNumber(db, metasql::kDeviceKeyNumber), addOrigin(db, logcodes::kAddOrigin) {}
};

// Issue 16: bytes of each event's chain hash the log keeps (the chain is
// made again from the events to check it; the head is kept whole, and a
// kiosk's witnesses hold whole heads): 24 bytes an event saved.
constexpr std::size_t kChainPrefix = 8;

// Issue 16: bytes of each signed hash a device batch keeps when the events
// stored are exactly those signed (the rest is made again from them).
constexpr std::size_t kHashPrefix = 4;

// A key (32 bytes) or signature (64) of device_batches as hex: kept as
// bytes since issue 16, as hex text (twice as long) before.
std::string storedHex(const sql::Stmt& q, int col, std::size_t bytes) {
  const auto raw = q.blob(col);
  if (raw.size() == bytes) return toHexBytes(raw.data(), raw.size());
  return std::string(raw.begin(), raw.end());
}

// One row of "SELECT pos, event_id, <origin's name>, origin_seq, wall_ms, hlc, type, body",
// its body read back from the form it is stored in (issue 16).
StoredEvent readEvent(const sql::Stmt& q, BodyStore& bodies) {
  StoredEvent e;
  e.pos = q.integer(0);
  auto raw = q.blob(1);
  std::copy_n(raw.begin(), std::min<std::size_t>(raw.size(), 16), e.id.begin());
  e.origin = q.text(2);
  e.origin_seq = q.integer(3);
  e.wall_ms = q.integer(4);
  e.hlc = q.integer(5);
  e.type = logcodes::typeAt(q, 6);
  try {
    e.body = bodies.decode(q.text(7));
  } catch (const bodies::DamagedBody& x) {
    throw bodies::DamagedBody("the event at log position " + std::to_string(e.pos) + ": " + x.what());
  }
  return e;
}

template <typename K, typename T>
json entityJson(const std::map<K, T>& m, const Id& id, bool& found) {
  auto it = m.find(id);
  found = it != m.end();
  return found ? json(it->second) : json();
}

template <typename K, typename T>
void loadInto(std::map<K, T>& m, const Id& id, const json& body) {
  m[id] = body.get<T>();
}

// A record's kind as stored; anything else is damage (the records are then
// made again from the log).
RecordKind storedKind(const sql::Stmt& q, int col) {
  const std::int64_t code = q.integer(col);
  if (q.isNull(col) || code < 0 || code >= static_cast<std::int64_t>(kRecordKindNames.size()) || q.text(col) != std::to_string(code))
    throw bodies::DamagedBody("a record of an unknown kind: " + q.text(col));
  return static_cast<RecordKind>(code);
}

void putRecord(Shop& s, RecordKind kind, const Id& id, const json& body) {
  switch (kind) {
    case RecordKind::Person: loadInto(s.people, id, body); break;
    case RecordKind::Bay: loadInto(s.bays, id, body); break;
    case RecordKind::WorkOrder: loadInto(s.work_orders, id, body); break;
    case RecordKind::Operation: loadInto(s.operations, id, body); break;
    case RecordKind::TimeEntry: loadInto(s.entries, id, body); break;
    case RecordKind::Inspection: loadInto(s.inspections, id, body); break;
    case RecordKind::Rework: loadInto(s.reworks, id, body); break;
    case RecordKind::Incident: loadInto(s.incidents, id, body); break;
    case RecordKind::AddOn: loadInto(s.addons, id, body); break;
    case RecordKind::Review: loadInto(s.reviews, id, body); break;
    case RecordKind::Supersede: s.superseded_by[id] = body.get<Id>(); break;
    case RecordKind::Client: loadInto(s.clients, id, body); break;
    case RecordKind::PinAttempts: loadInto(s.pin_attempts, id, body); break;
    case RecordKind::Policy: body.get_to(s.policy); break;
    case RecordKind::SetupCode: loadInto(s.setup_codes, id, body); break;
    case RecordKind::Message: loadInto(s.messages, id, body); break;
    case RecordKind::FaultSlips: loadInto(s.fault_slips, id, body); break;
  }
}

// Issue 16: the work orders `fresh` (just loaded, whole) added to the
// shop's derived indexes exactly as reindex() would make them, without
// making the rest again (a month brought in for a report: 125 ms of 290
// went on indexing the two months already held). Each vector reindex()
// fills in id order is kept in id order.
void indexLoaded(Shop& s, const std::set<Id>& fresh) {
  if (fresh.empty()) return;
  auto byId = [](std::vector<Id>& v) { std::sort(v.begin(), v.end()); };
  for (auto& [id, op] : s.operations)
    if (fresh.count(op.wo)) s.ops_of_wo[op.wo].push_back(id);
  for (const Id& wo : fresh)
    if (auto it = s.ops_of_wo.find(wo); it != s.ops_of_wo.end())
      std::sort(it->second.begin(), it->second.end(),
                [&](const Id& a, const Id& b) { return s.operations.at(a).seq < s.operations.at(b).seq; });
  for (auto& [id, e] : s.entries)
    if (fresh.count(e.wo)) s.indexEntry(e);  // (their operations are new: entries_of_op in id order already)
  for (auto& [id, in] : s.inspections)
    if (fresh.count(in.wo)) s.indexInspection(in);
  for (auto& [id, rw] : s.reworks)
    if (fresh.count(rw.wo)) s.indexRework(rw);  // (likewise reworks_of_op)
  std::set<std::string> vins;
  std::set<Id> origins;
  for (const Id& wo : fresh) {
    const WorkOrder& w = s.work_orders.at(wo);
    s.indexWorkOrder(w);
    if (const std::string vin = vinKey(w.vehicle.vin); !vin.empty()) vins.insert(vin);
    if (w.comeback()) origins.insert(w.comeback_of);
  }
  for (const std::string& vin : vins) byId(s.wos_of_vin[vin]);
  for (const Id& o : origins) byId(s.comebacks_of[o]);
}

// Removes a record from the shop in memory (the policy is not erased: put back).
void eraseRecord(Shop& s, RecordKind kind, const Id& id) {
  switch (kind) {
    case RecordKind::Person: s.people.erase(id); break;
    case RecordKind::Bay: s.bays.erase(id); break;
    case RecordKind::WorkOrder: s.work_orders.erase(id); break;
    case RecordKind::Operation: s.operations.erase(id); break;
    case RecordKind::TimeEntry: s.entries.erase(id); break;
    case RecordKind::Inspection: s.inspections.erase(id); break;
    case RecordKind::Rework: s.reworks.erase(id); break;
    case RecordKind::Incident: s.incidents.erase(id); break;
    case RecordKind::AddOn: s.addons.erase(id); break;
    case RecordKind::Review:
      if (auto r = s.reviews.find(id); r != s.reviews.end()) {
        if (auto of = s.reviews_of_wo.find(r->second.wo); of != s.reviews_of_wo.end()) of->second.erase(id);
        s.reviews.erase(r);
      }
      break;
    case RecordKind::Supersede: s.superseded_by.erase(id); break;
    case RecordKind::Client: s.clients.erase(id); break;
    case RecordKind::PinAttempts: s.pin_attempts.erase(id); break;
    case RecordKind::Policy: break;
    case RecordKind::SetupCode: s.setup_codes.erase(id); break;
    case RecordKind::Message: s.messages.erase(id); break;
    case RecordKind::FaultSlips: s.fault_slips.erase(id); break;
  }
}

}  // namespace

namespace snapsql {
// the work orders a bay's snapshot holds: in work, with anything since the
// horizon, or pinned (by work_orders_by_time and work_orders_in_work, not a
// pass over every work order), each with the one it came back for (a
// month's report reads it)
inline constexpr const char* kKioskWorkOrders =
    "SELECT id, back_of FROM work_orders WHERE n IN (SELECT n FROM work_orders WHERE last_at >= ?1 "
    "UNION SELECT n FROM work_orders WHERE delivered_at IS NULL OR pinned)";  // (v21: no scan of them all)
inline constexpr const char* kBase = "SELECT hub_pos, hlc, origins, records FROM snapshot_base WHERE id = 1";
inline constexpr const char* kStale = "SELECT COALESCE((SELECT stale FROM snapshot_base WHERE id = 1), 0)";
inline constexpr const char* kMarkStale = "UPDATE snapshot_base SET stale = 1";
inline constexpr const char* kUnmarkStale = "UPDATE snapshot_base SET stale = 0";
inline constexpr const char* kPutBase = "INSERT INTO snapshot_base(id, hub_pos, hlc, origins, records) VALUES(1, ?1, ?2, ?3, ?4)";
inline constexpr const char* kForgetBasePos = "UPDATE snapshot_base SET hub_pos = 0";
inline constexpr const char* kAnyRecord = "SELECT EXISTS(SELECT 1 FROM records)";
inline constexpr const char* kHasBase = "SELECT EXISTS(SELECT 1 FROM snapshot_base WHERE id = 1)";
// a bay that takes a newer snapshot: what it held of the last one
inline constexpr const char* kDropHeld =
    "DELETE FROM records; DELETE FROM bundles; DELETE FROM record_owners; DELETE FROM work_orders; DELETE FROM snapshot_base";
}  // namespace snapsql

// A kiosk's log in its hub's order: where the hub placed each event, which
// it refused, and what a rebase puts back.
namespace placesql {
inline constexpr const char* kForgetAll = "UPDATE events SET hub_pos = NULL WHERE hub_pos IS NOT NULL";
inline constexpr const char* kUnplacedOwn = "SELECT COUNT(*) FROM events WHERE hub_pos IS NULL AND origin = (SELECT n FROM origins WHERE name = ?1)";
inline constexpr const char* kMarkOwnRefused =
    "UPDATE events SET refused = ?3 WHERE origin = (SELECT n FROM origins WHERE name = ?1) AND origin_seq = ?2 "
    "AND refused IS NULL AND type IS NOT 0";  // (0: a tombstone, store/log_codes.hpp)
// (an event taken before: placed again is a no-op)
inline constexpr const char* kPlace =
    "UPDATE events SET hub_pos = ?1 WHERE origin = (SELECT n FROM origins WHERE name = ?2) AND origin_seq = ?3 "
    "AND hub_pos IS NOT ?1 RETURNING pos";
inline constexpr const char* kPlaceNew = "UPDATE events SET hub_pos = ?1 WHERE pos = ?2";
inline constexpr const char* kMarkRefused = "UPDATE events SET refused = ?2 WHERE pos = ?1 AND refused IS NULL AND type IS NOT 0";
inline constexpr const char* kSince =
    "SELECT (SELECT name FROM origins WHERE n = events.origin), body FROM events "
    "WHERE pos >= ?1 AND type IS NOT 0 AND refused IS NULL ORDER BY pos";
inline constexpr const char* kDeleteRecord = "DELETE FROM records WHERE kind = ?1 AND id = ?2";
}  // namespace placesql

struct Store::Statements {
  BodyStore bodies;   // issue 16: how the log's bodies are stored
  BodyStore records;  // and the records'
  BatchStatements batches;
  sql::Stmt upsertRecord, putRecordBody, insertEvent, insertRemoteEvent, selectEvents, selectCredential, upsertCredential, setFailures, originOfId, setChainHead, idAtSeq;
  explicit Statements(sql::Db& db)
      : bodies(db, kEventBodies), records(db, kRecordBodies), batches(db), upsertRecord(db, kUpsertRecord), putRecordBody(db, kPutRecordBody), insertEvent(db, kInsertEvent),
        insertRemoteEvent(db, kInsertRemoteEvent), selectEvents(db, kSelectEvents),
        selectCredential(db, kSelectCredential), upsertCredential(db, kUpsertCredential),
        setFailures(db, kSetFailures), originOfId(db, metasql::kOriginOfId), setChainHead(db, metasql::kSetChainHead),
        idAtSeq(db, metasql::kIdAtSeq), recordAsStored(db, recsql::kAsStored), insertOrigin(db, logcodes::kAddOrigin), db_(db) {}
  sql::Stmt recordAsStored;  // issue 16: a record before a write changes it (the rebase journal)
  // Issue 16 (v22): an origin's name in `origins` before its first event.
  // The names added are remembered (a handful: the shop's clients), so it
  // runs once each unless forced (a rollback took the row back).
  sql::Stmt insertOrigin;
  std::set<std::string> origins;
  void addOrigin(const std::string& name, bool force = false) {
    if (!force && origins.count(name)) return;
    insertOrigin.bind(1, name).run();
    origins.insert(name);
  }
  // Issue 16: after a commit, and at open: the log's bodies and the
  // records kept small. A long store compressed at once (an upgrade) leaves
  // its pages mostly empty: the file is then written again, once, compact;
  // so is a file that a migration left more than a fifth empty (a table
  // copied into its new form), as it opens.
  void keepCompact(bool opening = false) noexcept {
    const std::int64_t rewritten = bodies.maintain() + records.maintain();
    bool vacuum = rewritten > 2 * bodies::kTrainAt;
    if (!vacuum && opening) {
      try {
        const std::int64_t free = db_.scalarInt("PRAGMA freelist_count"), pages = db_.scalarInt("PRAGMA page_count");
        vacuum = free > 64 && free * 5 > pages;
      } catch (const std::exception&) {
      }
    }
    if (!vacuum) return;
    try {
      db_.exec("VACUUM");
      // the whole file passed through the WAL: written back and let go
      // now, not left on the disk beside it until the store closes
      db_.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (const std::exception&) {  // (no room for the copy): the file stays as it is
    }
  }

 private:
  sql::Db& db_;
};

StoredEvent tombstoneOf(StoredEvent e, const std::string& detail) {
  e.type = std::string(kRefusedType);
  e.body = canonical(json{{"refused", detail}});
  e.decoded.reset();
  return e;
}

std::string refusedDetail(const StoredEvent& e) {
  const json j = json::parse(e.body, nullptr, false);
  return j.is_object() && j.contains("refused") && j["refused"].is_string() ? j["refused"].get<std::string>()
                                                                             : std::string("refused");
}

// Issue 16: a record's kind is kept as its number (twice: in the row and in
// its (kind, id) index), not its name. The numbers are fixed for good:
// RecordKind only ever grows at its end.
static_assert(static_cast<int>(RecordKind::Person) == 0 && static_cast<int>(RecordKind::Inspection) == 5 &&
                  static_cast<int>(RecordKind::FaultSlips) == 16 && kRecordKindNames.size() == 17,
              "records keep RecordKind by number: add new kinds at the end, never renumber");
std::int64_t kindCode(RecordKind k) { return static_cast<std::int64_t>(k); }

namespace {
template <typename M>
const typename M::mapped_type* held(const M& m, const Id& id) {
  auto it = m.find(id);
  return it == m.end() ? nullptr : &it->second;
}
}  // namespace

// The work order a record files under (empty: none, or the shop does not
// hold it), without making its JSON (writeDirty widens each work order's
// span by its records first: a snapshot is tens of thousands of them).
static Id workOrderOfRecord(const Shop& s, RecordKind kind, const Id& id) {
  switch (kind) {
    case RecordKind::WorkOrder: return s.work_orders.count(id) ? id : Id{};
    case RecordKind::Operation: if (auto* o = s.operation(id)) return o->wo; break;
    case RecordKind::TimeEntry: if (auto* e = held(s.entries, id)) return e->wo; break;
    case RecordKind::Inspection: if (auto* i = held(s.inspections, id)) return i->wo; break;
    case RecordKind::Rework: if (auto* r = held(s.reworks, id)) return r->wo; break;
    case RecordKind::Incident: if (auto* i = held(s.incidents, id)) return i->wo; break;
    case RecordKind::AddOn: if (auto* a = held(s.addons, id)) return a->wo; break;
    case RecordKind::Review: if (auto* r = held(s.reviews, id)) return r->wo; break;
    default: break;
  }
  return {};
}

json recordJson(const Shop& s, RecordKind kind, const Id& id, Id& wo, bool& found) {
  found = false;
  wo = workOrderOfRecord(s, kind, id);
  switch (kind) {
    case RecordKind::Person: return entityJson(s.people, id, found);
    case RecordKind::Bay: return entityJson(s.bays, id, found);
    case RecordKind::WorkOrder: return entityJson(s.work_orders, id, found);
    case RecordKind::Operation: return entityJson(s.operations, id, found);
    case RecordKind::TimeEntry: return entityJson(s.entries, id, found);
    case RecordKind::Inspection: return entityJson(s.inspections, id, found);
    case RecordKind::Rework: return entityJson(s.reworks, id, found);
    case RecordKind::Incident: return entityJson(s.incidents, id, found);
    case RecordKind::AddOn: return entityJson(s.addons, id, found);
    case RecordKind::Review: return entityJson(s.reviews, id, found);
    case RecordKind::Supersede: return entityJson(s.superseded_by, id, found);
    case RecordKind::Client: return entityJson(s.clients, id, found);
    case RecordKind::PinAttempts: return entityJson(s.pin_attempts, id, found);
    case RecordKind::Policy: found = id == "shop"; return found ? json(s.policy) : json();
    case RecordKind::SetupCode: return entityJson(s.setup_codes, id, found);
    case RecordKind::Message: return entityJson(s.messages, id, found);
    case RecordKind::FaultSlips: return entityJson(s.fault_slips, id, found);
  }
  return json();
}

namespace {
// What a kept report was computed by (KeptReports drops those of another).
std::string reportRecipe() { return std::string(BK_VERSION) + "/" + std::to_string(kReportRevision); }
}  // namespace

Store::Store(StoreOptions opts, Entropy& entropy)
    : entropy_(entropy), opts_(std::move(opts)), hasher_(opts_.pepper, opts_.auth) {
  db_ = std::make_unique<sql::Db>(opts_.path);
  db_->exec("PRAGMA journal_mode = WAL");
  // the WAL given back to the disk after a checkpoint beyond 64 MiB (a
  // migration or a rewrite passes the whole file through it once)
  db_->exec("PRAGMA journal_size_limit = 67108864");
  // Anything a person clocked or signed must survive a power cut once the
  // kiosk said it was saved: FULL syncs the WAL on every commit.
  db_->exec("PRAGMA synchronous = FULL");
  db_->exec("PRAGMA foreign_keys = ON");
  sqlite3_busy_handler(db_->raw(), &Store::onBusy, this);  // (issue 16: a staged snapshot gives way)
  // issue 13: an upgrade migrates the file as it opens; a copy of it as it
  // was is kept beside it first (0600 like the store)
  if (const int v = schemaVersion(*db_); v > 0 && v < latestSchemaVersion())
    backupTo(opts_.path + ".before-v" + std::to_string(latestSchemaVersion()) + ".bak");
  migrate(*db_);
  // v24: a bundle's records unpacked to their JSON, for SQL (wsql::kBundle)
  db_->defineFunction("bk_bundle", [this](std::string_view stored) { return st_->records.decode(stored); });
  st_ = std::make_unique<Statements>(*db_);
  enrolment_ = std::make_unique<Enrolment>(*db_);
  cursors_ = std::make_unique<SyncCursors>(*db_);
  work_orders_ = std::make_unique<WorkOrderIndex>(*db_);
  reports_ = std::make_unique<KeptReports>(*db_, reportRecipe());
  bundles_ = std::make_unique<Bundles>(
      *db_, [this](std::string_view json) { return st_->records.encode(json); },
      [this](std::string_view json) { return st_->records.encodeDense(json); },
      [this](std::string_view stored) { return st_->records.decode(stored); });

  kiosk_id_ = meta("kiosk_id");
  if (kiosk_id_.empty()) {
    if (opts_.kiosk_id.empty()) throw std::invalid_argument("a new store needs a kiosk id");
    kiosk_id_ = opts_.kiosk_id;
    setMeta("kiosk_id", kiosk_id_);
  }
  {
    sql::Stmt q(*db_, metasql::kLastSeqOf);
    q.bind(1, kiosk_id_);
    own_seq_ = q.step() ? q.integer(0) : 0;
  }
  hlc_.value = latestHlc();
  {
    sql::Stmt q(*db_, logsql::kLatestSeqOfOrigins);
    while (q.step()) seq_of_origin_[q.text(0)] = q.integer(1);
  }
  {  // issue 16: a kiosk that started from a snapshot: where its hub's log was then
    sql::Stmt q(*db_, snapsql::kBase);
    if (q.step()) {
      base_pos_ = q.integer(0);
      base_hlc_ = q.integer(1);
      hlc_.value = std::max(hlc_.value, q.integer(1));
      const json origins = json::parse(q.text(2));
      for (auto it = origins.begin(); it != origins.end(); ++it) {
        seq_of_origin_[it.key()] = std::max(lastSeqOf(it.key()), it.value().get<std::int64_t>());
        base_origins_[it.key()] = it.value().get<std::int64_t>();
      }
      own_seq_ = lastSeqOf(kiosk_id_);
    }
  }

  fillChain();
  bool remake = false;
  try {
    if (!work_orders_->complete()) makeWorkOrderRows();  // issue 16: once, after the upgrade to v18
    shop_ = loadWorkingSet();
  } catch (const bodies::DamagedBody&) {
    remake = true;  // issue 16: a record that cannot be read back (its dictionary lost)
  } catch (const json::exception&) {
    remake = true;  // or is not JSON: the records are only made from the log
  }
  if (remake) {
    db_->exec(recsql::kForget);
    shop_ = Shop{};
    shop_.policy = opts_.policy;
  }
  // no records but a log (a migration that changed a rule, or records that
  // could not be read): made again from the log, and written, once
  if (shop_.work_orders.empty() && shop_.people.empty() && eventCount() > 0) {
    sql::Tx tx(*db_);
    replaceRecords(rebuildFromEvents());
    tx.commit();
  }
  packOnce();  // issue 16 (v24): once, after the upgrade
  // issue 16: a log (or records) big enough gets its dictionary, and what
  // was kept before it is compressed
  st_->keepCompact(true);
  compressPlainBundles();
  // issue 16: a kiosk's few events its hub has not placed, found without a
  // scan of its log (the hub, where none is ever placed, keeps no such index)
  if (opts_.takes_hub_order) db_->exec(logsql::kUnplacedIndex);
  noteIfClean();  // issue 16: in step with its hub as it opens, a rebase can start from here
}

Store::~Store() = default;

Shop Store::loadRecords() const {
  Shop s;
  s.policy = opts_.policy;
  sql::Stmt q(*db_, recsql::kAll);
  while (q.step()) putRecord(s, storedKind(q, 0), q.text(1), json::parse(st_->records.decode(q.text(2))));
  s.reindex();
  return s;
}

// ---- issue 16: the working set ---------------------------------------------

std::vector<std::string> Store::recordsDiffer(const Shop& replay, std::size_t max) const { return differFrom(replay, max, {}, 0); }

std::vector<std::string> Store::differFrom(const Shop& replay, std::size_t max, const std::set<std::int64_t>& left,
                                           std::int64_t left_records) const {
  std::vector<std::string> out;
  std::size_t seen = 0;
  std::int64_t skipped = 0;
  sql::Stmt q(*db_, recsql::kAllFiled);
  while (q.step() && out.size() < max) {
    const RecordKind kind = storedKind(q, 0);
    if (!left.empty() && bundleKind(kind) && !q.isNull(3) && left.count(q.integer(3))) {
      ++skipped;  // checked as its work order left the replay
      continue;
    }
    const Id id = q.text(1);
    Id wo;
    bool found = false;
    const json want = recordJson(replay, kind, id, wo, found);
    if (kind != RecordKind::Policy) ++seen;  // (written only once set)
    if (!found) out.push_back(std::string(name(kind)) + "/" + id + ": not in the replay");
    else if (st_->records.decode(q.text(2)) != canonical(want)) out.push_back(std::string(name(kind)) + "/" + id + ": differs from the replay");
    else if (bundleKind(kind) && (q.isNull(3) || work_orders_->numberOf(wo) != q.integer(3)))
      out.push_back(std::string(name(kind)) + "/" + id + ": filed under another work order than the replay's " + wo);
  }
  const std::size_t want = replay.people.size() + replay.bays.size() + replay.work_orders.size() + replay.operations.size() +
                           replay.entries.size() + replay.inspections.size() + replay.reworks.size() + replay.incidents.size() +
                           replay.addons.size() + replay.reviews.size() + replay.superseded_by.size() + replay.clients.size() +
                           replay.pin_attempts.size() + replay.setup_codes.size() + replay.messages.size() +
                           replay.fault_slips.size();
  if (out.empty() && seen != want)
    out.push_back("the replay has " + std::to_string(want) + " records, the store " + std::to_string(seen));
  if (out.empty() && skipped != left_records)
    out.push_back("the work orders that left the replay have " + std::to_string(left_records) + " records, the store " +
                  std::to_string(skipped));
  // the report rows of the work orders the replay holds (the others' were
  // checked as they left it)
  std::set<Id> rowed;
  for (sql::Stmt r(*db_, reportrows::kAll); r.step();)
    if (!left.count(r.integer(2))) rowed.insert(r.text(0));
  for (std::string& d : reportRowsDiffer(replay, rowed, max))
    if (out.size() < max) out.push_back(std::move(d));
  return out;
}

std::vector<std::string> Store::reportRowsDiffer(const Shop& replay, const std::set<Id>& wos, std::size_t max) const {
  std::vector<std::string> out;
  if (wos.empty()) return out;
  const std::map<Id, std::string> want = reportrows::encode(replay, wos);
  sql::Stmt q(*db_, reportrows::kGet);
  for (const Id& wo : wos) {
    if (out.size() >= max) break;
    q.bind(1, wo);
    if (q.step()) {
      const std::string_view row = q.blobView(0);
      const auto it = want.find(wo);
      if (it == want.end()) out.push_back("work order " + wo + ": a report row, and the replay has no such work order");
      else if (!row.empty() && row[0] == static_cast<char>(reportrows::kFormat) && row != it->second)
        out.push_back("work order " + wo + ": its report row differs from the replay's records");
    }
    q.reset();
  }
  return out;
}

Millis Store::keptWindow() const { return Millis{std::max(opts_.kept_days, 1)} * 86'400'000; }

Shop Store::loadWorkingSet() {
  Shop s;
  s.policy = opts_.policy;
  {  // a kind this program does not know is damage, as in loadRecords
    sql::Stmt k(*db_, wsql::kKindsStored);
    if (k.step() && !k.isNull(1) &&
        (k.text(0) != "integerinteger" || k.integer(1) < 0 || k.integer(2) >= static_cast<std::int64_t>(kRecordKindNames.size())))
      throw bodies::DamagedBody("a record of an unknown kind");
  }
  sql::Stmt ref(*db_, wsql::kReferenceRecords);
  while (ref.step()) putRecord(s, storedKind(ref, 0), ref.text(1), json::parse(st_->records.decode(ref.text(2))));
  // the work orders in work, delivered within the window (as of the
  // latest event this store holds), or pinned
  const Millis horizon = Hlc::wall(hlc_.value) - keptWindow();
  sql::Stmt q(*db_, wsql::kKeptBundles);
  q.bind(1, horizon);
  putRows(s, q);
  // and the work order each open comeback came back for (the floor shows
  // it, the rules read its delivery), however long ago it was delivered
  const std::set<Id> origins = openComebackOrigins(s);
  loadBundles(s, {origins.begin(), origins.end()});  // (skips those held)
  s.reindex();
  partial_ = static_cast<std::int64_t>(s.work_orders.size()) < db_->scalarInt(recsql::kWorkOrders);
  held_since_ = partial_ ? horizon : 0;
  return s;
}

// Issue 16: a store's start is mostly reading its records back: each row
// decompressed and parsed (on a second thread), then put into the shop (on
// this one), in chunks, at most a few chunks ahead. The statement is only
// ever stepped by the reading thread; what either thread throws stops both
// and is thrown here.
void Store::putRows(Shop& s, sql::Stmt& q) const {
  struct Row {
    RecordKind kind;
    Id id;
    std::string body;
  };
  constexpr std::size_t kChunk = 256, kAhead = 8;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::vector<Row>> ready;
  bool done = false, stop = false;
  std::exception_ptr failed;
  std::thread reader([&] {
    try {
      std::vector<Row> chunk;
      chunk.reserve(kChunk);
      auto hand = [&] {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return ready.size() < kAhead || stop; });
        if (stop) return false;
        ready.push_back(std::move(chunk));
        chunk.clear();
        chunk.reserve(kChunk);
        cv.notify_all();
        return true;
      };
      while (q.step()) {
        chunk.push_back(Row{storedKind(q, 0), q.text(1), st_->records.decode(q.text(2))});
        if (chunk.size() == kChunk && !hand()) return;
      }
      if (!chunk.empty() && !hand()) return;
    } catch (...) {
      std::lock_guard lock(mu);
      failed = std::current_exception();
    }
    std::lock_guard lock(mu);
    done = true;
    cv.notify_all();
  });
  try {
    for (;;) {
      std::vector<Row> chunk;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return !ready.empty() || done; });
        if (ready.empty()) break;
        chunk = std::move(ready.front());
        ready.pop_front();
        cv.notify_all();
      }
      for (Row& r : chunk) putRecord(s, r.kind, r.id, json::parse(r.body));
    }
  } catch (...) {
    {
      std::lock_guard lock(mu);
      stop = true;
      cv.notify_all();
    }
    reader.join();
    throw;
  }
  reader.join();
  if (failed) std::rethrow_exception(failed);
}

namespace {
// Each work order's (kind, id, body) rows by `sqlText` (bound to its id),
// into s; those s holds already are skipped. `lean`: each inspection's
// checklist items are not read (Store::Detail::Report).
template <class Decode>
void loadEach(sql::Db& db, Shop& s, const char* sqlText, const std::vector<Id>& wos, const Decode& decode, bool lean = false) {
  sql::Stmt q(db, sqlText);
  for (const Id& wo : wos) {
    if (s.work_orders.count(wo)) continue;
    q.bind(1, wo);
    while (q.step()) {
      const RecordKind kind = storedKind(q, 0);
      const std::string body = decode(q.text(2));
      putRecord(s, kind, q.text(1), json::parse(lean && kind == RecordKind::Inspection ? bodies::withMember(body, "items", "[]") : body));
    }
    q.reset();
  }
}
}  // namespace

void Store::loadBundles(Shop& s, const std::vector<Id>& wos, Detail detail) const {
  loadEach(*db_, s, wsql::kBundle, wos, [&](const std::string& b) { return st_->records.decode(b); }, detail != Detail::Whole);
}

void Store::putReportRows(sql::Db& db, const Shop& s, const std::set<Id>& wos) {
  if (wos.empty()) return;
  const std::map<Id, std::string> rows = reportrows::encode(s, wos);
  auto put = [&] {
    sql::Stmt q(db, reportrows::kPut);
    for (auto& [wo, row] : rows) {
      q.bind(1, wo).bindBlob(2, row.data(), static_cast<int>(row.size()));
      q.run();
    }
  };
  if (!sqlite3_get_autocommit(db.raw())) return put();  // (with what the transaction writes)
  try {
    sql::Tx tx(db);
    put();
    tx.commit();
  } catch (const sql::SqliteError&) {
    // without rows (the file full, read-only or busy): a report reads
    // their records instead, and writes them then
  }
}

void Store::writeReportRows(const Shop& s, const std::set<Id>& wos) { putReportRows(*db_, s, wos); }

void Store::loadWorkOrders(Shop& s, const std::vector<Id>& wos) const {
  loadEach(*db_, s, wsql::kWorkOrderRecord, wos, [&](const std::string& b) { return st_->records.decode(b); });
}

void Store::makeWorkOrderRows() {
  const Shop all = loadRecords();
  std::map<Id, std::pair<Millis, Millis>> span;
  auto widenAll = [&](const auto& m, RecordKind kind) {
    for (auto& [id, v] : m) {
      auto& [lo, hi] = span[v.wo];
      widenByRecord(all, kind, id, lo, hi);
    }
  };
  for (auto& [id, w] : all.work_orders) widenByRecord(all, RecordKind::WorkOrder, id, span[id].first, span[id].second);
  widenAll(all.operations, RecordKind::Operation);
  widenAll(all.entries, RecordKind::TimeEntry);
  widenAll(all.inspections, RecordKind::Inspection);
  widenAll(all.reworks, RecordKind::Rework);
  widenAll(all.incidents, RecordKind::Incident);
  widenAll(all.addons, RecordKind::AddOn);
  const std::set<Id> pinned = pinnedInMemory(all);
  sql::Tx tx(*db_);
  for (auto& [id, w] : all.work_orders) work_orders_->put(w, span[id].first, span[id].second, pinned.count(id) > 0);
  tx.commit();
}

void Store::bringIn(const Action& a) {
  if (!partial_) return;  // memory holds every work order
  std::set<Id> want = readsBeyond(shop_, a, *work_orders_, held_since_);
  if (want.empty()) return;
  loadBundles(shop_, {want.begin(), want.end()});
  std::erase_if(want, [&](const Id& id) { return !shop_.work_orders.count(id); });  // (none such on disk)
  indexLoaded(shop_, want);
  ++generation_;
}

void Store::evictSettled(Millis horizon) {
  const std::set<Id> gone = settledBefore(shop_, horizon, viewed_);
  if (gone.empty()) return;
  writeReportRows(shop_, gone);  // (what a month's report reads of them, as they leave)
  pack(gone);
  evictFrom(shop_, gone);  // (the indexes kept: a trim costs what leaves)
  partial_ = true;
  held_since_ = std::max(held_since_, horizon);
  ++generation_;
  releaseFreed();
}

// A work order packed, unless one of its records cannot be read back
// (damaged): that one is left as rows (bk-hub verify names it). Its rows
// are all read before anything is written.
bool Store::packOne(std::int64_t n) {
  try {
    return bundles_->pack(n);
  } catch (const bodies::DamagedBody&) {
    return false;
  }
}

void Store::pack(const std::set<Id>& wos) {
  if (wos.empty()) return;
  auto packAll = [&] {
    for (const Id& wo : wos)
      if (auto n = work_orders_->numberOf(wo)) packOne(*n);
  };
  if (!sqlite3_get_autocommit(db_->raw())) return packAll();  // (with what the transaction writes)
  try {
    sql::Tx tx(*db_);
    packAll();
    tx.commit();
  } catch (const sql::SqliteError&) {
    // left as rows (the file full, read-only or busy): read as well, and
    // packed as they leave memory next time
  }
}

void Store::compressPlainBundles() noexcept {
  try {
    bundles_->compressPlain();
  } catch (const std::exception&) {  // (a full disk): they stay JSON, readable
  }
}

void Store::unpack(const Id& wo) {
  if (auto n = work_orders_->numberOf(wo)) bundles_->unpack(*n);
}

void Store::packOnce() {
  if (meta("bundles_made") == "1") return;
  std::vector<std::pair<std::int64_t, Id>> rows;
  {
    sql::Stmt q(*db_, wsql::kWithRows);
    while (q.step()) rows.emplace_back(q.integer(0), q.text(1));
  }
  // what memory holds stays rows; the rest are packed, a thousand a
  // transaction (an upgraded hub of years: its file is then written again,
  // compact, by keepCompact)
  std::erase_if(rows, [&](const auto& r) { return shop_.work_orders.count(r.second) > 0; });
  try {
    for (std::size_t at = 0; at < rows.size(); at += 1000) {
      sql::Tx tx(*db_);
      for (std::size_t k = at; k < std::min(rows.size(), at + 1000); ++k) packOne(rows[k].first);
      tx.commit();
    }
    setMeta("bundles_made", "1");
  } catch (const sql::SqliteError&) {
    // (the file full, or busy): what is packed stays so, the rest are
    // rows, read as well; packed at the next open
  }
}

void Store::trim(Millis now) {
  trimmed_at_ = now;
  evictSettled(now - keptWindow());
}

void Store::maybeTrim(Millis now) {
  // hourly (a day's deliveries leave together), and whenever memory has
  // grown a lot since (a new kiosk pulling the shop's history)
  if (now - trimmed_at_ >= 3'600'000 || shop_.work_orders.size() > 2 * trimmed_size_ + 1000) {
    trim(now);
    trimmed_size_ = shop_.work_orders.size();
  }
}

Shop Store::pastOf(const std::vector<Id>& wos, Detail detail, std::vector<Id>* without_row) const {
  const sql::ReadTx read(*db_);  // (one lock for the rows read one by one)
  Shop s;
  s.policy = shop_.policy;
  // the shop's reference data and the records that never leave memory
  // (these grow with the shop's age); a month's report reads none of
  // them but the supersedes of its own inspections (below)
  if (detail == Detail::Whole) {
    s.people = shop_.people;
    s.bays = shop_.bays;
    s.clients = shop_.clients;
    s.reviews = shop_.reviews;
    s.superseded_by = shop_.superseded_by;
    s.fault_slips = shop_.fault_slips;
  }
  // those memory holds are copied from it (a recent month: no decoding);
  // the rest are read from SQLite
  std::set<Id> held;
  for (const Id& wo : wos)
    if (shop_.work_orders.count(wo)) held.insert(wo);
  if (detail == Detail::Facts && !held.empty()) {
    // a report's facts only, as the rows keep them: each held work order
    // through its row's encoding (no copy of every checklist and signature)
    for (const auto& [wo, row] : reportrows::encode(shop_, held))
      if (!reportrows::decodeInto(s, wo, row)) throw std::logic_error("a report row just made does not read back: " + wo);
  } else if (!held.empty()) {
    for (const Id& wo : held) s.work_orders.emplace(wo, shop_.work_orders.at(wo));
    // by the working set's indexes (a car's visit or two: not a pass over
    // every record memory holds); incidents and add-ons are few
    auto copyEach = [](const auto& ids, const auto& from, auto& to) {
      for (const Id& id : ids)
        if (auto it = from.find(id); it != from.end()) to.emplace(id, it->second);
    };
    for (const Id& wo : held) {
      if (auto ops = shop_.ops_of_wo.find(wo); ops != shop_.ops_of_wo.end()) {
        copyEach(ops->second, shop_.operations, s.operations);
        for (const Id& op : ops->second) {
          if (auto e = shop_.entries_of_op.find(op); e != shop_.entries_of_op.end()) copyEach(e->second, shop_.entries, s.entries);
          if (auto r = shop_.reworks_of_op.find(op); r != shop_.reworks_of_op.end()) copyEach(r->second, shop_.reworks, s.reworks);
        }
      }
      if (auto in = shop_.inspections_of_wo.find(wo); in != shop_.inspections_of_wo.end())
        copyEach(in->second, shop_.inspections, s.inspections);
    }
    auto copyOf = [&](const auto& from, auto& to) {
      for (auto& [id, v] : from)
        if (held.count(v.wo)) to.emplace(id, v);
    };
    copyOf(shop_.incidents, s.incidents);
    copyOf(shop_.addons, s.addons);
  }
  if (detail == Detail::Facts) {  // each one's report row, where it has one (and it can be read)
    std::vector<Id> rest;
    sql::Stmt row(*db_, reportrows::kGet);
    for (const Id& wo : wos) {
      if (s.work_orders.count(wo)) continue;
      row.bind(1, wo);
      const bool read = row.step() && reportrows::decodeInto(s, wo, row.blobView(0));
      row.reset();
      if (!read) rest.push_back(wo);
    }
    loadBundles(s, rest, detail);
    if (without_row)
      std::copy_if(rest.begin(), rest.end(), std::back_inserter(*without_row), [&](const Id& id) { return s.work_orders.count(id) > 0; });
  } else {
    loadBundles(s, wos, detail);  // (skips those it holds already)
  }
  if (detail != Detail::Whole && !shop_.superseded_by.empty())  // (R15: a correction is of the same work order)
    for (auto& [id, in] : s.inspections)
      if (auto c = shop_.superseded_by.find(id); c != shop_.superseded_by.end()) s.superseded_by.emplace(id, c->second);
  s.reindex();
  return s;
}

Shop Store::pastOfMonth(Millis from, Millis to) const {
  const std::set<Id> wos = work_orders_->ofMonth(from, to);
  return pastOf({wos.begin(), wos.end()});
}

std::optional<std::pair<Millis, Millis>> Store::monthToKeep() {
  const Millis latest = Hlc::wall(hlc_.value);
  const std::int64_t earliest = db_->scalarInt(wsql::kEarliestLast);
  if (!latest || earliest <= 0) return std::nullopt;
  // newest first (last month is the one asked for most), back to the month
  // before the earliest a work order reaches (a long job started earlier)
  const int tz = shop_.policy.utc_offset_minutes;
  const std::string first = addMonths(monthOf(earliest, tz), -1);
  for (std::string m = addMonths(monthOf(latest, tz), -1); m >= first; m = addMonths(m, -1)) {
    const auto range = calendarMonth(m, tz);
    if (range && range->second <= latest && !reports_->has(range->first, range->second)) return range;
  }
  return std::nullopt;
}

const Shop& Store::shopOfMonth(Millis from, Millis to, Shop& scratch, Detail detail) const {
  const std::set<Id> wos = work_orders_->ofMonth(from, to);
  if (std::all_of(wos.begin(), wos.end(), [&](const Id& id) { return shop_.work_orders.count(id) > 0; })) return shop_;
  scratch = pastOf({wos.begin(), wos.end()}, detail);
  return scratch;
}

const Shop& Store::shopForMonth(Millis from, Millis to) { return view(work_orders_->ofMonth(from, to)); }

const Shop& Store::shopForVehicle(const std::string& vin) {
  const std::vector<Id> wos = work_orders_->ofVin(vinKey(vin));
  return view({wos.begin(), wos.end()});
}

const Shop& Store::view(std::set<Id> wos) {
  std::set<Id> want;
  std::copy_if(wos.begin(), wos.end(), std::inserter(want, want.end()), [&](const Id& id) { return shop_.work_orders.count(id) == 0; });
  bringInWhole(want);
  viewed_ = std::move(wos);
  return shop_;
}

void Store::stopViewing() { viewed_.clear(); }

std::vector<WorkOrder> Store::deliveredSince(Millis since, int limit) const {
  sql::Stmt q(*db_, wsql::kDeliveredSince);
  q.bind(1, since).bind(2, static_cast<std::int64_t>(limit));
  std::vector<Id> ids;
  while (q.step()) ids.push_back(q.text(0));
  std::vector<Id> missing;
  std::copy_if(ids.begin(), ids.end(), std::back_inserter(missing), [&](const Id& id) { return shop_.work_orders.count(id) == 0; });
  Shop read;
  if (!missing.empty()) loadWorkOrders(read, missing);
  std::vector<WorkOrder> out;
  for (const Id& id : ids) {
    const WorkOrder* w = shop_.workOrder(id);
    if (!w) w = read.workOrder(id);
    if (w) out.push_back(*w);
  }
  return out;
}

// Issue 16: the heap a month read beside the working set (or evicted from
// it) took is given back to the system, so the store's memory is its
// working set's, not its largest moment's.
void Store::releaseFreed() { malloc_trim(0); }

void Store::bringInWhole(const std::set<Id>& wos) {
  std::set<Id> fresh;
  std::copy_if(wos.begin(), wos.end(), std::inserter(fresh, fresh.end()), [&](const Id& id) { return !shop_.work_orders.count(id); });
  if (fresh.empty()) return;
  loadBundles(shop_, {fresh.begin(), fresh.end()});
  std::erase_if(fresh, [&](const Id& id) { return !shop_.work_orders.count(id); });  // (none such on disk)
  indexLoaded(shop_, fresh);
  ++generation_;
}

MonthlyReport Store::report(Millis from, Millis to) {
  if (auto kept = reports_->get(from, to)) return *std::move(kept);
  // a month memory holds whole is reported from memory; any other is read
  // beside it as the report's facts (what memory holds of it through its
  // report rows' encoding, the rest from its rows) and let go: memory does
  // not grow, and a month half held costs what one on disk does (bringing
  // the other half in whole, its records' JSON parsed, was 240 ms of it)
  const std::set<Id> month = work_orders_->ofMonth(from, to);  // (one statement)
  std::set<Id> missing;
  std::copy_if(month.begin(), month.end(), std::inserter(missing, missing.end()),
               [&](const Id& id) { return shop_.work_orders.count(id) == 0; });
  MonthlyReport r;
  if (missing.empty()) {
    r = monthlyReport(shop_, from, to);
  } else {
    // each work order's report row (those read from their records get one)
    std::vector<Id> without;
    {
      const Shop facts = pastOf({month.begin(), month.end()}, Detail::Facts, &without);
      r = monthlyReport(facts, from, to);
      if (!without.empty() && sqlite3_get_autocommit(db_->raw())) writeReportRows(facts, {without.begin(), without.end()});
    }
    releaseFreed();
  }
  // kept when the range is a calendar month wholly before the latest event
  // (so one row a month at most, whatever ranges are asked for)
  const int tz = shop_.policy.utc_offset_minutes;
  if (const auto m = calendarMonth(monthOf(from, tz), tz); m && m->first == from && m->second == to && to <= Hlc::wall(hlc_.value))
    reports_->keep(from, to, r);
  return r;
}

std::vector<Store::KeptReport> Store::checkKeptReports() {
  std::vector<KeptReport> out;
  for (auto& [range, body] : reports_->all()) {
    KeptReport k{range.first, range.second, false};
    try {
      Shop scratch;
      const Shop& month = shopOfMonth(range.first, range.second, scratch, Detail::Report);
      k.equal = json::parse(body).get<MonthlyReport>() == monthlyReport(month, range.first, range.second);
    } catch (const json::exception&) {  // damaged: not equal
    }
    out.push_back(k);
  }
  return out;
}

Shop Store::pastOfVehicle(const std::string& vin) const { return pastOf(work_orders_->ofVin(vinKey(vin))); }

const Shop& Store::shopWith(const Id& wo, Shop& scratch) const {
  if (shop_.work_orders.count(wo)) return shop_;
  std::vector<Id> wos{wo};
  if (auto b = work_orders_->backOf(wo)) wos.push_back(*b);
  for (Id& c : work_orders_->comebacksOf(wo)) wos.push_back(std::move(c));
  scratch = pastOf(wos);
  return scratch;
}

Store::WorkOrderCount Store::workOrderCount() const {
  sql::Stmt q(*db_, recsql::kWorkOrdersDelivered);
  return q.step() ? WorkOrderCount{q.integer(0), q.integer(1)} : WorkOrderCount{};
}

std::int64_t Store::replayInto(Shop& s, const std::function<void(const Action*, Millis)>& before, std::optional<std::int64_t> after_hub) const {
  std::int64_t unclean = 0;
  // issue 16: an event the snapshot the store started from holds already
  // (its log kept from before a newer snapshot) is not applied again
  auto inBase = [&](const sql::Stmt& q) {
    if (base_origins_.empty()) return false;
    auto it = base_origins_.find(q.text(5));
    return it != base_origins_.end() && q.integer(6) <= it->second;
  };
  // two index walks, no sort: what the hub placed, in its order; then the rest
  sql::Stmt placed(*db_, logsql::kPlacedAfter);
  placed.bind(1, after_hub.value_or(std::numeric_limits<std::int64_t>::min()));
  sql::Stmt rest(*db_, logsql::kUnplaced);
  for (sql::Stmt* walk : {&placed, &rest}) {
    sql::Stmt& q = *walk;
    while (q.step()) {
      if (inBase(q)) continue;
      auto raw = q.blob(0);
      Uuid id{};
      std::copy_n(raw.begin(), std::min<std::size_t>(raw.size(), 16), id.begin());
      // refused at the hub (a tombstone, or this kiosk's own event marked
      // so): no effect, only shown to the foreman
      if (logcodes::typeAt(q, 3) == kRefusedType || !q.isNull(4)) {
        StoredEvent t;
        t.body = st_->bodies.decode(q.text(2));
        const std::string detail = q.isNull(4) ? refusedDetail(t) : q.text(4);
        if (before) before(nullptr, q.integer(1));
        (void)ingestRefused(s, toHex(id), q.text(5), q.integer(6), detail, q.integer(1));
        continue;
      }
      const Action a = actionFromJson(json::parse(st_->bodies.decode(q.text(2))));
      if (before) before(&a, q.integer(1));
      const Ingested got = ingest(s, a, toHex(id), q.integer(1), q.text(5));
      if (judgedOtherwise(s, got, q.isNull(7) ? std::nullopt : std::optional(q.integer(7)))) ++unclean;
    }
  }
  return unclean;
}

Shop Store::rebuildFromEvents() const {
  Shop s = replayStart();
  replayInto(s, {});
  s.dirty.clear();
  return s;
}

std::string Store::bundleDiffers(sql::Stmt& q, const Shop& replay, const Id& wo, std::int64_t records) const {
  q.reset();
  q.bind(1, wo);
  std::int64_t seen = 0;
  while (q.step()) {
    ++seen;
    const RecordKind kind = storedKind(q, 0);
    const Id id = q.text(1);
    Id owner;
    bool found = false;
    const json want = recordJson(replay, kind, id, owner, found);
    if (!found || owner != wo) return std::string(name(kind)) + "/" + id + ": not in the replay's " + wo;
    if (st_->records.decode(q.text(2)) != canonical(want)) return std::string(name(kind)) + "/" + id + ": differs from the replay";
  }
  if (seen != records)
    return "work order " + wo + ": the replay has " + std::to_string(records) + " records of it, the store " + std::to_string(seen);
  return {};
}

namespace {
template <typename K, typename T>
void diffInto(const std::map<K, T>& was, const std::map<K, T>& now, RecordKind kind, std::set<std::pair<RecordKind, Id>>& changed,
              std::vector<std::pair<RecordKind, Id>>& gone) {
  for (auto& [id, v] : now) {
    auto it = was.find(id);
    if (it == was.end() || json(it->second) != json(v)) changed.insert({kind, id});
  }
  for (auto& [id, v] : was)
    if (!now.count(id)) gone.push_back({kind, id});
}
}  // namespace

void Store::replaceRecords(Shop next) {
  journal_ = Journal{};  // (what it writes is not a journal's: until next in step with the hub)
  if (partial_) shop_ = loadRecords();  // issue 16: what is on disk, whole, to compare with
  std::set<std::pair<RecordKind, Id>> changed;
  std::vector<std::pair<RecordKind, Id>> gone;
  diffInto(shop_.people, next.people, RecordKind::Person, changed, gone);
  diffInto(shop_.bays, next.bays, RecordKind::Bay, changed, gone);
  diffInto(shop_.work_orders, next.work_orders, RecordKind::WorkOrder, changed, gone);
  diffInto(shop_.operations, next.operations, RecordKind::Operation, changed, gone);
  diffInto(shop_.entries, next.entries, RecordKind::TimeEntry, changed, gone);
  diffInto(shop_.inspections, next.inspections, RecordKind::Inspection, changed, gone);
  diffInto(shop_.reworks, next.reworks, RecordKind::Rework, changed, gone);
  diffInto(shop_.incidents, next.incidents, RecordKind::Incident, changed, gone);
  diffInto(shop_.addons, next.addons, RecordKind::AddOn, changed, gone);
  diffInto(shop_.reviews, next.reviews, RecordKind::Review, changed, gone);
  diffInto(shop_.superseded_by, next.superseded_by, RecordKind::Supersede, changed, gone);
  diffInto(shop_.clients, next.clients, RecordKind::Client, changed, gone);
  diffInto(shop_.pin_attempts, next.pin_attempts, RecordKind::PinAttempts, changed, gone);
  diffInto(shop_.setup_codes, next.setup_codes, RecordKind::SetupCode, changed, gone);
  diffInto(shop_.messages, next.messages, RecordKind::Message, changed, gone);
  diffInto(shop_.fault_slips, next.fault_slips, RecordKind::FaultSlips, changed, gone);
  if (json(shop_.policy) != json(next.policy)) changed.insert({RecordKind::Policy, "shop"});
  std::set<Id> unpacked;  // (v24: a record gone from a bundle, its rows first)
  for (auto& [kind, id] : gone)
    if (bundleKind(kind))
      if (const Id wo = workOrderOfRecord(shop_, kind, id); !wo.empty() && unpacked.insert(wo).second) unpack(wo);
  sql::Stmt del(*db_, placesql::kDeleteRecord);
  for (auto& [kind, id] : gone) {
    del.bind(1, kindCode(kind)).bind(2, id).run();
    del.reset();
    if (kind == RecordKind::WorkOrder) work_orders_->remove(id);
  }
  shop_ = std::move(next);
  ++generation_;
  reports_->dropAll();  // (a rebase, or records made again from the log)
  shop_.dirty = std::move(changed);
  writeDirty();
  partial_ = false;
  held_since_ = 0;
  evictSettled(Hlc::wall(hlc_.value) - keptWindow());  // issue 16: memory holds the working set again
  journal_ = Journal{};  // (until next in step with the hub)
}

namespace {
// What a store's records are written through, on one connection: the
// store's own, or one of its own beside it (a snapshot staged, issue 16).
struct RecordWriting {
  sql::Db& db;
  WorkOrderIndex& work_orders;
  KeptReports& reports;
  BodyStore& records;
  sql::Stmt& put;     // kPutRecordBody
  sql::Stmt& upsert;  // kUpsertRecord
  Bundles* bundles = nullptr;  // (v24) a bundled work order's records unpacked before one is written
};

// Writes every record in s.dirty (those no longer in `s` are left). Issue
// 16: first each work order's history row (its span widened by what
// changed), then its records, which name it by its number. `before` sees
// each record as it is about to be written (with its work order);
// `between` runs between records (it may throw to give up).
void writeRecords(const RecordWriting& w, const Shop& s, const std::function<void(RecordKind, const Id&, const Id&)>& before,
                  const std::function<void()>& between = {}) {
  std::map<Id, std::pair<Millis, Millis>> spans;
  for (auto& [kind, id] : s.dirty) {
    if (!bundleKind(kind) && kind != RecordKind::Review) continue;  // (a review may pin its work order)
    const Id wo = workOrderOfRecord(s, kind, id);
    if (wo.empty()) continue;
    auto& [lo, hi] = spans[wo];
    widenByRecord(s, kind, id, lo, hi);
  }
  std::optional<std::set<Id>> pinned;  // worked out only when a delivered work order changed
  for (auto& [wo, span] : spans) {
    auto it = s.work_orders.find(wo);
    if (it == s.work_orders.end()) continue;
    if (it->second.delivered_at && !pinned) pinned = pinnedInMemory(s);
    w.work_orders.put(it->second, span.first, span.second, pinned && pinned->count(wo));
  }
  // the reports kept that read what changed are dropped: a work order's
  // (its row written above), or the policy (or, to be sure, people and
  // supersedes: no figure of the report reads them today)
  for (auto& [wo, span] : spans) w.reports.dropFor(wo);
  for (auto& [kind, id] : s.dirty)
    if (kind == RecordKind::Policy || kind == RecordKind::Person || kind == RecordKind::Supersede) {
      w.reports.dropAll();
      break;
    }
  std::map<Id, std::int64_t> number;
  std::size_t written = 0;
  for (auto& [kind, id] : s.dirty) {
    Id wo;
    bool found = false;
    json body = recordJson(s, kind, id, wo, found);
    if (!found) continue;
    std::int64_t n = -1;
    if (!wo.empty() && bundleKind(kind)) {
      auto it = number.find(wo);
      if (it == number.end()) {
        it = number.emplace(wo, w.work_orders.numberOf(wo).value_or(-1)).first;
        if (it->second >= 0 && w.bundles) w.bundles->unpack(it->second);  // (its records rows again, first)
      }
      n = it->second;
    }
    if (before) before(kind, id, wo);
    const std::string stored = w.records.encode(canonical(body));  // issue 16: compressed once the store has a dictionary for them
    for (sql::Stmt* st : {&w.put, &w.upsert}) {  // (the second only if its work order's number changed)
      st->bind(1, kindCode(kind)).bind(2, id);
      if (n < 0) st->bindNull(3); else st->bind(3, n);
      BodyStore::bindStored(*st, 4, stored);
      st->run();
      if (w.db.changes() > 0) break;
    }
    if (between && ++written % 256 == 0) between();
  }
}
}  // namespace

void Store::writeDirty() {
  ++generation_;
  std::function<void(RecordKind, const Id&, const Id&)> before;
  if (journal_.on)
    before = [this](RecordKind kind, const Id& id, const Id& wo) {
      if (!journal_.on || journal_.before.count({kind, id})) return;  // issue 16: as it was when last in step with the hub
      auto& q = st_->recordAsStored;
      q.bind(1, kindCode(kind)).bind(2, id);
      Journal::Before b{wo, std::nullopt, std::nullopt};
      if (q.step()) {
        b.body = st_->records.decode(q.text(0));
        if (!q.isNull(1)) b.number = q.integer(1);
      }
      q.reset();
      journal_.bytes += id.size() + wo.size() + (b.body ? b.body->size() : 0) + 96;
      journal_.before.emplace(std::make_pair(kind, id), std::move(b));
      journal_added_.emplace_back(kind, id);
      if (journal_.bytes > kJournalBytes) journal_ = Journal{};  // a rebase replays the whole log until next in step
    };
  writeRecords({*db_, *work_orders_, *reports_, st_->records, st_->putRecordBody, st_->upsertRecord, bundles_.get()}, shop_, before);
  shop_.dirty.clear();
}

StoredEvent Store::appendEvent(const Action& a, Millis now) {
  StoredEvent e;
  e.id = uuid_.next(now, entropy_.random8());
  e.origin = kiosk_id_;
  e.origin_seq = own_seq_ + 1;  // gap-free: only ever the next one, inside the transaction
  e.wall_ms = now;
  e.hlc = hlc_.tick(now);
  e.type = std::string(actionType(a));
  e.body = canonical(toJson(a));
  chain_head_ = insertEvent(st_->insertEvent, e);
  e.pos = sqlite3_last_insert_rowid(db_->raw());
  return e;
}

namespace {
std::string hexOf(const Hash& h) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * h.size());
  for (std::uint8_t c : h) { s += hex[c >> 4]; s += hex[c & 15]; }
  return s;
}

bool headFromHex(const std::string& s, Hash& out) {
  if (s.size() != 64) return false;
  auto nib = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
  Hash h{};
  for (std::size_t i = 0; i < h.size(); ++i) {
    const int hi = nib(s[2 * i]), lo = nib(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    h[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  out = h;
  return true;
}
}  // namespace

void Store::noteChainHead(const Hash& before) {
  // the last hash also kept apart: events cut from the end of the log show
  if (chain_head_ != before) st_->setChainHead.bind(1, hexOf(chain_head_)).run();
}

Hash Store::insertEvent(sql::Stmt& st, const StoredEvent& e) {
  const Hash h = chainHash(chain_head_, e);
  auto run = [&] {
    st.bindBlob(1, e.id.data(), 16).bind(2, e.origin).bind(3, e.origin_seq).bind(4, e.wall_ms).bind(5, e.hlc);
    logcodes::bindType(st, 6, e.type);  // issue 16 (v22): its number
    st_->bodies.bind(st, 7, e.body);    // issue 16: compressed once the store has its dictionary
    st.bindBlob(8, h.data(), static_cast<int>(kChainPrefix)).run();  // issue 16: its first bytes; the head whole
  };
  // issue 16 (v22): the origin by its number, its name added before its
  // first event (and again should a rollback have taken it back since)
  st_->addOrigin(e.origin);
  try {
    run();
  } catch (const sql::SqliteError& x) {
    if (x.code != SQLITE_CONSTRAINT_NOTNULL) throw;
    st_->addOrigin(e.origin, true);
    run();
  }
  return h;
}

Hash Store::chainThrough(std::int64_t pos) const {
  Hash h{};
  for (std::int64_t after = 0;;) {
    auto batch = events(after, 1000);
    if (batch.empty()) return h;
    for (auto& e : batch) {
      if (e.pos > pos) return h;
      h = chainHash(h, e);
    }
    after = batch.back().pos;
  }
}

// The chain's SQL, named (the chain, verify and the device signatures).
namespace chainsql {
// the hash of the last event before a position (the event log's primary key)
inline constexpr const char* kLastBefore = "SELECT chain, pos FROM events WHERE pos < ?1 ORDER BY pos DESC LIMIT 1";
inline constexpr const char* kFirstUnchained = "SELECT COALESCE(MIN(pos), 1) FROM events WHERE chain IS NULL";
inline constexpr const char* kSet = "UPDATE events SET chain = ?2 WHERE pos = ?1";
// every event with its kept hash, in the log's order
inline constexpr const char* kAll =
    "SELECT pos, event_id, (SELECT name FROM origins WHERE n = events.origin), origin_seq, wall_ms, hlc, type, body, chain "
    "FROM events ORDER BY pos";
// the bodies of the events of one type (enrol_client: the device keys the log gave)
inline constexpr const char* kBodiesOfType = "SELECT body FROM events WHERE type = ?1";
// each kept device batch, its key whole (by its number since issue 16, kept whole before)
inline constexpr const char* kDeviceBatches =
    "SELECT (SELECT name FROM origins WHERE n = b.origin), b.first_seq, b.last_seq, COALESCE(k.key, b.device_key), b.hashes, b.sig "
    "FROM device_batches b LEFT JOIN device_keys k ON typeof(b.device_key) = 'integer' AND k.id = b.device_key ORDER BY b.id";
// one origin's events in a range of its sequence (the (origin, origin_seq) index)
// every event's origin, number and type, in the log's order (what no device signature covers)
inline constexpr const char* kAllOrigins =
    "SELECT pos, (SELECT name FROM origins WHERE n = events.origin), origin_seq, type FROM events ORDER BY pos";
inline constexpr const char* kChainAt = "SELECT chain FROM events WHERE pos = ?1";
// where an event is (its id: the events' unique index)
inline constexpr const char* kWhereIs =
    "SELECT pos, (SELECT name FROM origins WHERE n = events.origin), origin_seq FROM events WHERE event_id = ?1";
inline constexpr const char* kOriginRange =
    "SELECT pos, event_id, (SELECT name FROM origins WHERE n = events.origin), origin_seq, wall_ms, hlc, type, body "
    "FROM events WHERE origin = (SELECT n FROM origins WHERE name = ?1) AND origin_seq BETWEEN ?2 AND ?3 ORDER BY origin_seq";
}  // namespace chainsql

void Store::fillChain() {
  // The head kept apart wins: the next event chains from the last one
  // written, not the last one left, and nothing is re-hashed — a removed
  // hash or events cut from the end stay evident.
  if (headFromHex(meta("chain_head"), chain_head_)) return;
  // A log from before the head was kept: every event written since schema
  // v5 has its hash; only a log older than the chain ends in events
  // without one. Chain those from the first.
  sql::Stmt last(*db_, chainsql::kLastBefore);
  auto headBefore = [&](std::int64_t pos) {  // the hash of the last event before pos; false: it has none
    last.bind(1, pos);
    const bool found = last.step() && !last.isNull(0);
    if (found) {
      auto raw = last.blob(0);
      if (raw.size() == chain_head_.size()) std::copy_n(raw.begin(), raw.size(), chain_head_.begin());
      else chain_head_ = chainThrough(last.integer(1));  // only its first bytes kept (issue 16): made again
    }
    last.reset();
    return found;
  };
  if (headBefore(INT64_MAX) || lastPos() == 0) return;
  const std::int64_t from = db_->scalarInt(chainsql::kFirstUnchained);
  headBefore(from);
  const Hash before = chain_head_;
  sql::Tx tx(*db_);
  sql::Stmt set(*db_, chainsql::kSet);
  for (std::int64_t after = from - 1;;) {
    auto batch = events(after, 1000);
    if (batch.empty()) break;
    for (auto& e : batch) {
      chain_head_ = chainHash(chain_head_, e);
      set.bind(1, e.pos).bindBlob(2, chain_head_.data(), static_cast<int>(kChainPrefix)).run();
    }
    after = batch.back().pos;
  }
  noteChainHead(before);
  tx.commit();
}

std::int64_t Store::verifyChain() const {
  Hash prev{};
  std::int64_t last = 0;
  sql::Stmt q(*db_, chainsql::kAll);
  while (q.step()) {
    StoredEvent e;
    try {
      e = readEvent(q, st_->bodies);
    } catch (const bodies::DamagedBody&) {
      return q.integer(0);  // a body that does not read back is not what was chained
    }
    const auto stored = q.blob(8);
    const Hash h = chainHash(prev, e);
    // each event keeps the first bytes of its hash (issue 16; whole before)
    if ((stored.size() != h.size() && stored.size() != kChainPrefix) || !std::equal(stored.begin(), stored.end(), h.begin()))
      return e.pos;
    prev = h;
    last = e.pos;
  }
  // the log ends where its last hash says: nothing cut from the end
  const std::string head = meta("chain_head");
  if (!head.empty() && head != hexOf(prev)) return last + 1;
  return 0;
}

std::vector<Finding> Store::verifyDevices(const std::map<Id, std::string>& more) const {
  std::vector<Finding> out;
  // the device keys the hub's log gave each origin (enrol_client events),
  // and those the caller knows (the hub's own)
  std::map<Id, std::set<std::string>> keys;
  for (const auto& [origin, key] : more) keys[origin].insert(key);
  {
    sql::Stmt q(*db_, chainsql::kBodiesOfType);
    q.bind(1, static_cast<std::int64_t>(*logcodes::typeCode("enrol_client")));
    while (q.step()) {
      std::string body;
      try {
        body = st_->bodies.decode(q.text(0));
      } catch (const bodies::DamagedBody&) {  // the chain shows it
      }
      const json j = json::parse(body, nullptr, false);
      if (!j.is_object() || !j.contains("client")) continue;
      try {
        const Client c = j.at("client").get<Client>();
        if (!c.device_key.empty()) keys[c.id].insert(c.device_key);
      } catch (const json::exception&) {
      }
    }
  }
  // Every kept batch signature, one at a time, against the events it covers
  // as stored now (issue 16: memory does not grow with the log). What each
  // covers is kept as runs of sequence numbers, by origin.
  std::map<Id, std::map<std::int64_t, std::int64_t>> covered;  // origin → first → last
  // (the key named by its number since issue 16, kept whole before)
  sql::Stmt b(*db_, chainsql::kDeviceBatches);
  sql::Stmt range(*db_, chainsql::kOriginRange);
  while (b.step()) {
    const Id origin = b.text(0);
    const std::int64_t first = b.integer(1), last = b.integer(2);
    const std::string key = storedHex(b, 3, 32), sig = storedHex(b, 5, 64);
    const auto raw = b.blob(4);
    const std::string span = " over " + origin + " " + std::to_string(first) + "–" + std::to_string(last);
    const auto n = static_cast<std::size_t>(std::max<std::int64_t>(0, last - first + 1));
    // the signed hashes in full, or (issue 16) only their first bytes, the
    // events stored being exactly what was signed when the batch was kept
    const bool full = raw.size() == 32 * n, prefixes = raw.size() == kHashPrefix * n;
    if (n == 0 || (!full && !prefixes)) {
      out.push_back({0, origin, first, "a device signature's list of events is damaged" + span});
      continue;
    }
    if (!keys.count(origin)) continue;  // no key known for it here (the hub's own, without its key): not checked
    if (!keys[origin].count(key)) {
      out.push_back({0, origin, first, "a device signature with a key the log never gave this device" + span});
      continue;
    }
    std::vector<StoredEvent> stored;
    std::vector<bool> damaged;
    range.bind(1, origin).bind(2, first).bind(3, last);
    while (range.step()) {
      try {
        stored.push_back(readEvent(range, st_->bodies));
        damaged.push_back(false);
      } catch (const bodies::DamagedBody&) {
        StoredEvent e;
        e.pos = range.integer(0), e.origin = origin, e.origin_seq = range.integer(3);
        stored.push_back(e);
        damaged.push_back(true);
      }
    }
    range.reset();
    auto notWritten = [&](const StoredEvent& e) {
      out.push_back({e.pos, e.origin, e.origin_seq, "the device signature does not verify: it is not what " + e.origin + " wrote"});
    };
    std::vector<EventHash> signedHashes(n);
    if (full) {
      for (std::size_t i = 0; i < n; ++i) std::copy_n(raw.begin() + static_cast<std::ptrdiff_t>(32 * i), 32, signedHashes[i].begin());
    } else {
      if (stored.size() != n) {
        out.push_back({0, origin, first, "a device signature covers events the log no longer holds" + span});
        continue;
      }
      for (std::size_t i = 0; i < n; ++i) signedHashes[i] = damaged[i] ? EventHash{} : envelopeHash(stored[i]);
    }
    if (!verifyBytes(key, batchMessage(origin, signedHashes), sig)) {
      // with prefixes: the events whose hash no longer starts as signed
      bool named = false;
      for (std::size_t i = 0; prefixes && i < n; ++i) {
        if (!std::equal(raw.begin() + static_cast<std::ptrdiff_t>(kHashPrefix * i),
                        raw.begin() + static_cast<std::ptrdiff_t>(kHashPrefix * (i + 1)), signedHashes[i].begin())) {
          notWritten(stored[i]);
          named = true;
        }
      }
      if (!named) {
        out.push_back({0, origin, first, "a device signature does not verify" + span});
        continue;
      }
    }
    if (full) {  // each stored event against what its device signed
      for (std::size_t i = 0; i < stored.size(); ++i) {
        const StoredEvent& e = stored[i];
        if (e.tombstone()) continue;  // refused input: kept as a tombstone in its place
        if (damaged[i] || signedHashes[static_cast<std::size_t>(e.origin_seq - first)] != envelopeHash(e)) notWritten(e);
      }
    }
    auto& runs = covered[origin];
    runs[first] = std::max(runs[first], last);
  }
  // merge each origin's runs: the numbers some signature covers
  for (auto& [origin, runs] : covered) {
    std::map<std::int64_t, std::int64_t> merged;
    for (auto [f, l] : runs) {
      if (!merged.empty() && f <= std::prev(merged.end())->second + 1) {
        auto& tail = std::prev(merged.end())->second;
        tail = std::max(tail, l);
      } else {
        merged[f] = l;
      }
    }
    runs = std::move(merged);
  }
  // every stored event of a signing device after its first signed one
  sql::Stmt q(*db_, chainsql::kAllOrigins);
  while (q.step()) {
    const Id origin = q.text(1);
    if (!keys.count(origin) || logcodes::typeAt(q, 3) == kRefusedType) continue;  // the hub's own, before device keys; refused input
    const auto it = covered.find(origin);
    if (it == covered.end() || it->second.empty()) continue;
    const std::int64_t seq = q.integer(2);
    auto run = it->second.upper_bound(seq);
    if (run == it->second.begin()) continue;  // before the device signed anything
    if (seq > std::prev(run)->second) out.push_back({q.integer(0), origin, seq, "no device signature covers it"});
  }
  return out;
}

std::string Store::chainAt(std::int64_t pos) const {
  sql::Stmt q(*db_, chainsql::kChainAt);
  q.bind(1, pos);
  if (!q.step() || q.isNull(0)) return {};
  const auto raw = q.blob(0);
  if (raw.size() == chain_head_.size()) return toHexBytes(raw.data(), raw.size());
  if (pos == lastPos()) return meta("chain_head");
  return hexOf(chainThrough(pos));  // issue 16: only its first bytes kept, the hash made again from the log
}

std::string Store::chainHead() const { return lastPos() == 0 ? std::string() : hexOf(chain_head_); }

std::vector<Finding> Store::verifyWitnesses(const std::vector<Witness>& heads, const std::string& hub_key) const {
  std::vector<Finding> out;
  for (const Witness& w : heads) {
    const std::string where = "a head signed at " + std::to_string(w.at) + " by " + w.hub;
    if (w.key != hub_key) continue;  // another hub's (another shop, or before a new hub key): not this log's to answer
    if (!verifyBytes(w.key, headMessage(w.hub, w.pos, w.head, w.at), w.sig)) {
      out.push_back({w.pos, w.hub, 0, where + ": its signature does not verify (the witness file was altered)"});
      continue;
    }
    const std::string mine = chainAt(w.pos);
    if (mine.empty()) out.push_back({w.pos, w.hub, 0, where + ": the log has no event at this position any more"});
    else if (mine != w.head) out.push_back({w.pos, w.hub, 0, where + ": the witness head disagrees: the log up to here was rewritten"});
  }
  return out;
}

std::vector<Finding> Store::verifyPersonSignatures() const { return checkLog().people; }

std::vector<Finding> Store::signatureFindings(const Shop& replay) const {
  std::vector<Finding> out;
  sql::Stmt q(*db_, chainsql::kWhereIs);
  for (const auto& [id, item] : replay.reviews) {
    if (item.reason != Reason::SignatureInvalid || id.size() != 3 + 32) continue;
    Uuid event{};
    if (!fromHex(id.substr(3), event)) continue;
    q.bindBlob(1, event.data(), 16);
    if (q.step()) out.push_back({q.integer(0), q.text(1), q.integer(2), "the person signature does not verify (" + item.action + ")"});
    q.reset();
  }
  std::sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) { return a.pos < b.pos; });
  return out;
}

void Store::backupTo(const std::string& path) const {
  sql::Db target(path);
  sqlite3_backup* b = sqlite3_backup_init(target.raw(), "main", db_->raw(), "main");
  if (!b) throw sql::SqliteError(sqlite3_errcode(target.raw()), "backup: " + std::string(sqlite3_errmsg(target.raw())));
  int rc;
  do {
    rc = sqlite3_backup_step(b, 256);  // in steps, so writers are not held up for long
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(5);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) throw sql::SqliteError(rc, "backup failed: " + std::string(sqlite3_errstr(rc)));
}

Recorded Store::record(Action a, Millis now) {
  // the limits the hub applies to every pushed event, checked before
  // anything is recorded: an honest kiosk never makes an event it refuses
  {
    const json body = toJson(a);
    if (auto bad = limits::checkStrings(body)) return {Outcome::no(Reason::BadInput, *bad), std::nullopt};
    if (canonical(body).size() > limits::kMaxEventBytes)
      return {Outcome::no(Reason::BadInput, "larger than " + std::to_string(limits::kMaxEventBytes) + " bytes"), std::nullopt};
  }
  // issue 11: what this kiosk was not enrolled to do, it does not record
  // (the hub would quarantine it)
  if (auto r = scopeRefusal(shop_, kiosk_id_, a)) return {Outcome{std::move(r)}, std::nullopt};
  maybeTrim(now);
  bringIn(a);  // issue 16: the past the action names, before the rules read it
  Outcome o = check(shop_, a);
  if (!o) return {o, std::nullopt};
  shop_.dirty.clear();
  const Hlc savedHlc = hlc_;
  const UuidV7 savedUuid = uuid_;
  const Hash savedHead = chain_head_;
  journal_added_.clear();
  try {
    sql::Tx tx(*db_);
    bk::apply(shop_, a);
    writeDirty();
    StoredEvent e = appendEvent(a, now);
    if (own_signer_) keepOwnSignature(e);
    noteChainHead(savedHead);
    tx.commit();
    own_seq_ = e.origin_seq;
    seq_of_origin_[kiosk_id_] = own_seq_;
    st_->keepCompact();  // issue 16: committed; the log's bodies kept small
    return {Outcome::ok(), e};
  } catch (...) {
    // The transaction rolled back: put memory back to what the disk holds.
    hlc_ = savedHlc;
    uuid_ = savedUuid;
    chain_head_ = savedHead;
    shop_ = loadWorkingSet();
    ++generation_;
    journalRollback();
    throw;
  }
}

Recorded Store::sign(Action a, const Id& signer, const std::string& pin, Millis now) {
  if (!signatureOf(a)) return {Outcome::no(Reason::BadInput, "not a signed action"), std::nullopt};
  if (Outcome o = checkPin(signer, pin, now, true); !o) return {o, std::nullopt};
  Outcome why = Outcome::ok();
  const std::optional<KeyPair> key = unlockKey(signer, pin, now, why);
  if (!key) return {why, std::nullopt};
  // issue 11: the signer's own key signs exactly what is recorded
  signAction(a, signer, now, *key);
  return record(std::move(a), now);
}

std::optional<KeyPair> Store::unlockKey(const Id& person, const std::string& pin, Millis now, Outcome& why) {
  const Person* p = shop_.person(person);
  if (!p) {
    why = Outcome::no(Reason::UnknownPerson, person);
    return std::nullopt;
  }
  Seed seed{};
  struct Wipe { Seed& s; ~Wipe() { sodium_memzero(s.data(), s.size()); } } wipe{seed};
  if (const PersonKey* k = p->currentKey()) {
    if (hasher_.unseal(k->sealed, k->salt, pin, seed)) return KeyPair(seed);
    // the PIN is right but the key was sealed under another (set elsewhere
    // without it): a service manager resets it
    why = Outcome::no(Reason::WrongPin, person + ": the signing key does not open with this PIN");
    return std::nullopt;
  }
  // their first key (a new person, or one from before signature keys),
  // made where they enter their PIN
  randombytes_buf(seed.data(), seed.size());
  KeyPair kp(seed);
  const PinHasher::Sealed sealed = hasher_.seal(seed, pin);
  Recorded r = record(registration(person, kp, sealed.sealed, sealed.salt, now), now);
  if (!r) {
    why = r.outcome;
    return std::nullopt;
  }
  return kp;
}

void Store::putCredential(const Id& person, const std::string& pin) {
  st_->upsertCredential.bind(1, person).bind(2, hasher_.hash(pin)).run();
}

Outcome Store::newPinAllowed(const std::string& pin) const {
  // issue 11: the shop's policy (6 digits by default); 4 are never enough
  const std::size_t shortest = static_cast<std::size_t>(std::clamp(shop_.policy.pin_length, 5, 8));
  if (!PinHasher::wellFormed(pin) || pin.size() < shortest)
    return Outcome::no(Reason::BadInput, "pin: " + std::to_string(shortest) + " to 8 digits");
  return Outcome::ok();
}

Outcome Store::setPin(const Id& person, const std::string& pin, Millis now) {
  const Person* p = shop_.person(person);
  if (!p) return Outcome::no(Reason::UnknownPerson, person);
  if (Outcome o = newPinAllowed(pin); !o) return o;
  if (const PersonKey* k = p->currentKey()) {
    Seed seed{};
    const bool opens = hasher_.unseal(k->sealed, k->salt, pin, seed);
    sodium_memzero(seed.data(), seed.size());
    if (!opens) return Outcome::no(Reason::BadInput, person + " has a signing key: change the PIN with the old one, or reset it");
  } else {
    Outcome why = Outcome::ok();
    if (!unlockKey(person, pin, now, why)) return why;
  }
  putCredential(person, pin);
  return Outcome::ok();
}

Outcome Store::changePin(const Id& person, const std::string& old_pin, const std::string& new_pin, Millis now) {
  if (Outcome o = newPinAllowed(new_pin); !o) return o;
  if (Outcome o = checkPin(person, old_pin, now); !o) return o;
  Outcome why = Outcome::ok();
  const std::optional<KeyPair> key = unlockKey(person, old_pin, now, why);
  if (!key) return why;
  // the same key, sealed under the new PIN
  Seed seed{};
  std::copy_n(key->secret.begin(), seed.size(), seed.begin());
  const PinHasher::Sealed sealed = hasher_.seal(seed, new_pin);
  sodium_memzero(seed.data(), seed.size());
  Recorded r = record(registration(person, *key, sealed.sealed, sealed.salt, now), now);
  if (!r) return r.outcome;
  putCredential(person, new_pin);
  return Outcome::ok();
}

Outcome Store::resetPin(const Id& person, const std::string& new_pin, const Id& approver, const std::string& approver_pin,
                        Millis now) {
  if (!shop_.person(person)) return Outcome::no(Reason::UnknownPerson, person);
  if (Outcome o = newPinAllowed(new_pin); !o) return o;
  if (Outcome o = checkPin(approver, approver_pin, now, true); !o) return o;
  Outcome why = Outcome::ok();
  const std::optional<KeyPair> approverKey = unlockKey(approver, approver_pin, now, why);
  if (!approverKey) return why;
  // a new key: whoever knew the old PIN cannot sign with it any more
  Seed seed{};
  randombytes_buf(seed.data(), seed.size());
  KeyPair kp(seed);
  const PinHasher::Sealed sealed = hasher_.seal(seed, new_pin);
  sodium_memzero(seed.data(), seed.size());
  RegisterKey reg = registration(person, kp, sealed.sealed, sealed.salt, now);
  approveRegistration(reg, approver, now, *approverKey);
  Recorded r = record(std::move(reg), now);
  if (!r) return r.outcome;
  putCredential(person, new_pin);
  st_->setFailures.bind(1, person).bind(2, 0).bind(3, 0).run();
  return Outcome::ok();
}

Outcome Store::checkPin(const Id& person, const std::string& pin, Millis now, bool signing) {
  const Person* who = shop_.person(person);
  if (!who) return Outcome::no(Reason::UnknownPerson, person);
  if (!who->active) return Outcome::no(Reason::PersonRetired, person);  // issue 13
  // issue 11: wrong PINs anywhere in the shop lock the person out here too
  if (auto until = pinLockedUntil(shop_, person, now)) return Outcome::no(Reason::LockedOut, std::to_string(*until));
  // every wrong PIN is an event: the lock-out holds in the whole shop once
  // it has synced, and the foreman sees the attempts
  auto failed = [&] {
    (void)record(PinFailed{person, kiosk_id_, signing, now}, now);
    return pinLockedUntil(shop_, person, now);
  };
  auto& q = st_->selectCredential;
  q.bind(1, person);
  const bool row = q.step();
  const std::string stored = row ? q.text(0) : std::string();
  const auto failures = row ? q.integer(1) : 0;
  const Millis locked_until = row ? q.integer(2) : 0;
  q.reset();
  // Issue 13: the PIN is the one their signing key is sealed under, as the
  // log holds it: a PIN chosen or changed at any kiosk works at every kiosk
  // once synced. Only someone without a key is checked against the hash.
  const PersonKey* key = who->currentKey();
  const bool sealedKey = key && !key->sealed.empty();
  if (!row && !sealedKey) return Outcome::no(Reason::WrongPin, person);
  if (now < locked_until) return Outcome::no(Reason::LockedOut, std::to_string(locked_until));
  bool right = false;
  if (sealedKey) {
    Seed seed{};
    right = hasher_.unseal(key->sealed, key->salt, pin, seed);
    sodium_memzero(seed.data(), seed.size());
  } else {
    right = PinHasher::wellFormed(pin) && hasher_.verify(stored, pin);
  }
  if (right) {
    if (failures != 0) st_->setFailures.bind(1, person).bind(2, 0).bind(3, 0).run();
    return Outcome::ok();
  }
  const auto n = failures + 1;
  const auto& pol = hasher_.policy();
  const std::optional<Millis> shopWide = failed();
  if (n >= pol.max_failures) {
    st_->setFailures.bind(1, person).bind(2, 0).bind(3, now + pol.lockout).run();
    return Outcome::no(Reason::LockedOut, std::to_string(now + pol.lockout));
  }
  st_->setFailures.bind(1, person).bind(2, n).bind(3, 0).run();
  if (shopWide) return Outcome::no(Reason::LockedOut, std::to_string(*shopWide));
  return Outcome::no(Reason::WrongPin, person);
}

std::vector<std::pair<Id, std::string>> Store::pinHashes() const {
  std::vector<std::pair<Id, std::string>> out;
  sql::Stmt q(*db_, kPinHashes);
  while (q.step()) out.emplace_back(q.text(0), q.text(1));
  return out;
}

void Store::putPinHash(const Id& person, const std::string& hash) {
  if (!hasher_.ownParameters(hash)) return;  // only Argon2id strings with this product's own parameters
  sql::Stmt q(*db_, kTakePinHash);
  q.bind(1, person).bind(2, hash).run();
}

SignIn Store::signInPin(const Id& person, const std::string& pin, Millis now) {
  Outcome o = checkPin(person, pin, now);
  // issue 11: someone from before signature keys gets theirs now
  if (o && !shop_.person(person)->currentKey()) {
    Outcome why = Outcome::ok();
    (void)unlockKey(person, pin, now, why);
  }
  return {o, o ? person : Id{}};
}

SignIn Store::signInBadge(const std::string& badge, Millis) {
  if (badge.empty()) return {Outcome::no(Reason::UnknownBadge), {}};
  // issue 13: a leaver's badge signs nobody in (unless it went to someone new)
  bool retired = false;
  for (auto& [id, p] : shop_.people)
    if (p.badge == badge) {
      if (p.active) return {Outcome::ok(), id};
      retired = true;
    }
  return {retired ? Outcome::no(Reason::PersonRetired) : Outcome::no(Reason::UnknownBadge), {}};
}

bool Store::setupPending(const Id& person, Millis now) const { return bk::setupPending(shop_, person, now); }

std::pair<std::string, IssueSetupCode> Store::makeSetupCode(const Id& person, const Id& by, Millis now) {
  std::string code(8, '0');
  for (char& c : code) c = static_cast<char>('0' + randombytes_uniform(10));
  IssueSetupCode a;
  a.code = "sc-" + toHex(uuid_.next(now, entropy_.random8())).substr(0, 20);
  a.person = person;
  a.hash = hasher_.hash(code);
  a.at = now;
  a.expires_at = now + Millis{std::clamp(shop_.policy.setup_code_days, 1, 90)} * 24 * 3'600'000;
  a.by = by;
  return {code, a};
}

Outcome Store::setupPin(const Id& person, const std::string& code, const std::string& pin, Millis now) {
  const Person* p = shop_.person(person);
  if (!p) return Outcome::no(Reason::UnknownPerson, person);
  if (!p->active) return Outcome::no(Reason::PersonRetired, person);
  if (auto until = pinLockedUntil(shop_, person, now)) return Outcome::no(Reason::LockedOut, std::to_string(*until));
  if (!setupPending(person, now)) return Outcome::no(Reason::SetupCodeInvalid, person);
  if (Outcome o = newPinAllowed(pin); !o) return o;
  const SetupCode sc = shop_.setup_codes.at(person);
  if (!PinHasher::wellFormed(code) || !hasher_.verify(sc.hash, code)) {
    // like a wrong PIN: recorded, and the shop-wide lock-out counts it
    (void)record(PinFailed{person, kiosk_id_, false, now}, now);
    if (auto until = pinLockedUntil(shop_, person, now)) return Outcome::no(Reason::LockedOut, std::to_string(*until));
    return Outcome::no(Reason::SetupCodeInvalid, person);
  }
  Seed seed{};
  randombytes_buf(seed.data(), seed.size());
  KeyPair kp(seed);
  const PinHasher::Sealed sealed = hasher_.seal(seed, pin);
  sodium_memzero(seed.data(), seed.size());
  Recorded r = record(registration(person, kp, sealed.sealed, sealed.salt, now, sc.id), now);
  if (!r) return r.outcome;
  putCredential(person, pin);
  st_->setFailures.bind(1, person).bind(2, 0).bind(3, 0).run();
  return Outcome::ok();
}

std::vector<StoredEvent> Store::events(std::int64_t after, int limit) const {
  std::vector<StoredEvent> out;
  auto& q = st_->selectEvents;
  q.bind(1, after).bind(2, limit);
  while (q.step()) {
    out.push_back(readEvent(q, st_->bodies));
  }
  q.reset();
  return out;
}

std::int64_t Store::lastOwnSeq() const { return own_seq_; }

std::vector<StoredEvent> Store::ownEventsAfter(std::int64_t seq, int limit) const {
  std::vector<StoredEvent> out;
  sql::Stmt q(*db_, metasql::kOwnAfter);
  q.bind(1, kiosk_id_).bind(2, seq).bind(3, limit);
  while (q.step()) {
    out.push_back(readEvent(q, st_->bodies));
  }
  return out;
}

// Issue 16: the log's latest HLC without a pass over a million events at
// every start: the maximum through a position is kept in meta as the store
// opens, and only the events after it are read (the log only grows; a kept
// position past the log's end is not trusted).
std::int64_t Store::latestHlc() {
  std::int64_t through = 0, most = 0;
  const std::string kept = meta("hlc_through");  // "<pos> <hlc>"
  const std::int64_t last = db_->scalarInt(metasql::kLastPos);
  if (std::sscanf(kept.c_str(), "%" SCNd64 " %" SCNd64, &through, &most) != 2 || through > last || through < 0) through = most = 0;
  sql::Stmt q(*db_, metasql::kLatestHlcAfter);
  q.bind(1, through);
  if (q.step()) most = std::max(most, q.integer(0));
  if (last != through) setMeta("hlc_through", std::to_string(last) + " " + std::to_string(most));
  return most;
}

std::string Store::meta(const std::string& key) const {
  sql::Stmt q(*db_, metasql::kGet);
  q.bind(1, key);
  return q.step() ? q.text(0) : std::string();
}

void Store::setMeta(const std::string& key, const std::string& value) {
  sql::Stmt q(*db_, metasql::kSet);
  q.bind(1, key).bind(2, value).run();
}

std::int64_t Store::lastSeqOf(const Id& origin) const {
  auto it = seq_of_origin_.find(origin);
  return it == seq_of_origin_.end() ? 0 : it->second;
}

std::int64_t Store::eventCount() const { return db_->scalarInt(metasql::kEventCount); }
std::string Store::integrityCheck() const { return db_->scalarText("PRAGMA integrity_check"); }

std::int64_t Store::lastPos() const { return db_->scalarInt(metasql::kLastPos); }

Remote Store::ingestRemote(const StoredEvent& e, Millis now) {
  auto r = ingestBatch({e}, now);
  return r.front();
}

template <typename F>
void Store::atomically(F&& body) {
  const Hlc savedHlc = hlc_;
  const auto savedSeqs = seq_of_origin_;
  const std::int64_t savedOwn = own_seq_;
  const Hash savedHead = chain_head_;
  Journal savedJournal = journal_;  // (a rebase or a new clean point may replace it; small while in step)
  journal_added_.clear();
  try {
    sql::Tx tx(*db_);
    shop_.dirty.clear();
    body();
    noteChainHead(savedHead);
    tx.commit();
  } catch (...) {
    // rolled back: memory goes back to what the disk holds
    hlc_ = savedHlc;
    seq_of_origin_ = savedSeqs;
    own_seq_ = savedOwn;
    chain_head_ = savedHead;
    shop_ = loadWorkingSet();
    ++generation_;
    journal_ = std::move(savedJournal);
    throw;
  }
  st_->keepCompact();  // issue 16: committed; the log's bodies kept small
}

void Store::forgetHubOrder() {
  db_->exec(placesql::kForgetAll);
  hub_held_.clear();  // (another hub's positions)
  verdicts_from_.reset();
  cursors_->forgetPlacement();
  if (base_pos_) {
    // (its records stay where every replay starts, until a snapshot of the
    // new hub's replaces them: the hub's word is now another's)
    db_->exec(snapsql::kForgetBasePos);
    base_pos_ = 0;
    doubtBase();
  }
}

std::int64_t Store::unplacedOwn() const {
  sql::Stmt q(*db_, placesql::kUnplacedOwn);
  q.bind(1, kiosk_id_);
  return q.step() ? q.integer(0) : 0;
}

bool Store::markRefused(std::int64_t seq, const std::string& detail) {
  bool marked = false;
  atomically([&] {
    sql::Stmt q(*db_, placesql::kMarkOwnRefused);
    q.bind(1, kiosk_id_).bind(2, seq).bind(3, detail.empty() ? std::string("refused") : detail).run();
    marked = db_->changes() == 1;
    // rare (a bug at a bay): the view without it, from where this store was
    // last in step with the hub, or from the whole log
    if (marked && !rebaseSinceClean()) replaceRecords(rebuildFromEvents());
  });
  return marked;
}

// ---- issue 16: the rebase journal ---------------------------------------------

void Store::noteIfClean() {
  if (!opts_.takes_hub_order || cursors_->placement().rebase_from) return;
  if (db_->scalarInt(logsql::kAnyUnplaced)) return;
  journal_ = Journal{};
  journal_.on = true;
  journal_.clean_hub = std::max(db_->scalarInt(logsql::kLastPlaced), base_pos_.value_or(0));
  // (no rebase replays what the hub placed up to here again with its word)
  hub_held_.erase(hub_held_.begin(), hub_held_.upper_bound(journal_.clean_hub));
  if (verdicts_from_) verdicts_from_ = std::max(*verdicts_from_, journal_.clean_hub + 1);
}

void Store::journalRollback() {
  if (journal_.on)
    for (const auto& key : journal_added_) journal_.before.erase(key);
  journal_added_.clear();
}

std::optional<std::int64_t> Store::rebaseSinceClean() {
  if (!journal_.on) return std::nullopt;
  // the records as they were when last in step with the hub: their work
  // orders into memory first (whole), then each put back, on disk and here
  std::set<Id> owners;
  for (auto& [key, b] : journal_.before)
    if (!b.wo.empty()) owners.insert(b.wo);
  bringInWhole(owners);
  // the reports kept that read one of them, by its span as it is now (it
  // only widens, and a work order the rebase takes away has none after);
  // what the replay changes drops its own as it is written, as any write
  // does (not every report kept: a shop's years of them, under the lock)
  for (const Id& wo : owners) reports_->dropFor(wo);
  for (const Id& wo : owners) unpack(wo);  // (v24: packed since, as it left memory)
  sql::Stmt del(*db_, placesql::kDeleteRecord);
  for (auto& [key, b] : journal_.before) {
    const auto& [kind, id] = key;
    eraseRecord(shop_, kind, id);
    if (!b.body) {
      if (kind == RecordKind::Policy) shop_.policy = opts_.policy;
      del.bind(1, kindCode(kind)).bind(2, id).run();
      if (kind == RecordKind::WorkOrder) work_orders_->remove(id);
      continue;
    }
    const json body = json::parse(*b.body);
    putRecord(shop_, kind, id, body);
    auto& up = st_->upsertRecord;
    up.bind(1, kindCode(kind)).bind(2, id);
    if (b.number) up.bind(3, *b.number); else up.bindNull(3);
    st_->records.bind(up, 4, *b.body);
    up.run();
    if (kind == RecordKind::WorkOrder) work_orders_->put(shop_.work_orders.at(id), 0, 0, false);  // (pinned: below)
  }
  shop_.reindex();
  // then the events since, in the hub's order, as they would be taken
  std::int64_t replayed = 0;
  rebase_otherwise_ = replayInto(
      shop_,
      [&](const Action* a, Millis) {
        ++replayed;
        if (a) bringIn(*a);
      },
      journal_.clean_hub);
  for (auto& [key, b] : journal_.before) shop_.dirty.insert(key);  // (their rows, pinned or not)
  writeDirty();
  ++generation_;
  return replayed;
}

// ---- issue 16: snapshots, what a new kiosk starts from ----------------------


namespace {
// A snapshot at `at` holds every work order with anything since here: the
// comeback window (the rules look back over it), and last month whole (in
// the first days of a month its report and fault slips are signed at a bay).
Millis snapshotHorizon(Millis at, const Policy& p) {
  const Millis window = at - Millis{std::max(kKioskKeptDays, p.comeback_days)} * 86'400'000;
  const auto lastMonth = calendarMonth(addMonths(monthOf(at, p.utc_offset_minutes), -1), p.utc_offset_minutes);
  return lastMonth ? std::min(window, lastMonth->first) : window;
}
}  // namespace

Snapshot Store::snapshot() const {
  Snapshot out;
  out.hub_pos = lastPos();
  out.hlc = hlc_.value;
  out.origins = seq_of_origin_;
  auto rows = [&](sql::Stmt& q) {
    while (q.step()) out.records.push_back({storedKind(q, 0), q.text(1), st_->records.decode(q.text(2))});
  };
  sql::Stmt ref(*db_, wsql::kReferenceRecords);
  rows(ref);
  // what a bay keeps of the work orders (its window), and every one it may
  // need to check a comeback against (the comeback window), as of the
  // latest event; and each open comeback's origin, however old
  sql::Stmt q(*db_, snapsql::kKioskWorkOrders);
  q.bind(1, snapshotHorizon(Hlc::wall(hlc_.value), shop_.policy));
  std::set<Id> wos = openComebackOrigins(shop_);
  while (q.step()) {
    wos.insert(q.text(0));
    if (!q.isNull(1)) wos.insert(q.text(1));
  }
  sql::Stmt bundle(*db_, wsql::kBundle);
  for (const Id& wo : wos) {
    bundle.bind(1, wo);
    rows(bundle);
    bundle.reset();
  }
  return out;
}

Store::Prepared Store::prepare(Snapshot&& snap) const {
  if (snap.hub_pos < 0) throw std::invalid_argument("snapshot: a negative hub position");
  Prepared p;
  Shop& s = p.shop;
  s.policy = opts_.policy;
  // the base as text, each body as it came (canonical): a snapshot is
  // megabytes, and a JSON tree of it ten times that
  std::string& records = p.records;
  records = "[";
  // first the text, each body let go as it is copied (the heap it frees is
  // what the records parsed next are made in); then each record parsed
  // from it
  std::vector<std::pair<std::size_t, std::size_t>> at;  // each body's place in it
  at.reserve(snap.records.size());
  for (SnapshotRecord& r : snap.records) {
    if (records.size() > 1) records += ',';
    records += "[" + std::to_string(static_cast<int>(r.kind)) + "," + json(r.id).dump() + ",";
    at.emplace_back(records.size(), r.body.size());
    records += r.body;
    records += ']';
    std::string().swap(r.body);
  }
  records += ']';
  try {
    for (std::size_t i = 0; i < at.size(); ++i) {
      const SnapshotRecord& r = snap.records[i];
      putRecord(s, r.kind, r.id, json::parse(std::string_view(records).substr(at[i].first, at[i].second)));
      p.all.insert({r.kind, r.id});
    }
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("snapshot: a record of the wrong shape: ") + e.what());
  }
  // every record of a work order's bundle names a work order it holds
  auto owned = [&](const auto& m, const char* what) {
    for (auto& [id, r] : m)
      if (!s.work_orders.count(r.wo)) throw std::invalid_argument(std::string("snapshot: ") + what + " " + id + " of a work order it lacks");
  };
  owned(s.operations, "operation");
  owned(s.entries, "time entry");
  owned(s.inspections, "inspection");
  owned(s.reworks, "rework");
  owned(s.incidents, "incident");
  owned(s.addons, "add-on");
  s.reindex();
  for (auto& [origin, seq] : snap.origins)
    if (seq < 0) throw std::invalid_argument("snapshot: a negative sequence number");
  snap.records = {};
  p.hub_pos = snap.hub_pos;
  p.hlc = snap.hlc;
  p.origins = std::move(snap.origins);
  return p;
}

namespace {
// Issue 16: writing what the hub sent, which it sends again if this is
// lost. It commits without waiting for the disk: WAL with synchronous
// NORMAL is atomic and consistent, and only a power cut or an OS crash can
// take back the last such commits, with the pull cursor that goes with
// them, so they are pulled again. The store's lock, which the screen draws
// under, is held for the writing only, not for an fsync (46 ms once at 2.5M
// events, with the disk busy). A bay's own events stay FULL, and the next
// FULL commit makes these durable too. (Not inside an open transaction:
// SQLite refuses it there, and the outer one decides.)
class HubWrites {
 public:
  explicit HubWrites(sql::Db& db) : db_(db), on_(sqlite3_get_autocommit(db.raw()) != 0) {
    if (on_) db_.exec("PRAGMA synchronous = NORMAL");
  }
  ~HubWrites() noexcept(false) {
    if (on_) db_.exec("PRAGMA synchronous = FULL");  // (never left NORMAL quietly)
  }
  HubWrites(const HubWrites&) = delete;
  HubWrites& operator=(const HubWrites&) = delete;

 private:
  sql::Db& db_;
  bool on_;
};
}  // namespace

// Issue 16: a snapshot staged beside the store: its own connection, its
// transaction open, and what memory takes at the swap.
struct StagedSnapshot::Impl {
  std::unique_ptr<sql::Db> db;
  std::optional<sql::Tx> tx;
  const std::atomic<bool>* yielded = nullptr;  // the store's: a write of its waited on this
  bool ready = false, again = false, committed = false;
  Shop shop;  // the snapshot's, those settled before its window let go (in SQLite); swapped: the old
  std::int64_t hub_pos = 0, hlc = 0;
  std::map<Id, std::int64_t> origins;
  ~Impl() {
    if (committed) {  // the WAL written back while nothing waits on it
      try {
        db->exec("PRAGMA wal_checkpoint(PASSIVE)");
      } catch (const std::exception&) {  // (the store's own commits do it then)
      }
    }
  }
};

StagedSnapshot::StagedSnapshot() = default;
StagedSnapshot::~StagedSnapshot() = default;
StagedSnapshot::StagedSnapshot(StagedSnapshot&&) noexcept = default;
StagedSnapshot& StagedSnapshot::operator=(StagedSnapshot&&) noexcept = default;
bool StagedSnapshot::ready() const { return impl_ && impl_->ready && impl_->tx && !impl_->yielded->load(); }

int Store::onBusy(void* store, int tries) {
  static_cast<Store*>(store)->yielded_ = true;  // (a snapshot staged gives up for it)
  if (tries >= 2500) return 0;                  // 5 s, as before
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return 1;
}

namespace {
struct GaveWay {};  // a staged snapshot gives up: the store wrote meanwhile
}  // namespace

StagedSnapshot Store::stage(Prepared snap, const std::string& hub_instance) const {
  StagedSnapshot out;
  out.impl_ = std::make_unique<StagedSnapshot::Impl>();
  StagedSnapshot::Impl& x = *out.impl_;
  x.yielded = &yielded_;
  yielded_ = false;
  x.db = std::make_unique<sql::Db>(opts_.path, false);
  sql::Db& db = *x.db;
  // what it writes, the hub sends again if it is lost (see HubWrites)
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA wal_autocheckpoint = 0");  // (written back after the swap, not in its commit)
  x.tx.emplace(db);  // (the store's own writes wait from here: each gives this up)
  auto check = [&] {
    if (yielded_) throw GaveWay{};
  };
  try {
    // a new store, or one that wants a newer snapshot (as wantsSnapshot)
    const bool hasBase = db.scalarInt(snapsql::kHasBase) != 0;
    x.again = hasBase && db.scalarInt(snapsql::kStale) && !db.scalarInt(logsql::kAnyUnplaced);
    if (!x.again && (db.scalarInt(metasql::kLastPos) > 0 || hasBase || db.scalarInt(snapsql::kAnyRecord))) {
      x.tx.reset();  // (not wanted: nothing written, nothing held)
      return out;
    }
    SyncCursors cursors(db);
    WorkOrderIndex work_orders(db);
    KeptReports reports(db, reportRecipe());
    // (its own codec, kept by the connection's bk_bundle for as long as it is)
    auto codec = std::make_shared<BodyStore>(db, kRecordBodies);
    BodyStore& records = *codec;
    db.defineFunction("bk_bundle", [codec](std::string_view stored) { return codec->decode(stored); });
    // (a bay's bundles at the records' usual level: staging packs the
    // thousands of work orders a bay does not keep, and a bay's disk has no
    // budget of bytes an event, a hub's has)
    Bundles bundles(
        db, [codec](std::string_view json) { return codec->encode(json); }, [codec](std::string_view json) { return codec->encode(json); },
        [codec](std::string_view stored) { return codec->decode(stored); });
    sql::Stmt putBody(db, kPutRecordBody), upsert(db, kUpsertRecord);
    if (x.again) {
      // the records are the new snapshot's; the log stays whole (this
      // bay's own events are its to resend to a hub restored from a
      // backup), and every replay skips what the snapshot holds of it
      db.exec(snapsql::kDropHeld);
      reports.dropAll();
      // (a hub restored meanwhile: the log's places were the other one's)
      if (cursors.get().hub_instance != hub_instance) db.exec(placesql::kForgetAll);
    }
    check();
    json origins = json::object();
    for (auto& [origin, seq] : snap.origins) origins[origin] = seq;
    sql::Stmt put(db, snapsql::kPutBase);
    put.bind(1, snap.hub_pos).bind(2, snap.hlc).bind(3, canonical(origins)).bind(4, snap.records).run();
    std::string().swap(snap.records);
    check();
    Shop& s = snap.shop;
    s.dirty = std::move(snap.all);
    // a new bay's records get their dictionary here, from the snapshot's
    // (an even spread of them), before they are written: most are packed
    // into bundles below, and a bay that trained on what is left later
    // would hold its store's lock for it
    if (!records.ready()) {
      std::vector<std::string> samples;
      const std::size_t every = std::max<std::size_t>(1, s.dirty.size() / static_cast<std::size_t>(bodies::kTrainAt));
      std::size_t k = 0;
      for (auto& [kind, id] : s.dirty)
        if (k++ % every == 0) {
          Id wo;
          bool found = false;
          const json body = recordJson(s, kind, id, wo, found);
          if (found) samples.push_back(canonical(body));
        }
      records.trainOn(samples);
    }
    check();
    writeRecords({db, work_orders, reports, records, putBody, upsert, &bundles}, s, {}, check);
    s.dirty.clear();
    cursors.resetFor(hub_instance);
    cursors.setPulled(snap.hub_pos);
    const auto own = snap.origins.find(kiosk_id_);
    cursors.setAcked(own == snap.origins.end() ? 0 : own->second);  // what the hub holds of this bay's (the rest is sent)
    // those settled before its window leave memory here, with their report
    // rows (the swap lets go of the few more its clock may have passed)
    if (const std::set<Id> gone = settledBefore(s, Hlc::wall(snap.hlc) - keptWindow(), {}); !gone.empty()) {
      check();
      putReportRows(db, s, gone);
      for (const Id& wo : gone)  // (v24: as every work order leaving memory)
        if (auto n = work_orders.numberOf(wo)) bundles.pack(*n);
      evictFrom(s, gone);
    }
    check();
  } catch (const GaveWay&) {
    x.tx.reset();  // rolled back
    return out;
  }
  x.shop = std::move(snap.shop);
  x.hub_pos = snap.hub_pos;
  x.hlc = snap.hlc;
  x.origins = std::move(snap.origins);
  x.ready = true;
  return out;
}

bool Store::adopt(StagedSnapshot& staged) {
  if (!staged.ready()) return false;
  StagedSnapshot::Impl& x = *staged.impl_;
  const bool fresh = lastPos() == 0 && !base_pos_;
  if (x.again ? !wantsSnapshot() : !fresh) return false;  // (as staged: nothing was written since)
  x.tx->commit();
  x.tx.reset();
  x.committed = true;
  journal_ = Journal{};  // (the snapshot is where this store is first in step with its hub)
  hub_held_.clear();
  verdicts_from_.reset();
  stale_provisional_ = false;
  std::swap(shop_, x.shop);  // (the old one freed with the staged snapshot, outside the lock)
  shop_.dirty.clear();
  for (auto& [origin, seq] : x.origins) seq_of_origin_[origin] = std::max(lastSeqOf(origin), seq);
  own_seq_ = lastSeqOf(kiosk_id_);  // (a bay set up again takes its sequence on from where the hub has it)
  hlc_.value = std::max(hlc_.value, x.hlc);
  base_pos_ = x.hub_pos;
  base_origins_ = std::move(x.origins);
  base_hlc_ = x.hlc;
  viewed_.clear();
  partial_ = true;  // (the shop's history is on the hub)
  held_since_ = Hlc::wall(hlc_.value);
  ++generation_;
  evictSettled(Hlc::wall(hlc_.value) - keptWindow());
  noteIfClean();
  st_->keepCompact();  // (committed: a new store's records get their dictionary)
  compressPlainBundles();
  return true;  // (the old shop's heap is the caller's to give back, outside the lock: releaseFreed)
}

void Store::startFrom(Prepared snap, const std::string& hub_instance) {
  StagedSnapshot staged = stage(std::move(snap), hub_instance);
  if (!adopt(staged)) throw std::logic_error("a store that holds events or records does not start from a snapshot");
  releaseFreed();
}

std::optional<Millis> Store::holdsEverySince() const {
  if (!base_pos_) return std::nullopt;
  return snapshotHorizon(Hlc::wall(base_hlc_), shop_.policy);
}

bool Store::wantsSnapshot() const {
  return base_pos_ && db_->scalarInt(snapsql::kStale) && !db_->scalarInt(logsql::kAnyUnplaced);
}

void Store::doubtBase(bool provisional) {
  if (!base_pos_) return;
  if (!provisional) stale_provisional_ = false;
  else if (!db_->scalarInt(snapsql::kStale)) stale_provisional_ = true;  // (not over a doubt that stands)
  db_->exec(snapsql::kMarkStale);
}

void Store::rejudged(std::int64_t otherwise) {
  if (otherwise > 0) return doubtBase();
  if (stale_provisional_ && base_pos_) db_->exec(snapsql::kUnmarkStale);  // every event judged again in the hub's order, as the hub did
  stale_provisional_ = false;
}

Shop Store::replayStart() const {
  Shop s;
  s.policy = opts_.policy;
  if (!base_pos_) return s;
  sql::Stmt q(*db_, snapsql::kBase);
  if (!q.step()) return s;
  for (const json& r : json::parse(q.text(3))) putRecord(s, static_cast<RecordKind>(r.at(0).get<int>()), r.at(1).get<Id>(), r.at(2));
  s.reindex();
  return s;
}

bool Store::judgedOtherwise(const Shop& s, const Ingested& mine, std::optional<std::int64_t> hub_pos) const {
  if (!hub_pos || !verdicts_from_ || *hub_pos < *verdicts_from_) return !mine.clean;  // the hub's word not had
  const auto hub = hub_held_.find(*hub_pos);
  if (mine.clean || hub == hub_held_.end()) return mine.clean != (hub == hub_held_.end());
  const auto it = s.reviews.find(*mine.review);
  return it == s.reviews.end() || heldDigest(it->second) != hub->second;  // held both, on other facts
}

void Store::markHeld(std::vector<StoredEvent>& events) const {
  for (StoredEvent& e : events) {
    if (e.tombstone()) continue;  // (refused as bad input: a tombstone says so already)
    const auto it = shop_.reviews.find("rv-" + toHex(e.id));
    e.hub_held = it == shop_.reviews.end() ? std::string() : heldDigest(it->second);
  }
}

Store::Placement Store::takeFromHub(const std::vector<StoredEvent>& events, Millis now, bool verdicts) {
  const HubWrites relaxed(*db_);
  Placement p;
  maybeTrim(now);
  // issue 16: the hub's word on each event, kept until this store is next in step
  if (!verdicts) {
    verdicts_from_.reset();
    hub_held_.clear();
  } else if (!events.empty()) {
    if (!verdicts_from_) verdicts_from_ = events.front().pos;
    for (const StoredEvent& e : events)
      if (!e.hub_held.empty()) hub_held_[e.pos] = e.hub_held;
  }
  atomically([&] {
    sql::Stmt place(*db_, placesql::kPlace);
    sql::Stmt placeNew(*db_, placesql::kPlaceNew);
    sql::Stmt mark(*db_, placesql::kMarkRefused);
    auto [placedMax, rebaseFrom] = cursors_->placement();
    bool refused = false;
    for (const StoredEvent& e : events) {
      std::int64_t localPos = 0;
      if (e.origin_seq <= lastSeqOf(e.origin)) {  // ours, or one we already took (placed again: no-op)
        place.bind(1, e.pos).bind(2, e.origin).bind(3, e.origin_seq);
        if (place.step()) localPos = place.integer(0);
        place.reset();
        // the hub keeps only a tombstone of our event: it has no effect here either
        if (localPos && e.tombstone() && e.origin == kiosk_id_) {
          mark.bind(1, localPos).bind(2, refusedDetail(e)).run();
          mark.reset();
          refused |= db_->changes() == 1;
        }
      } else {
        // the hub holds own events this store lacks: a store rebuilt from
        // the hub (a damaged file set aside) takes its own history back, in
        // order, so that its next event continues the sequence the hub has
        if (e.origin == kiosk_id_ && e.origin_seq != own_seq_ + 1) { p.gap = true; break; }
        const Remote r = ingestOne(e, now);
        if (r.status == Remote::Status::Gap) { p.gap = true; break; }
        if (r.status == Remote::Status::Applied) {
          // issue 16: (not e.tombstone(): those come as refused, clean).
          // Beside own events the hub has not placed, a verdict is the
          // bay's order's, not the hub's: a doubt until the rebase that
          // places them judges the event again (or for good, if none does)
          if (judgedOtherwise(shop_, r.ingested, e.pos)) doubtBase(unplacedOwn() > 0);
          p.changed = true;
          localPos = r.pos;
          placeNew.bind(1, e.pos).bind(2, r.pos).run();
        }
      }
      // the hub's order and this store's disagree from here on
      if (localPos && localPos < placedMax) rebaseFrom = rebaseFrom ? std::min(rebaseFrom, localPos) : localPos;
      placedMax = std::max(placedMax, localPos);
      p.through = e.pos;
    }
    writeDirty();
    // issue 16: from where this store was last in step with the hub, when
    // it can; else the whole log
    auto rebase = [&] {
      if (const auto n = rebaseSinceClean()) {
        p.replayed = *n;
        rejudged(rebase_otherwise_);
      } else {
        Shop again = replayStart();
        rejudged(replayInto(again, {}));
        again.dirty.clear();
        replaceRecords(std::move(again));
        p.replayed = eventCount();
      }
      p.rebased = p.changed = true;
    };
    if (refused) rebase();
    if (rebaseFrom && unplacedOwn() == 0) {
      if (!p.rebased && orderMatters(rebaseFrom)) rebase();
      rebaseFrom = 0;
    }
    cursors_->setPlacement({placedMax, rebaseFrom});
    noteIfClean();
  });
  p.needs_snapshot = wantsSnapshot();
  return p;
}

bool Store::orderMatters(std::int64_t from) const {
  // Events of one origin keep their order everywhere; events of different
  // origins that name nothing in common commute. Otherwise rebuild.
  std::map<Id, Id> originOf;
  sql::Stmt q(*db_, placesql::kSince);
  q.bind(1, from);
  while (q.step()) {
    const Id origin = q.text(0);
    for (const Id& key : touches(shop_, actionFromJson(json::parse(st_->bodies.decode(q.text(1)))))) {
      auto [it, fresh] = originOf.emplace(key, origin);
      if (!fresh && it->second != origin) return true;
    }
  }
  return false;
}

namespace {
// A device's signature over a batch, in the open transaction; `stored`:
// each of its events as now in the log (nullptr: read it back).
void keepBatch(sql::Db& db, BodyStore& bodies, BatchStatements& st, const DeviceBatch& batch,
               const std::vector<const StoredEvent*>& stored) {
  // Issue 16: when the events stored are exactly those the device signed
  // (nearly always), the hashes can be made again from them: only the first
  // bytes of each are kept, to name an event altered later. Otherwise (a
  // tombstone in its place) the signed hashes are kept whole.
  bool derivable = static_cast<std::int64_t>(batch.hashes.size()) == batch.last_seq - batch.first_seq + 1 &&
                   stored.size() == batch.hashes.size();
  for (std::size_t i = 0; derivable && i < stored.size(); ++i) {
    if (stored[i]) {
      // Taken as given and no tombstone: kept in short form without hashing
      // it again. Were it not what the device signed, verify names it in
      // either form; only a tombstone, different from what was signed by
      // design, needs the hashes whole.
      derivable = !stored[i]->tombstone();
      continue;
    }
    // as the log has it (held before, a resend, or made canonical when taken)
    sql::Stmt one(db, metasql::kEventAtSeq);
    one.bind(1, batch.origin).bind(2, batch.first_seq + static_cast<std::int64_t>(i));
    derivable = one.step() && envelopeHash(readEvent(one, bodies)) == batch.hashes[i];
  }
  std::string blob;
  for (const EventHash& h : batch.hashes) blob.append(reinterpret_cast<const char*>(h.data()), derivable ? kHashPrefix : h.size());
  std::array<std::uint8_t, 32> key{};
  std::array<std::uint8_t, 64> sig{};
  const bool binary = fromHexBytes(batch.device_key, key.data(), key.size()) && fromHexBytes(batch.sig, sig.data(), sig.size());
  // (v22: its origin by number, its row made sure of here, one statement a
  // batch, rather than trusting the events' remembered names)
  st.addOrigin.bind(1, batch.origin).run();
  sql::Stmt& add = st.add;
  add.bind(1, batch.origin).bind(2, batch.first_seq).bind(3, batch.last_seq).bindBlob(5, blob.data(), static_cast<int>(blob.size()));
  if (binary) {  // issue 16: the signature as bytes, not hex, and the key by its number
    st.keepKey.bindBlob(1, key.data(), static_cast<int>(key.size())).run();
    st.keyNumber.bindBlob(1, key.data(), static_cast<int>(key.size()));
    const bool kept = st.keyNumber.step();
    const std::int64_t number = kept ? st.keyNumber.integer(0) : 0;
    st.keyNumber.reset();
    if (!kept) throw std::runtime_error("a device key was not kept");
    add.bind(4, number).bindBlob(6, sig.data(), static_cast<int>(sig.size()));
  } else
    add.bind(4, batch.device_key).bind(6, batch.sig);
  add.run();
}
}  // namespace

void Store::keepDeviceBatch(const DeviceBatch& batch) { keepBatch(*db_, st_->bodies, st_->batches, batch, {}); }

void Store::keepOwnSignature(const StoredEvent& e) {
  const std::vector<EventHash> one{envelopeHash(e)};
  keepBatch(*db_, st_->bodies, st_->batches,
            DeviceBatch{kiosk_id_, e.origin_seq, e.origin_seq, own_signer_->pubHex(), one, signBytes(*own_signer_, batchMessage(kiosk_id_, one))},
            {&e});
}

std::vector<Remote> Store::ingestBatch(const std::vector<StoredEvent>& events, Millis now, const DeviceBatch* batch) {
  std::vector<Remote> out;
  journal_ = Journal{};  // issue 16: events taken in this store's order, not a hub's: no journal
  maybeTrim(now);
  atomically([&] {
    bool fresh = false;
    std::vector<const StoredEvent*> stored;  // each as now in the log (nullptr: held before)
    for (const StoredEvent& e : events) {
      out.push_back(ingestOne(e, now));
      if (out.back().status == Remote::Status::Gap) break;
      fresh |= out.back().status == Remote::Status::Applied;
      // the wire decoder's events are kept as given (canonical, typed); others
      // are read back as kept
      const bool asGiven = out.back().status == Remote::Status::Applied && e.decoded && actionType(*e.decoded) == e.type;
      stored.push_back(asGiven ? &e : nullptr);
    }
    writeDirty();
    // issue 11: the device's signature, kept with what it covers (a resend
    // of what the hub holds adds nothing)
    if (batch && fresh) keepBatch(*db_, st_->bodies, st_->batches, *batch, stored);
  });
  return out;
}

Remote Store::ingestOne(const StoredEvent& e, Millis now) {
  Remote r;
  const std::int64_t last = lastSeqOf(e.origin);
  if (e.origin_seq <= last) {  // already have it: acknowledge and skip
    // ...if it is the same event: another event at a used sequence number
    // is refused (409 at the hub), never silently dropped
    auto& q = st_->idAtSeq;
    q.bind(1, e.origin).bind(2, e.origin_seq);
    const std::vector<std::uint8_t> held = q.step() ? q.blob(0) : std::vector<std::uint8_t>();
    q.reset();
    if (held.size() == e.id.size() && !std::equal(held.begin(), held.end(), e.id.begin()))
      throw std::invalid_argument("sequence " + std::to_string(e.origin_seq) + " of " + e.origin +
                                  " already holds another event");
    r.status = Remote::Status::Duplicate;
    return r;
  }
  if (e.origin_seq != last + 1) {
    r.status = Remote::Status::Gap;
    r.expected_seq = last + 1;
    return r;
  }
  // decoded strictly (throws on anything out of schema), once; a
  // tombstone has no action, only why it was refused
  const std::shared_ptr<const Action> decoded =
      e.decoded || e.tombstone() ? e.decoded : std::make_shared<const Action>(actionFromJson(json::parse(e.body)));
  StoredEvent stored = e;  // what is kept: the action as decoded, in canonical form
  if (e.tombstone()) stored = tombstoneOf(e, refusedDetail(e));
  else stored.type = std::string(actionType(*decoded));
  if (!e.decoded && !e.tombstone()) stored.body = canonical(toJson(*decoded));  // the wire decoder made it canonical already
  // written first, so an id seen before is found by the insert itself (one
  // index probe, not two) before the rules touch the shop
  const Hash h = insertEvent(st_->insertRemoteEvent, stored);
  if (db_->changes() != 1) {
    // the same event under another sequence number: keep the first; an id
    // another kiosk already used is refused, never silently dropped
    auto& q = st_->originOfId;
    q.bindBlob(1, e.id.data(), 16);
    const std::string other = q.step() ? q.text(0) : std::string();
    q.reset();
    if (other != e.origin) throw std::invalid_argument("event id already used by " + other);
    r.status = Remote::Status::Duplicate;
    return r;
  }
  r.pos = stored.pos = sqlite3_last_insert_rowid(db_->raw());
  // the records it changes are written once per batch, by the caller, in
  // the same transaction (a busy operation touched 200 times: one write)
  chain_head_ = h;
  if (!e.tombstone()) bringIn(*decoded);  // issue 16: as for a local action
  r.ingested = e.tombstone() ? ingestRefused(shop_, toHex(e.id), e.origin, e.origin_seq, refusedDetail(e), e.wall_ms)
                              : ingest(shop_, *decoded, toHex(e.id), e.wall_ms, e.origin);
  hlc_.merge(e.hlc, now);  // later local events order after what we heard
  seq_of_origin_[e.origin] = e.origin_seq;
  if (e.origin == kiosk_id_) own_seq_ = e.origin_seq;  // its own history, back from the hub
  return r;
}

}  // namespace bk
