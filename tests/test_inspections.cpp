// R5–R11: self, peer, patrol, handover and final inspections; delivery.
#include "tests/support.hpp"

#include <doctest/doctest.h>

using namespace bkt;

TEST_CASE("R5: finishing needs the main technician's self-inspection") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  SUBCASE("not before any work was clocked") {
    CHECK(w.refused(w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0)) == Reason::NotReadyForInspection);
  }
  w.clockOn("tech1", op, T0);
  w.clockOn("tech2", op, T0);
  SUBCASE("only by the main technician") {
    CHECK(w.refused(w.inspection(InspectionKind::Self, wo, op, "tech2", true, T0 + MIN)) == Reason::NotMainTechnician);
  }
  SUBCASE("a pass finishes the operation and closes everyone's entries") {
    w.must(w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 60 * MIN));
    CHECK(w.s.operations.at(op).phase == Phase::AwaitingPeer);
    CHECK(w.s.openEntriesOn(op).empty());
    for (auto& [id, e] : w.s.entries) CHECK(e.reason == StopReason::Finished);
  }
  SUBCASE("a failed self-inspection keeps the work going") {
    auto in = w.inspection(InspectionKind::Self, wo, op, "tech1", false, T0 + 60 * MIN);
    w.must(in);
    CHECK(w.s.operations.at(op).phase == Phase::Open);
    CHECK(w.s.reworks.empty());
  }
  SUBCASE("a measured value out of tolerance cannot be marked pass") {
    auto in = w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 60 * MIN);
    in.inspection.items.push_back(ChecklistItem{"wheel_torque", Verdict::Pass, 140.0, "N·m", 110.0, 130.0});
    Action a = in;
    signAction(a, "tech1", T0 + 60 * MIN, testKey("tech1"));
    CHECK(w.refused(a) == Reason::MeasuredOutOfTolerance);
    std::get<RecordInspection>(a).inspection.items.back().value = 120.0;
    signAction(a, "tech1", T0 + 60 * MIN, testKey("tech1"));
    w.must(a);
  }
}

TEST_CASE("R6: the foreman inspects after self-inspection, nobody signs off their own work") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  w.clockOn("tech1", op, T0);
  SUBCASE("not before self-inspection") {
    CHECK(w.refused(w.inspection(InspectionKind::Peer, wo, op, "foreman", true, T0 + MIN)) == Reason::NotReadyForInspection);
  }
  SUBCASE("not by someone who worked on it, even a foreman") {
    w.clockOn("foreman", op, T0 + MIN);
    w.must(w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 60 * MIN));
    CHECK(w.refused(w.inspection(InspectionKind::Peer, wo, op, "foreman", true, T0 + 70 * MIN)) == Reason::OwnWork);
    w.must(w.inspection(InspectionKind::Peer, wo, op, "foreman2", true, T0 + 70 * MIN));
    CHECK(w.s.operations.at(op).phase == Phase::Done);
  }
  SUBCASE("not by someone without the foreman role") {
    w.must(w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 60 * MIN));
    CHECK(w.refused(w.inspection(InspectionKind::Peer, wo, op, "tech2", true, T0 + 70 * MIN)) == Reason::LacksRole);
  }
}

TEST_CASE("R7: a failed inspection returns the work as rework and needs a new inspection") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  w.clockOn("tech1", op, T0);
  w.must(w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 60 * MIN));
  SUBCASE("a failed inspection must name its defect") {
    auto in = w.inspection(InspectionKind::Peer, wo, op, "foreman", false, T0 + 70 * MIN);
    in.inspection.defect.reset();
    Action a = in;
    signAction(a, "foreman", T0 + 70 * MIN, testKey("foreman"));
    CHECK(w.refused(a) == Reason::DefectRequired);
  }
  auto failed = w.inspection(InspectionKind::Peer, wo, op, "foreman", false, T0 + 70 * MIN);
  w.must(failed);
  CHECK(w.s.operations.at(op).phase == Phase::Rework);
  REQUIRE(w.s.reworks.size() == 1);
  const Rework& rw = w.s.reworks.begin()->second;
  CHECK(rw.assigned_to == "tech1");
  CHECK(rw.defect == "mech.missed_item");
  CHECK_FALSE(rw.closed_at);
  CHECK(w.s.incidents.begin()->second.charged_to == "tech1");
  // the old pass no longer counts: a new self and peer inspection are needed
  CHECK(w.refused(w.inspection(InspectionKind::Peer, wo, op, "foreman", true, T0 + 80 * MIN)) == Reason::NotReadyForInspection);
  w.clockOn("tech1", op, T0 + 90 * MIN);
  w.must(w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 100 * MIN));
  w.must(w.inspection(InspectionKind::Peer, wo, op, "foreman", true, T0 + 110 * MIN));
  CHECK(w.s.operations.at(op).phase == Phase::Done);
  CHECK(w.s.reworks.begin()->second.closed_at == T0 + 110 * MIN);
}

