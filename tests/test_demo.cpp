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

TEST_CASE("issue 16: a benchmark history's ids are made as a kiosk makes them, and the shop played is the same") {
  auto play = [](bool kiosk_ids, TempDir& dir, FixedEntropy& ent) {
    auto st = std::make_unique<Store>(storeOptions(dir.file(kiosk_ids ? "kiosk.db" : "demo.db"), "demo"), ent);
    demo::Options opt;
    opt.now = T0 + 20LL * 24 * 60 * MIN + 14 * 60 * MIN;
    opt.days = 15;
    opt.set_pins = false;
    opt.kiosk_ids = kiosk_ids;
    const demo::Summary sum = demo::generate(*st, catalog(), opt);
    return std::make_pair(std::move(st), sum);
  };
  TempDir dir;
  FixedEntropy ent;
  auto [demoIds, a] = play(false, dir, ent);
  auto [kioskIds, b] = play(true, dir, ent);
  CHECK(b.events == a.events);
  CHECK(b.work_orders == a.work_orders);
  CHECK(b.delivered == a.delivered);
  CHECK(b.reworks == a.reworks);
  CHECK(b.disputes == a.disputes);
  const Shop& s = kioskIds->shop();
  auto asKiosk = [](const Id& id, const std::string& prefix) {  // kiosk/app.cpp: prefix and 32 hex digits
    Uuid u;
    return id.size() == prefix.size() + 32 && id.compare(0, prefix.size(), prefix) == 0 && fromHex(id.substr(prefix.size()), u);
  };
  std::size_t made = 0;
  for (auto& [id, e] : s.entries) made += asKiosk(id, "te-") ? 1 : 0;
  for (auto& [id, in] : s.inspections) made += asKiosk(id, "in-") ? 1 : 0;
  // (the demo's scenes of today keep their named ones: a few)
  CHECK(made + 10 > s.entries.size() + s.inspections.size());
  CHECK(made > 100);
  std::size_t wos = 0;
  for (auto& [id, w] : s.work_orders) wos += asKiosk(id, "wo-") ? 1 : 0;
  CHECK(wos + 10 > s.work_orders.size());
  CHECK(demoIds->shop().entries.count("te-1") == 1);
  CHECK(matchesReplay(*kioskIds));
}
