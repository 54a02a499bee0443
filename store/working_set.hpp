#pragma once
// Issue 16: the working set. A store keeps in memory only the work orders
// still in work, and those delivered within the kept window, each with
// everything of theirs (its bundle: operations, time entries, inspections,
// rework, incidents, add-ons); people, bays, reviews and the rest of the
// shop's reference data stay in memory whole. The past stays in SQLite,
// found through each work order's compact history row (`work_orders`):
// the car, the times its records span, its delivery, the work order it is
// a comeback of. This part owns that table's SQL; the store decides what
// comes into memory and when it leaves.
#include "domain/actions.hpp"
#include "domain/model.hpp"
#include "domain/report.hpp"
#include "store/sqlite.hpp"

#include <functional>
#include <optional>
#include <set>
#include <vector>

namespace bk {

// The working set's SQL, named (the plan tests read the same text).
namespace wsql {
// A work order's row: what it is, and a span that only ever widens (a span
// wider than its records costs a history query one more work order to
// read, never a missed one).
inline constexpr const char* kPut =
    "INSERT INTO work_orders(id, vin, first_at, last_at, delivered_at, back_of, pinned) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT(id) DO UPDATE SET vin = excluded.vin, "
    "first_at = min(COALESCE(first_at, excluded.first_at), excluded.first_at), "
    "last_at = max(COALESCE(last_at, excluded.last_at), excluded.last_at), "
    "delivered_at = excluded.delivered_at, back_of = excluded.back_of, pinned = excluded.pinned";
// the common write: a new work order, or an entry clocked on an open one
// (its span widened, and only the index by time written again: an update
// writes every index on a column it sets, changed or not, a page each);
// nothing where more of its row changed (kPut then)
inline constexpr const char* kPutSpan =
    "INSERT INTO work_orders(id, vin, first_at, last_at, delivered_at, back_of, pinned) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT(id) DO UPDATE SET first_at = min(COALESCE(first_at, excluded.first_at), excluded.first_at), "
    "last_at = max(COALESCE(last_at, excluded.last_at), excluded.last_at) "
    "WHERE vin = excluded.vin AND delivered_at IS excluded.delivered_at AND back_of IS excluded.back_of "
    "AND pinned = excluded.pinned";
inline constexpr const char* kRemove = "DELETE FROM work_orders WHERE id = ?1";
inline constexpr const char* kNumberOf = "SELECT n FROM work_orders WHERE id = ?1";
// (a row without its span has neither end: one probe of work_orders_by_time)
inline constexpr const char* kIncomplete = "SELECT EXISTS(SELECT 1 FROM work_orders WHERE last_at IS NULL)";
// by work_orders_by_time: a range of last_at, first_at read from the index
inline constexpr const char* kActive = "SELECT id FROM work_orders WHERE last_at >= ?1 AND first_at < ?2";
inline constexpr const char* kOfVin = "SELECT id FROM work_orders WHERE vin = ?1";
inline constexpr const char* kComebacksOf = "SELECT id FROM work_orders WHERE back_of = ?1";
// A month's work orders (as kActive), with those they came back as
// (work_orders_by_back) or for, in one statement. A work order's records
// span days, nearly always; those spanning 31 days or more (a car waiting
// weeks for parts) have an index of their own (v23). So the month's are a
// range of last_at no wider than the month and 31 days, and those few,
// however old the month (kActive's range runs to the newest work order:
// 240k index entries for a month five years back at 2.5M events).
inline constexpr const char* kOfMonth =
    "WITH m(id, back_of) AS ("
    "SELECT id, back_of FROM work_orders WHERE last_at >= ?1 AND last_at < ?2 + 2678400000 AND first_at < ?2 "
    "UNION SELECT id, back_of FROM work_orders WHERE last_at - first_at >= 2678400000 AND last_at >= ?1 AND first_at < ?2) "
    "SELECT id FROM m UNION SELECT c.id FROM m JOIN work_orders c ON c.back_of = m.id "
    "UNION SELECT back_of FROM m WHERE back_of IS NOT NULL";
// the latest deliveries since a time, newest first: a range of
// work_orders_by_time (a delivery is within its work order's span)
inline constexpr const char* kDeliveredSince =
    "SELECT id FROM work_orders WHERE last_at >= ?1 AND delivered_at >= ?1 ORDER BY delivered_at DESC, id DESC LIMIT ?2";
inline constexpr const char* kBackOf = "SELECT back_of FROM work_orders WHERE id = ?1 AND back_of IS NOT NULL";
// by the records' (kind, id) index, one probe for each kind of the bundle;
// then the bundled records' (?2: the id's ownerKey; each work order of
// those that share it), and the work orders' own
inline constexpr const char* kOwnerOf =
    "SELECT w.id FROM records r JOIN work_orders w ON w.n = r.wo WHERE r.kind IN (2, 3, 4, 5, 6, 7, 8) AND r.id = ?1 "
    "UNION SELECT w.id FROM record_owners o JOIN work_orders w ON w.n = o.wo WHERE o.key = ?2 "
    "UNION SELECT id FROM work_orders WHERE id = ?1";
// The records memory always holds (all but the work orders' bundles), by
// the (kind, id) index; the bundles of the work orders kept in memory, and
// one work order's bundle, by records_by_wo.
inline constexpr const char* kReferenceRecords =
    "SELECT kind, id, body FROM records WHERE kind IN (0, 1, 9, 10, 11, 12, 13, 14, 15, 16)";
// (each bound on its own: MIN and MAX together in one select would read
// every row, where each alone is one probe of the (kind, id) index)
inline constexpr const char* kKindsStored =
    "SELECT typeof(lo) || typeof(hi), lo, hi FROM (SELECT (SELECT MIN(kind) FROM records) AS lo, (SELECT MAX(kind) FROM records) AS hi)";
// (CROSS JOIN: the work orders first, then each one's records by
// records_by_wo; `+kind` keeps the planner off the (kind, id) index, which
// would read every work order's records to keep a few). A work order's
// records are rows, or its bundle's (v24, Bundles): `bk_bundle` unpacks one
// to its JSON, and json_each gives its [kind, id, record] rows.
inline constexpr const char* kKeptBundles =
    "WITH w(n) AS ("
    // (a delivery is within its work order's span: delivered since ?1, touched since ?1)
    "SELECT n FROM work_orders WHERE last_at >= ?1 AND (delivered_at IS NULL OR delivered_at >= ?1 OR pinned) "
    "UNION SELECT n FROM work_orders WHERE delivered_at IS NULL OR pinned) "
    "SELECT r.kind, r.id, r.body FROM w CROSS JOIN records r ON r.wo = w.n WHERE +r.kind IN (2, 3, 4, 5, 6, 7, 8) "
    "UNION ALL SELECT e.value->>0, e.value->>1, e.value->>2 FROM w CROSS JOIN bundles b ON b.wo = w.n, json_each(bk_bundle(b.body)) e";
// a work order's own record, without the rest of its bundle (the (kind, id) index)
inline constexpr const char* kWorkOrderRecord =
    "SELECT kind, id, body FROM records WHERE kind = 2 AND id = ?1 "
    "UNION ALL SELECT e.value->>0, e.value->>1, e.value->>2 FROM bundles b, json_each(bk_bundle(b.body)) e "
    "WHERE b.wo = (SELECT n FROM work_orders WHERE id = ?1) AND e.value->>0 = 2";
inline constexpr const char* kBundle =
    "SELECT kind, id, body FROM records WHERE wo = (SELECT n FROM work_orders WHERE id = ?1) AND +kind IN (2, 3, 4, 5, 6, 7, 8) "
    "UNION ALL SELECT e.value->>0, e.value->>1, e.value->>2 FROM bundles b, json_each(bk_bundle(b.body)) e "
    "WHERE b.wo = (SELECT n FROM work_orders WHERE id = ?1)";
// Bundles: a work order's records moved from their rows into its bundle,
// and back (each by records_by_wo, or the bundle's key)
inline constexpr const char* kRowsOf = "SELECT kind, id, body FROM records WHERE wo = ?1";
inline constexpr const char* kPutBundle = "INSERT OR REPLACE INTO bundles(wo, body) VALUES(?1, ?2)";
inline constexpr const char* kPutOwner = "INSERT OR IGNORE INTO record_owners(key, wo) VALUES(?1, ?2)";
inline constexpr const char* kDropRows = "DELETE FROM records WHERE wo = ?1";
inline constexpr const char* kBundleRows =
    "SELECT e.value->>0, e.value->>1, e.value->>2 FROM bundles b, json_each(bk_bundle(b.body)) e WHERE b.wo = ?1";
inline constexpr const char* kPutRow =
    "INSERT INTO records(kind, id, wo, body) VALUES(?1, ?2, ?3, ?4) "
    "ON CONFLICT(kind, id) DO UPDATE SET wo = excluded.wo, body = excluded.body";
inline constexpr const char* kDropOwner = "DELETE FROM record_owners WHERE key = ?1 AND wo = ?2";
inline constexpr const char* kDropBundle = "DELETE FROM bundles WHERE wo = ?1";
// (a bundle kept as JSON, before the records had a dictionary: meta says so)
inline constexpr const char* kNotePlain = "INSERT OR REPLACE INTO meta(key, value) VALUES('bundles_plain', '1')";
inline constexpr const char* kAnyPlain = "SELECT EXISTS(SELECT 1 FROM meta WHERE key = 'bundles_plain')";
inline constexpr const char* kPlain = "SELECT wo, body FROM bundles WHERE typeof(body) = 'text'";
inline constexpr const char* kPutBody = "UPDATE bundles SET body = ?2 WHERE wo = ?1";
inline constexpr const char* kPlainDone = "DELETE FROM meta WHERE key = 'bundles_plain'";
// (once, after the upgrade to v24) the work orders whose records are rows
inline constexpr const char* kWithRows = "SELECT n, id FROM work_orders w WHERE EXISTS(SELECT 1 FROM records r WHERE r.wo = w.n)";
// The reports kept (v19), by their range.
inline constexpr const char* kReportKept = "SELECT body FROM reports WHERE from_ms = ?1 AND to_ms = ?2 AND recipe = ?3";
inline constexpr const char* kReportIsKept = "SELECT EXISTS(SELECT 1 FROM reports WHERE from_ms = ?1 AND to_ms = ?2 AND recipe = ?3)";
// the earliest time a work order's records reach to (work_orders_by_time)
inline constexpr const char* kEarliestLast = "SELECT MIN(last_at) FROM work_orders WHERE last_at > 0";
inline constexpr const char* kReportKeep =
    "INSERT OR REPLACE INTO reports(from_ms, to_ms, recipe, body) VALUES(?1, ?2, ?3, ?4)";
inline constexpr const char* kReportsAll = "SELECT from_ms, to_ms, body FROM reports ORDER BY from_ms";
inline constexpr const char* kReportsOtherRecipe = "DELETE FROM reports WHERE recipe <> ?1";
inline constexpr const char* kReportsDropAll = "DELETE FROM reports";
// The spans a work order's change reaches: its own, and those of the work
// orders that read it in a month's report (the one it came back for, and
// its comebacks; WorkOrderIndex::ofMonth), each by an index.
inline constexpr const char* kSpansReached =
    "SELECT first_at, last_at FROM work_orders WHERE id = ?1 "
    "UNION ALL SELECT first_at, last_at FROM work_orders WHERE back_of = ?1 "
    "UNION ALL SELECT first_at, last_at FROM work_orders WHERE id = (SELECT back_of FROM work_orders WHERE id = ?1)";
// the reports whose range a span touches (the same test as kActive)
inline constexpr const char* kReportsDropSpan = "DELETE FROM reports WHERE to_ms > ?1 AND from_ms <= ?2";
}  // namespace wsql

// The kinds of record that belong to one work order: they come into memory
// and leave it together (a record's `wo` column names its work order).
bool bundleKind(RecordKind k);
// Widens [lo, hi] by every time a record of the bundle carries (0: none).
void widenByRecord(const Shop& s, RecordKind k, const Id& id, Millis& lo, Millis& hi);
// A delivered work order that must stay in memory all the same: a time
// entry still open on it (R1 counts it), a charge on it disputed and not
// yet decided (R8), or a review of it still open (R16).
// The delivered work orders so pinned, in one pass over what pins them.
std::set<Id> pinnedInMemory(const Shop& s);
// The work orders open comebacks came back for: memory holds them however
// old (the floor shows each one's number, the rules read its delivery).
std::set<Id> openComebackOrigins(const Shop& s);
// The delivered work orders that may leave memory: delivered before
// `horizon`, neither pinned nor an open comeback's origin, nor in `keep`.
std::set<Id> settledBefore(const Shop& s, Millis horizon, const std::set<Id>& keep);
// Erases the work orders in `gone` with everything of theirs, and their
// index entries (Shop::forget: the indexes stay as reindex() makes them).
void evictFrom(Shop& s, const std::set<Id>& gone);

class WorkOrderIndex;
// The work orders an action reads beyond what it names in memory, found
// through `index` (issue 16): the owners of the records it names, the held
// action a review resolution lets take effect, a car's earlier visits, a
// month's charges (R15's fault slips), and for an undo dated before
// `held_since` every work order since (then `held_since` moves back). The
// caller loads those it does not hold before the rules check the action.
std::set<Id> readsBeyond(const Shop& s, const Action& a, WorkOrderIndex& index, Millis& held_since);

class WorkOrderIndex {
 public:
  explicit WorkOrderIndex(sql::Db& db);
  // Rows the v18 migration left without their span (made once, as the
  // store opens, from the records).
  bool complete();
  // Writes `w`'s row, its span widened to take [lo, hi].
  void put(const WorkOrder& w, Millis lo, Millis hi, bool pinned);
  void remove(const Id& wo);
  // Its number, which its records carry (after put).
  std::optional<std::int64_t> numberOf(const Id& wo);
  // Work orders whose records span some time in [from, to).
  std::vector<Id> active(Millis from, Millis to);
  std::vector<Id> ofVin(const std::string& vin_key);
  std::vector<Id> comebacksOf(const Id& wo);
  std::optional<Id> backOf(const Id& wo);
  // The work order a record of the bundle kinds belongs to.
  // The work order a record of the bundle kinds belongs to (or, for a
  // bundled one, each that holds a record whose id hashes alike: a
  // candidate more to bring in, never one missed).
  std::vector<Id> ownersOf(const Id& record_id);
  // A month's work orders (active in [from, to)) with those they came back
  // as, or for: what its report and fault slips read.
  std::set<Id> ofMonth(Millis from, Millis to);

