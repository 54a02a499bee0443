// Issue 12: inspections that cannot be pencil-whipped, and a delivery (交车)
// that names every blocker, records the old parts and the customer's
// acknowledgement of declined safety items, and issues a gate pass.
#include "tests/support.hpp"

#include <doctest/doctest.h>

using namespace bkt;

namespace {

ChecklistItem measured(const std::string& key, std::optional<double> value, std::optional<Verdict> v) {
  ChecklistItem it{key, v, value, "N·m", 110.0, 130.0};
  return it;
}

// A self-inspection of `op` by tech1 with exactly these items, signed.
Action selfWith(World& w, const Id& wo, const Id& op, std::vector<ChecklistItem> items, Millis at) {
  auto in = w.inspection(InspectionKind::Self, wo, op, "tech1", true, at);
  in.inspection.items = std::move(items);
  return w.sealed(in, "tech1", at);
}

// An add-on on `op`, taken through the chain to the customer's decision.
void addOn(World& w, const Id& wo, const Id& op, const Id& id, bool safety, bool granted, Millis t) {
  w.must(ProposeAddOn{id, "op-" + id, wo, op, "tech1", Trade::Mechanical, "addon.brake_disc_worn", 60,
                      {}, safety, false, t});
  w.must(w.sealed(QuoteAddOn{id, 40000, 60, {}}, "advisor", t + 1));
  w.must(w.sealed(SignAddOnTechnical{id, {}}, "director", t + 2));
  w.must(w.sealed(SignAddOnCost{id, {}}, "manager", t + 3));
  w.must(w.sealed(RecordConsent{id, granted, ConsentChannel::InPerson, !granted && safety, {}}, "advisor", t + 4));
}

}  // namespace

TEST_CASE("issue 12: every item starts unset and is judged before signing") {
  for (auto kind : {InspectionKind::Self, InspectionKind::Peer, InspectionKind::Final, InspectionKind::Handover})
    for (const ChecklistItem& it : catalog().blankItems(kind, Trade::Mechanical, "maint.regular")) {
      CHECK_FALSE(it.verdict.has_value());
      CHECK_FALSE(it.value.has_value());
      CHECK_FALSE(it.zh.empty());
      CHECK_FALSE(it.en.empty());
      CHECK(itemProblem(it).has_value());
    }
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  w.clockOn("tech1", op, T0);
  SUBCASE("an unset item is refused, naming it") {
    ChecklistItem unset{"no_leaks"};
    Action a = selfWith(w, wo, op, {ChecklistItem{"works", Verdict::Pass}, unset}, T0 + 60 * MIN);
    CHECK(w.refused(a) == Reason::VerdictMissing);
    CHECK(check(w.s, a).refusal->detail == "no_leaks");
  }
  SUBCASE("the blank checklist as it comes cannot be signed") {
    Action a = selfWith(w, wo, op, catalog().blankItems(InspectionKind::Self, Trade::Mechanical, "maint.regular"), T0 + 60 * MIN);
    CHECK(w.refused(a) == Reason::VerdictMissing);
  }
  SUBCASE("an inspection with no items, or without its catalog version, is refused") {
    CHECK(w.refused(selfWith(w, wo, op, {}, T0 + 60 * MIN)) == Reason::BadInput);
    auto in = w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 60 * MIN);
    in.inspection.catalog.clear();
    CHECK(w.refused(w.sealed(in, "tech1", T0 + 60 * MIN)) == Reason::BadInput);
  }
  SUBCASE("every item judged: signed, and the record keeps the catalog version it used") {
    auto in = w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 60 * MIN);
    in.inspection.catalog = catalog().version();
    w.must(w.sealed(in, "tech1", T0 + 60 * MIN));
    CHECK(w.s.inspections.at(in.inspection.id).catalog == catalog().version());
  }
}

