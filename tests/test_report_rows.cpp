// Issue 16: a month's report from one compact row a work order (its
// report row, store/report_rows.hpp) instead of its every record. A row is
// only a form of its work order's records: the reports it gives equal the
// whole shop's on random shops and on the demo shop's months; a write to
// its records takes it away; `bk-hub verify` finds one that is not what
// the records make; a damaged one is never read as a work order.
#include "tests/demo_shop.hpp"
#include "domain/report.hpp"
#include "store/report_rows.hpp"
#include "store/working_set.hpp"
#include "tests/support.hpp"

#include <doctest/doctest.h>

#include <cctype>

#include <limits>
#include <random>

using namespace bkt;

namespace {

constexpr Millis kDay = 24 * 60 * MIN;

// A shop with `whole`'s reference data and each row's work order as it keeps it.
Shop fromRows(const Shop& whole, const std::map<Id, std::string>& rows) {
  Shop s;
  s.policy = whole.policy;
  s.people = whole.people;
  s.bays = whole.bays;
  s.clients = whole.clients;
  s.reviews = whole.reviews;
  s.superseded_by = whole.superseded_by;
  for (auto& [id, row] : rows) REQUIRE(reportrows::decodeInto(s, id, row));
  s.reindex();
  return s;
}

std::set<Id> idsOf(const Shop& s) {
  std::set<Id> ids;
  for (auto& [id, w] : s.work_orders) ids.insert(id);
  return ids;
}

std::string hex(const std::string& b) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

std::string rowOf(Store& st, const Id& wo) {
  sql::Stmt q(st.db(), reportrows::kGet);
  q.bind(1, wo);
  return q.step() ? std::string(q.blobView(0)) : std::string();
}

}  // namespace

TEST_CASE("issue 16: on random shops the report made from the report rows equals the whole shop's, for any range") {
  for (const unsigned seed : {4u, 31u, 2027u}) {
    CAPTURE(seed);
    World w;
    std::mt19937 rng(seed);
    Millis t = T0;
    int counter = 0;
    for (int i = 0; i < 4000; ++i) (void)w.run(randomAction(w.s, rng, t, counter));
    const std::map<Id, std::string> rows = reportrows::encode(w.s, idsOf(w.s));
    REQUIRE(rows.size() == w.s.work_orders.size());
    const Shop lean = fromRows(w.s, rows);
    // every record of every work order, as far as its row keeps it
    CHECK(lean.operations.size() == w.s.operations.size());
    CHECK(lean.entries.size() == w.s.entries.size());
    CHECK(lean.inspections.size() == w.s.inspections.size());
    CHECK(lean.reworks.size() == w.s.reworks.size());
    CHECK(lean.incidents.size() == w.s.incidents.size());
    CHECK(lean.addons.size() == w.s.addons.size());
    // made again from what it gave, a row is the same bytes
    CHECK(reportrows::encode(lean, idsOf(lean)) == rows);
    int ranges = 0, nonEmpty = 0;
    for (Millis from = T0 - kDay; from < t; from += 3 * kDay, ++ranges) {
      CAPTURE(from);
      const Millis to = from + 10 * kDay;
      const MonthlyReport want = monthlyReport(w.s, from, to);
      CHECK(monthlyReport(lean, from, to) == want);
      nonEmpty += !want.rework_by_trade.empty() && !want.first_pass.empty() && !want.efficiency.empty() && want.comebacks.delivered > 0;
    }
    CHECK(ranges > 5);
    CHECK(nonEmpty > 2);
    // what the shop had: rework, charges, add-ons decided, comebacks, ghost timers
    CHECK(!w.s.reworks.empty());
    CHECK(!w.s.incidents.empty());
    CHECK(std::any_of(w.s.addons.begin(), w.s.addons.end(), [](const auto& a) { return a.second.consent.has_value(); }));
    CHECK(!w.s.comebacks_of.empty());
  }
}

