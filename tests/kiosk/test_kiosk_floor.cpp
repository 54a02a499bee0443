// Issue 14: input that is never lost or wrong (double taps, drafts, badge
// swaps, undo, forms at the top), and a foreman who can act on a ghost timer
// and reassign work, driven by taps on real ImGui frames.
#include "domain/rules.hpp"
#include "tests/kiosk/harness.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using namespace bkt;

namespace {
void badge(Harness& h, const std::string& digits) {
  h.type(digits);
  h.enter();
  h.frame();
}
// A text of the screen's (by its key) drawn this frame, whatever values
// fill its {n} slots: found by its longest fixed part.
bool keyShown(Harness& h, const std::string& key) {
  const std::string text = h.texts(key);
  std::string longest;
  for (std::size_t at = 0; at <= text.size();) {
    const std::size_t open = text.find('{', at);
    const std::string part = text.substr(at, open == std::string::npos ? std::string::npos : open - at);
    if (part.size() > longest.size()) longest = part;
    const std::size_t close = open == std::string::npos ? open : text.find('}', open);
    if (close == std::string::npos) break;  // (the last part, or a slot never closed)
    at = close + 1;
  }
  for (const ui::TextDraw& d : h.app->textsDrawn())
    if (d.text.find(longest) != std::string::npos) return true;
  return false;
}
const ui::Hit* hitOf(Harness& h, const std::string& id) {
  for (auto& x : h.app->hits()) if (x.id == id) return &x;
  return nullptr;
}
}  // namespace

TEST_CASE("kiosk, issue 14: a double tap on Pause does not pick the reason that opened under the finger") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  badge(h, "1001");
  h.tap("work.clock_on." + wo + "-1");
  REQUIRE(h.shop().openEntriesOf("tech1").size() == 1);
  const int before = h.app->tapGuard().ignored;
  h.doubleTap("work.pause");
  CHECK(h.app->tapGuard().ignored == before + 1);
  CHECK(h.st().choosing_pause);
  CHECK(h.shop().openEntriesOf("tech1").size() == 1);  // still running: no reason was picked
  // a deliberate tap, a moment later, picks it
  h.tap("work.reason.waiting_parts");
  CHECK(h.shop().openEntriesOf("tech1").empty());
}

TEST_CASE("kiosk, issue 14: a double tap on Clock on does not clock on the job that moved under the finger, and a switch asks first") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1"), spec("", Trade::Mechanical, "tech1"),
                                                          spec("", Trade::Mechanical, "tech1")});
  badge(h, "1001");
  h.doubleTap("work.clock_on." + wo + "-1");
  const auto open = h.shop().openEntriesOf("tech1");
  REQUIRE(open.size() == 1);
  CHECK(open.front()->op == wo + "-1");
  CHECK(h.st().confirm_switch.empty());

  SUBCASE("switching asks, and Cancel keeps the running job") {
    h.tap("work.clock_on." + wo + "-3");
    CHECK(h.st().confirm_switch == wo + "-3");
    CHECK(h.shop().openEntriesOf("tech1").front()->op == wo + "-1");
    h.tap("work.switch_cancel");
    CHECK(h.st().confirm_switch.empty());
    CHECK(h.shop().openEntriesOf("tech1").front()->op == wo + "-1");
  }
  SUBCASE("switching asks, and Switch switches") {
    h.tap("work.clock_on." + wo + "-3");
    h.tap("work.switch_confirm");
    CHECK(h.shop().openEntriesOf("tech1").front()->op == wo + "-3");
  }
}

TEST_CASE("kiosk, issue 14: undo for ten seconds after clock on, switch and pause, as compensating events") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1"), spec("", Trade::Mechanical, "tech1")});
  badge(h, "1001");
  CHECK_FALSE(h.has("work.undo"));
  h.tap("work.clock_on." + wo + "-1");
  const Id first = h.shop().openEntriesOf("tech1").front()->id;
  REQUIRE(h.has("work.undo"));

  SUBCASE("undo a clock-on: the entry is cancelled, length zero, and the log keeps both events") {
    const auto events = h.store->eventCount();
    h.tap("work.undo");
    CHECK(h.shop().openEntriesOf("tech1").empty());
    CHECK(h.shop().entries.at(first).reason == StopReason::Cancelled);
    CHECK(h.shop().entries.at(first).end == h.shop().entries.at(first).start);
    CHECK(h.store->eventCount() == events + 1);
    CHECK_FALSE(h.has("work.undo"));
  }
  SUBCASE("undo a switch: the first job runs on") {
    h.advance(20 * MIN);
    badge(h, "1001");  // signed out meanwhile
    h.tap("work.clock_on." + wo + "-2");
    h.tap("work.switch_confirm");
    REQUIRE(h.shop().openEntriesOf("tech1").front()->op == wo + "-2");
    h.tap("work.undo");
    const auto open = h.shop().openEntriesOf("tech1");
    REQUIRE(open.size() == 1);
    CHECK(open.front()->id == first);
  }
  SUBCASE("undo a pause: the job runs on") {
    h.advance(20 * MIN);
    badge(h, "1001");
    h.tap("work.pause");
    h.tap("work.reason.break");
    REQUIRE(h.shop().openEntriesOf("tech1").empty());
    h.tap("work.undo");
    REQUIRE(h.shop().openEntriesOf("tech1").size() == 1);
    CHECK(h.shop().openEntriesOf("tech1").front()->id == first);
  }
  SUBCASE("gone after ten seconds") {
    h.advance(kUndoOffered);
    h.frame();
    CHECK_FALSE(h.has("work.undo"));
  }
}

