#include "store/working_set.hpp"

#include "domain/vin.hpp"
#include "store/bodies.hpp"

#include "domain/actions.hpp"
#include "domain/report.hpp"

#include <algorithm>
#include <limits>

namespace bk {
namespace {

void widen(Millis t, Millis& lo, Millis& hi) {
  if (t <= 0) return;
  lo = lo ? std::min(lo, t) : t;
  hi = std::max(hi, t);
}
void widen(const std::optional<Millis>& t, Millis& lo, Millis& hi) { if (t) widen(*t, lo, hi); }
void widen(const Signature& s, Millis& lo, Millis& hi) { widen(s.at, lo, hi); }

template <typename T, typename F>
void withRecord(const std::map<Id, T>& m, const Id& id, F&& f) {
  if (auto it = m.find(id); it != m.end()) f(it->second);
}

// The values of every "vin" in an action (the comeback rules look for a
// car's earlier visits).
void collectVins(const json& j, std::set<std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "vin" && it.value().is_string()) out.insert(vinKey(it.value().get<std::string>()));
      else collectVins(it.value(), out);
    }
  } else if (j.is_array()) {
    for (const json& v : j) collectVins(v, out);
  }
}

std::vector<Id> ids(sql::Stmt& q) {
  std::vector<Id> out;
  while (q.step()) out.push_back(q.text(0));
  q.reset();
  return out;
}

}  // namespace

bool bundleKind(RecordKind k) {
  switch (k) {
    case RecordKind::WorkOrder: case RecordKind::Operation: case RecordKind::TimeEntry: case RecordKind::Inspection:
    case RecordKind::Rework: case RecordKind::Incident: case RecordKind::AddOn:
      return true;
    default:
      return false;
  }
}

void widenByRecord(const Shop& s, RecordKind k, const Id& id, Millis& lo, Millis& hi) {
  switch (k) {
    case RecordKind::WorkOrder:
      return withRecord(s.work_orders, id, [&](const WorkOrder& w) { widen(w.opened_at, lo, hi); widen(w.delivered_at, lo, hi); });
    case RecordKind::Operation:
      return withRecord(s.operations, id, [&](const Operation& o) { widen(o.reassigned_at, lo, hi); });
    case RecordKind::TimeEntry:
      return withRecord(s.entries, id, [&](const TimeEntry& e) { widen(e.start, lo, hi); widen(e.end, lo, hi); });
    case RecordKind::Inspection:
      return withRecord(s.inspections, id, [&](const Inspection& in) { widen(in.sig, lo, hi); });
    case RecordKind::Rework:
      return withRecord(s.reworks, id, [&](const Rework& r) { widen(r.opened_at, lo, hi); widen(r.closed_at, lo, hi); });
    case RecordKind::Incident:
      return withRecord(s.incidents, id, [&](const Incident& i) {
        widen(i.at, lo, hi);
        if (i.decision) widen(*i.decision, lo, hi);
      });
    case RecordKind::AddOn:
      return withRecord(s.addons, id, [&](const AddOn& a) {
        widen(a.proposed_at, lo, hi);
        if (a.warranty) widen(a.warranty->sig, lo, hi);
        if (a.quote) widen(a.quote->sig, lo, hi);
        if (a.technical) widen(*a.technical, lo, hi);
        if (a.manager) widen(*a.manager, lo, hi);
        if (a.consent) widen(a.consent->sig, lo, hi);
        if (a.refused) widen(a.refused->sig, lo, hi);
        for (const AddOnReturn& r : a.returns) widen(r.sig, lo, hi);
      });
    default:
      return;
  }
}

std::set<Id> pinnedInMemory(const Shop& s) {
  std::set<Id> out;
  for (const Id& id : s.open_entries)
    if (auto it = s.entries.find(id); it != s.entries.end()) out.insert(it->second.wo);
  for (auto& [id, inc] : s.incidents)
    if (inc.disputed_by && !inc.decision) out.insert(inc.wo);
  for (auto& [id, r] : s.reviews)
    if (!r.resolved_by && !r.wo.empty()) out.insert(r.wo);
  return out;
}

std::set<Id> openComebackOrigins(const Shop& s) {
  std::set<Id> out;
  for (auto& [id, w] : s.work_orders)
    if (w.comeback() && !w.delivered_at) out.insert(w.comeback_of);
  return out;
}

