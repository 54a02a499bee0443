// Issue 14: what the desk records about the job, for the people at the bay:
// the customer's complaint, the job's instructions, the odometer and the
// car's warranty; and the parts' catalog prices for an add-on's quote.
#include "domain/report.hpp"
#include "tests/support.hpp"

#include <doctest/doctest.h>

using namespace bkt;

namespace {
constexpr Millis DAY = 24 * 60 * MIN;
}

TEST_CASE("issue 14: the complaint, the instructions, the odometer and the warranty reach the shop's state") {
  World w;
  OpenWorkOrder o = testWorkOrder("wo-f", Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")}, false);
  o.wo.complaint = "刹车时有吱吱的异响";
  o.wo.odometer_km = 48'200;
  o.wo.warranty_until = T0 + 100 * DAY;
  o.wo.warranty_km = 100'000;
  o.ops[0].instructions = "用原厂刹车片";
  w.must(o);
  const WorkOrder& wo = w.s.work_orders.at("wo-f");
  CHECK(wo.complaint == "刹车时有吱吱的异响");
  CHECK(wo.odometer_km == 48'200);
  CHECK(w.s.operations.at("wo-f-1").instructions == "用原厂刹车片");
}

TEST_CASE("issue 14: the desk's free text and numbers are bounded") {
  World w;
  auto refused = [&](auto&& edit) {
    OpenWorkOrder o = testWorkOrder("wo-b", Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")}, false);
    edit(o);
    return w.refused(o);
  };
  CHECK(refused([](OpenWorkOrder& o) { o.wo.complaint = std::string(kMaxComplaintBytes + 1, 'x'); }) == Reason::BadInput);
  CHECK(refused([](OpenWorkOrder& o) { o.ops[0].instructions = std::string(kMaxInstructionBytes + 1, 'x'); }) == Reason::BadInput);
  CHECK(refused([](OpenWorkOrder& o) { o.wo.odometer_km = -1; }) == Reason::BadInput);
  CHECK(refused([](OpenWorkOrder& o) { o.wo.odometer_km = kMaxOdometerKm + 1; }) == Reason::BadInput);
  CHECK(refused([](OpenWorkOrder& o) { o.wo.warranty_km = -5; }) == Reason::BadInput);
  CHECK(refused([](OpenWorkOrder& o) { o.wo.warranty_until = -1; }) == Reason::BadInput);
}

TEST_CASE("issue 14: the warranty's status from the date and the distance the desk recorded") {
  WorkOrder wo;
  CHECK(warrantyStatus(wo, T0) == WarrantyStatus::Unknown);
  wo.warranty_until = T0 + DAY;
  CHECK(warrantyStatus(wo, T0) == WarrantyStatus::Within);
  CHECK(warrantyStatus(wo, T0 + DAY) == WarrantyStatus::Within);  // the last day still counts
  CHECK(warrantyStatus(wo, T0 + DAY + 1) == WarrantyStatus::ExpiredByDate);
  wo.warranty_km = 100'000;
  wo.odometer_km = 100'001;
  CHECK(warrantyStatus(wo, T0) == WarrantyStatus::ExpiredByDistance);
  wo.warranty_until = 0;  // a distance only
  wo.odometer_km = 99'999;
  CHECK(warrantyStatus(wo, T0 + 1000 * DAY) == WarrantyStatus::Within);
  CHECK(std::string(name(WarrantyStatus::ExpiredByDate)) == "expired_by_date");
}

TEST_CASE("issue 14: the new fields are written only when set, so older events and records keep their form") {
  OpenWorkOrder o = testWorkOrder("wo-j", Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")}, false);
  const json plain = toJson(Action{o});
  CHECK_FALSE(plain.at("wo").contains("complaint"));
  CHECK_FALSE(plain.at("wo").contains("odometer_km"));
  CHECK_FALSE(plain.at("ops")[0].contains("instructions"));
  o.wo.complaint = "异响";
  o.wo.warranty_km = 60'000;
  o.ops[0].instructions = "路试";
  const json full = toJson(Action{o});
  CHECK(full.at("wo").at("complaint") == "异响");
  CHECK(full.at("ops")[0].at("instructions") == "路试");
  const Action back = actionFromJson(full);
  CHECK(std::get<OpenWorkOrder>(back).wo == o.wo);
  CHECK(std::get<OpenWorkOrder>(back).ops[0].instructions == "路试");
  CHECK(actionFromJson(plain).index() == back.index());
}

TEST_CASE("issue 14: every part has a catalog price, and an add-on's parts add up") {
  const Catalog& c = catalog();
  REQUIRE_FALSE(c.phrases("parts").empty());
  for (const Phrase& p : c.phrases("parts")) CHECK(p.price_cents > 0);
  const std::int64_t disc = c.phrase("part.brake_disc")->price_cents;
  const std::int64_t pads = c.phrase("part.brake_pads")->price_cents;
  CHECK(c.partsCents({"part.brake_disc", "part.brake_pads"}) == disc + pads);
  CHECK(c.partsCents({"part.brake_disc", "not-a-part"}) == disc);
  CHECK(c.partsCents({}) == 0);
  SUBCASE("a part without a price is a clear error when the catalog loads") {
    json phrases = json::object();
    phrases["parts"] = json::array({{{"code", "part.x"}, {"zh", "x"}, {"en", "x"}}});
    CHECK_THROWS_WITH_AS(Catalog::parse(json::object(), json::object(), json{{"operations", json::array()}}, phrases),
                         doctest::Contains("part without a price"), std::runtime_error);
  }
}

TEST_CASE("issue 15: months in the shop's time zone, and the months around one") {
  // 2026-11-30 23:30 in Beijing (UTC+8) is 15:30 UTC
  const Millis t = calendarMonth("2026-11", 8 * 60)->second - 30 * MIN;
  CHECK(monthOf(t, 8 * 60) == "2026-11");
  CHECK(monthOf(t + 31 * MIN, 8 * 60) == "2026-12");
  CHECK(monthOf(t, 0) == "2026-11");
  CHECK(addMonths("2026-12", 1) == "2027-01");
  CHECK(addMonths("2026-01", -1) == "2025-12");
  CHECK(addMonths("2026-13", 1).empty());
  CHECK(addMonths("", -1).empty());
}

TEST_CASE("issue 15: a car's history holds its inspections with their values and its rework") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  w.clockOn("tech1", op, T0);
  w.must(w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 30 * MIN));
  w.must(w.inspection(InspectionKind::Peer, wo, op, "foreman", false, T0 + 40 * MIN));
  const auto h = vehicleHistory(w.s, "lvgbe40k8gg123456");  // the test car's VIN, in lower case
  REQUIRE(h.size() == 1);
  CHECK(h[0].wo.id == wo);
  CHECK(h[0].ops.size() == 1);
  REQUIRE(h[0].inspections.size() == 2);
  CHECK(h[0].inspections[0].kind == InspectionKind::Self);  // in order
  CHECK(h[0].reworks.size() == 1);
  CHECK(vehicleHistory(w.s, "").empty());
  CHECK(vehicleHistory(w.s, "NOPE").empty());
}
