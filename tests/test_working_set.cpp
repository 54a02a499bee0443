// Issue 16: the working set. A store holds in memory the work in progress
// and the last two months' deliveries; the past stays in SQLite and is read
// when asked. What memory holds, what history queries answer, and what the
// rules decide all agree with a full replay of the log.
#include "tests/demo_shop.hpp"
#include "domain/report.hpp"
#include "domain/vin.hpp"
#include "store/working_set.hpp"
#include "tests/support.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <memory>
#include <random>

using namespace bkt;

namespace {

constexpr Millis kDay = 24 * 60 * MIN;

// The next 1 to `most` events of `log` from `at` (moved on past them).
std::vector<StoredEvent> nextBatch(const std::vector<StoredEvent>& log, std::size_t& at, std::mt19937& rng, std::size_t most) {
  const std::size_t n = std::min(log.size() - at, std::size_t{1} + rng() % most);
  std::vector<StoredEvent> batch(log.begin() + static_cast<std::ptrdiff_t>(at), log.begin() + static_cast<std::ptrdiff_t>(at + n));
  at += n;
  return batch;
}

// The shop's derived indexes that differ from those reindex() makes from
// its records (a store that brings work orders in adds only theirs): empty
// when every one is as a reindex makes it.
std::string indexesUnlikeWhole(const Shop& s) {
  Shop again = s;
  again.reindex();
  std::string out;
  auto same = [&](const char* name, const auto& a, const auto& b) {
    if (a != b) out += std::string(out.empty() ? "" : " ") + name;
  };
  same("ops_of_wo", again.ops_of_wo, s.ops_of_wo);
  same("open_entries", again.open_entries, s.open_entries);
  same("entries_of_op", again.entries_of_op, s.entries_of_op);
  same("inspections_by_time", again.inspections_by_time, s.inspections_by_time);
  same("inspections_of_wo", again.inspections_of_wo, s.inspections_of_wo);
  same("first_inspection", again.first_inspection, s.first_inspection);
  same("latest_inspection", again.latest_inspection, s.latest_inspection);
  same("op_finished_at", again.op_finished_at, s.op_finished_at);
  same("reworks_by_open", again.reworks_by_open, s.reworks_by_open);
  same("reworks_of_op", again.reworks_of_op, s.reworks_of_op);
  same("rework_entries_by_start", again.rework_entries_by_start, s.rework_entries_by_start);
  same("last_entry_of", again.last_entry_of, s.last_entry_of);
  same("entries_by_start", again.entries_by_start, s.entries_by_start);
  same("wos_of_vin", again.wos_of_vin, s.wos_of_vin);
  same("comebacks_of", again.comebacks_of, s.comebacks_of);
  same("comebacks_by_open", again.comebacks_by_open, s.comebacks_by_open);
  same("delivered_by_time", again.delivered_by_time, s.delivered_by_time);
  same("reviews_of_wo", again.reviews_of_wo, s.reviews_of_wo);
  return out;
}
bool indexedAsWhole(const Shop& s) { return indexesUnlikeWhole(s).empty(); }

std::string plan(sql::Db& db, const std::string& q) {
  sql::Stmt p(db, "EXPLAIN QUERY PLAN " + q);
  std::string out;
  while (p.step()) out += p.text(3) + "\n";
  return out;
}

}  // namespace

TEST_CASE("issue 16: memory holds the work in progress and the kept window, and the records on disk hold everything") {
  for (const std::uint32_t seed : {7u, 11u}) {
    CAPTURE(seed);
    DemoShop d(seed);
    Store& st = *d.st;
    const Shop whole = st.loadRecords();
    const Millis horizon = d.opt.now - 62 * kDay;
    REQUIRE(st.workOrderCount().all == static_cast<std::int64_t>(whole.work_orders.size()));
    // the months before the window left memory (two of the four); what is
    // in work never does
    CHECK(st.shop().work_orders.size() * 3 < whole.work_orders.size() * 2);
    for (auto& [id, w] : whole.work_orders) {
      CAPTURE(id);
      if (!w.delivered_at || *w.delivered_at >= horizon + kDay) CHECK(st.shop().work_orders.count(id) == 1);
    }
    for (auto& [id, w] : st.shop().work_orders)
      if (w.delivered_at && *w.delivered_at < horizon - kDay) CHECK(pinnedInMemory(st.shop()).count(id) == 1);
    CHECK(matchesReplay(st));
    // reopened, it loads only the working set, and the same
    Store again(storeOptions(d.dir.file("demo.db")), d.ent);
    CHECK(again.shop().samePartOf(whole));
    CHECK(again.shop().work_orders.size() * 3 < whole.work_orders.size() * 2);
    CHECK(matchesReplay(again));
  }
}

TEST_CASE("issue 16: work orders leaving memory take their index entries with them, the indexes as a reindex makes them") {
  for (const std::uint32_t seed : {7u, 11u}) {
    CAPTURE(seed);
    DemoShop d(seed);
    const Shop whole = d.st->loadRecords();
    REQUIRE(indexedAsWhole(whole));
    std::mt19937 rng(seed);
    Shop s = whole;
    std::size_t comebacks = 0, lastEntries = 0, rounds = 0;
    while (!s.work_orders.empty()) {
      // any work orders, open or delivered, comebacks and their origins
      std::set<Id> gone;
      for (auto& [id, w] : s.work_orders)
        if (rng() % 8 == 0 || s.work_orders.size() < 4) gone.insert(id);
      for (const Id& id : gone) {
        comebacks += s.work_orders.at(id).comeback();
        for (auto& [tech, e] : s.last_entry_of) lastEntries += s.entries.at(e).wo == id;
      }
      s.forget(gone);
      ++rounds;
      CAPTURE(rounds);
      for (const Id& id : gone) CHECK(s.work_orders.count(id) == 0);
      CHECK(s.samePartOf(whole));  // what stays, exactly as it was
      CHECK(indexesUnlikeWhole(s) == "");
      for (auto& [id, e] : s.entries) CHECK(s.work_orders.count(e.wo) == 1);
      for (auto& [id, in] : s.inspections) CHECK(s.work_orders.count(in.wo) == 1);
    }
    CHECK(rounds > 5);
    CHECK(comebacks > 0);
    CHECK(lastEntries > 10);  // a technician's latest entry left, and the one before it took its place
    CHECK(s.operations.empty());
    CHECK(s.inspections_by_time.empty());
    CHECK(s.reviews == whole.reviews);
    CHECK(s.reviews_of_wo == whole.reviews_of_wo);
  }
}