TEST_CASE("kiosk, issue 14: a half-done inspection waits for its person, survives idle sign-out and a restart, and nobody else sees it") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  badge(h, "1001");
  h.tap("work.clock_on." + wo + "-1");
  h.tap("work.finish");
  REQUIRE(h.st().screen == ui::Screen::Inspect);
  const std::string first = h.st().inspect.items.front().key;
  h.tap("inspect.item." + first + ".fail");
  REQUIRE(h.st().inspect.items.front().verdict == Verdict::Fail);

  // the idle countdown waits while the form has unsaved input...
  h.advance(5 * MIN);
  h.frame();
  CHECK(h.st().session);
  // ...for a while: then the person is signed out, the draft kept
  h.advance(ui::kFormIdleMs);
  h.frame();
  CHECK_FALSE(h.st().session);
  REQUIRE(h.app->drafts().count("tech1"));
  CHECK(std::filesystem::exists(h.app->draftsPath()));
  CHECK((std::filesystem::status(h.app->draftsPath()).permissions() & std::filesystem::perms::group_all) ==
        std::filesystem::perms::none);

  SUBCASE("someone else signs in: not their form") {
    badge(h, "1002");
    REQUIRE(h.st().session->person == "tech2");
    CHECK(h.st().screen == ui::Screen::Work);
    CHECK(h.st().inspect.items.empty());
  }
  SUBCASE("the owner signs in again: the form is back, FAIL still FAIL") {
    badge(h, "1001");
    REQUIRE(h.st().session->person == "tech1");
    CHECK(h.st().screen == ui::Screen::Inspect);
    REQUIRE_FALSE(h.st().inspect.items.empty());
    CHECK(h.st().inspect.items.front().verdict == Verdict::Fail);
    CHECK_FALSE(h.app->drafts().count("tech1"));
  }
  SUBCASE("a restarted kiosk has it too") {
    ui::App again(h.cfg, *h.store, h.cat, h.texts, h.ent);
    REQUIRE(again.drafts().count("tech1"));
    CHECK(again.drafts().at("tech1").inspect.items.front().verdict == Verdict::Fail);
  }
  SUBCASE("it expires at the end of their shift") {
    h.advance(24 * 60 * MIN);
    badge(h, "1001");
    CHECK(h.st().screen == ui::Screen::Work);
    CHECK_FALSE(h.app->drafts().count("tech1"));
  }
}

TEST_CASE("kiosk, issue 14: a badge swiped while someone is signed in signs them out, keeps their draft, and signs the new person in") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  badge(h, "1001");
  h.tap("work.clock_on." + wo + "-1");
  REQUIRE(h.st().message);  // "clocked on"
  h.tap("work.finish");
  h.tap("inspect.item." + h.st().inspect.items.front().key + ".pass");
  badge(h, "1002");
  REQUIRE(h.st().session);
  CHECK(h.st().session->person == "tech2");
  CHECK_FALSE(h.st().message);  // tech1's feedback is not tech2's
  CHECK(h.app->drafts().count("tech1"));
  SUBCASE("the same badge again changes nothing") {
    h.tap("nav.signout");
    badge(h, "1002");
    const Millis since = h.st().session->since;
    h.advance(1000);
    badge(h, "1002");
    CHECK(h.st().session->since == since);
  }
}

TEST_CASE("kiosk, issue 14: every form opens at the top, never at the previous user's place") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  badge(h, "1001");
  h.tap("work.clock_on." + wo + "-1");
  h.tap("work.finish");
  const auto& items = h.st().inspect.items;
  REQUIRE(items.size() > 4);
  const std::string first = "inspect.item." + items.front().key + ".pass";
  h.reveal("inspect.item." + items.back().key + ".pass");  // scrolled to the end
  h.frame();
  CHECK((hitOf(h, first) == nullptr || hitOf(h, first)->clipped));
  h.tap("inspect.back");
  h.tap("work.finish");
  h.frames(2);
  const ui::Hit* top = hitOf(h, first);
  REQUIRE(top != nullptr);
  CHECK_FALSE(top->clipped);
}

TEST_CASE("kiosk, issue 14: a foreman closes a ghost timer at the shift's end with a reason: four taps and the PIN") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  REQUIRE(h.store->record(ClockOn{"te-ghost", "tech1", wo + "-1", "bay1", h.now}, h.now));
  h.advance(14 * 60 * MIN);  // left running overnight
  h.signIn("foreman2");
  REQUIRE(h.st().screen == ui::Screen::Floor);
  int taps = 0;
  auto tap = [&](const std::string& id) { h.tap(id); ++taps; };
  tap("floor.entry.te-ghost");
  tap("floor.end.1");  // the shift's end, from the policy
  tap("floor.reason.correction.forgot_clock_off");
  tap("floor.correct");
  REQUIRE(h.st().sign.open);
  h.pin("sign.pin", "123456");
  CHECK(taps <= 4);
  const TimeEntry& e = h.shop().entries.at("te-ghost");
  REQUIRE(e.end);
  CHECK(e.corrected_by == "foreman2");
  CHECK(e.correction == "correction.forgot_clock_off");
  CHECK(e.reason == StopReason::Corrected);
  CHECK(*e.end < h.now);
  CHECK_FALSE(ghostEntry(h.shop().policy, e, h.now));
  CHECK_FALSE(h.st().entry_panel);
}

TEST_CASE("kiosk, issue 14: a foreman reassigns a running job, the technician is clocked off and told at their bay") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  REQUIRE(h.store->record(ClockOn{"te-1", "tech1", op, "bay1", h.now}, h.now));
  h.advance(30 * MIN);
  h.signIn("foreman2");
  h.tap("floor.entry.te-1");
  // a message to tech1's bay first
  h.tap("floor.message.message.come_to_office");
  REQUIRE(h.shop().messages.size() == 1);
  CHECK(h.st().entry_panel);
  CHECK_FALSE(h.exists("floor.to.body1"));  // only the job's trade
  h.tap("floor.to.tech2");
  h.tap("floor.dispatch");
  REQUIRE(h.st().sign.open);
  h.pin("sign.pin", "123456");
  CHECK(h.shop().operations.at(op).main_tech == "tech2");
  CHECK(h.shop().entries.at("te-1").reason == StopReason::Reassigned);
  h.tap("nav.signout");
  badge(h, "1001");
  CHECK(h.exists("work.message_read." + h.shop().messages.begin()->first));
  h.tap("work.message_read." + h.shop().messages.begin()->first);
  CHECK(h.shop().messages.begin()->second.read_at);
  CHECK_FALSE(h.exists("work.clock_on." + op));  // no longer theirs
}