TEST_CASE("R8: handover acceptance, defects charged upstream at handover, to the acceptor later") {
  World w;
  const Id wo = w.openWorkOrder(Category::BodyPaint, {spec("", Trade::Body, "body1"),
                                                     spec("", Trade::Paint, "paint1", true)});
  const Id up = wo + "-1", down = wo + "-2";
  w.finish(up, T0);
  SUBCASE("only the next operation's technician accepts") {
    CHECK(w.refused(w.inspection(InspectionKind::Handover, wo, up, "tech1", true, T0 + 90 * MIN)) == Reason::NotMainTechnician);
  }
  SUBCASE("a defect found at handover goes back upstream, charged to the upstream operator") {
    w.must(w.inspection(InspectionKind::Handover, wo, up, "paint1", false, T0 + 90 * MIN));
    CHECK(w.s.operations.at(up).phase == Phase::Rework);
    CHECK(w.s.incidents.begin()->second.charged_to == "body1");
    CHECK(w.refused(ClockOn{"te-x", "paint1", down, "bay2", T0 + 95 * MIN}) == Reason::BlockedUpstreamUnfinished);
  }
  SUBCASE("a defect found later is charged to whoever accepted it; the service manager decides a dispute") {
    w.accept(down, T0 + 90 * MIN);
    CHECK(w.s.operations.at(up).accepted_by == "paint1");
    w.finish(down, T0 + 100 * MIN);
    auto fin = w.inspection(InspectionKind::Final, wo, std::nullopt, "qi", false, T0 + 200 * MIN);
    fin.inspection.defect = "body.uneven_gaps";
    fin.inspection.defect_op = up;
    Action a = fin;
    signAction(a, "qi", T0 + 200 * MIN, testKey("qi"));
    w.must(a);
    const Incident& inc = w.s.incidents.begin()->second;
    CHECK(inc.charged_to == "paint1");
    CHECK(inc.trade == Trade::Paint);
    CHECK(w.s.reworks.begin()->second.assigned_to == "body1");  // R7: fixed by the main technician
    CHECK(w.refused(w.sealed(DecideDispute{inc.id, "body1", {}}, "manager", T0 + 210 * MIN)) == Reason::NotDisputable);
    CHECK(w.refused(DisputeCharge{inc.id, "tech1", "dispute.not_visible", T0 + 205 * MIN}) == Reason::LacksRole);
    w.must(DisputeCharge{inc.id, "paint1", "dispute.not_visible", T0 + 205 * MIN});
    CHECK(w.refused(w.sealed(DecideDispute{inc.id, "body1", {}}, "foreman", T0 + 210 * MIN)) == Reason::LacksRole);
    w.must(w.sealed(DecideDispute{inc.id, "body1", {}}, "manager", T0 + 210 * MIN));
    CHECK(w.s.incidents.begin()->second.charged_to == "body1");
    CHECK(w.s.incidents.begin()->second.trade == Trade::Body);
  }
}

TEST_CASE("R9: final inspection by a quality inspector who worked on none of it, with road test") {
  World w;
  const Id wo = w.openWorkOrder(Category::MajorOverhaul, {spec("", Trade::Mechanical, "qi2")}, true);
  const Id op = wo + "-1";
  SUBCASE("not before every operation is done") {
    CHECK(w.refused(w.inspection(InspectionKind::Final, wo, std::nullopt, "qi", true, T0)) == Reason::NotReadyForInspection);
  }
  w.finish(op, T0);
  SUBCASE("not by an inspector who worked on it") {
    auto in = w.inspection(InspectionKind::Final, wo, std::nullopt, "qi2", true, T0 + 100 * MIN);
    in.inspection.road_test = Verdict::Pass;
    Action a = in;
    signAction(a, "qi2", T0 + 100 * MIN, testKey("qi2"));
    CHECK(w.refused(a) == Reason::OwnWork);
  }
  SUBCASE("not by someone who is not a quality inspector") {
    CHECK(w.refused(w.inspection(InspectionKind::Final, wo, std::nullopt, "foreman", true, T0 + 100 * MIN)) == Reason::LacksRole);
  }
  SUBCASE("the road test is part of it when the work order asks") {
    auto in = w.inspection(InspectionKind::Final, wo, std::nullopt, "qi", true, T0 + 100 * MIN);
    in.inspection.road_test.reset();
    in.inspection.road.reset();
    CHECK(w.refused(w.sealed(in, "qi", T0 + 100 * MIN)) == Reason::RoadTestRequired);
    in.inspection.road = testRoad("qi");
    in.inspection.road_test = Verdict::Fail;
    Action a = in;
    signAction(a, "qi", T0 + 100 * MIN, testKey("qi"));
    CHECK(w.refused(a) == Reason::ResultInconsistent);
    std::get<RecordInspection>(a).inspection.road_test = Verdict::Pass;
    signAction(a, "qi", T0 + 100 * MIN, testKey("qi"));
    w.must(a);
    CHECK(w.s.work_orders.at(wo).final_passed);
  }
}