TEST_CASE("issue 16: a report row keeps a kiosk's ids two hex digits a byte, and reads them back the same") {
  // the same work order with its ids' digits as letters (g to v): nothing to pack
  auto shopWith = [](bool hex) {
    auto id = [&](std::string v) {
      if (!hex)
        for (std::size_t k = 3; k < v.size(); ++k)
          if (std::isxdigit(static_cast<unsigned char>(v[k]))) v[k] = static_cast<char>('g' + (std::isdigit(static_cast<unsigned char>(v[k])) ? v[k] - '0' : v[k] - 'a' + 10));
      return v;
    };
    Shop s;
    WorkOrder w;
    w.id = id("wo-0196a27e13e87008a6d33d082c9230dc");
    w.advisor = "p376";
    w.opened_at = 1'760'000'000'000;
    s.work_orders.emplace(w.id, w);
    for (int k = 0; k < 4; ++k) {
      Operation op;
      op.id = k % 2 ? id("op-0196a27e13e8700" + std::to_string(k) + "b615365f7190955c") : w.id + "-" + std::to_string(k);
      op.wo = w.id;
      op.seq = k + 1;
      op.main_tech = "p309";
      s.operations.emplace(op.id, op);
      TimeEntry e;
      e.id = id("te-019" + std::to_string(k) + "a27e13e87011b615365f7190955c");
      e.op = op.id;
      e.wo = w.id;
      e.tech = "p309";
      e.start = w.opened_at + k * 60'000;
      s.entries.emplace(e.id, e);
    }
    s.reindex();
    return s;
  };
  const Shop s = shopWith(true);
  const Id wo = s.work_orders.begin()->first;
  const std::string row = reportrows::encode(s, {wo}).at(wo);
  const Shop letters = shopWith(false);
  const std::string unpacked = reportrows::encode(letters, {letters.work_orders.begin()->first}).begin()->second;
  CHECK(row.size() + 6 * 12 <= unpacked.size());  // (each of six ids' hex rest, 24 digits or more, in half the bytes)
  Shop back;
  REQUIRE(reportrows::decodeInto(back, wo, row));
  back.reindex();
  CHECK(back.operations.size() == s.operations.size());
  for (auto& [id, op] : s.operations) CHECK(back.operations.count(id) == 1);
  for (auto& [id, e] : s.entries) {
    REQUIRE(back.entries.count(id) == 1);
    CHECK(back.entries.at(id).op == e.op);
  }
  CHECK(reportrows::encode(back, {wo}).at(wo) == row);
}

TEST_CASE("issue 16: a report row cut short, of another format or damaged is never read as a work order") {
  World w;
  std::mt19937 rng(8);
  Millis t = T0;
  int counter = 0;
  for (int i = 0; i < 1500; ++i) (void)w.run(randomAction(w.s, rng, t, counter));
  const std::map<Id, std::string> rows = reportrows::encode(w.s, idsOf(w.s));
  REQUIRE(rows.size() > 10);
  int cut = 0, flipped = 0, readFlipped = 0;
  for (auto& [id, row] : rows) {
    for (std::size_t n = 0; n < row.size(); ++n, ++cut) {
      Shop s;
      CHECK_FALSE(reportrows::decodeInto(s, id, std::string_view(row).substr(0, n)));
      CHECK(s.work_orders.empty());
      CHECK(s.operations.empty());
    }
    std::string other = row;
    other[0] = static_cast<char>(reportrows::kFormat + 1);
    Shop s;
    CHECK_FALSE(reportrows::decodeInto(s, id, other));
    // a byte changed anywhere: read or refused, never a crash or a hang
    for (int k = 0; k < 40; ++k, ++flipped) {
      std::string bad = row;
      bad[1 + rng() % (bad.size() - 1)] = static_cast<char>(rng());
      Shop b;
      readFlipped += reportrows::decodeInto(b, id, bad) ? 1 : 0;
    }
    std::string longer = row + '\0';
    CHECK_FALSE(reportrows::decodeInto(s, id, longer));
  }
  CHECK(cut > 100);
  MESSAGE(flipped, " damaged rows: ", flipped - readFlipped, " refused, the rest read as some work order");
}

