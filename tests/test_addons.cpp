// R12–R14: add-on items and their approval chain.
#include "domain/report.hpp"
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

// Issue 14: the technical director and the service manager can refuse an
// add-on, or send it back to the quote, each with a reason and signed (R15).
TEST_CASE("issue 14: an add-on sent back returns to the advisor's quote, with who sent it and why") {
  AddOnWorld w(false, false);
  const Millis t = T0 + 20 * MIN;
  // nothing to send back before the quote
  CHECK(w.refused(w.sealed(ReturnAddOn{"ad-1", false, "addon_return.price_wrong", {}}, "director", t)) == Reason::AddOnWrongStep);
  w.must(w.sealed(QuoteAddOn{"ad-1", 186000, 90, {}}, "advisor", t));
  // only the step's holder, and only with a reason
  CHECK(w.refused(w.sealed(ReturnAddOn{"ad-1", false, "addon_return.price_wrong", {}}, "manager", t + 1)) == Reason::LacksRole);
  CHECK(w.refused(w.sealed(ReturnAddOn{"ad-1", false, "addon_return.price_wrong", {}}, "tech1", t + 1)) == Reason::LacksRole);
  CHECK(w.refused(w.sealed(ReturnAddOn{"ad-1", false, "", {}}, "director", t + 1)) == Reason::ReasonRequired);
  w.must(w.sealed(ReturnAddOn{"ad-1", false, "addon_return.price_wrong", {}}, "director", t + 1));
  {
    const AddOn& a = w.s.addons.at("ad-1");
    CHECK_FALSE(a.quote);
    CHECK_FALSE(a.resolved());
    REQUIRE(a.returns.size() == 1);
    CHECK(a.returns[0].step == "technical");
    CHECK(a.returns[0].sig.signer == "director");
    CHECK(a.returns[0].reason == "addon_return.price_wrong");
    CHECK(a.returns[0].sig.meaning == "addon.send_back");
  }
  // the director cannot sign what is no longer quoted
  CHECK(w.refused(w.sealed(SignAddOnTechnical{"ad-1", {}}, "director", t + 2)) == Reason::AddOnWrongStep);
  w.must(w.sealed(QuoteAddOn{"ad-1", 98000, 60, {}}, "advisor", t + 2));
  w.must(w.sealed(SignAddOnTechnical{"ad-1", {}}, "director", t + 3));
  // at the cost step it is the manager's, and the director's signature goes too
  CHECK(w.refused(w.sealed(ReturnAddOn{"ad-1", false, "addon_return.minutes_wrong", {}}, "director", t + 4)) == Reason::LacksRole);
  w.must(w.sealed(ReturnAddOn{"ad-1", false, "addon_return.minutes_wrong", {}}, "manager", t + 4));
  {
    const AddOn& a = w.s.addons.at("ad-1");
    CHECK_FALSE(a.quote);
    CHECK_FALSE(a.technical);
    REQUIRE(a.returns.size() == 2);
    CHECK(a.returns[1].step == "cost");
  }
  CHECK(w.s.operations.at("op-ad").phase == Phase::AwaitingApproval);
  CHECK(w.refused(ClockOn{"te-x", "tech1", "op-ad", "bay1", t + 5}) == Reason::BlockedAddOnUnapproved);
  // then the whole chain again, and only the last quote counts (R14)
  const Millis promised = w.s.work_orders.at(w.wo).promised_at;
  w.must(w.sealed(QuoteAddOn{"ad-1", 98000, 75, {}}, "advisor", t + 5));
  w.must(w.sealed(SignAddOnTechnical{"ad-1", {}}, "director", t + 6));
  w.must(w.sealed(SignAddOnCost{"ad-1", {}}, "manager", t + 7));
  w.must(w.sealed(RecordConsent{"ad-1", true, ConsentChannel::Phone, false, {}}, "advisor", t + 8));
  CHECK(w.s.operations.at("op-ad").phase == Phase::Open);
  CHECK(w.s.operations.at("op-ad").std_minutes == 75);
  CHECK(w.s.work_orders.at(w.wo).promised_at == promised + 75 * MIN);
  CHECK(w.s.addons.at("ad-1").returns.size() == 2);  // the history stays
}