std::set<Id> settledBefore(const Shop& s, Millis horizon, const std::set<Id>& keep) {
  std::set<Id> gone;
  std::set<Id> pinned = pinnedInMemory(s);
  pinned.merge(openComebackOrigins(s));
  for (auto& [id, w] : s.work_orders)
    if (w.delivered_at && *w.delivered_at < horizon && !pinned.count(id) && !keep.count(id)) gone.insert(id);
  return gone;
}

void evictFrom(Shop& s, const std::set<Id>& gone) { s.forget(gone); }

std::set<Id> readsBeyond(const Shop& s, const Action& a, WorkOrderIndex& index, Millis& held_since) {
  std::set<Id> want;
  auto held = [&](const Id& id) {
    return s.work_orders.count(id) || s.operations.count(id) || s.entries.count(id) || s.inspections.count(id) ||
           s.reworks.count(id) || s.incidents.count(id) || s.addons.count(id) || s.people.count(id) || s.bays.count(id) ||
           s.reviews.count(id) || s.messages.count(id) || s.clients.count(id);
  };
  auto ownersOf = [&](const Action& x) {
    for (const Id& id : touches(s, x))  // every id it names, new ones too (the rules refuse an id in use)
      if (!held(id))
        for (Id& wo : index.ownersOf(id)) want.insert(std::move(wo));
  };
  ownersOf(a);
  if (auto* r = std::get_if<ResolveReview>(&a)) {  // R16: the held action it may let take effect
    if (auto it = s.reviews.find(r->review); it != s.reviews.end()) {
      if (!it->second.wo.empty()) want.insert(it->second.wo);
      try {
        if (it->second.facts.contains("action")) ownersOf(actionFromJson(it->second.facts["action"]));
      } catch (const std::exception&) {  // evidence kept as it came: nothing more to bring
      }
    }
  }
  // a car's earlier visits: the comeback rules look for its last delivery
  std::set<std::string> vins;
  collectVins(toJson(a), vins);
  for (const std::string& vin : vins)
    if (!vin.empty())
      for (Id& id : index.ofVin(vin)) want.insert(std::move(id));
  // R15: a month's fault slips are signed over every charge of the month
  if (auto* f = std::get_if<SignFaultSlips>(&a))
    if (auto m = calendarMonth(f->month, s.policy.utc_offset_minutes))
      for (Id& id : index.active(m->first, m->second)) want.insert(std::move(id));
  // an undo dated before what memory holds (a bay offline for weeks): its
  // rule asks whether the entry is the technician's latest, so every work
  // order since is brought in (no other rule looks back over the shop)
  if (const Millis t = std::holds_alternative<UndoClock>(a) ? timeOf(a) : 0; t > 0 && t - 86'400'000 < held_since) {
    for (Id& id : index.active(t - 86'400'000, std::numeric_limits<Millis>::max())) want.insert(std::move(id));
    held_since = t - 86'400'000;
  }
  std::erase_if(want, [&](const Id& id) { return s.work_orders.count(id) > 0; });
  return want;
}

WorkOrderIndex::WorkOrderIndex(sql::Db& db)
    : db_(db), put_(db, wsql::kPut), putSpan_(db, wsql::kPutSpan), remove_(db, wsql::kRemove), numberOf_(db, wsql::kNumberOf), active_(db, wsql::kActive), ofVin_(db, wsql::kOfVin),
      comebacksOf_(db, wsql::kComebacksOf), backOf_(db, wsql::kBackOf), ownerOf_(db, wsql::kOwnerOf), ofMonth_(db, wsql::kOfMonth) {}

bool WorkOrderIndex::complete() { return db_.scalarInt(wsql::kIncomplete) == 0; }

void WorkOrderIndex::put(const WorkOrder& w, Millis lo, Millis hi, bool pinned) {
  widen(w.opened_at, lo, hi);
  if (!lo) lo = hi = 0;
  // its span alone if nothing else of its row changed, else the whole row
  for (sql::Stmt* st : {&putSpan_, &put_}) {
    st->bind(1, w.id).bind(2, vinKey(w.vehicle.vin)).bind(3, lo).bind(4, hi);
    if (w.delivered_at) st->bind(5, *w.delivered_at); else st->bindNull(5);
    if (w.comeback()) st->bind(6, w.comeback_of); else st->bindNull(6);
    st->bind(7, pinned && w.delivered_at ? 1 : 0).run();
    if (db_.changes() > 0) return;
  }
}

