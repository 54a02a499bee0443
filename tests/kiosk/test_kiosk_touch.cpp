// Touch rules: target sizes, drag-to-scroll, both languages, glyphs, errors.
#include "tests/kiosk/harness.hpp"

#include <doctest/doctest.h>

using namespace bkt;

TEST_CASE("kiosk: every tap target is at least 15 mm on the configured screen") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const float min = h.app->metrics().touch() - 0.5f;
  CHECK(min > 85.f);  // 10-inch 1280×800 at 151 dpi: about 88 px
  auto checkAll = [&](const char* where) {
    h.frame();
    for (auto& hit : h.app->hits()) {
      if (hit.clipped) continue;  // partly scrolled out: its full size is drawn
      INFO(where, " ", hit.id, " ", hit.max.x - hit.min.x, "x", hit.max.y - hit.min.y);
      CHECK(hit.max.x - hit.min.x >= min);
      CHECK(hit.max.y - hit.min.y >= min);
    }
  };
  checkAll("board");
  h.tap("board.signin");
  checkAll("people");
  h.tap("signin.person.tech1");
  checkAll("pin pad");
  h.pin("signin.pin", "246802");
  checkAll("work");
  h.tap("work.clock_on." + wo + "-1");
  h.tap("work.finish");
  checkAll("inspection");
  h.tap("inspect.item.wheel_torque.value");
  checkAll("keypad");
}

TEST_CASE("kiosk: a drag that starts on a button scrolls the list and does not press it") {
  Harness h;
  h.tap("board.signin");  // the long list of people
  const float before = h.app->hits().front().min.y;
  (void)before;
  h.drag("signin.person.tech1", -300.f);
  CHECK(h.st().pin_person.empty());  // not pressed
  h.frame();
  // the list moved: tech1's button is now higher (or scrolled out)
  bool found = false;
  for (auto& hit : h.app->hits())
    if (hit.id == "signin.person.tech1") found = true;
  const bool moved = !found || [&] {
    for (auto& hit : h.app->hits()) if (hit.id == "signin.person.tech1") return hit.min.y < 300.f;
    return false;
  }();
  CHECK(moved);
  // a plain tap still presses
  h.tap("signin.person.qi");
  CHECK(h.st().pin_person == "qi");
}

TEST_CASE("kiosk: both languages, switchable at any time, every string translated, every glyph present") {
  Harness h("zh");
  h.openWorkOrder(Category::BodyPaint, {spec("", Trade::Body, "body1"), spec("", Trade::Paint, "paint1", true)});
  CHECK(h.texts.lang == ui::Lang::Zh);
  CHECK(h.app->fontsCoverData());
  h.tap("status.lang");
  CHECK(h.texts.lang == ui::Lang::En);
  h.signIn("foreman");
  h.tap("status.lang");
  CHECK(h.texts.lang == ui::Lang::Zh);
  CHECK(h.st().session);  // switching keeps the person signed in
  // the atlas covers exactly what can be shown: no "common" range
  ImFontAtlas* atlas = ImGui::GetIO().Fonts;
  CHECK(atlas->TexHeight <= 4096);
  CHECK(h.app->fonts().body->FindGlyphNoFallback(0x7CA4) != nullptr);  // 粤 of a plate
}