TEST_CASE("issue 16: a month's report, its fault slips and a car's history read from SQLite agree with the whole shop") {
  for (const std::uint32_t seed : {7u, 11u}) {
    CAPTURE(seed);
    DemoShop d(seed);
    Store& st = *d.st;
    const Shop whole = st.loadRecords();
    const int tz = whole.policy.utc_offset_minutes;
    int months = 0, heldMonths = 0;
    for (std::string m = monthOf(T0 - 40 * kDay, tz); m <= monthOf(d.opt.now, tz); m = addMonths(m, 1), ++months) {
      CAPTURE(m);
      const auto range = calendarMonth(m, tz);
      REQUIRE(range);
      const Shop past = st.pastOfMonth(range->first, range->second);
      CHECK(past.work_orders.size() < whole.work_orders.size());
      // the working set itself when it holds the month, else a copy read
      Shop scratch;
      const Shop& either = st.shopOfMonth(range->first, range->second, scratch);
      const bool held = std::all_of(past.work_orders.begin(), past.work_orders.end(),
                                    [&](const auto& w) { return st.shop().work_orders.count(w.first) > 0; });
      CHECK((&either == &st.shop()) == held);
      heldMonths += held;
      CHECK(faultSlipLines(either, range->first, range->second) == faultSlipLines(whole, range->first, range->second));
      CHECK(monthlyReport(past, range->first, range->second) == monthlyReport(whole, range->first, range->second));
      CHECK(faultSlipLines(past, range->first, range->second) == faultSlipLines(whole, range->first, range->second));
      // read for a report: no inspection read from SQLite has its items, and the report is the same
      const std::set<Id> ofMonth = [&] {
        std::set<Id> ids;
        for (auto& [id, w] : past.work_orders) ids.insert(id);
        return ids;
      }();
      const Shop lean = st.pastOf({ofMonth.begin(), ofMonth.end()}, Store::Detail::Report);
      CHECK(lean.inspections.size() == past.inspections.size());
      std::size_t itemsRead = 0, itemsHeld = 0;
      for (auto& [id, in] : lean.inspections) (st.shop().work_orders.count(in.wo) ? itemsHeld : itemsRead) += in.items.size();
      CHECK(itemsRead == 0);
      if (!held) CHECK(std::any_of(past.inspections.begin(), past.inspections.end(), [](const auto& in) { return !in.second.items.empty(); }));
      CHECK(monthlyReport(lean, range->first, range->second) == monthlyReport(whole, range->first, range->second));
    }
    CHECK(months >= 5);
    CHECK(heldMonths >= 1);  // this month
    CHECK(heldMonths < months);
    // a month brought into the working set: the report is the whole shop's,
    // and memory holds more until the store trims it again
    const std::size_t before = st.shop().work_orders.size();
    const auto first = calendarMonth(monthOf(T0 + 10 * kDay, tz), tz);
    CHECK(monthlyReport(st.shopForMonth(first->first, first->second), first->first, first->second) ==
          monthlyReport(whole, first->first, first->second));
    CHECK(st.shop().work_orders.size() > before);
    CHECK(matchesReplay(st));
    // looked at (the report screen open), it stays; then it may go
    st.trim(d.opt.now);
    CHECK(st.shop().work_orders.size() > before);
    st.stopViewing();
    st.trim(d.opt.now);
    CHECK(st.shop().work_orders.size() <= before);
    int cars = 0;
    for (auto& [vin, wos] : whole.wos_of_vin) {
      CAPTURE(vin);
      CHECK(vehicleHistory(st.pastOfVehicle(vin), vin) == vehicleHistory(whole, vin));
      ++cars;
    }
    CHECK(cars > 100);
  }
}

TEST_CASE("issue 16: a bay kiosk's store holds two days of deliveries, and reads what its screens ask for when they ask") {
  for (const std::uint32_t seed : {7u, 11u}) {
    CAPTURE(seed);
    DemoShop d(seed);
    const Shop whole = d.st->loadRecords();
    const std::size_t hubHolds = d.st->shop().work_orders.size();
    d.st.reset();
    StoreOptions o = storeOptions(d.dir.file("demo.db"), "demo");
    o.kept_days = kKioskKeptDays;
    Store k(o, d.ent);
    const Shop& s = k.shop();
    const Millis horizon = d.opt.now - kKioskKeptDays * kDay;
    // the work in the shop, and two days of deliveries; far less than the
    // hub's two months
    std::set<Id> openComebackOrigins;
    for (auto& [id, w] : whole.work_orders) {
      CAPTURE(id);
      if (!w.delivered_at || *w.delivered_at >= horizon + kDay) CHECK(s.work_orders.count(id) == 1);
      if (w.comeback() && !w.delivered_at) openComebackOrigins.insert(w.comeback_of);
    }
    CHECK(s.work_orders.size() * 4 < hubHolds);
    // what an open comeback came back for stays, however old (the floor
    // shows its number, the rules read its delivery); the rest is recent
    for (const Id& id : openComebackOrigins) CHECK(s.work_orders.count(id) == 1);
    for (auto& [id, w] : s.work_orders)
      if (w.delivered_at && *w.delivered_at < horizon - kDay)
        CHECK((pinnedInMemory(s).count(id) == 1 || openComebackOrigins.count(id) == 1));
    CHECK(matchesReplay(k));
    k.trim(d.opt.now);
    for (const Id& id : openComebackOrigins) CHECK(s.work_orders.count(id) == 1);

    // the delivery screen's cars handed over within the comeback window,
    // newest first: the whole shop's, from the store
    const Millis since = d.opt.now - Millis{whole.policy.comeback_days} * kDay;
    std::vector<std::pair<Millis, Id>> want;
    for (auto& [id, w] : whole.work_orders)
      if (w.delivered_at && *w.delivered_at >= since) want.emplace_back(*w.delivered_at, id);
    std::sort(want.rbegin(), want.rend());
    REQUIRE(want.size() > 40);
    for (const int limit : {5, 40}) {
      const std::vector<WorkOrder> got = k.deliveredSince(since, limit);
      REQUIRE(got.size() == static_cast<std::size_t>(limit));
      for (int i = 0; i < limit; ++i) CHECK(got[static_cast<std::size_t>(i)] == whole.work_orders.at(want[static_cast<std::size_t>(i)].second));
    }
    CHECK(k.shop().work_orders.size() == s.work_orders.size());  // (read beside memory, not into it)

    // a car whose visits left memory: its history screen brings them in
    // (the comeback form reads their operations), they stay while it is
    // open, and may go once it is closed
    const WorkOrder* old = nullptr;
    for (auto& [id, w] : whole.work_orders)
      if (w.delivered_at && !s.work_orders.count(id) && !whole.opsOf(id).empty()) { old = &w; break; }
    REQUIRE(old);
    const std::string vin = old->vehicle.vin;
    CHECK(vehicleHistory(k.shopForVehicle(vin), vin) == vehicleHistory(whole, vin));
    CHECK(s.work_orders.count(old->id) == 1);
    CHECK(s.opsOf(old->id).size() == whole.opsOf(old->id).size());
    CHECK(matchesReplay(k));
    k.trim(d.opt.now);
    CHECK(s.work_orders.count(old->id) == 1);
    k.stopViewing();
    k.trim(d.opt.now);
    CHECK(s.work_orders.count(old->id) == 0);
    // reopened: the same working set again
    Store again(o, d.ent);
    CHECK(again.shop().samePartOf(whole));
    CHECK(again.shop().work_orders.size() == k.shop().work_orders.size());
  }
}

