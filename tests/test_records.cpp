// R15 (signatures, immutability) and R16 (conflicts kept for review).
#include "tests/support.hpp"

#include <doctest/doctest.h>

using namespace bkt;

TEST_CASE("R15: a signature is a person, a time, a meaning and a hash of exactly what was signed") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  w.clockOn("tech1", op, T0);
  auto in = w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 60 * MIN);
  CHECK(in.sig.signer == "tech1");
  CHECK(in.sig.at == T0 + 60 * MIN);
  CHECK(in.sig.meaning == "inspection.self");
  CHECK(in.sig.record == "inspection/" + in.inspection.id);
  CHECK(in.sig.digest.size() == 64);

  SUBCASE("changing anything after signing breaks the signature") {
    auto tampered = in;
    tampered.inspection.items[0].verdict = Verdict::NotApplicable;
    CHECK(w.refused(tampered) == Reason::SignatureInvalid);
  }
  SUBCASE("a signature made by someone else is refused") {
    Action a = in;
    signAction(a, "tech2", T0 + 60 * MIN, testKey("tech2"));
    CHECK(w.refused(a) == Reason::SignatureInvalid);
  }
  SUBCASE("a signed record is never edited; a correction points at the old one") {
    w.must(in);
    const Inspection original = w.s.inspections.at(in.inspection.id);
    auto again = in;  // same id: an attempt to overwrite
    again.inspection.items.push_back(ChecklistItem{"no_leaks", Verdict::Pass});
    Action a = again;
    signAction(a, "tech1", T0 + 70 * MIN, testKey("tech1"));
    CHECK(w.refused(a) == Reason::SignedRecordImmutable);

    auto fix = w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 70 * MIN);
    fix.inspection.supersedes = in.inspection.id;
    fix.inspection.items.push_back(ChecklistItem{"no_leaks", Verdict::Pass});
    Action f = fix;
    signAction(f, "tech1", T0 + 70 * MIN, testKey("tech1"));
    w.must(f);
    CHECK(w.s.inspections.at(in.inspection.id) == original);
    CHECK(w.s.superseded_by.at(in.inspection.id) == fix.inspection.id);
    // a correction keeps the verdict; changing it is a new inspection (R7)
    auto flip = w.inspection(InspectionKind::Self, wo, op, "tech1", false, T0 + 80 * MIN);
    flip.inspection.supersedes = fix.inspection.id;
    Action fl = flip;
    signAction(fl, "tech1", T0 + 80 * MIN, testKey("tech1"));
    CHECK(w.refused(fl) == Reason::CorrectionChangesResult);
    // and a record that was already corrected cannot be corrected again
    auto twice = w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 80 * MIN);
    twice.inspection.supersedes = in.inspection.id;
    Action tw = twice;
    signAction(tw, "tech1", T0 + 80 * MIN, testKey("tech1"));
    CHECK(w.refused(tw) == Reason::SignedRecordImmutable);
  }
}