TEST_CASE("kiosk, issue 14: the counts in the README: self-inspection with one measured value and an add-on quote of ¥1,860 in at most 8 taps") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  badge(h, "1001");
  h.tap("work.clock_on." + wo + "-1");
  int taps = 0;
  auto tap = [&](const std::string& id) { h.tap(id); ++taps; };
  tap("work.finish");
  tap("inspect.item.wheel_torque.value");
  for (const char* k : {"1", "2", "0"}) tap(std::string("inspect.keypad.") + k);
  tap("inspect.keypad.ok");
  CHECK_FALSE(h.has("inspect.sign"));  // the other items are not judged by default
  tap("inspect.rest_pass");
  tap("inspect.sign");
  h.pin("sign.pin", "246802");
  CHECK(taps <= 8);
  MESSAGE("self-inspection with one measured value: ", taps, " taps and the PIN");
  REQUIRE(h.shop().inspections.size() == 1);
  CHECK(h.shop().inspections.begin()->second.result == Verdict::Pass);

  // the add-on: quoted by the advisor at ¥1,860
  REQUIRE(h.store->record(ProposeAddOn{"ad-1", "op-ad", wo, wo + "-1", "tech1", Trade::Mechanical,
                                       "addon.oil_leak", 90, {}, false, false, h.now}, h.now));
  h.tap("nav.signout");
  h.signIn("advisor");
  h.dragX = 900;
  taps = 0;
  REQUIRE(h.st().screen == ui::Screen::Approvals);  // the advisor's first screen
  tap("approvals.addon.ad-1");
  tap("approvals.price");
  for (const char* k : {"1", "8", "6", "0"}) tap(std::string("approvals.keypad.") + k);
  tap("approvals.keypad.ok");
  tap("approvals.sign");
  h.pin("sign.pin", "123456");
  MESSAGE("an add-on quote of ¥1,860: ", taps, " taps from the advisor's first screen, and the PIN");
  CHECK(taps <= 8);
  REQUIRE(h.shop().addons.at("ad-1").quote);
  CHECK(h.shop().addons.at("ad-1").quote->price_cents == 186000);
}

TEST_CASE("kiosk, issue 14: the director sends an add-on back with a reason, the manager refuses it, and the technician is told") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  REQUIRE(h.store->record(ProposeAddOn{"ad-1", "op-ad", wo, wo + "-1", "tech1", Trade::Mechanical,
                                       "addon.oil_leak", 90, {}, false, false, h.now}, h.now));
  REQUIRE(h.store->sign(QuoteAddOn{"ad-1", 186000, 90, {}}, "advisor", "123456", h.now));
  h.signIn("director");
  h.dragX = 900;
  h.tap("nav.approvals");
  h.tap("approvals.addon.ad-1");
  h.tap("approvals.send_back");
  CHECK_FALSE(h.has("approvals.sign"));          // no signing the plan while sending it back
  CHECK_FALSE(h.has("approvals.sign_return"));   // not before a reason is picked
  h.tap("approvals.rr.addon_return.price_wrong");
  h.tap("approvals.sign_return");
  REQUIRE(h.st().sign.open);
  h.pin("sign.pin", "123456");
  {
    const AddOn& a = h.shop().addons.at("ad-1");
    CHECK_FALSE(a.quote);
    REQUIRE(a.returns.size() == 1);
    CHECK(a.returns[0].reason == "addon_return.price_wrong");
  }
  h.tap("nav.signout");
  // the advisor sees why, and quotes again
  h.signIn("advisor");
  bool why = false;
  for (const ui::TextDraw& t : h.app->textsDrawn()) why |= t.text.find(h.cat.text("addon_return.price_wrong", h.texts.code())) != std::string::npos;
  h.tap("approvals.addon.ad-1");
  for (const ui::TextDraw& t : h.app->textsDrawn()) why |= t.text.find(h.cat.text("addon_return.price_wrong", h.texts.code())) != std::string::npos;
  CHECK(why);
  h.tap("approvals.price");
  for (const char* k : {"9", "8", "0"}) h.tap(std::string("approvals.keypad.") + k);
  h.tap("approvals.keypad.ok");
  h.tap("approvals.sign");
  h.pin("sign.pin", "123456");
  REQUIRE(h.shop().addons.at("ad-1").quote);
  REQUIRE(h.store->sign(SignAddOnTechnical{"ad-1", {}}, "director", "123456", h.now));
  h.tap("nav.signout");
  // the manager refuses it
  h.signIn("manager");
  h.tap("nav.approvals");
  h.tap("approvals.addon.ad-1");
  h.tap("approvals.refuse");
  h.tap("approvals.rr.addon_return.not_needed");
  h.tap("approvals.sign_return");
  h.pin("sign.pin", "123456");
  REQUIRE(h.shop().addons.at("ad-1").refused);
  CHECK(h.shop().operations.at("op-ad").phase == Phase::Declined);
  CHECK_FALSE(h.exists("approvals.addon.ad-1"));  // resolved: off the list
  h.tap("nav.signout");
  // the technician is told at their bay, with the reason
  badge(h, "1001");
  bool told = false;
  for (const ui::TextDraw& t : h.app->textsDrawn())
    told |= t.text.find(h.cat.text("addon_return.not_needed", h.texts.code())) != std::string::npos;
  CHECK(told);
}

