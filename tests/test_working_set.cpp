// Issue 16: the working set. A store holds in memory the work in progress
// and the last two months' deliveries; the past stays in SQLite and is read
// when asked. What memory holds, what history queries answer, and what the
// rules decide all agree with a full replay of the log.
#include "demo/demo.hpp"
#include "domain/report.hpp"
#include "domain/vin.hpp"
#include "store/working_set.hpp"
#include "tests/support.hpp"

#include <doctest/doctest.h>

#include <memory>

using namespace bkt;

namespace {

constexpr Millis kDay = 24 * 60 * MIN;

// A demo shop of four months, made through the store (which trims memory
// as the days go by).
struct DemoShop {
  TempDir dir;
  FixedEntropy ent;
  demo::Options opt;
  std::unique_ptr<Store> st;
  explicit DemoShop(std::uint32_t seed) {
    opt.seed = seed;
    opt.now = T0 + 120 * kDay + 14 * 60 * MIN;
    opt.set_pins = false;
    st = std::make_unique<Store>(storeOptions(dir.file("demo.db"), "demo"), ent);
    st->db().exec("PRAGMA synchronous = OFF");  // test data
    demo::generate(*st, catalog(), opt);
  }
};

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

TEST_CASE("issue 16: a month's report, its fault slips and a car's history read from SQLite agree with the whole shop") {
  for (const std::uint32_t seed : {7u, 11u}) {
    CAPTURE(seed);
    DemoShop d(seed);
    Store& st = *d.st;
    const Shop whole = st.loadRecords();
    const int tz = whole.policy.utc_offset_minutes;
    int months = 0;
    for (std::string m = monthOf(T0 - 40 * kDay, tz); m <= monthOf(d.opt.now, tz); m = addMonths(m, 1), ++months) {
      CAPTURE(m);
      const auto range = calendarMonth(m, tz);
      REQUIRE(range);
      const Shop past = st.pastOfMonth(range->first, range->second);
      CHECK(past.work_orders.size() < whole.work_orders.size());
      CHECK(monthlyReport(past, range->first, range->second) == monthlyReport(whole, range->first, range->second));
      CHECK(faultSlipLines(past, range->first, range->second) == faultSlipLines(whole, range->first, range->second));
    }
    CHECK(months >= 5);
    // a month brought into the working set: the report is the whole shop's,
    // and memory holds more until the store trims it again
    const std::size_t before = st.shop().work_orders.size();
    const auto first = calendarMonth(monthOf(T0 + 10 * kDay, tz), tz);
    CHECK(monthlyReport(st.shopForMonth(first->first, first->second), first->first, first->second) ==
          monthlyReport(whole, first->first, first->second));
    CHECK(st.shop().work_orders.size() > before);
    CHECK(matchesReplay(st));
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
  WorkOrder again = *old;
  again.id = "wo-ws-again";
  again.number = "WS-0001";
  again.opened_at = now;
  again.promised_at = now + 4 * 60 * MIN;
  again.delivered_at.reset();
  again.delivered_by.reset();
  again.final_passed.reset();
  again.old_parts.reset();
  again.gate_pass.clear();
  again.ack.reset();
  again.comeback_of = old->id;
  again.concern = "noise";
  const Action back = OpenWorkOrder{again, {OperationSpec{"op-ws-again", Trade::Mechanical, "复查", 30, oldOp.main_tech}}, {}};
  sameOutcome(back);
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
  uses(wsql::kKeptBundles, "SCAN w\nSEARCH r USING INDEX records_by_wo (wo=?)");
  uses(wsql::kBundle, "SEARCH records USING INDEX records_by_wo (wo=?)");
  uses(wsql::kOwnerOf, "SEARCH r USING INDEX sqlite_autoindex_records_1 (kind=? AND id=?)");
  uses(wsql::kActive, "USING COVERING INDEX work_orders_by_time (last_at>?)");
  uses(wsql::kOfVin, "USING INDEX work_orders_by_vin (vin=?)");
  uses(wsql::kComebacksOf, "USING INDEX work_orders_by_back (back_of=?)");
}