TEST_CASE("issue 16: an action that names the past is checked against it, as a replay of the whole log would") {
  DemoShop d(7);
  Store& st = *d.st;
  const Shop whole = st.loadRecords();
  const Millis now = d.opt.now + 5 * MIN;
  // a delivered work order that left memory, one of its operations, and a
  // work order still in work
  const WorkOrder* old = nullptr;
  for (auto& [id, w] : whole.work_orders)
    if (w.delivered_at && !st.shop().work_orders.count(id) && !whole.opsOf(id).empty()) { old = &w; break; }
  REQUIRE(old);
  const Operation& oldOp = *whole.opsOf(old->id).front();
  REQUIRE_FALSE(st.shop().operations.count(oldOp.id));
  const WorkOrder* open = nullptr;
  for (auto& [id, w] : st.shop().work_orders)
    if (!w.delivered_at && !w.final_passed) { open = &w; break; }
  REQUIRE(open);
  auto sameOutcome = [&](const Action& a) {
    const Outcome want = check(whole, a);
    const Recorded got = st.record(a, now);
    CHECK(static_cast<bool>(got) == static_cast<bool>(want));
    if (!want && !got) CHECK(got.reason() == want.refusal->reason);
  };
  // clocking on an operation of a delivered car: refused, for the reason
  // the whole shop gives (not "no such operation")
  sameOutcome(ClockOn{"te-ws-1", oldOp.main_tech, oldOp.id, old->bay, now});
  // a new operation under an id the past already uses: refused
  sameOutcome(AddOperations{open->id, open->advisor, {OperationSpec{oldOp.id, Trade::Mechanical, "复查", 30, oldOp.main_tech}}, now});
  // the same car back: its earlier visits are read before the rules look
  const Action back = comebackOf(whole, *old, "ws-again", now);
  sameOutcome(back);
  // (v24) a bundled record's id is found by a 64-bit key of it: ids that
  // share one bring in every work order that has one, the right one among them
  std::vector<const WorkOrder*> more;
  for (auto& [id, w] : whole.work_orders)
    if (w.delivered_at && !st.shop().work_orders.count(id) && !whole.opsOf(id).empty() && more.size() < 2) more.push_back(&w);
  REQUIRE(more.size() == 2);
  const Operation& op2 = *whole.opsOf(more[0]->id).front();
  REQUIRE(st.db().scalarInt("SELECT COUNT(*) FROM bundles b JOIN work_orders w ON w.n = b.wo WHERE w.id = '" + more[0]->id + "'") == 1);
  st.db().exec("INSERT INTO record_owners(key, wo) SELECT " + std::to_string(ownerKey(op2.id)) + ", n FROM work_orders WHERE id = '" +
               more[1]->id + "'");
  sameOutcome(AddOperations{open->id, open->advisor, {OperationSpec{op2.id, Trade::Mechanical, "复查", 30, op2.main_tech}}, now});
  CHECK(st.shop().work_orders.count(more[0]->id) == 1);
  CHECK(st.shop().work_orders.count(more[1]->id) == 1);
  CHECK(matchesReplay(st));
}