TEST_CASE("kiosk, issue 14: the job card shows the customer's complaint and the instructions, the warranty step the mileage and the warranty, and a quote starts from the labour and the parts' prices") {
  Harness h;
  OpenWorkOrder o = testWorkOrder("wo-c", Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")}, false);
  o.wo.complaint = "刹车时有异响";
  o.wo.odometer_km = 128'400;
  o.wo.warranty_until = h.now + 200LL * 24 * 3600 * 1000;
  o.wo.warranty_km = 100'000;  // past it: expired by distance
  o.ops[0].instructions = "用原厂刹车片";
  REQUIRE(h.store->record(o, h.now));
  if (!h.app->fontsCoverData()) ui::buildFonts(ImGui::GetIO(), h.app->metrics(), h.app->glyphText(), h.cfg.font, h.app->fonts());
  REQUIRE(h.app->fontsCoverData());  // the desk's free text has its glyphs
  auto shown = [&](const std::string& text) {
    for (const ui::TextDraw& t : h.app->textsDrawn())
      if (t.text.find(text) != std::string::npos) return true;
    return false;
  };
  badge(h, "1001");
  h.tap("work.clock_on.wo-c-1");
  CHECK(shown("刹车时有异响"));
  CHECK(shown("用原厂刹车片"));
  REQUIRE(h.store->record(ProposeAddOn{"ad-1", "op-ad", "wo-c", "wo-c-1", "tech1", Trade::Mechanical, "addon.brake_disc_worn", 60,
                                       {"part.brake_disc", "part.brake_pads"}, true, true, h.now}, h.now));
  h.tap("nav.signout");
  h.signIn("clerk");
  h.dragX = 900;
  h.tap("nav.approvals");
  h.tap("approvals.addon.ad-1");
  CHECK(shown(ui::format(h.texts("approvals.odometer"), {"128400"})));
  CHECK(shown(h.texts("warranty_status.expired_by_distance")));
  h.tap("approvals.not_covered");
  h.tap("approvals.nc.warranty.wear_part");
  h.tap("approvals.sign");
  h.pin("sign.pin", "123456");
  h.tap("nav.signout");
  // the advisor's quote starts at the labour at the shop's rate and the parts' catalog prices
  h.signIn("advisor");
  h.tap("approvals.addon.ad-1");
  const std::int64_t start = labourQuoteCents(h.shop().policy, 60) + h.cat.partsCents({"part.brake_disc", "part.brake_pads"});
  CHECK(h.st().step.price_yuan == start / 100);
  CHECK(shown("¥" + ui::yuanText(static_cast<int>(h.cat.partsCents({"part.brake_disc"}) / 100))));
}

TEST_CASE("kiosk, issue 14: the language is per person: it follows whoever signs in, and the board returns to the shop's") {
  Harness h("zh");
  badge(h, "1001");
  h.tap("status.lang");
  CHECK(h.texts.lang == ui::Lang::En);
  h.tap("nav.signout");
  CHECK(h.texts.lang == ui::Lang::Zh);  // the board: the shop's language
  badge(h, "1002");
  CHECK(h.texts.lang == ui::Lang::Zh);  // tech2 chose nothing
  badge(h, "1001");                     // tech1's badge takes over
  CHECK(h.texts.lang == ui::Lang::En);
  SUBCASE("kept on disk beside the store, for a restart of the kiosk") {
    std::ifstream f(h.app->draftsPath());
    const json j = json::parse(f);
    CHECK(j.at("langs").at("tech1") == "en");
    CHECK_FALSE(j.at("langs").contains("tech2"));
  }
}

TEST_CASE("kiosk, issue 14: tabs show what waits there") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  REQUIRE(h.store->record(ClockOn{"te-1", "tech1", wo + "-1", "bay1", h.now}, h.now));
  Inspection self = judged({"in-s", InspectionKind::Self, wo, wo + "-1", {}, "tech1", {}, Verdict::Pass});
  REQUIRE(h.store->sign(RecordInspection{self, {}}, "tech1", "246802", h.now + MIN));
  h.signIn("foreman2");
  bool counted = false;
  for (const ui::TextDraw& t : h.app->textsDrawn()) counted |= t.text == h.texts("nav.floor") + " (1)";
  CHECK(counted);
}

TEST_CASE("kiosk, issue 14: a double tap on any control that opens something never acts on what opened under the finger") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1"), spec("", Trade::Mechanical, "tech2")});
  SUBCASE("sign in with PIN: the list of names opens, nobody is picked") {
    h.doubleTap("board.signin");
    CHECK(h.st().screen == ui::Screen::SignIn);
    CHECK(h.st().pin_person.empty());
  }
  SUBCASE("a name: the PIN pad opens, no digit is typed") {
    h.tap("board.signin");
    h.doubleTap("signin.person.tech1");
    CHECK(h.st().pin_person == "tech1");
    CHECK(h.st().pin.empty());
  }
  SUBCASE("finish: the self-inspection opens, no item is judged") {
    badge(h, "1001");
    h.tap("work.clock_on." + wo + "-1");
    h.doubleTap("work.finish");
    REQUIRE(h.st().screen == ui::Screen::Inspect);
    for (const ChecklistItem& it : h.st().inspect.items) CHECK_FALSE(it.verdict);
  }
  SUBCASE("sign: the PIN dialog opens and stays open") {
    badge(h, "1001");
    h.tap("work.clock_on." + wo + "-1");
    h.tap("work.finish");
    h.tap("inspect.item.wheel_torque.value");
    for (const char* k : {"1", "2", "0", "ok"}) h.tap(std::string("inspect.keypad.") + k);
    h.tap("inspect.rest_pass");
    h.doubleTap("inspect.sign");
    CHECK(h.st().sign.open);
    CHECK(h.st().sign.pin.empty());
  }
  SUBCASE("an entry on the floor: its panel opens with nothing picked") {
    REQUIRE(h.store->record(ClockOn{"te-1", "tech1", wo + "-1", "bay1", h.now}, h.now));
    h.signIn("foreman2");
    h.doubleTap("floor.entry.te-1");
    REQUIRE(h.st().entry_panel);
    CHECK_FALSE(h.st().entry_panel->end);
    CHECK(h.st().entry_panel->reason == -1);
    CHECK(h.st().entry_panel->to.empty());
    CHECK(h.shop().messages.empty());
  }
  SUBCASE("a tab: the screen changes, nothing on it is pressed") {
    REQUIRE(h.store->record(ClockOn{"te-1", "tech1", wo + "-1", "bay1", h.now}, h.now));
    h.signIn("foreman");
    h.doubleTap("nav.floor");
    CHECK(h.st().screen == ui::Screen::Floor);
    CHECK_FALSE(h.st().entry_panel);
    h.doubleTap("nav.work");
    CHECK(h.st().screen == ui::Screen::Work);
    CHECK(h.shop().openEntriesOf("foreman").empty());
  }
}

