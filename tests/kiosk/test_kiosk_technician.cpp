// The technician's flows at the kiosk, driven by taps on real ImGui frames,
// checked against the real store afterwards.
#include "tests/kiosk/harness.hpp"

#include <doctest/doctest.h>

using namespace bkt;

TEST_CASE("kiosk: badge sign-in, clock on, pause with a reason, finish through signed self-inspection") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  // the locked board shows the bay's work
  CHECK(h.has("board.signin"));
  CHECK_FALSE(h.st().session);
  // a USB badge reader types digits and Enter
  h.type("1001");
  h.enter();
  REQUIRE(h.st().session);
  CHECK(h.st().session->person == "tech1");
  CHECK(h.st().screen == ui::Screen::Work);

  h.tap("work.clock_on." + op);
  REQUIRE(h.shop().openEntriesOf("tech1").size() == 1);
  CHECK(h.shop().openEntriesOf("tech1")[0]->bay == "bay1");

  // time passes; the kiosk signed them out meanwhile, the badge signs them in
  h.advance(30 * MIN);
  h.frame();
  CHECK_FALSE(h.st().session);
  h.type("1001");
  h.enter();
  h.tap("work.pause");
  h.tap("work.reason.waiting_parts");
  CHECK(h.shop().openEntriesOf("tech1").empty());
  CHECK(h.shop().entries.begin()->second.reason == StopReason::WaitingParts);

  h.advance(20 * MIN);
  h.type("1001");
  h.enter();
  h.tap("work.clock_on." + op);
  h.advance(40 * MIN);
  h.type("1001");
  h.enter();
  h.tap("work.finish");
  CHECK(h.st().screen == ui::Screen::Inspect);
  // the measured torque is typed on the keypad, and the tolerance is checked
  h.tap("inspect.item.wheel_torque.value");
  for (const char* k : {"1", "2", "0"}) h.tap(std::string("inspect.keypad.") + k);
  h.tap("inspect.keypad.ok");
  CHECK(h.st().inspect.items.size() > 4);
  CHECK_FALSE(h.has("inspect.sign"));  // issue 12: every item is judged first
  h.passAll();
  h.tap("inspect.sign");
  REQUIRE(h.st().sign.open);
  // a wrong PIN is refused and nothing is signed
  h.pin("sign.pin", "1111");
  CHECK(h.shop().inspections.empty());
  CHECK(h.st().sign.open);
  h.pin("sign.pin", "246802");
  CHECK_FALSE(h.st().sign.open);
  REQUIRE(h.shop().inspections.size() == 1);
  const Inspection& in = h.shop().inspections.begin()->second;
  CHECK(in.kind == InspectionKind::Self);
  CHECK(in.result == Verdict::Pass);
  CHECK(in.sig.signer == "tech1");
  auto torque = std::find_if(in.items.begin(), in.items.end(), [](auto& i) { return i.key == "wheel_torque"; });
  REQUIRE(torque != in.items.end());
  CHECK(torque->value == 120.0);
  CHECK(h.shop().operations.at(op).phase == Phase::AwaitingPeer);
  CHECK(h.store->integrityCheck() == "ok");
}