TEST_CASE("issue 16: the working set's queries use their indexes, never a scan of the records") {
  DemoShop d(7);
  sql::Db& db = d.st->db();
  auto uses = [&](const char* q, const std::string& index) {
    CAPTURE(q);
    const std::string p = plan(db, q);
    CAPTURE(p);
    CHECK(p.find(index) != std::string::npos);
    CHECK(p.find("SCAN r") == std::string::npos);
    CHECK(p.find("SCAN records") == std::string::npos);
  };
  uses(wsql::kReferenceRecords, "SEARCH records USING INDEX sqlite_autoindex_records_1 (kind=?)");
  // (v21: the window's by time, those in work or pinned by their own index, never all of them)
  uses(wsql::kKeptBundles, "SEARCH work_orders USING INDEX work_orders_by_time (last_at>?)");
  uses(wsql::kKeptBundles, "SCAN work_orders USING INDEX work_orders_in_work");
  uses(wsql::kKeptBundles, "SEARCH r USING INDEX records_by_wo (wo=?)");
  CHECK(plan(db, wsql::kKeptBundles).find("SCAN work_orders\n") == std::string::npos);
  uses(wsql::kBundle, "SEARCH records USING INDEX records_by_wo (wo=?)");
  uses(wsql::kOwnerOf, "SEARCH r USING INDEX sqlite_autoindex_records_1 (kind=? AND id=?)");
  uses(wsql::kActive, "USING COVERING INDEX work_orders_by_time (last_at>?)");
  uses(wsql::kOfVin, "USING INDEX work_orders_by_vin (vin=?)");
  uses(wsql::kComebacksOf, "USING INDEX work_orders_by_back (back_of=?)");
  uses(wsql::kOfMonth, "USING INDEX work_orders_by_time (last_at>? AND last_at<?)");  // (bounded: any age costs the same)
  uses(wsql::kOfMonth, "USING INDEX work_orders_long (last_at>?)");
  uses(wsql::kOfMonth, "USING INDEX work_orders_by_back (back_of=?)");
  CHECK(plan(db, wsql::kOfMonth).find("SCAN work_orders") == std::string::npos);
  uses(wsql::kDeliveredSince, "USING INDEX work_orders_by_time (last_at>?)");
  uses(wsql::kWorkOrderRecord, "SEARCH records USING INDEX sqlite_autoindex_records_1 (kind=? AND id=?)");
  uses(wsql::kIncomplete, "USING COVERING INDEX work_orders_by_time (last_at=?)");
  // a kiosk's walks of the log in the hub's order, and its test of being
  // in step with the hub (issue 16: 65 ms at 246k events as scans, 5 ms
  // for a whole rebase by these indexes)
  d.st->db().exec(logsql::kUnplacedIndex);
  auto searches = [&](const char* q, const std::string& index) {
    CAPTURE(q);
    const std::string p = plan(db, q);
    CAPTURE(p);
    CHECK(p.find(index) != std::string::npos);
    CHECK(p.find("SCAN events\n") == std::string::npos);  // (a walk of the partial index is its few rows)
  };
  searches(logsql::kPlacedAfter, "SEARCH events USING INDEX events_by_hub_pos (hub_pos>?)");
  searches(logsql::kUnplaced, "events_unplaced");
  searches(logsql::kAnyUnplaced, "events_unplaced");
  searches(logsql::kLastPlaced, "events_by_hub_pos");
  const std::string seqs = plan(db, logsql::kLatestSeqOfOrigins);
  CAPTURE(seqs);
  CHECK(seqs.find("SCAN events") == std::string::npos);
  // the kinds stored: two probes of the (kind, id) index (both bounds in
  // one select read every row: 0.1 s at 1M events)
  const std::string kinds = plan(db, wsql::kKindsStored);
  CAPTURE(kinds);
  CHECK(kinds.find("SCAN records") == std::string::npos);
  CHECK(kinds.find("SEARCH records USING COVERING INDEX sqlite_autoindex_records_1") != std::string::npos);
}

TEST_CASE("issue 16: a month's report is kept once computed, given again while nothing it read changes, and dropped when something does") {
  DemoShop d(7);
  Store& st = *d.st;
  const int tz = st.shop().policy.utc_offset_minutes;
  auto rangeOf = [&](const std::string& m) { return *calendarMonth(m, tz); };
  auto kept = [&] { return st.db().scalarInt("SELECT COUNT(*) FROM reports"); };
  REQUIRE(kept() == 0);
  // every month: the whole shop's figures; a month wholly past is kept
  // (the month in work is not: every event changes it)
  const Shop whole = st.loadRecords();
  std::vector<std::string> past;
  std::size_t ghosts = 0;
  for (std::string m = monthOf(T0 - 40 * kDay, tz); m <= monthOf(d.opt.now, tz); m = addMonths(m, 1)) {
    CAPTURE(m);
    const auto [from, to] = rangeOf(m);
    CHECK(st.report(from, to) == monthlyReport(whole, from, to));
    // drawn from the working set (names, the policy): nothing of the
    // month's records is looked up, its ghost timers included
    CHECK(reportJson(st.shop(), st.report(from, to)) == reportJson(whole, monthlyReport(whole, from, to)));
    CHECK(reportCsv(st.shop(), st.report(from, to)) == reportCsv(whole, monthlyReport(whole, from, to)));
    ghosts += monthlyReport(whole, from, to).ghost_entries.size();
    if (m < monthOf(d.opt.now, tz)) past.push_back(m);
  }
  CHECK(kept() == static_cast<std::int64_t>(past.size()));
  CHECK(ghosts > 0);
  // a range that is no calendar month is computed, never kept
  CHECK(st.report(T0, T0 + 10 * kDay) == monthlyReport(whole, T0, T0 + 10 * kDay));
  CHECK(kept() == static_cast<std::int64_t>(past.size()));
  // given from the table (a row changed by hand shows), and `bk-hub
  // verify` finds the row that no longer equals the log's
  const std::string last = past.back();
  const auto [lastFrom, lastTo] = rangeOf(last);
  st.db().exec("UPDATE reports SET body = json_replace(body, '$.addons[0]', 9999) WHERE from_ms = " + std::to_string(lastFrom));
  CHECK(st.report(lastFrom, lastTo).addons_raised == 9999);
  int differ = 0;
  for (const Store::KeptReport& k : st.checkKeptReports()) differ += k.equal ? 0 : 1;
  CHECK(differ == 1);
  // a damaged row is computed again, and kept again
  st.db().exec("UPDATE reports SET body = 'not json' WHERE from_ms = " + std::to_string(lastFrom));
  CHECK(st.report(lastFrom, lastTo) == monthlyReport(whole, lastFrom, lastTo));
  for (const Store::KeptReport& k : st.checkKeptReports()) CHECK(k.equal);
  // a car delivered last month comes back: last month's figures change
  // (its first-time fix), and the kept report is dropped, the older months'
  // kept
  // (one first-time fixed: no rework, no comeback, delivered within the
  // comeback window)
  const Millis now = d.opt.now + 5 * MIN;
  const WorkOrder* old = nullptr;
  for (auto& [id, w] : st.shop().work_orders) {
    if (!w.delivered_at || *w.delivered_at < lastFrom || *w.delivered_at >= lastTo || w.comeback() ||
        *w.delivered_at < now - st.shop().policy.comeback_days * kDay || whole.comebacks_of.count(id) ||
        st.shop().opsOf(id).empty())
      continue;
    bool reworked = false;
    for (const Operation* op : st.shop().opsOf(id)) reworked |= st.shop().reworks_of_op.count(op->id) > 0;
    if (!reworked) {
      old = &w;
      break;
    }
  }
  REQUIRE(old);
  const MonthlyReport before = st.report(lastFrom, lastTo);
  REQUIRE(st.record(comebackOf(st.shop(), *old, "kept-again", now), now));
  CHECK(kept() < static_cast<std::int64_t>(past.size()));
  CHECK(kept() > 0);
  const Shop after = st.loadRecords();
  const MonthlyReport now_ = st.report(lastFrom, lastTo);
  CHECK(now_ == monthlyReport(after, lastFrom, lastTo));
  CHECK_FALSE(now_ == before);
  for (const std::string& m : past) {
    CAPTURE(m);
    const auto [from, to] = rangeOf(m);
    CHECK(st.report(from, to) == monthlyReport(after, from, to));
  }
  // reopened by a program of another report revision: none is kept
  st.db().exec("UPDATE reports SET recipe = 'older'");
  Store reopened(storeOptions(d.dir.file("demo.db")), d.ent);
  CHECK(reopened.db().scalarInt("SELECT COUNT(*) FROM reports") == 0);
  // a report that cannot be kept (the file will not take a write: full,
  // read-only, busy) is given all the same, and kept the next time
  const auto [from, to] = rangeOf(past.front());
  reopened.db().exec("PRAGMA query_only = ON");
  CHECK(reopened.report(from, to) == monthlyReport(after, from, to));
  reopened.db().exec("PRAGMA query_only = OFF");
  CHECK(reopened.db().scalarInt("SELECT COUNT(*) FROM reports") == 0);
  CHECK(reopened.report(from, to) == monthlyReport(after, from, to));
  CHECK(reopened.db().scalarInt("SELECT COUNT(*) FROM reports") == 1);
}