TEST_CASE("kiosk, issue 14: at the end of the shift the foreman stops each person still clocked on with one action and the signature") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1"), spec("", Trade::Mechanical, "tech2")});
  REQUIRE(h.store->record(ClockOn{"te-1", "tech1", wo + "-1", "bay1", h.now}, h.now));
  REQUIRE(h.store->record(ClockOn{"te-2", "tech2", wo + "-2", "bay1", h.now}, h.now));
  h.advance(60 * MIN);
  h.signIn("foreman2");
  for (const Id e : {"te-1", "te-2"}) {
    h.tap("floor.stop." + e);
    REQUIRE(h.st().entry_panel);
    h.tap("floor.correct");  // the end (now) and the reason are picked: only the signature
    h.pin("sign.pin", "123456");
    CHECK(h.shop().entries.at(e).reason == StopReason::Corrected);
    CHECK(h.shop().entries.at(e).correction == "correction.stopped_by_foreman");
  }
  CHECK(h.shop().openEntriesOf("tech1").empty());
  CHECK(h.shop().openEntriesOf("tech2").empty());
}

TEST_CASE("kiosk, issue 15: the report covers a calendar month in the shop's time zone, like the API, and the month is picked on the screen") {
  Harness h;
  h.signIn("manager");
  h.tap("nav.report");
  const int tz = h.shop().policy.utc_offset_minutes;
  const std::string month = monthOf(h.now, tz);
  REQUIRE(h.st().report);
  CHECK(h.st().report_month == month);
  const auto range = calendarMonth(month, tz);
  REQUIRE(range);
  CHECK(h.st().report->from == range->first);
  CHECK(h.st().report->to == range->second);
  CHECK_FALSE(h.has("report.month.next"));  // never past this month
  h.tap("report.month.prev");
  const std::string before = addMonths(month, -1);
  CHECK(h.st().report_month == before);
  CHECK(h.st().report->from == calendarMonth(before, tz)->first);
  CHECK(h.st().report->to == range->first);
  CHECK(*h.st().report == monthlyReport(h.shop(), calendarMonth(before, tz)->first, range->first));
  CHECK(h.has("report.month.next"));
  h.tap("report.month.next");
  CHECK(h.st().report_month == month);
}

TEST_CASE("kiosk, issue 15: the technician opens the car's history from the job card, read-only, with earlier visits and their inspections") {
  Harness h;
  // an earlier visit of the same car, with a failed peer inspection and rework
  const Id before = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  REQUIRE(h.store->record(ClockOn{"te-0", "tech1", before + "-1", "bay1", h.now - 3 * 60 * MIN}, h.now));
  Inspection self = judged({"in-s0", InspectionKind::Self, before, before + "-1", {}, "tech1", {}, Verdict::Pass});
  REQUIRE(h.store->sign(RecordInspection{self, {}}, "tech1", "246802", h.now - 2 * 60 * MIN));
  const Id now = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  badge(h, "1001");
  h.tap("work.clock_on." + now + "-1");
  h.tap("work.history");
  REQUIRE(h.st().screen == ui::Screen::History);
  CHECK(h.st().history.size() == 2);  // both visits of the car (the test car's VIN)
  bool seen = false;
  for (const ui::TextDraw& t : h.app->textsDrawn()) seen |= t.text.find(h.texts("inspection.self")) != std::string::npos;
  CHECK(seen);
  CHECK_FALSE(h.exists("inspect.sign"));  // nothing to sign here
  h.tap("history.back");
  CHECK(h.st().screen == ui::Screen::Work);
}

// Issue 15: a job of tech1's, inspected by the technician and the
// foreman, handed over three hours ago.
static Id handedOver(Harness& h) {
  const Id orig = h.openWorkOrder(Category::Maintenance, {spec("", Trade::Mechanical, "tech1")});
  REQUIRE(h.store->record(ClockOn{"te-0", "tech1", orig + "-1", "bay1", h.now - 5 * 60 * MIN}, h.now - 5 * 60 * MIN));
  Inspection self = judged({"in-s0", InspectionKind::Self, orig, orig + "-1", {}, "tech1", {}, Verdict::Pass});
  REQUIRE(h.store->sign(RecordInspection{self, {}}, "tech1", "246802", h.now - 4 * 60 * MIN));
  Inspection peer = judged({"in-p0", InspectionKind::Peer, orig, orig + "-1", {}, "foreman", {}, Verdict::Pass});
  REQUIRE(h.store->sign(RecordInspection{peer, {}}, "foreman", "123456", h.now - 220 * MIN));
  REQUIRE(h.store->sign(testDelivery(orig, "advisor", h.now - 3 * 60 * MIN, &h.shop()), "advisor", "123456", h.now - 3 * 60 * MIN));
  return orig;
}

// The advisor, at the car's history: a comeback of `orig`'s job, for the
// same noise; the comeback's id.
static Id openComeback(Harness& h, const Id& orig) {
  h.tap("history.comeback." + orig);
  CHECK_FALSE(h.has("history.comeback_open"));  // nothing picked for the advisor
  h.tap("history.concern.concern.same_noise");
  h.reveal("history.redo." + orig + "-1");
  h.tap("history.redo." + orig + "-1");
  h.reveal("history.comeback_open");
  h.tap("history.comeback_open");
  REQUIRE(h.shop().comebacks_of.count(orig));
  const Id cb = h.shop().comebacks_of.at(orig).front();
  return cb;
}