void WorkOrderIndex::remove(const Id& wo) { remove_.bind(1, wo).run(); }

std::optional<std::int64_t> WorkOrderIndex::numberOf(const Id& wo) {
  numberOf_.bind(1, wo);
  std::optional<std::int64_t> out;
  if (numberOf_.step()) out = numberOf_.integer(0);
  numberOf_.reset();
  return out;
}

std::vector<Id> WorkOrderIndex::active(Millis from, Millis to) { active_.bind(1, from).bind(2, to); return ids(active_); }
std::vector<Id> WorkOrderIndex::ofVin(const std::string& vin_key) { ofVin_.bind(1, vin_key); return ids(ofVin_); }
std::vector<Id> WorkOrderIndex::comebacksOf(const Id& wo) { comebacksOf_.bind(1, wo); return ids(comebacksOf_); }

std::optional<Id> WorkOrderIndex::backOf(const Id& wo) {
  backOf_.bind(1, wo);
  std::optional<Id> out;
  if (backOf_.step()) out = backOf_.text(0);
  backOf_.reset();
  return out;
}

std::vector<Id> WorkOrderIndex::ownersOf(const Id& record_id) {
  ownerOf_.bind(1, record_id).bind(2, ownerKey(record_id));
  return ids(ownerOf_);
}

std::set<Id> WorkOrderIndex::ofMonth(Millis from, Millis to) {
  ofMonth_.bind(1, from).bind(2, to);
  const std::vector<Id> all = ids(ofMonth_);
  return {all.begin(), all.end()};
}

std::int64_t ownerKey(const Id& id) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a, 64 bits
  for (unsigned char c : id) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<std::int64_t>(h);
}

Bundles::Bundles(sql::Db& db, Codec encode, Codec encodeBundle, Codec decode)
    : db_(db), encode_(std::move(encode)), encodeBundle_(std::move(encodeBundle)), decode_(std::move(decode)), rowsOf_(db, wsql::kRowsOf), putBundle_(db, wsql::kPutBundle),
      putOwner_(db, wsql::kPutOwner), dropRows_(db, wsql::kDropRows), bundleRows_(db, wsql::kBundleRows), putRow_(db, wsql::kPutRow),
      dropOwner_(db, wsql::kDropOwner), dropBundle_(db, wsql::kDropBundle) {}

void bindStoredBody(sql::Stmt& q, int i, const std::string& stored) {
  if (bodies::compressed(stored)) q.bindBlob(i, stored.data(), static_cast<int>(stored.size()));
  else q.bind(i, stored);
}

bool Bundles::pack(std::int64_t n) {
  std::string text = "[";
  std::vector<Id> owned;
  rowsOf_.bind(1, n);
  try {
    while (rowsOf_.step()) {
      const std::int64_t kind = rowsOf_.integer(0);
      const Id id = rowsOf_.text(1);
      if (text.size() > 1) text += ',';
      text += "[" + std::to_string(kind) + "," + json(id).dump() + "," + decode_(rowsOf_.text(2)) + "]";
      if (kind != static_cast<std::int64_t>(RecordKind::WorkOrder)) owned.push_back(id);
    }
  } catch (...) {  // (a record that cannot be read back: nothing written)
    rowsOf_.reset();
    throw;
  }
  rowsOf_.reset();
  if (text.size() == 1) return false;
  text += ']';
  const std::string stored = encodeBundle_(text);
  putBundle_.bind(1, n);
  bindStoredBody(putBundle_, 2, stored);
  putBundle_.run();
  if (!bodies::compressed(stored)) db_.exec(wsql::kNotePlain);  // (compressPlain, once there is a dictionary)
  for (const Id& id : owned) putOwner_.bind(1, ownerKey(id)).bind(2, n).run();
  dropRows_.bind(1, n).run();  // (its report row stays: the bundle is written first)
  return true;
}

