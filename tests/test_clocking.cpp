// R1–R4: clocking on and off.
#include "domain/report.hpp"
#include "tests/support.hpp"

#include <doctest/doctest.h>

using namespace bkt;

TEST_CASE("R1: one operation at a time, clocking on another closes the first as switched") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1"),
                                                         spec("", Trade::Mechanical, "tech1")});
  const Id e1 = w.clockOn("tech1", wo + "-1", T0 + 10 * MIN);
  const Id e2 = w.clockOn("tech1", wo + "-2", T0 + 50 * MIN);
  CHECK(w.s.entries.at(e1).end == T0 + 50 * MIN);
  CHECK(w.s.entries.at(e1).reason == StopReason::Switched);
  CHECK_FALSE(w.s.entries.at(e2).end);
  CHECK(w.s.openEntriesOf("tech1").size() == 1);

  SUBCASE("clocking on the same operation twice is refused") {
    CHECK(w.refused(ClockOn{"te-x", "tech1", wo + "-2", "bay1", T0 + 60 * MIN}) == Reason::AlreadyClockedOn);
  }
  SUBCASE("a clock-on earlier than the open entry is an overlap, not a silent switch") {
    CHECK(w.refused(ClockOn{"te-x", "tech1", wo + "-1", "bay1", T0 + 40 * MIN}) == Reason::ClockOverlap);
  }
  SUBCASE("two technicians may work the same operation") {
    w.clockOn("tech2", wo + "-2", T0 + 55 * MIN);
    CHECK(w.s.openEntriesOn(wo + "-2").size() == 2);
  }
}

TEST_CASE("R2: no clocking on a blocked operation, with the reason why") {
  World w;
  const Id wo = w.openWorkOrder(Category::BodyPaint, {spec("", Trade::Body, "body1"),
                                                     spec("", Trade::Paint, "paint1", true)});
  SUBCASE("upstream not finished (R8)") {
    CHECK(w.refused(ClockOn{"te-x", "paint1", wo + "-2", "bay2", T0}) == Reason::BlockedUpstreamUnfinished);
  }
  SUBCASE("upstream finished but not yet accepted (R8)") {
    w.finish(wo + "-1", T0);
    CHECK(w.refused(ClockOn{"te-x", "paint1", wo + "-2", "bay2", T0 + 2 * 60 * MIN}) == Reason::BlockedAwaitingHandover);
    w.accept(wo + "-2", T0 + 2 * 60 * MIN);
    w.clockOn("paint1", wo + "-2", T0 + 2 * 60 * MIN + 1);
  }
  SUBCASE("an add-on whose approvals are not complete (R12)") {
    w.clockOn("body1", wo + "-1", T0);
    w.must(ProposeAddOn{"ad-1", "op-ad-1", wo, wo + "-1", "body1", Trade::Body, "addon.hidden_dent", 60, {}, false, false, T0 + 10 * MIN});
    CHECK(w.refused(ClockOn{"te-x", "body1", "op-ad-1", "bay2", T0 + 20 * MIN}) == Reason::BlockedAddOnUnapproved);
  }
  SUBCASE("finished work cannot be clocked") {
    w.finish(wo + "-1", T0);
    CHECK(w.refused(ClockOn{"te-x", "body1", wo + "-1", "bay2", T0 + 3 * 60 * MIN}) == Reason::OperationFinished);
  }
  SUBCASE("only technicians clock on") {
    CHECK(w.refused(ClockOn{"te-x", "advisor", wo + "-1", "bay2", T0}) == Reason::LacksRole);
  }
}

TEST_CASE("R3: every clock-off has a reason, shift end closes all, long entries are flagged, not closed") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id e = w.clockOn("tech1", wo + "-1", T0);
  SUBCASE("a system reason cannot be picked by a person") {
    CHECK(w.refused(ClockOff{"tech1", wo + "-1", StopReason::Finished, T0 + MIN}) == Reason::ReasonRequired);
    CHECK(w.refused(ClockOff{"tech1", wo + "-1", StopReason::Switched, T0 + MIN}) == Reason::ReasonRequired);
  }
  SUBCASE("a pause carries its reason") {
    w.must(ClockOff{"tech1", wo + "-1", StopReason::WaitingParts, T0 + 30 * MIN});
    CHECK(w.s.entries.at(e).reason == StopReason::WaitingParts);
    CHECK(w.refused(ClockOff{"tech1", wo + "-1", StopReason::Break, T0 + 31 * MIN}) == Reason::NotClockedOn);
  }
  SUBCASE("shift end closes every open entry") {
    w.must(EndShift{"tech1", T0 + 8 * 60 * MIN});
    CHECK(w.s.entries.at(e).reason == StopReason::EndOfShift);
    CHECK(w.s.openEntriesOf("tech1").empty());
  }
  SUBCASE("open longer than the limit is flagged and stays open") {
    CHECK(overlongEntries(w.s, T0 + 4 * 60 * MIN).empty());
    auto flagged = overlongEntries(w.s, T0 + 4 * 60 * MIN + 1);
    REQUIRE(flagged.size() == 1);
    CHECK(flagged[0]->id == e);
    CHECK_FALSE(w.s.entries.at(e).end);
    w.s.policy.overlong_entry = 60 * MIN;  // configurable
    CHECK(overlongEntries(w.s, T0 + 61 * MIN).size() == 1);
  }
}

TEST_CASE("R4: actual hours are the sum of entries, efficiency is standard / actual, rework apart") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1", false, 120)});
  const Id op = wo + "-1";
  w.clockOn("tech1", op, T0);
  w.must(ClockOff{"tech1", op, StopReason::Break, T0 + 60 * MIN});
  w.clockOn("tech2", op, T0 + 60 * MIN);
  w.clockOn("tech1", op, T0 + 60 * MIN);
  w.must(w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 120 * MIN));
  // failed peer inspection: rework (R7), counted apart (R4)
  w.must(w.inspection(InspectionKind::Peer, wo, op, "foreman", false, T0 + 130 * MIN));
  const Id rw = w.clockOn("tech1", op, T0 + 140 * MIN);
  CHECK(w.s.entries.at(rw).rework);
  w.must(w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 170 * MIN));
  w.must(w.inspection(InspectionKind::Peer, wo, op, "foreman", true, T0 + 180 * MIN));

  auto r = monthlyReport(w.s, T0, T0 + 24 * 60 * MIN);
  // tech1: 60 + 60 = 120 min ordinary, tech2: 60 min; 120 std minutes shared 2:1
  CHECK(r.efficiency.at("tech1").actual_hours == doctest::Approx(2.0));
  CHECK(r.efficiency.at("tech1").standard_hours == doctest::Approx(2.0 * 2 / 3));
  CHECK(r.efficiency.at("tech2").actual_hours == doctest::Approx(1.0));
  CHECK(r.efficiency.at("tech1").rework_hours == doctest::Approx(0.5));
  CHECK(r.efficiency.at("tech1").ratio() == doctest::Approx((4.0 / 3) / 2.0));
  CHECK(r.rework_by_technician.at("tech1").hours == doctest::Approx(0.5));
}