TEST_CASE("issue 12: a measured item needs its value, and the tolerance decides its verdict") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  w.clockOn("tech1", op, T0);
  const Millis t = T0 + 60 * MIN;
  CHECK(w.refused(selfWith(w, wo, op, {measured("wheel_torque", std::nullopt, Verdict::Pass)}, t)) == Reason::ValueRequired);
  CHECK(w.refused(selfWith(w, wo, op, {measured("wheel_torque", 140.0, Verdict::Pass)}, t)) == Reason::MeasuredOutOfTolerance);
  // the technician cannot override either way
  CHECK(w.refused(selfWith(w, wo, op, {measured("wheel_torque", 120.0, Verdict::Fail)}, t)) == Reason::MeasuredOutOfTolerance);
  CHECK(w.refused(selfWith(w, wo, op, {measured("wheel_torque", std::nan(""), Verdict::Pass)}, t)) == Reason::BadInput);
  CHECK(measuredVerdict(measured("wheel_torque", 110.0, std::nullopt)) == Verdict::Pass);
  CHECK(measuredVerdict(measured("wheel_torque", 130.1, std::nullopt)) == Verdict::Fail);
  CHECK(measuredVerdict(measured("wheel_torque", std::nullopt, std::nullopt)) == std::nullopt);
  // out of tolerance: a failed item, so the inspection cannot pass
  CHECK(w.refused(selfWith(w, wo, op, {measured("wheel_torque", 140.0, Verdict::Fail)}, t)) == Reason::ResultInconsistent);
  w.must(selfWith(w, wo, op, {measured("wheel_torque", 121.5, Verdict::Pass)}, t));
  CHECK(w.s.operations.at(op).phase == Phase::AwaitingPeer);
}

TEST_CASE("issue 12: N/A takes a reason from the list, and no value") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  w.clockOn("tech1", op, T0);
  const Millis t = T0 + 60 * MIN;
  ChecklistItem na{"no_leaks", Verdict::NotApplicable};
  CHECK(w.refused(selfWith(w, wo, op, {ChecklistItem{"works", Verdict::Pass}, na}, t)) == Reason::ReasonRequired);
  ChecklistItem naMeasured = measured("wheel_torque", 120.0, Verdict::NotApplicable);
  naMeasured.na_reason = "na.not_touched";
  CHECK(w.refused(selfWith(w, wo, op, {naMeasured}, t)) == Reason::BadInput);
  ChecklistItem passWithReason{"works", Verdict::Pass};
  passWithReason.na_reason = "na.not_touched";
  CHECK(w.refused(selfWith(w, wo, op, {passWithReason}, t)) == Reason::BadInput);
  na.na_reason = "na.not_fitted";
  naMeasured.value.reset();
  w.must(selfWith(w, wo, op, {ChecklistItem{"works", Verdict::Pass}, na, naMeasured}, t));
  CHECK(catalog().phrase("na.not_fitted"));
  CHECK(catalog().phrases("na_reasons").size() >= 3);
}

TEST_CASE("issue 12: the checklist fits the job: its trade and its labour operation") {
  auto keys = [](const std::vector<ChecklistItem>& items) {
    std::set<std::string> k;
    for (auto& it : items) k.insert(it.key);
    return k;
  };
  const auto aircon = keys(catalog().blankItems(InspectionKind::Self, Trade::Mechanical, "mech.aircon"));
  CHECK_FALSE(aircon.count("wheel_torque"));  // no wheel torque on an air-conditioning job
  CHECK(aircon.count("vent_temp"));
  const auto brakes = keys(catalog().blankItems(InspectionKind::Self, Trade::Mechanical, "mech.brake_pads"));
  CHECK(brakes.count("wheel_torque"));
  CHECK_FALSE(brakes.count("vent_temp"));
  CHECK_FALSE(brakes.count("panel_gap"));  // another trade's
  // free text the catalog does not know: every item of the trade, to judge or mark N/A
  const auto other = keys(catalog().blankItems(InspectionKind::Self, Trade::Mechanical, "replace the wiper"));
  CHECK(other.count("wheel_torque"));
  CHECK(other.count("vent_temp"));
}

TEST_CASE("issue 12: the catalog's version follows its content, and an item for an unknown operation is refused") {
  const json ops = json::parse(R"({"operations":[{"code":"a.one","trade":"mechanical","minutes":30,"zh":"甲","en":"A"}]})");
  json lists = json::parse(R"({"self":{"any":[{"key":"works","zh":"正常","en":"Works"}]}})");
  const Catalog one = Catalog::parse(lists, json::object(), ops, json::object());
  CHECK(one.version().size() == 12);
  CHECK(Catalog::parse(lists, json::object(), ops, json::object()).version() == one.version());
  lists["self"]["any"][0]["en"] = "Works properly";
  CHECK(Catalog::parse(lists, json::object(), ops, json::object()).version() != one.version());
  lists["self"]["any"][0]["ops"] = json::array({"a.two"});
  CHECK_THROWS_WITH_AS(Catalog::parse(lists, json::object(), ops, json::object()),
                       doctest::Contains("a.two"), std::runtime_error);
}

