// The demo shop goes through the real rules and gives every screen something.
#include "domain/report.hpp"
#include "demo/demo.hpp"
#include "tests/support.hpp"

#include <doctest/doctest.h>

using namespace bkt;

TEST_CASE("the demo shop: 20 bays, 40 staff, months of history, work in progress now") {
  TempDir dir;
  FixedEntropy ent;
  Store st(storeOptions(dir.file("demo.db"), "demo"), ent);
  demo::Options opt;
  opt.now = T0 + 120LL * 24 * 60 * MIN + 14 * 60 * MIN;  // 14:00 on a day
  opt.set_pins = false;  // hashing 40 PINs is the slow part; the store tests cover PINs
  auto sum = demo::generate(st, catalog(), opt);
  CHECK(sum.bays == 20);
  CHECK(sum.people == 40);
  CHECK(sum.work_orders >= 300);
  CHECK(sum.delivered > 250);
  CHECK(sum.reworks > 10);
  CHECK(sum.addons_declined > 3);
  CHECK(sum.disputes > 0);
  CHECK(sum.running > 0);
  const Shop& s = st.shop();
  // every role is held by someone
  for (auto& [role, n] : kRoleNames)
    CHECK(std::any_of(s.people.begin(), s.people.end(), [&](auto& p) { return p.second.has(role); }));
  // every category appears, and handover defects were charged upstream
  std::set<Category> cats;
  for (auto& [id, wo] : s.work_orders) cats.insert(wo.category);
  CHECK(cats.size() == 5);
  CHECK(std::any_of(s.reworks.begin(), s.reworks.end(), [](auto& r) { return r.second.found_in == InspectionKind::Handover; }));
  checkInvariants(s);
  CHECK(matchesReplay(st));
  // issue 16: four months of history, and memory holds the working set:
  // the work in progress and the last two months' deliveries
  CHECK(s.work_orders.size() < static_cast<std::size_t>(sum.work_orders));
  auto r = monthlyReport(s, opt.now - 30LL * 24 * 60 * MIN, opt.now);
  CHECK_FALSE(r.efficiency.empty());
  CHECK_FALSE(r.first_pass.empty());

  SUBCASE("deterministic for a seed and a now") {
    TempDir d2;
    FixedEntropy e2;
    Store st2(storeOptions(d2.file("demo.db"), "demo"), e2);
    auto sum2 = demo::generate(st2, catalog(), opt);
    CHECK(sum2.events == sum.events);
    CHECK(st2.shop().sameRecords(s));
  }
}