TEST_CASE("issue 14: a refused add-on is kept, declined, never clocked, and does not hold up delivery") {
  AddOnWorld w(false, true);
  const Millis t = T0 + 20 * MIN;
  w.must(w.sealed(QuoteAddOn{"ad-1", 186000, 90, {}}, "advisor", t));
  w.must(w.sealed(SignAddOnTechnical{"ad-1", {}}, "director", t + 1));
  CHECK(w.refused(w.sealed(ReturnAddOn{"ad-1", true, "addon_return.not_needed", {}}, "director", t + 2)) == Reason::LacksRole);
  w.must(w.sealed(ReturnAddOn{"ad-1", true, "addon_return.not_needed", {}}, "manager", t + 2));
  const AddOn& a = w.s.addons.at("ad-1");
  REQUIRE(a.refused);
  CHECK(a.refused->step == "cost");
  CHECK(a.refused->sig.meaning == "addon.refuse");
  CHECK(a.resolved());
  CHECK_FALSE(a.consent);  // the customer was never asked: not a customer's refusal (R13)
  CHECK(w.s.operations.at("op-ad").phase == Phase::Declined);
  CHECK(w.refused(ClockOn{"te-x", "tech1", "op-ad", "bay1", t + 3}) == Reason::BlockedDeclined);
  // a decision stands: no later step, refusal or consent
  CHECK(w.refused(w.sealed(SignAddOnCost{"ad-1", {}}, "manager", t + 3)) == Reason::AddOnResolved);
  CHECK(w.refused(w.sealed(ReturnAddOn{"ad-1", false, "addon_return.price_wrong", {}}, "manager", t + 3)) == Reason::AddOnResolved);
  CHECK(w.refused(w.sealed(RecordConsent{"ad-1", true, ConsentChannel::Phone, false, {}}, "advisor", t + 3)) == Reason::AddOnResolved);
  // not among the customer's declined safety items, and no longer a delivery blocker
  CHECK(bk::declinedSafety(w.s, w.wo).empty());
  for (const Refusal& r : deliveryBlockers(w.s, w.s.work_orders.at(w.wo))) CHECK(r.reason != Reason::BlockedAddOnUnapproved);
  // counted apart from the customer's refusals
  auto rep = monthlyReport(w.s, T0, T0 + 30LL * 24 * 60 * MIN);
  CHECK(rep.addons_refused == 1);
  CHECK(rep.addons_declined == 0);
}

TEST_CASE("issue 14: an add-on's refusal and send-backs are written only when set, and read back") {
  AddOnWorld w(false, false);
  const json plain = w.s.addons.at("ad-1");
  CHECK_FALSE(plain.contains("refused"));
  CHECK_FALSE(plain.contains("returns"));
  w.must(w.sealed(QuoteAddOn{"ad-1", 186000, 90, {}}, "advisor", T0 + 20 * MIN));
  w.must(w.sealed(ReturnAddOn{"ad-1", false, "addon_return.plan_unclear", {}}, "director", T0 + 21 * MIN));
  w.must(w.sealed(QuoteAddOn{"ad-1", 186000, 90, {}}, "advisor", T0 + 22 * MIN));
  w.must(w.sealed(ReturnAddOn{"ad-1", true, "addon_return.duplicate", {}}, "director", T0 + 23 * MIN));
  const AddOn& a = w.s.addons.at("ad-1");
  const json j = a;
  CHECK(j.contains("refused"));
  CHECK(j.at("returns").size() == 1);
  CHECK(j.get<AddOn>() == a);
  CHECK(plain.get<AddOn>().returns.empty());
}