TEST_CASE("kiosk, issue 16: a car handed over before the two days a kiosk holds is listed, its history read, and its comeback opened") {
  Harness h;
  const Id orig = handedOver(h);
  // ten days on, the kiosk's memory no longer holds it
  h.advance(10LL * 24 * 60 * MIN);
  h.store->trim(h.now);
  REQUIRE(h.shop().work_orders.count(orig) == 0);

  h.signIn("advisor");
  h.tap("nav.delivery");
  h.reveal("delivery.history." + orig);  // read from the store
  h.tap("delivery.history." + orig);
  REQUIRE(h.st().screen == ui::Screen::History);
  REQUIRE(h.st().history.size() == 1);
  CHECK(h.shop().work_orders.count(orig) == 1);  // brought in while the history is open
  h.store->trim(h.now);
  CHECK(h.shop().work_orders.count(orig) == 1);
  const Id cb = openComeback(h, orig);
  CHECK(h.shop().work_orders.at(cb).number == h.shop().work_orders.at(orig).number + "-R1");
  CHECK(withinComebackWindow(h.shop(), h.shop().work_orders.at(cb)));
  h.tap("history.back");
  h.tap("nav.signout");

  // the history closed, the comeback open: what it came back for stays
  // (the floor shows its number), in memory and after a restart
  h.store->trim(h.now);
  CHECK(h.shop().work_orders.count(orig) == 1);
  h.signIn("foreman");
  h.tap("nav.floor");
  bool numbered = false;
  REQUIRE(h.shop().work_orders.at(orig).number != orig);
  for (const ui::TextDraw& t : h.app->textsDrawn())  // (its number, not its id)
    numbered |= t.text.find(h.shop().work_orders.at(orig).number) != std::string::npos;
  CHECK(numbered);
  StoreOptions so = storeOptions(h.dir.file("bay.db"), "kiosk-bay1");
  so.kept_days = kKioskKeptDays;
  h.app.reset();
  h.store.reset();
  FixedEntropy ent;
  Store again(so, ent);
  CHECK(again.shop().work_orders.count(orig) == 1);
  CHECK(again.shop().work_orders.count(cb) == 1);
  CHECK(matchesReplay(again));
}

TEST_CASE("kiosk, issue 15: an advisor opens a comeback from the car's history, the foreman finds its cause, the service manager signs the month's slips") {
  Harness h;
  const Id orig = handedOver(h);

  // the foreman's floor before it: no comeback (issue 16: what the floor
  // keeps of that is worked out again when the shop changes)
  h.signIn("foreman");
  h.tap("nav.floor");
  auto comebacksShown = [&] {
    bool shown = false;
    for (const ui::TextDraw& t : h.app->textsDrawn()) shown |= t.text == h.texts("floor.comebacks");
    return shown;
  };
  CHECK_FALSE(comebacksShown());
  h.tap("nav.signout");

  // the advisor, at the delivery screen: the car handed over lately, its history, a comeback
  h.signIn("advisor");
  h.tap("nav.delivery");
  h.reveal("delivery.history." + orig);
  h.tap("delivery.history." + orig);
  REQUIRE(h.st().screen == ui::Screen::History);
  const Id cb = openComeback(h, orig);
  const WorkOrder& back = h.shop().work_orders.at(cb);
  CHECK(back.number == h.shop().work_orders.at(orig).number + "-R1");
  CHECK(back.concern == "concern.same_noise");
  CHECK(h.shop().operations.at(cb + "-1").main_tech == "tech1");
  CHECK(h.st().history.size() == 2);  // shown at once
  h.tap("history.back");
  CHECK(h.st().screen == ui::Screen::Delivery);
  h.tap("nav.signout");

  // the foreman: the comeback at the top of the floor; its cause, signed
  h.signIn("foreman");
  h.tap("nav.floor");
  CHECK(comebacksShown());
  h.tap("floor.comeback." + cb);
  REQUIRE(h.st().screen == ui::Screen::Inspect);
  CHECK(h.st().inspect.kind == InspectionKind::Comeback);
  h.passAll();
  CHECK_FALSE(h.has("inspect.sign"));  // no cause yet: nothing defaults it
  h.tap("inspect.cause.workmanship");
  h.reveal("inspect.original_op." + orig + "-1");
  h.tap("inspect.original_op." + orig + "-1");
  const std::string defect = h.cat.defects(Trade::Mechanical).front().code;
  h.reveal("inspect.defect." + defect);
  h.tap("inspect.defect." + defect);
  h.tap("inspect.sign");
  h.pin("sign.pin", "123456");
  const Inspection* found = comebackInspection(h.shop(), cb);
  REQUIRE(found);
  CHECK(found->cause == ComebackCause::Workmanship);
  CHECK(h.shop().incidents.at("inc-" + found->id).charged_to == "tech1");  // R8: nobody accepted it downstream
  h.tap("nav.signout");

  // the technician: the comeback on the job card, marked
  h.signIn("tech1", "246802");
  bool marked = false;
  for (const ui::TextDraw& t : h.app->textsDrawn()) marked |= t.text == h.texts("comeback.chip");
  CHECK(marked);
  CHECK(h.has("work.clock_on." + cb + "-1"));
  h.tap("nav.signout");

  // the month after: the service manager signs last month's slips
  h.advance(40LL * 24 * 60 * MIN);
  h.signIn("manager");
  h.tap("nav.report");
  h.tap("report.month.prev");
  // the kiosk shows the comebacks the JSON and the CSV say: 1 of 1 delivered
  const auto jan = *calendarMonth(h.st().report_month, 480);
  const MonthlyReport r = monthlyReport(h.shop(), jan.first, jan.second);
  CHECK(r.comebacks.counted == 1);
  CHECK(r.comebacks.delivered == 1);
  CHECK(reportJson(h.shop(), r)["comebacks"]["counted"] == 1);
  CHECK(reportCsv(h.shop(), r).find("comebacks,rate,,1,0.00,1.00\n") != std::string::npos);
  const std::string shown = ui::format(h.texts("report.comeback_rate"), {"1", "1", "100%", "30"});
  bool same = false;
  for (const ui::TextDraw& t : h.app->textsDrawn()) same |= t.text.find(shown) != std::string::npos;
  CHECK(same);
  h.tap("report.show_slips");
  bool listed = false;
  for (const ui::TextDraw& t : h.app->textsDrawn()) listed |= t.text.find(back.vehicle.plate) != std::string::npos;
  CHECK(listed);
  REQUIRE(h.has("report.sign_slips"));
  h.tap("report.sign_slips");
  h.pin("sign.pin", "123456");
  const std::string month = h.st().report_month;
  REQUIRE(h.shop().fault_slips.count(month));
  CHECK(h.shop().fault_slips.at(month).sig.signer == "manager");
  CHECK(h.shop().fault_slips.at(month).lines.size() == 1);
  CHECK_FALSE(h.has("report.sign_slips"));  // signed, and nothing has changed since
}