TEST_CASE("issue 16: a report row's bytes are fixed for its format (a change of them, or of an enum's values, needs a new format)") {
  Shop s;
  WorkOrder wo;
  wo.id = "wo-7";
  wo.advisor = "adv";
  wo.opened_at = 1'760'000'000'000;
  wo.delivered_at = wo.opened_at + 5 * 3'600'000;
  wo.comeback_of = "wo-3";
  s.work_orders.emplace(wo.id, wo);
  Operation op;
  op.id = "wo-7-1";
  op.wo = wo.id;
  op.seq = 1;
  op.trade = Trade::Paint;
  op.std_minutes = 90;
  op.main_tech = "tech1";
  op.phase = Phase::Done;
  s.operations.emplace(op.id, op);
  TimeEntry e;
  e.id = "te-9";
  e.op = op.id;
  e.wo = wo.id;
  e.tech = "tech1";
  e.start = wo.opened_at + 60'000;
  e.end = e.start + 3'600'000;
  e.rework = true;
  e.corrected_by = "foreman";
  s.entries.emplace(e.id, e);
  Inspection in;
  in.id = "in-10";
  in.kind = InspectionKind::Comeback;
  in.wo = wo.id;
  in.op = op.id;
  in.result = Verdict::Fail;
  in.sig.at = wo.opened_at + 120'000;
  in.supersedes = "in-8";
  in.cause = ComebackCause::Misdiagnosis;
  s.inspections.emplace(in.id, in);
  Rework rw;
  rw.id = "rw-1";
  rw.op = op.id;
  rw.wo = wo.id;
  rw.inspection = in.id;
  rw.found_in = InspectionKind::Final;
  rw.defect = "scratch";
  rw.assigned_to = "tech1";
  rw.opened_at = in.sig.at;
  rw.closed_at = in.sig.at + 600'000;
  s.reworks.emplace(rw.id, rw);
  Incident inc;
  inc.id = "inc-in-10";
  inc.wo = wo.id;
  inc.trade = Trade::Body;
  inc.charged_to = "tech1";
  inc.at = in.sig.at;
  inc.held_by = "rv-1";
  inc.voided = true;
  s.incidents.emplace(inc.id, inc);
  AddOn a;
  a.id = "ao-2";
  a.wo = wo.id;
  a.proposed_at = wo.opened_at - 1000;  // (before its opening: times are signed)
  a.consent = ConsentStep{};
  a.consent->granted = true;
  a.consent->sig.at = wo.opened_at + 2000;
  a.refused = AddOnReturn{};
  a.refused->sig.at = wo.opened_at + 3000;
  s.addons.emplace(a.id, a);
  AddOn far = a;  // (times however far from the opening come back the same)
  far.id = "ao-3";
  far.proposed_at = std::numeric_limits<Millis>::min();
  far.consent->sig.at = std::numeric_limits<Millis>::max();
  s.addons.emplace(far.id, far);
  s.reindex();
  const std::string row = reportrows::encode(s, {wo.id}).at(wo.id);
  CHECK(hex(row) == "020e000661647602066f2d32060233000e666f72656d616e000a696e2d3130060238040e632d696e2d3130000872762d310206772d31000e73637261746368000874652d39040663683107023309042d318080e682b966000180a295110c010d0203b4010b04010a0d0bc0a90701c0e3be0301030104050e0180d30e060201080d0404090b80d30e0180f2570106020b80d30e08010201cf0f02a01f01f02e0280809afdc699ffffff0102feff99fdc699ffffff0101f02e");
  Shop back;
  REQUIRE(reportrows::decodeInto(back, wo.id, row));
  back.reindex();
  const WorkOrder& w = back.work_orders.at(wo.id);
  CHECK(w.advisor == wo.advisor);
  CHECK(w.opened_at == wo.opened_at);
  CHECK(w.delivered_at == wo.delivered_at);
  CHECK(w.comeback_of == wo.comeback_of);
  const Operation& o = back.operations.at(op.id);
  CHECK((o.seq == 1 && o.trade == Trade::Paint && o.std_minutes == 90 && o.main_tech == "tech1" && o.phase == Phase::Done));
  const TimeEntry& te = back.entries.at(e.id);
  CHECK((te.op == e.op && te.wo == e.wo && te.tech == e.tech && te.start == e.start && te.end == e.end && te.rework &&
         te.corrected_by == "foreman"));
  const Inspection& i = back.inspections.at(in.id);
  CHECK((i.kind == in.kind && i.op == in.op && i.result == in.result && i.sig.at == in.sig.at && i.supersedes == in.supersedes &&
         i.cause == in.cause));
  const Rework& r = back.reworks.at(rw.id);
  CHECK((r.op == rw.op && r.inspection == rw.inspection && r.found_in == rw.found_in && r.defect == rw.defect &&
         r.assigned_to == rw.assigned_to && r.opened_at == rw.opened_at && r.closed_at == rw.closed_at));
  const Incident& c = back.incidents.at(inc.id);
  CHECK((c.trade == inc.trade && c.charged_to == inc.charged_to && c.at == inc.at && c.held_by == inc.held_by && c.voided));
  const AddOn& ao = back.addons.at(a.id);
  CHECK((ao.proposed_at == a.proposed_at && ao.consent && ao.consent->granted && ao.consent->sig.at == a.consent->sig.at &&
         ao.refused && ao.refused->sig.at == a.refused->sig.at));
  const AddOn& f = back.addons.at(far.id);
  CHECK(f.proposed_at == std::numeric_limits<Millis>::min());
  CHECK(f.consent->sig.at == std::numeric_limits<Millis>::max());
}