TEST_CASE("issue 12: the road test is a record the inspector enters") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")}, true);
  w.finish(wo + "-1", T0);
  const Millis t = T0 + 2 * 60 * MIN;
  auto fin = w.inspection(InspectionKind::Final, wo, std::nullopt, "qi", true, t);
  REQUIRE(fin.inspection.road);
  auto with = [&](auto change) {
    auto in = fin;
    change(in.inspection);
    return w.sealed(in, "qi", t);
  };
  CHECK(w.refused(with([](Inspection& in) { in.road.reset(); })) == Reason::RoadTestRequired);
  CHECK(w.refused(with([](Inspection& in) { in.road_test.reset(); })) == Reason::BadInput);
  CHECK(w.refused(with([](Inspection& in) { in.road->driver = "nobody"; })) == Reason::UnknownPerson);
  CHECK(w.refused(with([](Inspection& in) { in.road->odo_end = in.road->odo_start - 1; })) == Reason::BadInput);
  CHECK(w.refused(with([](Inspection& in) { in.road->odo_end = in.road->odo_start + kMaxRoadTestKm + 1; })) == Reason::BadInput);
  CHECK(w.refused(with([](Inspection& in) { in.road->minutes = 0; })) == Reason::BadInput);
  CHECK(w.refused(with([](Inspection& in) { in.road->findings.clear(); })) == Reason::BadInput);
  CHECK(w.refused(with([](Inspection& in) { in.road_test = Verdict::Fail; })) == Reason::ResultInconsistent);
  w.must(with([](Inspection&) {}));
  const Inspection& kept = w.s.inspections.at(fin.inspection.id);
  REQUIRE(kept.road);
  CHECK(kept.road->odo_end - kept.road->odo_start == 8);
  CHECK(kept.road->findings == std::vector<std::string>{"road.no_findings"});
}

TEST_CASE("issue 12: delivery names every blocker precisely") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair,
                                {spec("", Trade::Mechanical, "tech1"), spec("", Trade::Mechanical, "tech2"),
                                 spec("", Trade::Body, "body1")});
  const Id a = wo + "-1", b = wo + "-2", c = wo + "-3";
  w.clockOn("tech1", a, T0);
  w.clockOn("tech2", b, T0);
  w.must(w.inspection(InspectionKind::Self, wo, b, "tech2", true, T0 + 30 * MIN));
  auto reasons = [&] {
    std::map<Reason, std::string> out;
    for (auto& r : deliveryBlockers(w.s, w.s.work_orders.at(wo))) out[r.reason] = r.detail;
    return out;
  };
  auto r = reasons();
  CHECK(r[Reason::OperationRunning] == a);
  CHECK(r[Reason::AwaitingPeerInspection] == b);
  CHECK(r[Reason::OperationUnfinished] == c);
  CHECK(r[Reason::FinalMissing] == wo);
  w.must(w.inspection(InspectionKind::Self, wo, a, "tech1", true, T0 + 40 * MIN));
  w.must(w.inspection(InspectionKind::Peer, wo, a, "foreman", true, T0 + 50 * MIN));
  w.must(w.inspection(InspectionKind::Peer, wo, b, "foreman", false, T0 + 50 * MIN));
  r = reasons();
  CHECK(r[Reason::InRework] == b);
  CHECK_FALSE(r.count(Reason::OperationRunning));
  w.finish(b, T0 + 60 * MIN);
  w.finish(c, T0 + 60 * MIN);
  // a failed final: said as such, not "missing"
  auto fail = w.inspection(InspectionKind::Final, wo, std::nullopt, "qi", false, T0 + 3 * 60 * MIN);
  fail.inspection.defect_op = c;
  w.must(w.sealed(fail, "qi", T0 + 3 * 60 * MIN));
  r = reasons();
  CHECK(r[Reason::InRework] == c);
  CHECK(r[Reason::FinalFailed] == fail.inspection.id);
  CHECK_FALSE(r.count(Reason::FinalMissing));
  CHECK(w.refused(w.sealed(testDelivery(wo, "advisor", T0 + 4 * 60 * MIN), "advisor", T0 + 4 * 60 * MIN)) == Reason::NotDeliverable);
  w.finish(c, T0 + 4 * 60 * MIN);
  CHECK(reasons().begin()->first == Reason::FinalFailed);
  w.must(w.inspection(InspectionKind::Final, wo, std::nullopt, "qi2", true, T0 + 6 * 60 * MIN));
  CHECK(reasons().empty());
}