bool Bundles::unpack(std::int64_t n) {
  struct Row {
    std::int64_t kind;
    Id id;
    std::string body;
  };
  std::vector<Row> rows;
  bundleRows_.bind(1, n);
  while (bundleRows_.step()) rows.push_back({bundleRows_.integer(0), bundleRows_.text(1), bundleRows_.text(2)});
  bundleRows_.reset();
  if (rows.empty()) return false;
  dropBundle_.bind(1, n).run();
  for (const Row& r : rows) {
    putRow_.bind(1, r.kind).bind(2, r.id).bind(3, n);
    bindStoredBody(putRow_, 4, encode_(r.body));
    putRow_.run();
    if (r.kind != static_cast<std::int64_t>(RecordKind::WorkOrder)) {
      dropOwner_.bind(1, ownerKey(r.id)).bind(2, n).run();
    }
  }
  return true;
}

void Bundles::compressPlain() {
  if (!db_.scalarInt(wsql::kAnyPlain) || !bodies::compressed(encodeBundle_("[]"))) return;  // (none, or no dictionary yet)
  sql::Tx tx(db_);
  std::vector<std::pair<std::int64_t, std::string>> plain;
  for (sql::Stmt q(db_, wsql::kPlain); q.step();) plain.emplace_back(q.integer(0), q.text(1));
  sql::Stmt put(db_, wsql::kPutBody);
  for (auto& [n, text] : plain) {
    const std::string stored = encodeBundle_(text);
    put.bind(1, n).bindBlob(2, stored.data(), static_cast<int>(stored.size())).run();
  }
  db_.exec(wsql::kPlainDone);
  tx.commit();
}

namespace wsql {
inline constexpr const char* kAnyReportKept = "SELECT EXISTS(SELECT 1 FROM reports)";
}  // namespace wsql

KeptReports::KeptReports(sql::Db& db, std::string recipe)
    : db_(db), recipe_(std::move(recipe)), get_(db, wsql::kReportKept), has_(db, wsql::kReportIsKept), keep_(db, wsql::kReportKeep),
      spans_(db, wsql::kSpansReached), drop_(db, wsql::kReportsDropSpan) {
  sql::Stmt other(db_, wsql::kReportsOtherRecipe);
  other.bind(1, recipe_).run();
  maybe_ = db_.scalarInt(wsql::kAnyReportKept) != 0;
}

std::optional<MonthlyReport> KeptReports::get(Millis from, Millis to) {
  if (!maybe_) return std::nullopt;
  get_.bind(1, from).bind(2, to).bind(3, recipe_);
  std::optional<MonthlyReport> out;
  try {
    if (get_.step()) out = json::parse(get_.text(0)).get<MonthlyReport>();
  } catch (const json::exception&) {  // damaged: computed again, and kept again
    out.reset();
  }
  get_.reset();
  return out;
}

bool KeptReports::has(Millis from, Millis to) {
  if (!maybe_) return false;
  has_.bind(1, from).bind(2, to).bind(3, recipe_);
  const bool out = has_.step() && has_.integer(0) != 0;
  has_.reset();
  return out;
}

void KeptReports::keep(Millis from, Millis to, const MonthlyReport& r) {
  if (!sqlite3_get_autocommit(db_.raw())) return;
  maybe_ = true;
  try {
    keep_.bind(1, from).bind(2, to).bind(3, recipe_).bind(4, json(r).dump()).run();
  } catch (const sql::SqliteError&) {
    // not kept (the file full, read-only or busy): the report is given all
    // the same, and computed again next time; a failed keep is never a
    // failed report
    keep_.reset();
  }
}

void KeptReports::dropFor(const Id& wo) {
  if (!maybe_) return;
  std::vector<std::pair<Millis, Millis>> spans;
  spans_.bind(1, wo);
  while (spans_.step())
    if (!spans_.isNull(0)) spans.emplace_back(spans_.integer(0), spans_.integer(1));
  spans_.reset();
  for (auto [lo, hi] : spans) drop_.bind(1, lo).bind(2, hi).run();
}

void KeptReports::dropAll() {
  if (maybe_) db_.exec(wsql::kReportsDropAll);
}

std::vector<std::pair<std::pair<Millis, Millis>, std::string>> KeptReports::all() {
  std::vector<std::pair<std::pair<Millis, Millis>, std::string>> out;
  sql::Stmt q(db_, wsql::kReportsAll);
  while (q.step()) out.push_back({{q.integer(0), q.integer(1)}, q.text(2)});
  return out;
}

}  // namespace bk