TEST_CASE("issue 16: a store's months are reported from report rows written as work orders leave memory, and equal the whole shop's") {
  DemoShop d(7, "hub", false);
  Store& st = *d.st;
  const Shop whole = st.loadRecords();
  // every work order that left memory has its row, made as it left
  const std::int64_t rows = st.db().scalarInt("SELECT COUNT(*) FROM report_rows");
  CHECK(rows == static_cast<std::int64_t>(whole.work_orders.size() - st.shop().work_orders.size()));
  CHECK(rows > 100);
  const std::map<Id, std::string> want = reportrows::encode(whole, idsOf(whole));
  for (sql::Stmt q(st.db(), reportrows::kAll); q.step();) CHECK(std::string(q.blobView(1)) == want.at(q.text(0)));
  CHECK(matchesReplay(st));
  {  // one probe of its primary key a work order
    sql::Stmt p(st.db(), std::string("EXPLAIN QUERY PLAN ") + reportrows::kGet);
    std::string plan;
    while (p.step()) plan += p.text(3) + "\n";
    CAPTURE(plan);
    CHECK(plan.find("SCAN") == std::string::npos);
    CHECK(plan.find("SEARCH report_rows USING INTEGER PRIMARY KEY") != std::string::npos);
  }
  const int tz = whole.policy.utc_offset_minutes;
  std::vector<std::pair<Millis, Millis>> past;
  // (the shop's months: wholly left memory, partly, or not at all)
  for (std::string m = monthOf(T0 - 40 * kDay, tz); m <= monthOf(d.opt.now, tz); m = addMonths(m, 1)) {
    const auto range = *calendarMonth(m, tz);
    if (st.pastOfMonth(range.first, range.second).work_orders.size() > 50) past.push_back(range);
  }
  REQUIRE(past.size() >= 4);
  int partly = 0;
  for (auto [from, to] : past) {
    CAPTURE(from);
    std::vector<Id> without;
    const std::set<Id> ofMonth = idsOf(st.pastOfMonth(from, to));
    const auto held = std::count_if(ofMonth.begin(), ofMonth.end(), [&](const Id& id) { return st.shop().work_orders.count(id) > 0; });
    if (held > 0 && held < static_cast<std::ptrdiff_t>(ofMonth.size())) ++partly;
    const Shop facts = st.pastOf({ofMonth.begin(), ofMonth.end()}, Store::Detail::Facts, &without);
    CHECK(without.empty());  // (those memory does not hold read from their rows)
    CHECK(facts.work_orders.size() == ofMonth.size());
    CHECK(monthlyReport(facts, from, to) == monthlyReport(whole, from, to));
    const std::size_t inMemory = st.shop().work_orders.size();
    CHECK(st.report(from, to) == monthlyReport(whole, from, to));
    CHECK(st.shop().work_orders.size() == inMemory);  // a month partly held: read beside memory, nothing brought in
  }
  CHECK(partly >= 1);  // (one month both: what memory holds of it read as its facts, the rest from its rows)

  // without rows (a store upgraded to them): a report reads the records,
  // and writes the rows of what it read
  st.db().exec("DELETE FROM report_rows; DELETE FROM reports");
  const auto [from, to] = past.front();
  CHECK(st.report(from, to) == monthlyReport(whole, from, to));
  const std::int64_t made = st.db().scalarInt("SELECT COUNT(*) FROM report_rows");
  CHECK(made > 50);
  for (sql::Stmt q(st.db(), reportrows::kAll); q.step();) CHECK(std::string(q.blobView(1)) == want.at(q.text(0)));
  st.db().exec("DELETE FROM reports");
  CHECK(st.report(from, to) == monthlyReport(whole, from, to));
  CHECK(st.db().scalarInt("SELECT COUNT(*) FROM report_rows") == made);

  // a row of another format is as none: read from the records, and made again
  const Id old = st.db().scalarText("SELECT w.id FROM report_rows r JOIN work_orders w ON w.n = r.wo LIMIT 1");
  st.db().exec("UPDATE report_rows SET body = x'00' || substr(body, 2) WHERE wo = (SELECT n FROM work_orders WHERE id = '" + old + "')");
  CHECK(st.checkLog().differ.empty());  // (not a finding: an older program's)
  st.db().exec("DELETE FROM reports");
  CHECK(st.report(from, to) == monthlyReport(whole, from, to));
  CHECK(rowOf(st, old) == want.at(old));

  // a row that is not what its records make is found by verify; the
  // reports are as the rows say until then (they are what a report reads)
  const Id other = st.db().scalarText("SELECT w.id FROM report_rows r JOIN work_orders w ON w.n = r.wo WHERE w.id <> '" + old + "' LIMIT 1");
  const std::string good = rowOf(st, old);
  {
    sql::Stmt u(st.db(), "UPDATE report_rows SET body = ?2 WHERE wo = (SELECT n FROM work_orders WHERE id = ?1)");
    const std::string bad = rowOf(st, other);
    u.bind(1, old).bindBlob(2, bad.data(), static_cast<int>(bad.size())).run();
  }
  const Store::LogCheck c = st.checkLog();
  CHECK(std::any_of(c.differ.begin(), c.differ.end(), [&](const std::string& x) { return x.find(old) != std::string::npos; }));
  CHECK_FALSE(st.recordsDiffer(st.rebuildFromEvents()).empty());
  {
    sql::Stmt u(st.db(), "UPDATE report_rows SET body = ?2 WHERE wo = (SELECT n FROM work_orders WHERE id = ?1)");
    u.bind(1, old).bindBlob(2, good.data(), static_cast<int>(good.size())).run();
  }
  CHECK(matchesReplay(st));

  // reopened: the same reports from the same rows
  d.st.reset();
  StoreOptions o = storeOptions(d.dir.file("hub.db"), "hub");
  o.takes_hub_order = false;
  Store again(o, d.ent);
  again.db().exec("DELETE FROM reports");
  for (auto [f, t] : past) CHECK(again.report(f, t) == monthlyReport(whole, f, t));
}