TEST_CASE("issue 12: an add-on car needs a final inspection even when its category is exempt") {
  World w;
  const Id wo = w.openWorkOrder(Category::Maintenance, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  CHECK_FALSE(finalRequired(w.s, w.s.work_orders.at(wo)));
  SUBCASE("approved add-on: final required") {
    addOn(w, wo, op, "ad-1", false, true, T0 + 10 * MIN);
    CHECK(finalRequired(w.s, w.s.work_orders.at(wo)));
    w.finish(op, T0 + 20 * MIN);
    w.finish("op-ad-1", T0 + 90 * MIN);
    std::set<Reason> left;
    for (auto& r : deliveryBlockers(w.s, w.s.work_orders.at(wo))) left.insert(r.reason);
    CHECK(left == std::set<Reason>{Reason::FinalMissing});
    w.must(w.inspection(InspectionKind::Final, wo, std::nullopt, "qi", true, T0 + 4 * 60 * MIN));
    w.must(w.sealed(testDelivery(wo, "qi2", T0 + 5 * 60 * MIN), "qi2", T0 + 5 * 60 * MIN));  // a quality inspector may hand over
  }
  SUBCASE("an add-on waiting for consent blocks, naming it") {
    w.must(ProposeAddOn{"ad-2", "op-ad-2", wo, op, "tech1", Trade::Mechanical, "addon.oil_leak", 30, {}, false, false, T0 + 5 * MIN});
    w.finish(op, T0 + 20 * MIN);
    bool named = false;
    for (auto& r : deliveryBlockers(w.s, w.s.work_orders.at(wo)))
      named |= r.reason == Reason::BlockedAddOnUnapproved && r.detail == "ad-2";
    CHECK(named);
  }
  SUBCASE("declined add-on only: the category's rule stands") {
    addOn(w, wo, op, "ad-3", false, false, T0 + 10 * MIN);
    CHECK_FALSE(finalRequired(w.s, w.s.work_orders.at(wo)));
  }
}

TEST_CASE("issue 12: delivery records the old parts, the customer's acknowledgement and a gate pass") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  addOn(w, wo, op, "ad-9", true, false, T0 + 10 * MIN);  // a safety item the customer declined (R13)
  addOn(w, wo, op, "ad-8", false, false, T0 + 11 * MIN);  // not a safety item: nothing to sign
  w.finish(op, T0 + 20 * MIN);
  w.must(w.inspection(InspectionKind::Final, wo, std::nullopt, "qi", true, T0 + 3 * 60 * MIN));
  CHECK(declinedSafety(w.s, wo) == std::vector<Id>{"ad-9"});
  const Millis t = T0 + 4 * 60 * MIN;
  DeliverWorkOrder d = testDelivery(wo, "advisor", t, &w.s);
  REQUIRE(d.ack);
  auto with = [&](auto change) {
    DeliverWorkOrder x = d;
    change(x);
    return w.sealed(x, "advisor", t);
  };
  CHECK(w.refused(with([](DeliverWorkOrder& x) { x.old_parts.reset(); })) == Reason::ReasonRequired);
  CHECK(w.refused(with([](DeliverWorkOrder& x) { x.ack.reset(); })) == Reason::AcknowledgementRequired);
  CHECK(w.refused(with([](DeliverWorkOrder& x) { x.ack->strokes.clear(); x.ack->hash = strokesHash({}); })) == Reason::AcknowledgementRequired);
  CHECK(w.refused(with([](DeliverWorkOrder& x) { x.ack->addons = {"ad-8", "ad-9"}; })) == Reason::AcknowledgementRequired);
  CHECK(w.refused(with([](DeliverWorkOrder& x) { x.ack->strokes[0][0][0] = 1001; x.ack->hash = strokesHash(x.ack->strokes); })) == Reason::BadInput);
  CHECK(w.refused(with([](DeliverWorkOrder& x) { x.ack->strokes[0].push_back({1, 1}); })) == Reason::BadInput);  // hash no longer seals it
  CHECK(w.refused(with([](DeliverWorkOrder& x) { x.ack->strokes = {{{5, 5}}}; x.ack->hash = strokesHash(x.ack->strokes); })) == Reason::AcknowledgementRequired);
  CHECK(w.refused(with([](DeliverWorkOrder& x) { x.ack->strokes.assign(kMaxStrokes + 1, {{1, 1}, {2, 2}}); x.ack->hash = strokesHash(x.ack->strokes); })) == Reason::BadInput);
  CHECK(w.refused(with([](DeliverWorkOrder& x) { x.by = "tech1"; })) == Reason::LacksRole);
  CHECK(w.refused(w.sealed(d, "qi", t)) == Reason::SignatureInvalid);  // signed by someone else than `by`
  Action ok = with([](DeliverWorkOrder&) {});
  w.must(ok);
  const WorkOrder& done = w.s.work_orders.at(wo);
  CHECK(done.delivered_at == t);
  CHECK(done.old_parts == OldParts::Returned);
  REQUIRE(done.ack);
  CHECK(done.ack->hash == strokesHash(d.ack->strokes));
  CHECK(done.gate_pass.starts_with("GP-" + done.number + "-"));
  CHECK(done.gate_pass.size() == 3 + done.number.size() + 1 + 6);
  CHECK(done.gate_pass == gatePassOf(done, std::get<DeliverWorkOrder>(ok)));
  // the record reads back as it was
  WorkOrder back = json(done).get<WorkOrder>();
  CHECK(back == done);
}

