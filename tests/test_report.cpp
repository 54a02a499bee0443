// The monthly quality report (DOMAIN.md 返工报表).
#include "domain/report.hpp"
#include "tests/support.hpp"

#include <doctest/doctest.h>

using namespace bkt;

TEST_CASE("monthly report: rework, first-time pass rate, incidents, add-ons, efficiency") {
  World w;
  const Id a = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id b = w.openWorkOrder(Category::BodyPaint, {spec("", Trade::Body, "body1"), spec("", Trade::Paint, "paint1", true)});
  // a: peer fails once (rework of 30 minutes), then passes
  w.clockOn("tech1", a + "-1", T0);
  w.must(w.inspection(InspectionKind::Self, a, a + "-1", "tech1", true, T0 + 60 * MIN));
  w.must(w.inspection(InspectionKind::Peer, a, a + "-1", "foreman", false, T0 + 70 * MIN));
  w.clockOn("tech1", a + "-1", T0 + 80 * MIN);
  w.must(w.inspection(InspectionKind::Self, a, a + "-1", "tech1", true, T0 + 110 * MIN));
  w.must(w.inspection(InspectionKind::Peer, a, a + "-1", "foreman", true, T0 + 120 * MIN));
  // b: body passes, handover rejects it once (paint defect list not needed: body defect)
  w.finish(b + "-1", T0);
  auto h = w.inspection(InspectionKind::Handover, b, b + "-1", "paint1", false, T0 + 60 * MIN);
  h.inspection.defect = "body.uneven_gaps";
  Action ha = h;
  signAction(ha, "paint1", T0 + 60 * MIN, testKey("paint1"));
  w.must(ha);
  // add-ons: one raised and declined
  w.must(ProposeAddOn{"ad-1", "op-ad", a, a + "-1", "tech1", Trade::Mechanical, "addon.oil_leak", 60, {}, false, false, T0 + 5 * MIN});
  w.must(w.sealed(QuoteAddOn{"ad-1", 100, 60, {}}, "advisor", T0 + 6 * MIN));
  w.must(w.sealed(SignAddOnTechnical{"ad-1", {}}, "director", T0 + 7 * MIN));
  w.must(w.sealed(SignAddOnCost{"ad-1", {}}, "manager", T0 + 8 * MIN));
  w.must(w.sealed(RecordConsent{"ad-1", false, ConsentChannel::Phone, false, {}}, "advisor", T0 + 9 * MIN));

  auto r = monthlyReport(w.s, T0, T0 + 30LL * 24 * 60 * MIN);
  CHECK(r.rework_by_trade.at(Trade::Mechanical) == CountHours{1, 0.5});
  CHECK(r.rework_by_trade.at(Trade::Body).count == 1);
  CHECK(r.rework_by_technician.at("tech1").count == 1);
  CHECK(r.rework_by_technician.at("body1").count == 1);  // found at handover: upstream (R8)
  CHECK(r.rework_by_defect.at("mech.missed_item").count == 1);
  CHECK(r.rework_by_defect.at("body.uneven_gaps").count == 1);
  CHECK(r.first_pass.at(InspectionKind::Peer).first == 2);
  CHECK(r.first_pass.at(InspectionKind::Peer).passed_first == 1);
  CHECK(r.first_pass.at(InspectionKind::Peer).rate() == doctest::Approx(0.5));
  CHECK(r.first_pass.at(InspectionKind::Handover).rate() == doctest::Approx(0.0));
  CHECK(r.first_pass.at(InspectionKind::Self).rate() == doctest::Approx(1.0));
  CHECK(r.incidents_by_trade.at(Trade::Mechanical) == 1);
  CHECK(r.incidents_by_trade.at(Trade::Body) == 1);
  CHECK(r.addons_raised == 1);
  CHECK(r.addons_declined == 1);
  CHECK(r.addons_approved == 0);
  CHECK(r.efficiency.at("tech1").standard_hours == doctest::Approx(1.0));
  CHECK(r.efficiency.at("tech1").actual_hours == doctest::Approx(1.0));  // rework apart (R4)

  SUBCASE("outside the period nothing counts") {
    auto empty = monthlyReport(w.s, T0 + 30LL * 24 * 60 * MIN, T0 + 60LL * 24 * 60 * MIN);
    CHECK(empty.rework_by_trade.empty());
    CHECK(empty.addons_raised == 0);
    CHECK(empty.efficiency.empty());
  }
  SUBCASE("CSV and JSON carry the same figures") {
    const std::string csv = reportCsv(w.s, r);
    CHECK(csv.rfind("section,key,name,count,hours,value\n", 0) == 0);
    CHECK(csv.find("rework_by_trade,mechanical,,1,0.50,") != std::string::npos);
    CHECK(csv.find("first_pass_rate,peer,,2,0.00,0.50") != std::string::npos);
    CHECK(csv.find("addons,declined,,1,") != std::string::npos);
    const json j = reportJson(w.s, r);
    CHECK(j["addons"] == json{{"raised", 1}, {"approved", 0}, {"declined", 1}, {"refused", 0}});
    CHECK(j["incidents_by_trade"]["body"] == 1);
  }
}