TEST_CASE("issue 16: any write to a work order's records, or its removal, takes its report row away in the same statement") {
  DemoShop d(11, "hub", false);
  Store& st = *d.st;
  auto rowCount = [&] { return st.db().scalarInt("SELECT COUNT(*) FROM report_rows"); };
  auto numbers = [&](int k) {
    std::vector<std::int64_t> out;
    for (sql::Stmt q(st.db(), "SELECT wo FROM report_rows ORDER BY wo LIMIT " + std::to_string(k)); q.step();) out.push_back(q.integer(0));
    return out;
  };
  auto has = [&](std::int64_t n) { return st.db().scalarInt("SELECT COUNT(*) FROM report_rows WHERE wo = " + std::to_string(n)) == 1; };
  const std::vector<std::int64_t> n = numbers(6);
  REQUIRE(n.size() == 6);
  // (each out of memory: its records in its bundle, v24; packed, it kept its row)
  for (std::int64_t k : n) {
    REQUIRE(st.db().scalarInt("SELECT COUNT(*) FROM bundles WHERE wo = " + std::to_string(k)) == 1);
    unbundle(st, st.db().scalarText("SELECT id FROM work_orders WHERE n = " + std::to_string(k)));
  }
  REQUIRE(st.db().scalarInt("SELECT COUNT(*) FROM report_rows WHERE wo IN (SELECT wo FROM records)") >= 6);
  const std::int64_t before = rowCount();
  // a record of it rewritten (the same body), another's kind moved to it, one removed
  st.db().exec("UPDATE records SET body = body WHERE wo = " + std::to_string(n[0]) + " AND kind = 3");
  CHECK_FALSE(has(n[0]));
  st.db().exec("UPDATE records SET wo = " + std::to_string(n[2]) + " WHERE rowid = (SELECT rowid FROM records WHERE wo = " +
               std::to_string(n[1]) + " AND kind = 5 LIMIT 1)");
  CHECK_FALSE(has(n[1]));
  CHECK_FALSE(has(n[2]));
  st.db().exec("DELETE FROM records WHERE rowid = (SELECT rowid FROM records WHERE wo = " + std::to_string(n[3]) + " AND kind = 4 LIMIT 1)");
  CHECK_FALSE(has(n[3]));
  // a record added to it, and the work order's row removed
  st.db().exec("INSERT INTO records(kind, id, wo, body) VALUES(6, 'rw-test', " + std::to_string(n[4]) + ", '{}')");
  CHECK_FALSE(has(n[4]));
  st.db().exec("DELETE FROM work_orders WHERE n = " + std::to_string(n[5]));
  CHECK_FALSE(has(n[5]));
  CHECK(rowCount() == before - 6);
  // records of other kinds, and of no work order, leave the rows be
  st.db().exec("UPDATE records SET body = body WHERE wo IS NULL");
  CHECK(rowCount() == before - 6);
}