TEST_CASE("kiosk: the status bar always shows bay, time, person, hub state and what waits to sync") {
  Harness h;
  // catching up with the hub draws a progress line instead of freezing
  auto vertices = [&] {
    h.frame();
    int n = 0;
    for (int i = 0; i < ImGui::GetDrawData()->CmdListsCount; ++i) n += ImGui::GetDrawData()->CmdLists[i]->VtxBuffer.Size;
    return n;
  };
  h.app->sync().hub_configured = true;
  h.app->sync().reachable = true;
  const int idle = vertices();
  h.app->sync().hub_last = 4000;
  h.app->sync().pulled = 1000;
  CHECK(vertices() > idle);
  h.app->sync().pulled = 4000;  // caught up: the line goes away
  CHECK(vertices() == idle);
  // issue 16: so does a new kiosk loading its hub's snapshot
  h.app->sync().loading_snapshot = true;
  h.app->sync().snapshot_got = 1 << 20;
  h.app->sync().snapshot_total = 4 << 20;
  CHECK(h.app->sync().catchingUp() == doctest::Approx(0.25f));
  CHECK(vertices() > idle);
  h.app->sync().loading_snapshot = false;
  CHECK(vertices() == idle);
  h.app->sync().hub_configured = false;
  h.app->sync().reachable = false;
  h.signIn("tech2");
  CHECK(h.app->sync().pending == h.store->lastOwnSeq());
  CHECK_FALSE(h.app->sync().hub_configured);
  CHECK(h.app->nextWake(h.now) <= h.now + 1000);  // signed in: the countdown ticks
  h.tap("nav.signout");
  CHECK(h.app->nextWake(h.now) == (h.now / 60000 + 1) * 60000);  // nothing moving: the clock's next minute
  // a timer running at another bay is not on this board: still asleep
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech2")});
  auto r = h.store->record(UpdateWorkOrder{wo, "advisor", h.shop().work_orders.at(wo).promised_at, false, "", "bay2"}, h.now);
  REQUIRE(r);
  r = h.store->record(ClockOn{"te-far", "tech2", wo + "-1", "bay2", h.now}, h.now);
  REQUIRE(r);
  CHECK(h.app->nextWake(h.now) == (h.now / 60000 + 1) * 60000);
  // one running here ticks every second
  r = h.store->record(ClockOff{"tech2", wo + "-1", StopReason::Break, h.now + 1}, h.now + 1);
  REQUIRE(r);
  r = h.store->record(ClockOn{"te-near", "tech2", wo + "-1", "bay1", h.now + 2}, h.now + 2);
  REQUIRE(r);
  CHECK(h.app->nextWake(h.now) <= h.now + 1000);
}

TEST_CASE("kiosk: a frame that fails shows an error state instead of crashing, and recovers") {
  Harness h;
  h.signIn("tech2");
  h.st().error = "disk I/O error";  // as a failing frame leaves it
  h.frame();
  CHECK(h.has("error.reset"));
  CHECK_FALSE(h.exists("nav.signout"));
  h.tap("error.reset");
  CHECK_FALSE(h.st().error);
  CHECK_FALSE(h.st().session);  // back to the locked board, nothing personal kept
  CHECK(h.has("board.signin"));
}

TEST_CASE("kiosk: a refused action says why, in the screen's language") {
  Harness h("en");
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  h.signIn("tech1", "246802");
  h.tap("work.clock_on." + wo + "-1");
  h.tap("work.addon");
  h.tap("addon.reason.addon.oil_leak");
  // the front desk closed the work order meanwhile (as the hub would tell the kiosk)
  Shop& s = const_cast<Shop&>(h.shop());
  s.work_orders.at(wo).delivered_at = h.now;
  h.tap("addon.submit");
  REQUIRE(h.st().message);
  CHECK(h.st().message->text == "Work order already delivered");
  CHECK(h.shop().addons.empty());
}

TEST_CASE("kiosk: a new kiosk that holds no shop yet shows, large, how far the hub's snapshot has come") {
  Harness h("zh", [](Store&, const Catalog&) {}, "bay1");
  auto vertices = [&] {
    h.frame();
    int n = 0;
    for (int i = 0; i < ImGui::GetDrawData()->CmdListsCount; ++i) n += ImGui::GetDrawData()->CmdLists[i]->VtxBuffer.Size;
    return n;
  };
  h.app->sync().hub_configured = true;
  h.app->sync().reachable = true;
  const int empty = vertices();
  h.app->sync().loading_snapshot = true;  // (its size not said yet: 0 %)
  CHECK(h.app->sync().catchingUp() == doctest::Approx(0.f));
  const int starting = vertices();
  CHECK(starting > empty);
  h.app->sync().snapshot_total = 8 << 20;
  h.app->sync().snapshot_got = 6 << 20;
  CHECK(vertices() >= starting);
  h.app->sync().loading_snapshot = false;  // loaded, caught up: the names to sign in with
  CHECK(vertices() == empty);
}