TEST_CASE("issue 12: without declined safety items there is nothing for the customer to sign") {
  World w;
  const Id wo = w.openWorkOrder(Category::Maintenance, {spec("", Trade::Mechanical, "tech1")});
  w.finish(wo + "-1", T0);
  DeliverWorkOrder d = testDelivery(wo, "advisor", T0 + 2 * 60 * MIN);
  d.ack = CustomerAck{{}, {{{1, 1}, {2, 2}}}, strokesHash({{{1, 1}, {2, 2}}})};
  CHECK(w.refused(w.sealed(d, "advisor", T0 + 2 * 60 * MIN)) == Reason::BadInput);
  d.ack.reset();
  d.old_parts = OldParts::Scrapped;
  w.must(w.sealed(d, "advisor", T0 + 2 * 60 * MIN));
  CHECK(w.s.work_orders.at(wo).old_parts == OldParts::Scrapped);
  CHECK_FALSE(w.s.work_orders.at(wo).ack);
}

TEST_CASE("issue 12: the latest inspection of an operation is its correction when corrected") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  w.clockOn("tech1", op, T0);
  auto first = w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 30 * MIN);
  w.must(first);
  CHECK(latestInspection(w.s, InspectionKind::Self, op)->id == first.inspection.id);
  auto fix = w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 35 * MIN);
  fix.inspection.supersedes = first.inspection.id;
  fix.inspection.items[0].zh = "修理部位工作正常（更正）";
  w.must(w.sealed(fix, "tech1", T0 + 35 * MIN));
  CHECK(latestInspection(w.s, InspectionKind::Self, op)->id == fix.inspection.id);
  CHECK(latestInspection(w.s, InspectionKind::Peer, op) == nullptr);
  Shop again = w.s;
  again.reindex();
  CHECK(latestInspection(again, InspectionKind::Self, op)->id == fix.inspection.id);
}

TEST_CASE("R16, issue 12: no reviewer signs for the customer, and nothing held is accepted onto a car that has left") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  addOn(w, wo, op, "ad-9", true, false, T0 + 10 * MIN);  // a safety item the customer declined
  w.finish(op, T0 + 20 * MIN);
  w.must(w.inspection(InspectionKind::Final, wo, std::nullopt, "qi", true, T0 + 3 * 60 * MIN));
  const Millis t = T0 + 4 * 60 * MIN;
  // a delivery without the customer's acknowledgement arrives: held
  const Ingested held = ingest(w.s, w.sealed(testDelivery(wo, "advisor", t), "advisor", t), "ev-1", t);
  REQUIRE(held.review);
  CHECK(held.refusal->reason == Reason::AcknowledgementRequired);
  CHECK_FALSE(w.s.work_orders.at(wo).delivered_at);
  ResolveReview accept{*held.review, "manager", "review.keep_both", t + MIN, Decision::Accept};
  const Outcome no = checkBeforeSigning(w.s, Action{accept});
  REQUIRE_FALSE(no);
  CHECK(no.refusal->reason == Reason::CannotAccept);
  // voided, then delivered properly with the customer's signature
  accept.decision = Decision::Void;
  w.must(w.sealed(accept, "manager", t + MIN));
  w.must(w.sealed(testDelivery(wo, "advisor", t + 2 * MIN, &w.s), "advisor", t + 2 * MIN));
  // a clock-on that arrives after the car has left: held, and never accepted
  const Ingested late = ingest(w.s, ClockOn{"te-late", "tech1", op, "bay1", t + 3 * MIN}, "ev-2", t + 3 * MIN);
  REQUIRE(late.review);
  CHECK(late.refusal->reason == Reason::WorkOrderClosed);
  const Outcome closed = checkBeforeSigning(w.s, Action{ResolveReview{*late.review, "foreman", "review.keep_both", t + 4 * MIN, Decision::Accept}});
  REQUIRE_FALSE(closed);
  CHECK(closed.refusal->reason == Reason::CannotAccept);
  CHECK(w.s.openEntriesOf("tech1").empty());
}