TEST_CASE("issue 16: a late event on a work order that left memory takes its row away, and the reports stay the whole shop's") {
  DemoShop d(7, "hub", false);
  Store& st = *d.st;
  const Shop before = st.loadRecords();
  // a car delivered weeks before comes back: its first visit is read, not written
  const WorkOrder* old = lastVisitBetween(before, d.opt.now, 70, 90);
  REQUIRE(old);
  REQUIRE(st.shop().work_orders.count(old->id) == 0);
  const std::string rowBefore = rowOf(st, old->id);
  CHECK_FALSE(rowBefore.empty());
  REQUIRE(st.record(comebackOf(before, *old, "late-1", d.opt.now), d.opt.now));
  CHECK(rowOf(st, old->id) == rowBefore);
  // a charge on an old work order disputed now: its incident is written again
  const Incident* charge = nullptr;
  for (auto& [id, inc] : before.incidents)
    if (inc.charged() && !inc.disputed_by && !inc.decision && !st.shop().work_orders.count(inc.wo) && inc.wo != old->id) {
      charge = &inc;
      break;
    }
  REQUIRE(charge);
  CHECK_FALSE(rowOf(st, charge->wo).empty());
  REQUIRE(st.record(DisputeCharge{charge->id, charge->charged_to, "not_mine", d.opt.now + MIN}, d.opt.now + MIN));
  CHECK(rowOf(st, charge->wo).empty());
  CHECK(matchesReplay(st));
  // every month's report still equals the whole shop's
  const Shop whole = st.loadRecords();
  const int tz = whole.policy.utc_offset_minutes;
  st.db().exec("DELETE FROM reports");
  int months = 0;
  for (std::string m = monthOf(T0 - 40 * kDay, tz); m <= monthOf(d.opt.now, tz); m = addMonths(m, 1), ++months) {
    CAPTURE(m);
    const auto [from, to] = *calendarMonth(m, tz);
    CHECK(st.report(from, to) == monthlyReport(whole, from, to));
  }
  CHECK(months >= 5);
}

TEST_CASE("issue 16: a read transaction around a month's many reads leaves the connection as it found it") {
  TempDir dir;
  sql::Db db(dir.file("r.db"));
  db.exec("CREATE TABLE t(x)");
  {
    const sql::ReadTx read(db);
    CHECK(sqlite3_get_autocommit(db.raw()) == 0);  // (one lock for what follows)
    sql::Stmt q(db, "SELECT COUNT(*) FROM t");
    CHECK(q.step());
  }
  CHECK(sqlite3_get_autocommit(db.raw()) != 0);
  {  // within a write transaction: nothing of its own, and the write commits
    sql::Tx tx(db);
    db.exec("INSERT INTO t VALUES(1)");
    { const sql::ReadTx read(db); }
    CHECK(sqlite3_get_autocommit(db.raw()) == 0);
    tx.commit();
  }
  CHECK(db.scalarInt("SELECT COUNT(*) FROM t") == 1);
  {  // a statement still stepping as it ends: the connection is out of the transaction all the same
    db.exec("INSERT INTO t VALUES(2)");
    sql::Stmt q(db, "SELECT x FROM t");
    {
      const sql::ReadTx read(db);
      CHECK(q.step());
    }
    q.reset();
    CHECK(sqlite3_get_autocommit(db.raw()) != 0);
  }
  sql::Tx next(db);  // (would throw were a transaction still open)
  next.commit();
}

