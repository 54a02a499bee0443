// Issue 15: charges that land on the right person. The handover chain after
// a redo (R8), and a patrol's stop (R11).
#include "domain/report.hpp"
#include "tests/support.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace bkt;

namespace {
struct Chain : World {
  Id wo, a, b, c;  // mechanical → body → paint, each accepting the one before (R8)
  Millis t = T0;
  Chain() {
    wo = openWorkOrder(Category::BodyPaint, {spec("", Trade::Mechanical, "tech1"), spec("", Trade::Body, "body1", true),
                                             spec("", Trade::Paint, "paint1", true)});
    a = wo + "-1", b = wo + "-2", c = wo + "-3";
  }
  Millis next() { return t += 100 * MIN; }
  void handover(const Id& up, const Id& who, bool pass) { must(inspection(InspectionKind::Handover, wo, up, who, pass, next())); }
  void finalFails(const Id& op) {
    auto fin = inspection(InspectionKind::Final, wo, std::nullopt, "qi", false, next());
    fin.inspection.defect_op = op;
    Action act = fin;
    signAction(act, "qi", t, testKey("qi"));
    must(act);
  }
  // who each incident was charged to, in the order they were found
  std::vector<Id> charged() const {
    std::vector<const Incident*> v;
    for (auto& [id, inc] : s.incidents) v.push_back(&inc);
    std::sort(v.begin(), v.end(), [](auto* x, auto* y) { return x->at < y->at; });
    std::vector<Id> out;
    for (auto* inc : v) out.push_back(inc->charged_to);
    return out;
  }
};
}  // namespace

TEST_CASE("issue 15 (R8): through mechanical, body and paint, with a failure at every stage, each charge lands on who is responsible then") {
  Chain w;
  w.finish(w.a, w.next());
  w.handover(w.a, "body1", false);  // found at handover: back upstream
  CHECK(w.charged() == std::vector<Id>{"tech1"});
  w.finish(w.a, w.next());
  w.handover(w.a, "body1", true);
  CHECK(w.s.operations.at(w.a).accepted_by == Id("body1"));
  w.finish(w.b, w.next());
  w.handover(w.b, "paint1", false);
  CHECK(w.charged().back() == "body1");
  w.finish(w.b, w.next());
  w.handover(w.b, "paint1", true);
  w.finish(w.c, w.next());

  // the final inspection finds the mechanical work wrong: body accepted it
  w.finalFails(w.a);
  CHECK(w.charged().back() == "body1");
  // the redo has been accepted by nobody yet
  CHECK_FALSE(w.s.operations.at(w.a).accepted_by);
  CHECK_FALSE(w.s.operations.at(w.b).handover);
  w.finish(w.a, w.next());
  // so a second failure of the redone work is the mechanic's, not body's again
  w.finalFails(w.a);
  CHECK(w.charged().back() == "tech1");
  w.finish(w.a, w.next());
  // body accepts the new work (its own is done: it may still accept)
  w.handover(w.a, "body1", true);
  CHECK(w.s.operations.at(w.a).accepted_by == Id("body1"));

  // the body work fails at the final: paint had accepted it
  w.finalFails(w.b);
  CHECK(w.charged().back() == "paint1");
  CHECK_FALSE(w.s.operations.at(w.c).handover);
  w.finish(w.b, w.next());
  // the paint work fails: nobody downstream, the painter's
  w.finalFails(w.c);
  CHECK(w.charged().back() == "paint1");
  // the painter accepts the redone body work before clocking on again (R8)
  CHECK(w.refused(ClockOn{"te-p", "paint1", w.c, "bay1", w.next()}) == Reason::BlockedAwaitingHandover);
  w.handover(w.b, "paint1", true);
  w.finish(w.c, w.next());
  w.must(w.inspection(InspectionKind::Final, w.wo, std::nullopt, "qi", true, w.next()));
  CHECK(w.charged() == std::vector<Id>{"tech1", "body1", "body1", "tech1", "paint1", "paint1"});
  CHECK(deliveryBlockers(w.s, w.s.work_orders.at(w.wo)).empty());
}

TEST_CASE("issue 15 (R11): a patrol that finds a problem records it — only a stop stops the work, opens rework and charges") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  const Id e = w.clockOn("tech1", op, T0);
  w.must(w.inspection(InspectionKind::Patrol, wo, op, "supervisor", false, T0 + 10 * MIN));
  CHECK_FALSE(w.s.entries.at(e).end);  // still running
  CHECK(w.s.operations.at(op).phase == Phase::Open);
  CHECK(w.s.reworks.empty());
  CHECK(w.s.incidents.empty());
  CHECK(w.s.inspections.size() == 1);  // recorded, with its defect
  auto stop = w.inspection(InspectionKind::Patrol, wo, op, "director", false, T0 + 20 * MIN);
  stop.inspection.stop = true;
  Action a = stop;
  signAction(a, "director", T0 + 20 * MIN, testKey("director"));
  w.must(a);
  CHECK(w.s.entries.at(e).reason == StopReason::StoppedByPatrol);
  CHECK(w.s.operations.at(op).phase == Phase::Rework);
  REQUIRE(w.s.incidents.size() == 1);
  CHECK(w.s.incidents.begin()->second.charged_to == "tech1");
}

