// Issue 13, at the kiosk: a new person badges in, types the setup code from
// their slip and chooses their own PIN twice; a leaver's badge is refused
// and signs them out; the shop's policy decides the idle sign-out and the
// labour rate of a quote.
#include "tests/kiosk/harness.hpp"

#include <doctest/doctest.h>

using namespace bkt;

namespace {
// A new person as `bk-hub staff import` makes them: enrolled, with a setup code.
std::string newcomer(Harness& h, const Id& id, const std::string& badge) {
  REQUIRE(h.store->record(EnrollPerson{Person{id, "新技师", {Role::Technician}, Trade::Mechanical, badge, {}}}, h.now));
  auto [code, issue] = h.store->makeSetupCode(id, {}, h.now);
  REQUIRE(h.store->record(issue, h.now));
  return code;
}
}  // namespace

TEST_CASE("A first PIN at the kiosk: badge in, the setup code, the new PIN twice, signed in — a slip of the finger is caught") {
  Harness h;
  const std::string code = newcomer(h, "p-9", "100009");
  h.frame();
  h.type("100009");
  h.enter();
  h.frame();
  REQUIRE(h.st().setup);
  CHECK_FALSE(h.st().session);  // not signed in before their PIN is set
  CHECK(h.st().screen == ui::Screen::SignIn);
  h.pin("setup.pad.0", code);
  h.pin("setup.pad.1", "583920");
  h.pin("setup.pad.2", "583929");  // differs: asked again
  REQUIRE(h.st().message);
  CHECK(h.st().message->text == h.texts("reason.pin_mismatch"));
  CHECK(h.st().setup->step == 1);
  CHECK_FALSE(h.shop().person("p-9")->currentKey());
  h.pin("setup.pad.1", "583920");
  h.pin("setup.pad.2", "583920");
  REQUIRE(h.st().session);
  CHECK(h.st().session->person == "p-9");
  CHECK(h.shop().person("p-9")->currentKey());
  CHECK(h.shop().setup_codes.at("p-9").used);
  // from now on the PIN signs them in, and the badge goes straight in
  h.tap("nav.signout");
  h.signIn("p-9", "583920");
  h.tap("nav.signout");
  h.type("100009");
  h.enter();
  h.frame();
  CHECK(h.st().session);
  CHECK_FALSE(h.st().setup);
}

TEST_CASE("A wrong setup code at the kiosk starts again from the code, and picking the name leads to the setup too") {
  Harness h;
  const std::string code = newcomer(h, "p-9", "100009");
  h.frame();
  h.tap("board.signin");
  h.tap("signin.person.p-9");
  REQUIRE(h.st().setup);
  const std::string wrong = code == "12345678" ? "87654321" : "12345678";
  h.pin("setup.pad.0", wrong);
  h.pin("setup.pad.1", "583920");
  h.pin("setup.pad.2", "583920");
  REQUIRE(h.st().message);
  CHECK(h.st().message->text == h.texts("reason.setup_code_invalid"));
  REQUIRE(h.st().setup);
  CHECK(h.st().setup->step == 0);
  CHECK(h.shop().pin_attempts.at("p-9").size() == 1);  // counted like a wrong PIN
  h.pin("setup.pad.0", code);
  h.pin("setup.pad.1", "583920");
  h.pin("setup.pad.2", "583920");
  CHECK(h.st().session);
}

TEST_CASE("A leaver: their badge is refused, and a person retired while signed in is signed out") {
  Harness h;
  h.frame();
  h.signIn("tech2");
  Person p = *h.shop().person("tech2");
  p.active = false;
  p.keys.clear();
  REQUIRE(h.store->record(EnrollPerson{p}, h.now));
  h.frame();
  CHECK_FALSE(h.st().session);
  h.type(p.badge);
  h.enter();
  h.frame();
  CHECK_FALSE(h.st().session);
  REQUIRE(h.st().message);
  CHECK(h.st().message->text == h.texts("reason.person_retired"));
  // and they are not listed for a PIN sign-in
  h.tap("board.signin");
  CHECK_FALSE(h.exists("signin.person.tech2"));
  CHECK(h.exists("signin.person.tech1"));
}

TEST_CASE("The shop's policy reaches the kiosk: the idle sign-out and the labour rate of a quote") {
  Harness h;
  h.frame();
  Policy p = h.shop().policy;
  p.idle_signout_seconds = 30;
  p.labour_cents_per_hour = 24000;
  REQUIRE(h.store->record(SetPolicy{p, h.now}, h.now));
  h.signIn("tech1", "246802");
  h.advance(25'000);
  h.frame();
  CHECK(h.st().session);
  h.advance(10'000);
  h.frame();
  CHECK_FALSE(h.st().session);  // 30 s, not the 90 s default
  // a 90-minute add-on is quoted from the shop's rate: ¥360
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  ProposeAddOn a;
  a.addon = "ad-1";
  a.op = "op-ad-1";
  a.wo = wo;
  a.found_on = wo + "-1";
  a.proposer = "tech1";
  a.trade = Trade::Mechanical;
  a.reason = "addon.brake_disc_worn";
  a.est_minutes = 90;
  a.at = h.now;
  REQUIRE(h.store->record(a, h.now));
  h.signIn("advisor");
  h.tap("nav.approvals");
  h.tap("approvals.addon.ad-1");
  CHECK(h.st().step.price_yuan == 360);
}

TEST_CASE("A forgotten PIN reset at the kiosk by the service manager: signed, the code shown once, a new key chosen with it") {
  Harness h;
  CHECK_FALSE(h.store->signInPin("tech2", "000000", h.now - 60'000));  // they try and fail
  const Id oldKey = h.shop().person("tech2")->currentKey()->id;
  h.signIn("foreman");
  h.tap("nav.reviews");
  h.tap("reviews.pin.tech2");
  CHECK_FALSE(h.exists("reviews.reset_pin"));  // the service manager's to do
  h.tap("nav.signout");
  h.signIn("manager");
  h.tap("nav.reviews");
  h.tap("reviews.pin.tech2");
  h.tap("reviews.reset_pin");
  REQUIRE(h.st().sign.open);
  h.pin("sign.pin", "123456");
  REQUIRE(h.st().reset_shown);
  const std::string code = h.st().reset_shown->second;
  const SetupCode& sc = h.shop().setup_codes.at("tech2");
  CHECK(sc.by == "manager");
  CHECK(sc.hash.find(code) == std::string::npos);
  h.frames(2);  // the code drawn for the manager to hand over
  h.tap("nav.signout");
  CHECK_FALSE(h.st().reset_shown);  // gone with the manager's session
  h.tap("board.signin");
  h.tap("signin.person.tech2");
  REQUIRE(h.st().setup);
  h.pin("setup.pad.0", code);
  h.pin("setup.pad.1", "908172");
  h.pin("setup.pad.2", "908172");
  REQUIRE(h.st().session);
  CHECK(h.shop().person("tech2")->currentKey()->id != oldKey);
}