TEST_CASE("R10: ready for delivery only when everything is finished, inspected, resolved and signed") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  auto blockers = [&] { return deliveryBlockers(w.s, w.s.work_orders.at(wo)); };
  CHECK(blockers().size() == 2);  // operation unfinished, final missing
  CHECK(w.refused(w.sealed(testDelivery(wo, "advisor", T0), "advisor", T0)) == Reason::NotDeliverable);
  w.clockOn("tech1", op, T0);
  w.must(ProposeAddOn{"ad-1", "op-ad", wo, op, "tech1", Trade::Mechanical, "addon.wiper_worn", 15, {}, false, false, T0 + 5 * MIN});
  w.must(w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 60 * MIN));
  w.must(w.inspection(InspectionKind::Peer, wo, op, "foreman", true, T0 + 70 * MIN));
  REQUIRE(blockers().size() == 2);
  CHECK(blockers()[0].reason == Reason::BlockedAddOnUnapproved);  // unresolved add-on
  CHECK(blockers()[1].reason == Reason::FinalMissing);
  w.must(w.sealed(QuoteAddOn{"ad-1", 8000, 15, {}}, "advisor", T0 + 80 * MIN));
  w.must(w.sealed(SignAddOnTechnical{"ad-1", {}}, "director", T0 + 81 * MIN));
  w.must(w.sealed(SignAddOnCost{"ad-1", {}}, "manager", T0 + 82 * MIN));
  w.must(w.sealed(RecordConsent{"ad-1", false, ConsentChannel::Phone, false, {}}, "advisor", T0 + 83 * MIN));
  REQUIRE(blockers().size() == 1);
  CHECK(blockers()[0].reason == Reason::FinalMissing);
  w.must(w.inspection(InspectionKind::Final, wo, std::nullopt, "qi", true, T0 + 90 * MIN));
  CHECK(blockers().empty());
  CHECK(w.refused(testDelivery(wo, "tech1", T0 + 95 * MIN)) == Reason::LacksRole);
  w.must(w.sealed(testDelivery(wo, "advisor", T0 + 95 * MIN), "advisor", T0 + 95 * MIN));
  CHECK(w.s.work_orders.at(wo).delivered_at == T0 + 95 * MIN);
  CHECK(w.refused(ClockOn{"te-x", "tech1", op, "bay1", T0 + 100 * MIN}) == Reason::WorkOrderClosed);

  SUBCASE("maintenance needs no final inspection (configurable per category)") {
    const Id m = w.openWorkOrder(Category::Maintenance, {spec("", Trade::Mechanical, "tech2")});
    w.finish(m + "-1", T0);
    CHECK(deliveryBlockers(w.s, w.s.work_orders.at(m)).empty());
    w.s.policy.final_required.insert(Category::Maintenance);
    CHECK(deliveryBlockers(w.s, w.s.work_orders.at(m)).size() == 1);
  }
}

TEST_CASE("R11: a patrol may inspect any running operation and stop it") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  const Id e = w.clockOn("tech1", op, T0);
  CHECK(w.refused(w.inspection(InspectionKind::Patrol, wo, op, "foreman", true, T0 + MIN)) == Reason::LacksRole);
  w.must(w.inspection(InspectionKind::Patrol, wo, op, "director", true, T0 + 10 * MIN));
  CHECK_FALSE(w.s.entries.at(e).end);  // a pass changes nothing
  auto stop = w.inspection(InspectionKind::Patrol, wo, op, "supervisor", false, T0 + 20 * MIN);
  stop.inspection.stop = true;
  Action a = stop;
  signAction(a, "supervisor", T0 + 20 * MIN, testKey("supervisor"));
  w.must(a);
  CHECK(w.s.entries.at(e).reason == StopReason::StoppedByPatrol);
  CHECK(w.s.operations.at(op).phase == Phase::Rework);
}