TEST_CASE("R16: a conflicting action is kept, held with no effect, and put before a person, with both facts") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1"),
                                                         spec("", Trade::Mechanical, "tech2")});
  SUBCASE("the same technician clocked on at two bays while one was offline") {
    w.clockOn("tech1", wo + "-1", T0 + 30 * MIN);
    // bay 2's event, made offline at 10 minutes, arrives later
    Action late = ClockOn{"te-offline", "tech1", wo + "-2", "bay2", T0 + 10 * MIN};
    auto r = ingest(w.s, late, "ev-1", T0 + 40 * MIN);
    CHECK_FALSE(r.clean);
    REQUIRE(r.review);
    const ReviewItem& item = w.s.reviews.at(*r.review);
    CHECK(item.reason == Reason::ClockOverlap);
    CHECK(item.hold == Hold::Conflict);
    CHECK(item.for_role == Role::Foreman);
    CHECK(item.facts["action"]["entry"] == "te-offline");
    CHECK(item.facts["known"]["open_entries"].size() == 1);
    CHECK(w.s.entries.count("te-offline") == 0);  // held: no effect until decided
    CHECK(w.s.openEntriesOf("tech1").size() == 1);
    // R10: the open review blocks the work order's delivery
    bool blocked = false;
    for (const Refusal& b : deliveryBlockers(w.s, w.s.work_orders.at(wo))) blocked |= b.reason == Reason::OpenReview && b.detail == item.id.str();
    CHECK(blocked);
    // (found by the work order's own review items, indexed as reindex() makes them)
    CHECK(w.s.reviews_of_wo.at(wo) == std::set<Id>{item.id});
    Shop again = w.s;
    again.reindex();
    CHECK(again.reviews_of_wo == w.s.reviews_of_wo);
    // the foreman decides: a decision is required, and only the foreman's
    CHECK(w.refused(ResolveReview{item.id, "tech2", "review.keep_both", T0 + 50 * MIN, Decision::Accept}) == Reason::LacksRole);
    CHECK(w.refused(ResolveReview{item.id, "foreman", "review.keep_both", T0 + 50 * MIN}) == Reason::DecisionRequired);
    SUBCASE("accepted: the earlier entry applies, bounded where the other starts") {
      w.must(w.sealed(ResolveReview{item.id, "foreman", "review.keep_both", T0 + 50 * MIN, Decision::Accept}, "foreman", T0 + 50 * MIN));
      CHECK(w.s.reviews.at(item.id).resolved_by == "foreman");
      CHECK(w.s.reviews.at(item.id).decision == Decision::Accept);
      REQUIRE(w.s.entries.count("te-offline") == 1);
      CHECK(w.s.entries.at("te-offline").start == T0 + 10 * MIN);
      CHECK(w.s.entries.at("te-offline").end == T0 + 30 * MIN);  // the timeline never overlaps
      CHECK(w.s.openEntriesOf("tech1").size() == 1);
      for (const Refusal& b : deliveryBlockers(w.s, w.s.work_orders.at(wo))) CHECK(b.reason != Reason::OpenReview);  // decided: no longer blocks
      CHECK(w.refused(ResolveReview{item.id, "foreman", "review.keep_both", T0 + 51 * MIN, Decision::Void}) == Reason::AlreadyResolved);
    }
    SUBCASE("voided: it stays on record with no effect") {
      w.must(w.sealed(ResolveReview{item.id, "foreman", "review.keep_both", T0 + 50 * MIN, Decision::Void}, "foreman", T0 + 50 * MIN));
      CHECK(w.s.reviews.at(item.id).decision == Decision::Void);
      CHECK(w.s.entries.count("te-offline") == 0);
    }
  }
  SUBCASE("a signer without the role is quarantined: the service manager can only void it (R17)") {
    w.clockOn("tech1", wo + "-1", T0);
    w.must(w.inspection(InspectionKind::Self, wo, wo + "-1", "tech1", true, T0 + 60 * MIN));
    // a "peer inspection" signed by a technician who holds no inspecting role
    auto forged = w.inspection(InspectionKind::Peer, wo, wo + "-1", "tech2", true, T0 + 70 * MIN);
    auto r = ingest(w.s, forged, "ev-q", T0 + 80 * MIN);
    REQUIRE(r.review);
    const ReviewItem& item = w.s.reviews.at(*r.review);
    CHECK(item.hold == Hold::Quarantine);
    CHECK(item.for_role == Role::ServiceManager);
    CHECK(w.s.inspections.count(forged.inspection.id) == 0);
    CHECK(w.s.operations.at(wo + "-1").phase != Phase::Done);
    CHECK(w.refused(w.sealed(ResolveReview{item.id, "manager", "review.keep_both", T0 + 90 * MIN, Decision::Accept}, "manager", T0 + 90 * MIN)) == Reason::CannotAccept);
    w.must(w.sealed(ResolveReview{item.id, "manager", "review.keep_both", T0 + 90 * MIN, Decision::Void}, "manager", T0 + 90 * MIN));
    CHECK(w.s.inspections.count(forged.inspection.id) == 0);
  }
  SUBCASE("two inspectors signing the same inspection") {
    w.clockOn("tech1", wo + "-1", T0);
    w.must(w.inspection(InspectionKind::Self, wo, wo + "-1", "tech1", true, T0 + 60 * MIN));
    auto a = w.inspection(InspectionKind::Peer, wo, wo + "-1", "foreman", true, T0 + 70 * MIN);
    auto b = w.inspection(InspectionKind::Peer, wo, wo + "-1", "foreman2", false, T0 + 71 * MIN);
    CHECK(ingest(w.s, a, "ev-a", T0 + 80 * MIN).clean);
    auto r = ingest(w.s, b, "ev-b", T0 + 80 * MIN);
    CHECK_FALSE(r.clean);
    CHECK(w.s.inspections.count(b.inspection.id) == 0);  // held: the fact is in the review item
    CHECK(w.s.reviews.at(*r.review).facts["action"]["inspection"]["id"] == b.inspection.id.str());
    CHECK(w.s.operations.at(wo + "-1").phase == Phase::Done);  // the first one stands
    CHECK(w.s.reviews.at(*r.review).reason == Reason::NotReadyForInspection);
  }
  SUBCASE("an add-on approved after the customer declined") {
    w.clockOn("tech1", wo + "-1", T0);
    w.must(ProposeAddOn{"ad-1", "op-ad", wo, wo + "-1", "tech1", Trade::Mechanical, "addon.oil_leak", 60, {}, false, false, T0});
    w.must(w.sealed(QuoteAddOn{"ad-1", 100, 60, {}}, "advisor", T0 + 1));
    w.must(w.sealed(SignAddOnTechnical{"ad-1", {}}, "director", T0 + 2));
    w.must(w.sealed(SignAddOnCost{"ad-1", {}}, "manager", T0 + 3));
    w.must(w.sealed(RecordConsent{"ad-1", false, ConsentChannel::Phone, false, {}}, "advisor", T0 + 4));
    Action yes = w.sealed(RecordConsent{"ad-1", true, ConsentChannel::Message, false, {}}, "manager", T0 + 5);
    auto r = ingest(w.s, yes, "ev-c", T0 + 6);
    CHECK_FALSE(r.clean);
    const ReviewItem& item = w.s.reviews.at(*r.review);
    CHECK(item.for_role == Role::ServiceManager);
    CHECK(item.reason == Reason::AddOnResolved);
    CHECK(item.facts["known"]["addon"]["consent"]["granted"] == false);
    CHECK(item.facts["action"]["granted"] == true);
    CHECK(w.s.operations.at("op-ad").phase == Phase::Declined);  // the refusal stands until decided
  }
  SUBCASE("a delivery that no longer holds does not mark the car delivered") {
    Action d = w.sealed(testDelivery(wo, "advisor", T0), "advisor", T0);
    auto r = ingest(w.s, d, "ev-d", T0);
    CHECK_FALSE(r.clean);
    CHECK_FALSE(w.s.work_orders.at(wo).delivered_at);
  }
  SUBCASE("replaying the same events gives the same review items") {
    World again;
    again.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1"), spec("", Trade::Mechanical, "tech2")});
    for (World* x : {&w, &again}) {
      x->clockOn("tech1", wo + "-1", T0 + 30 * MIN);
      (void)ingest(x->s, ClockOn{"te-offline", "tech1", wo + "-2", "bay2", T0 + 10 * MIN}, "ev-1", T0);
    }
    CHECK(w.s.reviews == again.s.reviews);
  }
}