TEST_CASE("issue 16: the reports kept agree with the whole shop's as the log arrives in random batches") {
  DemoShop d(11);
  const std::vector<StoredEvent> log = d.st->events(0, 1'000'000);
  REQUIRE(log.size() > 1000);
  TempDir dir;
  FixedEntropy ent;
  Store hub(storeOptions(dir.file("hub.db"), "hub"), ent);
  const int tz = d.st->shop().policy.utc_offset_minutes;
  std::vector<std::string> months;
  for (std::string m = monthOf(T0 - 40 * kDay, tz); m <= monthOf(d.opt.now, tz); m = addMonths(m, 1)) months.push_back(m);
  std::mt19937 rng(20261203);
  std::size_t at = 0;
  int asked = 0, dropped = 0, comebacks = 0;  // (dropped: batches that dropped a report kept)
  while (at < log.size()) {
    const std::vector<StoredEvent> batch = nextBatch(log, at, rng, 800);
    const std::int64_t before = hub.db().scalarInt("SELECT COUNT(*) FROM reports");
    for (const Remote& r : hub.ingestBatch(batch, batch.back().wall_ms)) REQUIRE(r.status == Remote::Status::Applied);
    // now and then a car delivered in the last weeks comes back, opened on
    // the hub: the month it was delivered in (kept, often) changes
    if (rng() % 3 == 0) {
      const Millis now = batch.back().wall_ms + MIN;
      const Millis window = hub.shop().policy.comeback_days * kDay;
      std::vector<const WorkOrder*> recent;
      for (auto& [id, w] : hub.shop().work_orders)
        if (w.delivered_at && *w.delivered_at > now - window && !w.comeback() && !hub.shop().comebacks_of.count(id) &&
            !hub.shop().opsOf(id).empty())
          recent.push_back(&w);
      if (!recent.empty()) {
        const WorkOrder& old = *recent[rng() % recent.size()];
        comebacks += hub.record(comebackOf(hub.shop(), old, "cb-" + std::to_string(comebacks), now), now) ? 1 : 0;
      }
    }
    dropped += hub.db().scalarInt("SELECT COUNT(*) FROM reports") < before ? 1 : 0;
    // the months asked for after each batch, in random order: the first
    // time computed and kept, then given back from the table or dropped
    const Shop whole = hub.loadRecords();
    std::shuffle(months.begin(), months.end(), rng);
    for (const std::string& m : months) {
      CAPTURE(m);
      CAPTURE(at);
      const auto [from, to] = *calendarMonth(m, tz);
      CHECK(hub.report(from, to) == monthlyReport(whole, from, to));
      ++asked;
    }
  }
  CHECK(asked > 10);
  CHECK(comebacks > 3);
  CHECK(dropped > 0);
  CHECK(hub.db().scalarInt("SELECT COUNT(*) FROM reports") > 0);
}

TEST_CASE("issue 16: the month whose report to keep next is the newest past month not kept, until every one is") {
  DemoShop d(11);
  Store& st = *d.st;
  const Shop whole = st.loadRecords();
  const int tz = whole.policy.utc_offset_minutes;
  std::vector<std::string> order;
  for (int i = 0; i < 100; ++i) {
    const auto m = st.monthToKeep();
    if (!m) break;
    order.push_back(monthOf(m->first, tz));
    CHECK(m->second <= d.opt.now);  // wholly past
    CHECK(st.report(m->first, m->second) == monthlyReport(whole, m->first, m->second));
  }
  // newest first, back to the month before the shop's first work
  REQUIRE(order.size() >= 4);
  CHECK(order.front() == addMonths(monthOf(d.opt.now, tz), -1));
  for (std::size_t i = 1; i < order.size(); ++i) CHECK(order[i] == addMonths(order[i - 1], -1));
  CHECK(order.back() <= monthOf(T0, tz));
  CHECK_FALSE(st.monthToKeep());
  for (const Store::KeptReport& k : st.checkKeptReports()) CHECK(k.equal);
  // a comeback of a car delivered last month drops that month's: it is next
  const Millis now = d.opt.now + 5 * MIN;
  const auto last = *calendarMonth(order.front(), tz);
  const WorkOrder* old = nullptr;
  for (auto& [id, w] : whole.work_orders)
    if (w.delivered_at && *w.delivered_at >= last.first && *w.delivered_at < last.second && !w.comeback() &&
        *w.delivered_at >= now - whole.policy.comeback_days * kDay && !whole.opsOf(id).empty() && !whole.comebacks_of.count(id)) {
      old = &w;
      break;
    }
  REQUIRE(old);
  REQUIRE(st.record(comebackOf(st.shop(), *old, "keep-next", now), now));
  const auto next = st.monthToKeep();
  REQUIRE(next);
  CHECK(monthOf(next->first, tz) == order.front());
}