namespace {
// Issue 16: a hub's store holding the test shop's staff and bays, for a
// bay to start from its snapshot.
struct HubOfStaff {
  TempDir dir;
  FixedEntropy ent{3};
  Store store{[this] {
    StoreOptions o = storeOptions(dir.file("hub.db"), "hub");
    o.takes_hub_order = false;
    return o;
  }(), ent};
  HubOfStaff() {
    Millis t = T0;
    for (const Action& a : staffAndBays()) REQUIRE(store.record(a, t++));
  }
};
}  // namespace

TEST_CASE("kiosk, issue 16: a bay from the hub's snapshot says which months and visits are the hub's, rather than show part of them") {
  HubOfStaff hub;
  Harness h("zh", [&](Store& st, const Catalog&) { st.startFrom(hub.store.snapshot(), "hub-1"); }, "bay1");
  REQUIRE(h.store->holdsEverySince());
  h.signIn("manager");
  h.tap("nav.report");
  const int tz = h.shop().policy.utc_offset_minutes;
  REQUIRE(h.st().report);  // this month: the bay holds all of it
  CHECK_FALSE(h.st().held_from > std::optional<Millis>(calendarMonth(monthOf(h.now, tz), tz)->first));
  h.tap("report.month.prev");  // last month: the snapshot holds it whole (its slips are signed at a bay)
  REQUIRE(h.st().report);
  CHECK(*h.st().report == monthlyReport(hub.store.shop(), calendarMonth(addMonths(monthOf(h.now, tz), -1), tz)->first,
                                        calendarMonth(monthOf(h.now, tz), tz)->first));
  h.tap("report.month.prev");  // the month before began before the snapshot's window
  CHECK(h.st().report_month == addMonths(monthOf(h.now, tz), -2));
  CHECK_FALSE(h.st().report);
  CHECK(h.st().held_from == h.store->holdsEverySince());
  CHECK_FALSE(h.exists("report.export"));
  CHECK_FALSE(h.exists("report.show_slips"));  // (its fault slips are not signed here either)
  h.tap("report.month.next");
  CHECK(h.st().report);
}

