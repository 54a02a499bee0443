// R12–R14: add-on items and their approval chain.
#include "tests/support.hpp"

#include <doctest/doctest.h>

using namespace bkt;

namespace {
struct AddOnWorld : World {
  Id wo, op;
  AddOnWorld(bool warranty, bool safety) {
    wo = openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
    op = wo + "-1";
    clockOn("tech1", op, T0);
    must(ProposeAddOn{"ad-1", "op-ad", wo, op, "tech1", Trade::Mechanical, "addon.brake_disc_worn", 90,
                      {"part.brake_disc"}, safety, warranty, T0 + 10 * MIN});
  }
};
}  // namespace

TEST_CASE("R12: proposed by the main technician only") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  CHECK(w.refused(ProposeAddOn{"ad-1", "op-ad", wo, wo + "-1", "tech2", Trade::Mechanical, "addon.oil_leak", 60, {}, false, false, T0}) == Reason::NotMainTechnician);
  CHECK(w.refused(ProposeAddOn{"ad-1", "op-ad", wo, wo + "-1", "tech1", Trade::Mechanical, "addon.oil_leak", 0, {}, false, false, T0}) == Reason::BadInput);
  w.must(ProposeAddOn{"ad-1", "op-ad", wo, wo + "-1", "tech1", Trade::Mechanical, "addon.oil_leak", 60, {}, false, false, T0});
  CHECK(w.s.operations.at("op-ad").phase == Phase::AwaitingApproval);
  CHECK(w.s.operations.at("op-ad").seq == 2);
}

TEST_CASE("R12: approvals in order, each by a person who holds the role, then it can be clocked") {
  AddOnWorld w(false, false);
  const Millis t = T0 + 20 * MIN;
  // out of order: nothing before the quote
  CHECK(w.refused(w.sealed(SignAddOnTechnical{"ad-1", {}}, "director", t)) == Reason::AddOnWrongStep);
  CHECK(w.refused(w.sealed(RecordConsent{"ad-1", true, ConsentChannel::Phone, false, {}}, "advisor", t)) == Reason::AddOnWrongStep);
  // warranty step only when claimed
  CHECK(w.refused(w.sealed(DecideWarranty{"ad-1", true, "", {}}, "clerk", t)) == Reason::AddOnWrongStep);
  // the role matters
  CHECK(w.refused(w.sealed(QuoteAddOn{"ad-1", 50000, 90, {}}, "tech1", t)) == Reason::LacksRole);
  w.must(w.sealed(QuoteAddOn{"ad-1", 50000, 90, {}}, "advisor", t));
  CHECK(w.refused(w.sealed(SignAddOnCost{"ad-1", {}}, "manager", t + 1)) == Reason::AddOnWrongStep);
  CHECK(w.refused(w.sealed(SignAddOnTechnical{"ad-1", {}}, "manager", t + 1)) == Reason::LacksRole);
  w.must(w.sealed(SignAddOnTechnical{"ad-1", {}}, "director", t + 2));
  w.must(w.sealed(SignAddOnCost{"ad-1", {}}, "manager", t + 3));
  CHECK(w.refused(ClockOn{"te-x", "tech1", "op-ad", "bay1", t + 4}) == Reason::BlockedAddOnUnapproved);
  CHECK(w.refused(w.sealed(RecordConsent{"ad-1", true, ConsentChannel::Phone, false, {}}, "director", t + 4)) == Reason::LacksRole);
  const Millis promised = w.s.work_orders.at(w.wo).promised_at;
  w.must(w.sealed(RecordConsent{"ad-1", true, ConsentChannel::Phone, false, {}}, "advisor", t + 5));
  CHECK(w.s.operations.at("op-ad").phase == Phase::Open);
  w.clockOn("tech1", "op-ad", t + 6);
  // R14: added time extends the promised delivery time
  CHECK(w.s.work_orders.at(w.wo).promised_at == promised + 90 * MIN);
}

TEST_CASE("R12: a warranty claim is checked first, not covered goes on as paid work") {
  AddOnWorld w(true, false);
  const Millis t = T0 + 20 * MIN;
  CHECK(w.refused(w.sealed(QuoteAddOn{"ad-1", 50000, 90, {}}, "advisor", t)) == Reason::AddOnWrongStep);
  CHECK(w.refused(w.sealed(DecideWarranty{"ad-1", false, "warranty.expired", {}}, "advisor", t)) == Reason::LacksRole);
  w.must(w.sealed(DecideWarranty{"ad-1", false, "warranty.expired", {}}, "clerk", t));
  CHECK(w.s.addons.at("ad-1").warranty->note == "warranty.expired");
  w.must(w.sealed(QuoteAddOn{"ad-1", 50000, 90, {}}, "advisor", t + 1));
}

TEST_CASE("R13: a declined add-on is kept with the refusal, a safety refusal records the warning") {
  AddOnWorld w(false, true);
  const Millis t = T0 + 20 * MIN;
  w.must(w.sealed(QuoteAddOn{"ad-1", 50000, 90, {}}, "advisor", t));
  w.must(w.sealed(SignAddOnTechnical{"ad-1", {}}, "director", t + 1));
  w.must(w.sealed(SignAddOnCost{"ad-1", {}}, "manager", t + 2));
  CHECK(w.refused(w.sealed(RecordConsent{"ad-1", false, ConsentChannel::InPerson, false, {}}, "advisor", t + 3)) == Reason::WarningRequired);
  w.must(w.sealed(RecordConsent{"ad-1", false, ConsentChannel::InPerson, true, {}}, "manager", t + 3));
  const AddOn& a = w.s.addons.at("ad-1");
  REQUIRE(a.consent);
  CHECK_FALSE(a.consent->granted);
  CHECK(a.consent->warned);
  CHECK(w.s.operations.at("op-ad").phase == Phase::Declined);
  CHECK(w.refused(ClockOn{"te-x", "tech1", "op-ad", "bay1", t + 4}) == Reason::BlockedDeclined);
  // a decision stands: no later consent
  CHECK(w.refused(w.sealed(RecordConsent{"ad-1", true, ConsentChannel::Phone, false, {}}, "advisor", t + 5)) == Reason::AddOnResolved);
}