TEST_CASE("issue 16: a month's work orders are those whose span meets it, long spans and comebacks included, by a bounded range at any age") {
  TempDir dir;
  FixedEntropy ent;
  Store st(storeOptions(dir.file("w.db")), ent);
  std::mt19937 rng(1616);
  // five years of work orders: most span hours or days, some weeks or
  // months (waiting for parts), some are comebacks of an earlier one
  sql::Stmt put(st.db(), "INSERT INTO work_orders(id, first_at, last_at, back_of) VALUES(?1, ?2, ?3, ?4)");
  const Millis start = T0 - 5 * 365 * kDay;
  std::vector<Id> ids;
  for (int i = 0; i < 6000; ++i) {
    const Millis first = start + static_cast<Millis>(rng() % (5 * 365)) * kDay + static_cast<Millis>(rng() % 86'400'000);
    const int kind = static_cast<int>(rng() % 100);
    const Millis span = kind < 90 ? static_cast<Millis>(rng() % (3 * 86'400'000)) : kind < 97 ? static_cast<Millis>(rng() % (40 * kDay))
                                                                                     : static_cast<Millis>(rng() % (400 * kDay));
    const Id id = "wo-" + std::to_string(i);
    put.bind(1, id).bind(2, first).bind(3, first + span);
    if (!ids.empty() && rng() % 10 == 0) put.bind(4, ids[rng() % ids.size()]);
    put.run();
    ids.push_back(id);
  }
  WorkOrderIndex index(st.db());
  int months = 0, long_ = 0;
  for (Millis from = start - 40 * kDay; from < T0 + 400 * kDay; from += 30 * kDay + 7 * 3'600'000, ++months) {
    const Millis to = from + 31 * kDay;
    std::set<Id> want;  // (the definition, by a scan)
    sql::Stmt q(st.db(), "SELECT id, back_of FROM work_orders WHERE last_at >= ?1 AND first_at < ?2");
    q.bind(1, from).bind(2, to);
    std::vector<Id> active;
    while (q.step()) {
      active.push_back(q.text(0));
      want.insert(q.text(0));
      if (!q.isNull(1)) want.insert(q.text(1));
    }
    for (const Id& id : active) {
      sql::Stmt c(st.db(), "SELECT id FROM work_orders WHERE back_of = ?1");
      c.bind(1, id);
      while (c.step()) want.insert(c.text(0));
    }
    CAPTURE(from);
    CHECK(index.ofMonth(from, to) == want);
    long_ += static_cast<int>(st.db().scalarInt("SELECT COUNT(*) FROM work_orders WHERE last_at - first_at >= 2678400000 AND first_at < " +
                                                std::to_string(to) + " AND last_at >= " + std::to_string(from)));
  }
  CHECK(months > 60);
  CHECK(long_ > 100);  // (months met by work orders of long spans)
}

TEST_CASE("issue 16: a month read for its report carries its inspections' corrections, and not what memory holds of the whole shop") {
  StaffedStore f;
  World w;  // (the same people and keys)
  auto both = [&](const Action& a, Millis at) {
    w.must(a);
    REQUIRE(f.st.record(a, at));
  };
  std::map<Id, Id> fixOf;  // each work order's corrected self-inspection -> its correction
  for (const Id wo : {"wo-1", "wo-2"}) {
    const Id op = wo + "-1";
    both(testWorkOrder(wo, Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")}), T0);
    both(ClockOn{"te-" + wo, "tech1", op, "bay1", T0 + MIN}, T0 + MIN);
    const RecordInspection first = w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 30 * MIN);
    both(first, T0 + 30 * MIN);
    RecordInspection fix = w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 35 * MIN);
    fix.inspection.supersedes = first.inspection.id;
    both(w.sealed(fix, "tech1", T0 + 35 * MIN), T0 + 35 * MIN);
    fixOf[wo] = fix.inspection.id;
    REQUIRE(latestInspection(f.st.shop(), InspectionKind::Self, op)->id == fix.inspection.id);
  }
  REQUIRE(f.st.shop().superseded_by.size() == 2);
  for (Store::Detail detail : {Store::Detail::Report, Store::Detail::Facts}) {
    const Shop month = f.st.pastOf({"wo-1"}, detail);
    CHECK(month.superseded_by.size() == 1);
    CHECK(latestInspection(month, InspectionKind::Self, "wo-1-1")->id == fixOf.at("wo-1"));  // R15
    CHECK(month.people.empty());  // (a report names no one: its page does, from the shop)
    CHECK(month.bays.empty());
  }
  const Shop whole = f.st.pastOf({"wo-1"});
  CHECK(whole.superseded_by.size() == 2);
  CHECK(whole.people.size() == f.st.shop().people.size());
}