TEST_CASE("issue 16: a bay kiosk of two days takes the hub's log in random batches and decides, shows and keeps what a full replay would") {
  DemoShop d(7);
  const std::vector<StoredEvent> log = d.st->events(0, 1'000'000);
  REQUIRE(log.size() > 1000);
  TempDir dir;
  FixedEntropy ent;
  StoreOptions o = storeOptions(dir.file("bay.db"), "kiosk-b09");
  o.kept_days = kKioskKeptDays;
  Store bay(o, ent);
  std::mt19937 rng(20261204);
  std::size_t at = 0;
  int comebacks = 0, histories = 0, oldCars = 0;
  while (at < log.size()) {
    const std::vector<StoredEvent> batch = nextBatch(log, at, rng, 600);
    REQUIRE_FALSE(bay.takeFromHub(batch, batch.back().wall_ms).gap);
    const Millis now = batch.back().wall_ms + MIN;
    const Shop whole = bay.loadRecords();
    // a car delivered within the comeback window (most of them older than
    // the two days memory holds) comes back: decided as on the whole shop
    if (rng() % 2 == 0) {
      const Millis window = whole.policy.comeback_days * kDay;
      std::vector<const WorkOrder*> recent;
      for (auto& [id, w] : whole.work_orders)
        if (w.delivered_at && *w.delivered_at > now - window && !w.comeback() && !whole.comebacks_of.count(id) && !whole.opsOf(id).empty())
          recent.push_back(&w);
      if (!recent.empty()) {
        const WorkOrder& old = *recent[rng() % recent.size()];
        oldCars += bay.shop().work_orders.count(old.id) == 0;
        const Action a = comebackOf(whole, old, "bay-cb-" + std::to_string(comebacks++), now);
        const Outcome want = check(whole, a);
        const Recorded got = bay.record(a, now);
        CHECK(static_cast<bool>(got) == static_cast<bool>(want));
      }
    }
    // a car's history opened at the bay, then closed: as the whole shop's
    if (rng() % 3 == 0 && !whole.wos_of_vin.empty()) {
      auto it = whole.wos_of_vin.begin();
      std::advance(it, static_cast<std::ptrdiff_t>(rng() % whole.wos_of_vin.size()));
      CHECK(vehicleHistory(bay.shopForVehicle(it->first), it->first) == vehicleHistory(whole, it->first));
      ++histories;
      if (rng() % 2) bay.stopViewing();
      bay.trim(now);
    }
    // memory: the replay's, in part; every open work order and what an
    // open comeback came back for among it; its indexes as a reindex makes them
    CHECK(matchesReplay(bay));
    CHECK(indexedAsWhole(bay.shop()));
    for (auto& [id, w] : bay.loadRecords().work_orders)
      if (!w.delivered_at) {
        CHECK(bay.shop().work_orders.count(id) == 1);
        if (w.comeback()) CHECK(bay.shop().work_orders.count(w.comeback_of) == 1);
      }
  }
  CHECK(comebacks > 3);
  CHECK(oldCars > 0);
  CHECK(histories > 3);
  // reopened: the same two days
  const Shop whole = bay.loadRecords();
  Store again(o, ent);
  CHECK(again.shop().samePartOf(whole));
  CHECK(again.shop().work_orders.size() * 4 < whole.work_orders.size());
}

TEST_CASE("issue 16: bk-hub verify replays the log in a working set, brings back what a late event reads, and finds any record on disk that is not the log's") {
  DemoShop d(7);
  Store& st = *d.st;
  // cars delivered weeks ago come back: the replay let their first visits
  // go, and brings each back when its comeback opens
  const Shop before = st.loadRecords();
  int comebacks = 0;
  for (auto& [id, w] : before.work_orders) {
    if (comebacks == 4) break;
    if (w.delivered_at && *w.delivered_at < d.opt.now - 20 * kDay && *w.delivered_at > d.opt.now - 29 * kDay && !w.comeback() &&
        !before.comebacks_of.count(id) && !before.opsOf(id).empty())
      comebacks += st.record(comebackOf(before, w, "late-" + std::to_string(comebacks), d.opt.now), d.opt.now) ? 1 : 0;
  }
  REQUIRE(comebacks == 4);
  const Shop whole = st.rebuildFromEvents();
  REQUIRE(whole.sameRecords(st.loadRecords()));
  const Store::LogCheck c = st.checkLog();
  for (const std::string& x : c.differ) MESSAGE(x);
  CHECK(c.differ.empty());
  CHECK(c.people.empty());
  CHECK(c.events == st.eventCount());
  // most work orders left the replay as it went; what it holds at the end
  // is the working set of the log's last days, exactly as the whole replay has it
  CHECK(c.left * 10 > static_cast<std::int64_t>(whole.work_orders.size()) * 8);
  CHECK(c.held.work_orders.size() * 5 < whole.work_orders.size());
  CHECK(c.held.samePartOf(whole));
  for (auto& [id, w] : whole.work_orders)
    if (w.comeback() && !w.delivered_at) CHECK(c.held.work_orders.count(w.comeback_of) == 1);
  // what is asked for stays, whole
  const Id old = std::find_if(whole.work_orders.begin(), whole.work_orders.end(), [&](const auto& kv) {
                   return kv.second.delivered_at && *kv.second.delivered_at < d.opt.now - 90 * kDay && !kv.second.comeback() &&
                          whole.opsOf(kv.first).size() >= 2;
                 })->first;
  const Store::LogCheck kept = st.checkLog({old});
  CHECK(kept.held.work_orders.count(old) == 1);
  CHECK(kept.held.opsOf(old).size() == whole.opsOf(old).size());
  CHECK(kept.differ.empty());

  // the disk changed behind the log's back: each change is found, whether
  // its work order left the replay long ago or is still in work
  const std::vector<Id> oldOps{whole.opsOf(old)[0]->id, whole.opsOf(old)[1]->id};
  const Id open = std::find_if(whole.work_orders.begin(), whole.work_orders.end(), [&](const auto& kv) {
                    return !kv.second.delivered_at && !whole.opsOf(kv.first).empty();
                  })->first;
  const Id openOp = whole.opsOf(open)[0]->id;
  auto swapBodies = [&](const Id& x, const Id& y) {  // two operations' stored bodies exchanged
    auto bodyOf = [&](const Id& id) {
      sql::Stmt q(st.db(), "SELECT body FROM records WHERE kind = 3 AND id = ?1");
      q.bind(1, id);
      REQUIRE(q.step());
      return q.blob(0);
    };
    const auto bx = bodyOf(x), by = bodyOf(y);
    sql::Stmt u(st.db(), "UPDATE records SET body = ?2 WHERE kind = 3 AND id = ?1");
    u.bind(1, x).bindBlob(2, by.data(), static_cast<int>(by.size())).run();
    u.bind(1, y).bindBlob(2, bx.data(), static_cast<int>(bx.size())).run();
  };
  auto found = [&](const std::string& what) {
    const Store::LogCheck t = st.checkLog();
    for (const std::string& x : t.differ)
      if (x.find(what) != std::string::npos) return true;
    for (const std::string& x : t.differ) MESSAGE(x);
    return false;
  };
  // a bundle's records are found as they are stored (below: rows again)
  const Id other = std::find_if(whole.work_orders.begin(), whole.work_orders.end(), [&](const auto& kv) {
                     return kv.first != old && kv.second.delivered_at && *kv.second.delivered_at < d.opt.now - 90 * kDay &&
                            !kv.second.comeback() && !whole.opsOf(kv.first).empty();
                   })->first;
  auto bundleSwap = [&] {  // two work orders' bundles exchanged
    st.db().exec("UPDATE bundles SET wo = -1 WHERE wo = (SELECT n FROM work_orders WHERE id = '" + old + "'); "
                 "UPDATE bundles SET wo = (SELECT n FROM work_orders WHERE id = '" + old + "') WHERE wo = (SELECT n FROM work_orders WHERE id = '" + other + "'); "
                 "UPDATE bundles SET wo = (SELECT n FROM work_orders WHERE id = '" + other + "') WHERE wo = -1");
  };
  bundleSwap();
  CHECK(found(old));
  bundleSwap();
  CHECK(st.checkLog().differ.empty());
  unbundle(st, old);
  CHECK(st.checkLog().differ.empty());
  swapBodies(oldOps[0], oldOps[1]);  // an old work order's operations
  CHECK(found(oldOps[0]));
  swapBodies(oldOps[0], oldOps[1]);
  swapBodies(oldOps[0], openOp);  // across a work order in work
  CHECK_FALSE(st.checkLog().differ.empty());
  swapBodies(oldOps[0], openOp);
  // a record moved to another work order, or removed
  const std::int64_t n = st.db().scalarInt("SELECT wo FROM records WHERE kind = 3 AND id = '" + oldOps[0] + "'");
  st.db().exec("UPDATE records SET wo = " + std::to_string(n + 1) + " WHERE kind = 3 AND id = '" + oldOps[0] + "'");
  CHECK_FALSE(st.checkLog().differ.empty());
  st.db().exec("UPDATE records SET wo = " + std::to_string(n) + " WHERE kind = 3 AND id = '" + oldOps[0] + "'");
  CHECK(st.checkLog().differ.empty());
  st.db().exec("DELETE FROM records WHERE kind = 3 AND id = '" + oldOps[1] + "'");
  CHECK(found(old));
}