 private:
  sql::Db& db_;
  sql::Stmt put_, putSpan_, remove_, numberOf_, active_, ofVin_, comebacksOf_, backOf_, ownerOf_, ofMonth_;
};

// Issue 16 (v24): a work order out of memory keeps its records as one row,
// its bundle: [[kind, id, record], ...] as JSON, stored as a record is
// (compressed with the records' dictionary). About 130 bytes a record less
// than a row each with its index entries, and what its records repeat (the
// work order's id, its operations', the phrases) is compressed once. The
// readers of a work order's records read either form (wsql::kBundle); a
// record is only written to a work order whose records are rows.
class Bundles {
 public:
  using Codec = std::function<std::string(std::string_view)>;
  // `encode`: a record's form to store, `encodeBundle` a bundle's (the
  // records' codec, harder: bodies::Codec::encodeDense); `decode`: the
  // JSON of either
  Bundles(sql::Db& db, Codec encode, Codec encodeBundle, Codec decode);
  // Moves work order n's records from their rows into its bundle (false:
  // it has none as rows). Its report row stays.
  bool pack(std::int64_t n);
  // Moves them back into rows, before any of them is written (false: it
  // has no bundle).
  bool unpack(std::int64_t n);
  // Bundles packed before the records had a dictionary (a young store)
  // were kept as JSON: compressed once there is one. Cheap when none were.
  void compressPlain();