TEST_CASE("issue 15 (R16): a charge found by an inspection another contradicts waits for a person's decision") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  w.clockOn("tech1", op, T0);
  w.must(w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 30 * MIN));
  // two foremen judge the same work at two bays: the FAIL reaches the shop first
  w.must(w.inspection(InspectionKind::Peer, wo, op, "foreman", false, T0 + 40 * MIN));
  REQUIRE(w.s.incidents.size() == 1);
  const Id inc = w.s.incidents.begin()->first;
  CHECK(w.s.incidents.at(inc).charged());
  // then the PASS, which no longer fits: kept for review, and the charge held
  const Ingested held = ingest(w.s, w.inspection(InspectionKind::Peer, wo, op, "foreman2", true, T0 + 41 * MIN), "ev-pass", T0 + 42 * MIN);
  REQUIRE(held.review);
  CHECK(w.s.incidents.at(inc).held_by == held.review);
  CHECK_FALSE(w.s.incidents.at(inc).charged());
  const Millis month = 30LL * 24 * 60 * MIN;
  CHECK(monthlyReport(w.s, T0, T0 + month).incidents_by_trade.empty());
  CHECK(w.refused(DisputeCharge{inc, "tech1", "dispute.not_visible", T0 + 43 * MIN}) == Reason::NotDisputable);
  SUBCASE("the FAIL is believed (the PASS voided): charged now, and disputable") {
    w.must(w.sealed(ResolveReview{*held.review, "foreman", "review.keep_both", T0 + 50 * MIN, Decision::Void}, "foreman", T0 + 50 * MIN));
    CHECK(w.s.incidents.at(inc).charged());
    CHECK(monthlyReport(w.s, T0, T0 + month).incidents_by_trade.at(Trade::Mechanical) == 1);
    w.must(DisputeCharge{inc, "tech1", "dispute.not_visible", T0 + 51 * MIN});
  }
  SUBCASE("the PASS is believed: the charge is voided, kept on record") {
    w.must(w.sealed(ResolveReview{*held.review, "foreman", "review.keep_both", T0 + 50 * MIN, Decision::Accept}, "foreman", T0 + 50 * MIN));
    CHECK(w.s.incidents.at(inc).voided);
    CHECK_FALSE(w.s.incidents.at(inc).charged());
    CHECK(monthlyReport(w.s, T0, T0 + month).incidents_by_trade.empty());
  }
  SUBCASE("the record keeps its form until then, and reads back") {
    const json j = w.s.incidents.at(inc);
    CHECK(j.at("held_by") == held.review->str());
    CHECK_FALSE(j.contains("voided"));
    CHECK(j.get<Incident>() == w.s.incidents.at(inc));
  }
}

TEST_CASE("issue 15 (R16): a failed inspection a person upholds over the PASS the shop had sends the work back and charges then") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  w.clockOn("tech1", op, T0);
  w.must(w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 30 * MIN));
  w.must(w.inspection(InspectionKind::Peer, wo, op, "foreman", true, T0 + 40 * MIN));
  CHECK(w.s.operations.at(op).phase == Phase::Done);
  const Ingested held = ingest(w.s, w.inspection(InspectionKind::Peer, wo, op, "foreman2", false, T0 + 39 * MIN), "ev-fail", T0 + 42 * MIN);
  REQUIRE(held.review);
  CHECK(w.s.incidents.empty());  // nothing charged before a person decides
  SUBCASE("upheld: rework, and the charge") {
    w.must(w.sealed(ResolveReview{*held.review, "foreman", "review.keep_both", T0 + 50 * MIN, Decision::Accept}, "foreman", T0 + 50 * MIN));
    CHECK(w.s.operations.at(op).phase == Phase::Rework);
    REQUIRE(w.s.incidents.size() == 1);
    CHECK(w.s.incidents.begin()->second.charged_to == "tech1");
    CHECK(w.s.incidents.begin()->second.charged());
  }
  SUBCASE("voided: the PASS stands, nothing is charged") {
    w.must(w.sealed(ResolveReview{*held.review, "foreman", "review.keep_both", T0 + 50 * MIN, Decision::Void}, "foreman", T0 + 50 * MIN));
    CHECK(w.s.operations.at(op).phase == Phase::Done);
    CHECK(w.s.incidents.empty());
  }
}