TEST_CASE("issue 16: a bay's rebase after a conflict replays only what came since it was last in step with the hub, and ends as a replay of the whole log") {
  DemoShop d(11);
  Store& hub = *d.st;  // the hub's log: the demo shop's months
  TempDir dir;
  FixedEntropy ent;
  StoreOptions o = storeOptions(dir.file("bay.db"), "kiosk-b07");
  o.kept_days = kKioskKeptDays;
  Store bay(o, ent);
  std::int64_t through = 0;
  auto pull = [&](Millis now) {
    Store::Placement p;
    for (;;) {
      const std::vector<StoredEvent> got = hub.events(through, 2000);
      if (got.empty()) return p;
      const Store::Placement one = bay.takeFromHub(got, now);
      REQUIRE_FALSE(one.gap);
      through = one.through;
      p.rebased |= one.rebased;
      p.replayed += one.replayed;
    }
  };
  pull(d.opt.now);
  REQUIRE(bay.eventCount() > 3000);
  // the bay's reports of the months past, kept: a rebase drops only those
  // it reaches (each kept one still equals its month's replay)
  const int tz = bay.shop().policy.utc_offset_minutes;
  std::size_t kept = 0;
  for (int back = 1; back <= 3; ++back) {
    const auto m = calendarMonth(addMonths(monthOf(d.opt.now, tz), -back), tz);
    REQUIRE(m);
    bay.report(m->first, m->second);
  }
  REQUIRE(bay.checkKeptReports().size() == 3);
  std::int64_t pushed = 0;
  auto push = [&](Millis now) {
    for (const StoredEvent& e : bay.ownEventsAfter(pushed, 1000)) {
      REQUIRE(hub.ingestRemote(e, now).status == Remote::Status::Applied);
      pushed = e.origin_seq;
    }
  };
  // a clock-on or off for a random technician of the shop, valid where it
  // is made; a few people and jobs, so that the bay's events and the hub's
  // often name the same
  std::mt19937 rng(20261204);
  RandomClocking random{clockable(hub.shop(), d.opt.now, 3), rng};
  std::set<Id> techs;
  for (const auto& job : random.jobs) techs.insert(job[0]);
  REQUIRE(techs.size() == 3);
  REQUIRE(random.jobs.size() > 5);
  auto clocking = [&](Store& st, Millis at) { return random.next(st.shop(), at); };
  int rebases = 0, broken = 0;
  Millis now = d.opt.now + MIN;
  for (int round = 0; round < 50; ++round) {
    CAPTURE(round);
    // the bay works offline, the rest of the shop goes on at the hub, the
    // bay hears some of it before its own events have their place
    for (int i = static_cast<int>(rng() % 4); i > 0; --i)
      if (auto a = clocking(bay, now += MIN)) REQUIRE(bay.record(*a, now));
    for (int i = static_cast<int>(rng() % 4); i > 0; --i)
      if (auto a = clocking(hub, now += MIN)) REQUIRE(hub.record(*a, now));
    if (rng() % 2) pull(now);
    if (rng() % 3) continue;  // still offline
    push(now);
    if (rng() % 3 == 0) {
      // a reply that breaks off with an event the store cannot read: the
      // whole batch rolls back (a rebase in it too), the journal with it
      std::vector<StoredEvent> got = hub.events(through, 2000);
      StoredEvent bad;
      bad.pos = hub.lastPos() + 1;
      bad.id[0] = 0xBD;
      bad.origin = "kiosk-broken";
      bad.origin_seq = 1;
      bad.wall_ms = now;
      bad.type = "clock_on";
      bad.body = R"({"type":"clock_on"})";
      got.push_back(bad);
      CHECK_THROWS(bay.takeFromHub(got, now));
      ++broken;
    }
    const Store::Placement p = pull(now);
    CHECK(bay.unplacedOwn() == 0);
    if (p.rebased) {
      ++rebases;
      CHECK(p.replayed < 100);  // of thousands
    }
    // the hub's order, on disk and in memory, as the whole log's replay
    CHECK(bay.loadRecords().sameRecords(hub.loadRecords()));
    CHECK(matchesReplay(bay));
    const std::vector<Store::KeptReport> k = bay.checkKeptReports();
    CHECK(std::all_of(k.begin(), k.end(), [](const Store::KeptReport& r) { return r.equal; }));
    kept = k.size();
  }
  MESSAGE(random.made << " clockings, " << rebases << " rebases, " << broken << " replies broken off, " << kept << " reports still kept");
  CHECK(rebases > 3);
  CHECK(kept >= 2);  // (the months before the work clocked on)
  CHECK(broken > 2);
}