 private:
  sql::Db& db_;
  Codec encode_, encodeBundle_, decode_;
  sql::Stmt rowsOf_, putBundle_, putOwner_, dropRows_, bundleRows_, putRow_, dropOwner_, dropBundle_;
};
// Binds a body to `q` in the form it is stored in: a compressed frame as a
// blob, JSON (before a dictionary) as text (the records', a bundle's).
void bindStoredBody(sql::Stmt& q, int i, const std::string& stored);

// What record_owners finds a bundled record's id by: its 64-bit FNV-1a
// hash (8 bytes where a kiosk's id has 35). Fixed for good: the table
// keeps it.
std::int64_t ownerKey(const Id& id);

// Issue 16: the reports kept. A report for a range wholly past is kept as
// computed, so the report of an old month costs a read, not the reading of
// its every record. It is dropped as soon as a change reaches one of the
// work orders it read (a late event from a bay, a decided dispute, a
// comeback opened), or the shop's reference data or policy; and every one
// of another recipe (program version and kReportRevision) as the store
// opens. `bk-hub verify` checks each against the replay of the log.
class KeptReports {
 public:
  KeptReports(sql::Db& db, std::string recipe);
  std::optional<MonthlyReport> get(Millis from, Millis to);
  bool has(Millis from, Millis to);  // (without reading it)
  // (outside a transaction only: a report computed inside one might read
  // what is rolled back; a write that fails leaves it not kept)
  void keep(Millis from, Millis to, const MonthlyReport& r);
  // After `wo`'s row was written: the reports it reaches are dropped.
  void dropFor(const Id& wo);
  void dropAll();
  std::vector<std::pair<std::pair<Millis, Millis>, std::string>> all();

 private:
  sql::Db& db_;
  std::string recipe_;
  bool maybe_ = true;  // the table may hold a row (false only when seen empty)
  sql::Stmt get_, has_, keep_, spans_, drop_;
};

}  // namespace bk