TEST_CASE("kiosk: a blocked operation offers handover acceptance, not clock-on (R2, R8)") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::BodyPaint, {spec("", Trade::Body, "body1"), spec("", Trade::Paint, "paint1", true)});
  // finish the body work in the store directly
  REQUIRE(h.store->record(ClockOn{"te-b", "body1", wo + "-1", "bay1", h.now}, h.now));
  Inspection self = judged({"in-s", InspectionKind::Self, wo, wo + "-1", {}, "body1", {}, Verdict::Pass});
  REQUIRE(h.store->sign(RecordInspection{self, {}}, "body1", "123456", h.now + MIN));
  Inspection peer = judged({"in-p", InspectionKind::Peer, wo, wo + "-1", {}, "foreman2", {}, Verdict::Pass});
  REQUIRE(h.store->sign(RecordInspection{peer, {}}, "foreman2", "123456", h.now + 2 * MIN));

  h.signIn("paint1");
  CHECK_FALSE(h.exists("work.clock_on." + wo + "-2"));
  h.tap("work.accept." + wo + "-2");
  CHECK(h.st().inspect.kind == InspectionKind::Handover);
  SUBCASE("a defect found at handover goes back upstream") {
    h.tap("inspect.item.appearance.fail");
    h.passAll();
    CHECK_FALSE(h.has("inspect.sign"));  // pick the defect first
    h.tap("inspect.defect.body.uneven_gaps");
    h.tap("inspect.sign");
    h.pin("sign.pin", "123456");
    CHECK(h.shop().operations.at(wo + "-1").phase == Phase::Rework);
    CHECK(h.shop().incidents.begin()->second.charged_to == "body1");
  }
  SUBCASE("accepted, the operation can be clocked") {
    h.passAll();
    h.tap("inspect.sign");
    h.pin("sign.pin", "123456");
    h.tap("work.clock_on." + wo + "-2");
    CHECK(h.shop().openEntriesOf("paint1").size() == 1);
  }
}

TEST_CASE("kiosk: raising an add-on with a reason, a stepper and a safety flag (R12)") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  h.signIn("tech1", "246802");
  h.tap("work.clock_on." + wo + "-1");
  h.tap("work.addon");
  CHECK_FALSE(h.has("addon.submit"));
  h.tap("addon.reason.addon.brake_disc_worn");
  h.tap("addon.part.part.brake_disc");
  h.tap("addon.part.part.brake_pads");
  h.tap("addon.part.part.brake_pads");  // tapped again: removed
  h.tap("addon.minutes.plus");
  h.tap("addon.submit");
  REQUIRE(h.shop().addons.size() == 1);
  const AddOn& a = h.shop().addons.begin()->second;
  CHECK(a.reason == "addon.brake_disc_worn");
  CHECK(a.est_minutes == 105);
  CHECK(a.parts == std::vector<std::string>{"part.brake_disc"});
  CHECK(a.safety);
  CHECK(h.shop().operations.at(a.op).phase == Phase::AwaitingApproval);
  CHECK(h.st().screen == ui::Screen::Work);
}

TEST_CASE("kiosk: idle sign-out after the configured time clears the screen, and a half-filled form is kept as its person's draft") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  h.signIn("tech1", "246802");
  h.tap("work.clock_on." + wo + "-1");
  h.advance(89'000);
  h.frame();
  CHECK(h.st().session);
  h.advance(2'000);
  h.frame();
  CHECK_FALSE(h.st().session);  // nothing unsaved: the configured time
  h.signIn("tech1", "246802");
  h.tap("work.addon");
  h.tap("addon.reason.addon.oil_leak");
  CHECK(h.st().addon.reason >= 0);
  // issue 14: unsaved input holds the countdown off, up to kFormIdleMs
  h.advance(91'000);
  h.frame();
  CHECK(h.st().session);
  h.advance(ui::kFormIdleMs);
  h.frame();
  CHECK_FALSE(h.st().session);
  CHECK(h.st().addon.reason == -1);
  CHECK(h.app->drafts().at("tech1").addon.reason >= 0);
  CHECK(h.st().screen == ui::Screen::Board);
  CHECK(h.has("board.signin"));
  // the clock-on itself was saved and stays
  CHECK(h.shop().openEntriesOf("tech1").size() == 1);
}

TEST_CASE("kiosk: wrong PINs at sign-in are refused and lock the person out") {
  Harness h;
  h.tap("board.signin");
  h.tap("signin.person.tech2");
  for (int i = 0; i < 5; ++i) h.pin("signin.pin", "9999");
  CHECK_FALSE(h.st().session);
  REQUIRE(h.st().message);
  CHECK(h.st().message->text == h.texts("reason.locked_out"));
  h.pin("signin.pin", "123456");  // the right PIN waits out the lock-out
  CHECK_FALSE(h.st().session);
  h.advance(6 * 60 * 1000);
  h.pin("signin.pin", "123456");
  CHECK(h.st().session);
}