namespace {
// What each page a commit wrote to the WAL holds (a table's or an index's
// name, from dbstat), the WAL read from byte `from` (its 32-byte header
// and each frame's 24 before its page).
std::multiset<std::string> pagesWritten(Store& st, std::size_t from) {
  std::map<std::uint32_t, std::string> owner;
  sql::Stmt q(st.db(), "SELECT name, pageno FROM dbstat");
  while (q.step()) owner[static_cast<std::uint32_t>(q.integer(1))] = q.text(0);
  const std::uint32_t pageSize = static_cast<std::uint32_t>(st.db().scalarInt("PRAGMA page_size"));
  std::ifstream f(st.db().path() + "-wal", std::ios::binary);
  const std::string wal((std::istreambuf_iterator<char>(f)), {});
  std::multiset<std::string> out;
  for (std::size_t at = std::max<std::size_t>(from, 32); at + 24 + pageSize <= wal.size(); at += 24 + pageSize) {
    std::uint32_t page = 0;
    for (int i = 0; i < 4; ++i) page = page << 8 | static_cast<std::uint8_t>(wal[at + static_cast<std::size_t>(i)]);
    out.insert(owner.count(page) ? owner[page] : "?");
  }
  return out;
}
std::size_t walSize(Store& st) {
  std::ifstream f(st.db().path() + "-wal", std::ios::binary | std::ios::ate);
  return f ? static_cast<std::size_t>(f.tellg()) : 0;
}
}  // namespace

TEST_CASE("issue 16: a clock-on or a clock-off writes the pages of what it changes, not of every index on its rows") {
  StaffedStore k;
  REQUIRE(k.st.record(testWorkOrder("wo-1", Category::GeneralRepair, {spec("wo-1-1", Trade::Mechanical, "tech1")}), T0));
  Millis t = T0 + MIN;
  auto clock = [&](int n) {
    const Action a = n % 2 == 0 ? Action{ClockOn{"te-" + std::to_string(n), "tech1", "wo-1-1", "bay1", t}}
                                : Action{ClockOff{"tech1", "wo-1-1", StopReason::Break, t}};
    REQUIRE(k.st.record(a, t));
    t += 1000;
  };
  for (int n = 0; n < 40; ++n) clock(n);
  k.st.db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
  k.st.db().exec("PRAGMA wal_autocheckpoint = 0");  // (each commit's frames stay where they were written)
  for (int n = 40; n < 44; ++n) {
    CAPTURE(n);
    const std::size_t before = walSize(k.st);
    clock(n);
    const std::multiset<std::string> pages = pagesWritten(k.st, before);
    std::string all;
    for (const std::string& p : pages) all += p + " ";
    CAPTURE(all);
    // the event and its indexes, the chain head, the entry, its work
    // order's span and the index by time
    for (const char* p : {"events", "meta", "records", "work_orders", "work_orders_by_time"}) CHECK(pages.count(p) >= 1);
    // nothing of the work order's car, its state or its records' owner,
    // which did not change
    for (const char* p : {"work_orders_by_vin", "work_orders_in_work", "work_orders_by_back"}) CHECK(pages.count(p) == 0);
    if (n % 2 == 1) {  // a clock-off changes the entry the clock-on made: no new row
      CHECK(pages.count("records_by_wo") == 0);
      CHECK(pages.count("sqlite_autoindex_records_1") == 0);
      CHECK(pages.size() <= 8);
    } else {
      CHECK(pages.size() <= 10);
    }
  }
  CHECK(matchesReplay(k.st));
}

TEST_CASE("issue 16: each work order's row says what its record says, whether its span alone was written or the whole row") {
  DemoShop h(5);  // four months: deliveries, comebacks, entries left open
  Store& st = *h.st;
  const Shop all = st.loadRecords();
  const std::set<Id> pinned = pinnedInMemory(all);
  sql::Stmt q(st.db(), "SELECT id, vin, first_at, last_at, delivered_at, back_of, pinned FROM work_orders");
  std::size_t rows = 0, delivered = 0, comebacks = 0;
  while (q.step()) {
    ++rows;
    const auto it = all.work_orders.find(q.text(0));
    REQUIRE(it != all.work_orders.end());
    const WorkOrder& w = it->second;
    CAPTURE(w.id);
    CHECK(q.text(1) == vinKey(w.vehicle.vin));
    CHECK(q.integer(2) <= w.opened_at);
    CHECK(q.integer(3) >= w.opened_at);
    CHECK(q.isNull(4) == !w.delivered_at);
    if (w.delivered_at) {
      ++delivered;
      CHECK(q.integer(4) == *w.delivered_at);
      CHECK(q.integer(3) >= *w.delivered_at);
    }
    CHECK(q.isNull(5) == !w.comeback());
    if (w.comeback()) {
      ++comebacks;
      CHECK(q.text(5) == w.comeback_of);
    }
    CHECK((q.integer(6) == 1) == (w.delivered_at && pinned.count(w.id) > 0));
  }
  CHECK(rows == all.work_orders.size());
  CHECK(delivered > 100);
  CHECK(comebacks > 0);
}