TEST_CASE("kiosk, issue 16: a month before what the bay holds is asked of the hub: asking, the hub's figures, or why not and ask again") {
  HubOfStaff hub;
  Harness h("zh", [&](Store& st, const Catalog&) { st.startFrom(hub.store.snapshot(), "hub-1"); }, "bay1");
  std::vector<std::pair<Millis, Millis>> asked;
  ui::HubReport answer;  // what the sync client would say (nothing asked yet)
  h.app->connectHubReports([&](Millis from, Millis to) { asked.emplace_back(from, to); answer = ui::HubReport{from, to}; },
                           [&] { return answer; });
  h.signIn("manager");
  h.tap("nav.report");
  const int tz = h.shop().policy.utc_offset_minutes;
  h.tap("report.month.prev");  // last month: the bay's own
  CHECK(asked.empty());
  CHECK_FALSE(h.st().hub_report);
  h.tap("report.month.prev");  // the month before: the hub's to give, asked now
  const auto range = calendarMonth(addMonths(monthOf(h.now, tz), -2), tz);
  REQUIRE(asked.size() == 1);
  CHECK(asked[0] == *range);
  CHECK_FALSE(h.st().report);
  h.frame();
  CHECK(keyShown(h, "report.asking_hub"));
  CHECK_FALSE(h.exists("report.export"));
  CHECK_FALSE(h.exists("report.ask_again"));
  // the hub cannot be reached: said so, and asked again on a tap
  answer.done = true;
  answer.unreachable = true;
  answer.error = "hub unreachable";
  h.frame();
  h.frame();
  CHECK(keyShown(h, "report.hub_offline"));
  CHECK_FALSE(h.st().report);
  h.tap("report.ask_again");
  REQUIRE(asked.size() == 2);
  CHECK(asked[1] == *range);
  h.frame();
  CHECK(keyShown(h, "report.asking_hub"));
  // an answer to another question is not this month's
  MonthlyReport given;
  given.from = range->first;
  given.to = range->second;
  given.efficiency["tech1"] = {6, 5, 0, 0, 0};
  given.addons_raised = 3;
  answer = ui::HubReport{range->first - 1, range->second, true, given};
  h.frames(2);
  CHECK_FALSE(h.st().report);
  CHECK(keyShown(h, "report.asking_hub"));
  // the hub's figures: shown as the hub's, exported as any report, no fault
  // slips (they are signed at a bay that holds the month)
  answer = ui::HubReport{range->first, range->second, true, given};
  h.frames(2);
  REQUIRE(h.st().report);
  CHECK(*h.st().report == given);
  CHECK(keyShown(h, "report.from_hub"));
  CHECK(h.exists("report.export"));
  CHECK_FALSE(h.exists("report.show_slips"));
  bool named = false;  // (named from the bay's own people)
  for (const ui::TextDraw& d : h.app->textsDrawn()) named |= d.text == h.shop().person("tech1")->name;
  CHECK(named);
  // the shop changes meanwhile: the hub's figures stay (not read again here)
  const auto generation = h.store->generation();
  REQUIRE(h.store->record(EndShift{"tech1", h.now}, h.now));
  REQUIRE(h.store->generation() != generation);
  h.advance(11'000);
  h.frames(2);
  CHECK(h.st().report);
  CHECK(asked.size() == 2);
  // a refusal says the hub's words
  h.tap("report.month.prev");
  REQUIRE(asked.size() == 3);
  answer.done = true;
  answer.error = "report refused (429): too many reports asked for";
  h.frames(2);
  CHECK(keyShown(h, "report.hub_failed"));
  bool words = false;
  for (const ui::TextDraw& d : h.app->textsDrawn()) words |= d.text.find("429") != std::string::npos;
  CHECK(words);
  // back to the months the bay holds: its own figures again
  h.tap("report.month.next");
  h.tap("report.month.next");
  h.tap("report.month.next");
  CHECK(h.st().report_month == monthOf(h.now, tz));
  CHECK_FALSE(h.st().hub_report);
  CHECK(h.st().report);
  CHECK(asked.size() == 4);  // (the month between was asked on the way)
}

TEST_CASE("kiosk, issue 16: a car's visits before what the bay holds are asked of the hub as its history opens, and shown marked beside the bay's") {
  HubOfStaff hub;
  Harness h("zh", [&](Store& st, const Catalog&) { st.startFrom(hub.store.snapshot(), "hub-1"); }, "bay1");
  std::vector<std::string> asked;
  ui::HubHistory answer;
  h.app->connectHubHistory([&](const std::string& vin) { asked.push_back(vin); answer = ui::HubHistory{vin}; },
                           [&] { return answer; });
  const Id now = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const std::string vin = h.shop().work_orders.at(now).vehicle.vin;
  badge(h, "1001");
  h.tap("work.clock_on." + now + "-1");
  h.tap("work.history");
  REQUIRE(h.st().screen == ui::Screen::History);
  REQUIRE(asked == std::vector<std::string>{vin});
  CHECK(h.st().history.size() == 1);  // the bay's own, meanwhile
  h.frame();
  CHECK(keyShown(h, "history.asking_hub"));
  // offline: said so, and asked again on a tap
  answer.done = true;
  answer.unreachable = true;
  answer.error = "hub unreachable";
  h.frames(2);
  CHECK(keyShown(h, "history.hub_offline"));
  h.tap("history.ask_again");
  CHECK(asked.size() == 2);
  CHECK(h.st().screen == ui::Screen::History);
  // the hub's visits: an old one of the car, and the bay's own as the hub
  // holds it (the bay's stays)
  Visit old;
  old.wo = h.shop().work_orders.at(now);
  old.wo.id = "wo-old";
  old.wo.number = "RO-OLD-77";
  old.wo.opened_at = h.now - 200 * 86'400'000LL;
  old.wo.delivered_at = old.wo.opened_at + 86'400'000;
  Operation op{"wo-old-1", "wo-old", 1, Trade::Mechanical, "换刹车片", 60};
  op.main_tech = "tech1";
  op.phase = Phase::Done;
  old.ops = {op};
  old.comebacks = {now};  // (as if this visit came back now)
  Visit ownAsHub = vehicleHistory(h.shop(), vin).at(0);
  ownAsHub.wo.number = "RO-HUB-COPY";
  answer = ui::HubHistory{vin, true, {ownAsHub, old}};
  h.frames(2);
  REQUIRE(h.st().history.size() == 2);
  CHECK(h.st().history[0].wo.id == now);  // newest first
  CHECK(h.st().history[0].wo.number != "RO-HUB-COPY");
  CHECK(h.st().history[1].wo.id == "wo-old");
  CHECK(h.st().history_from_hub == std::set<Id>{"wo-old"});
  CHECK(keyShown(h, "history.from_hub"));
  bool marked = false, cameBack = false, copy = false;
  for (const ui::TextDraw& d : h.app->textsDrawn()) {
    marked |= d.text.find("RO-OLD-77") != std::string::npos && d.text.find(h.texts("history.hub_visit")) != std::string::npos;
    cameBack |= d.text.find(h.shop().work_orders.at(now).number) != std::string::npos && d.text.find("RO-OLD-77") == std::string::npos;
    copy |= d.text.find("RO-HUB-COPY") != std::string::npos;
  }
  CHECK(marked);
  CHECK(cameBack);
  CHECK_FALSE(copy);
  // an advisor opens no comeback of the hub's visit (beyond the window: the bay holds every car within it)
  h.st().session = ui::Session{"advisor", h.now};
  h.frame();
  CHECK_FALSE(h.exists("history.comeback.wo-old"));
  h.st().history_from_hub.clear();  // (were it the bay's own: offered)
  h.frame();
  CHECK(h.exists("history.comeback.wo-old"));
  h.st().history_from_hub = {"wo-old"};
  h.st().session = ui::Session{"tech1", h.now};
  // the shop changes meanwhile: the bay's visits read again, the hub's kept, not asked again
  const auto generation = h.store->generation();
  REQUIRE(h.store->record(EndShift{"tech2", h.now}, h.now));
  REQUIRE(h.store->generation() != generation);
  h.frames(2);
  CHECK(h.st().history.size() == 2);
  CHECK(asked.size() == 2);
  // closed and opened again: the answer kept for the same car
  h.tap("history.back");
  h.tap("work.history");
  CHECK(asked.size() == 2);
  CHECK(h.st().history.size() == 2);
}
