// The kiosk's screen and its sync threads share the store (issue 10: a new
// kiosk pulling a large log died 2 to 9 times per pull, reading the shop
// without the lock in nextWake). Here real frames, the next wake-up and the
// font check run as fast as they can while the sync threads pull a log of
// a few thousand events and push the bay's own work. Under ThreadSanitizer
// (scripts/tsan.sh) any read of the shop outside the lock is reported.
#include "tests/hub/hub_fixture.hpp"
#include "tests/kiosk/harness.hpp"
#include "platform/system.hpp"
#include "sync/client.hpp"

using namespace bkt;

TEST_CASE("kiosk frames while the sync threads pull a large log: no race, no crash, the view catches up") {
  RunningHub hub;
  seedShop(hub.store);
  {
    // a history to pull: tech2 clocks on and off a thousand times at the desk
    Millis t = T0 + MIN;
    for (int i = 0; i < 1000; ++i, t += MIN) {
      REQUIRE(hub.store.record(ClockOn{"te-h" + std::to_string(i), "tech2", "wo-1-2", "bay1", t}, t));
      REQUIRE(hub.store.record(ClockOff{"tech2", "wo-1-2", StopReason::Break, t + 1}, t + 1));
    }
  }
  const std::int64_t hubEvents = hub.store.lastPos();
  Harness h("zh", [](Store&, const Catalog&) {}, "bay1");
  std::mutex mu;
  sync::SyncClient client(*h.store, mu, testPepper(),
                          sync::SyncOptions{"http://127.0.0.1:" + std::to_string(hub.port),
                                            hub.server.newEnrolCode(h.store->kioskId(), 600'000), 100, 200},
                          [] { return platform::nowMillis(); });
  h.app->connectSync(&mu, [&](ui::SyncStatus& s) {
    const auto st = client.state();
    s.hub_configured = st.configured;
    s.reachable = st.reachable;
    s.pending = st.pending;
    s.pulled = st.pulled;
    s.hub_last = st.hub_last;
  }, [&] { client.wake(); });
  client.start();
  int frames = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    h.frame();
    (void)h.app->nextWake(h.now);
    if (!h.app->fontsCoverData())
      ui::buildFonts(ImGui::GetIO(), h.app->metrics(), h.app->glyphText(), h.cfg.font, h.app->fonts());
    ++frames;
    const auto s = client.state();
    if (s.pulled >= hubEvents) break;
    REQUIRE(std::chrono::steady_clock::now() < deadline);
  }
  MESSAGE(frames << " frames drawn while " << hubEvents << " events were pulled");
  CHECK(frames > 1);
  {
    std::lock_guard l(mu);
    CHECK(h.store->shop().entries.size() == 1000);
  }
  // the bay works on, and its work reaches the hub while frames go on
  {
    std::lock_guard l(mu);
    REQUIRE(h.store->record(ClockOn{"te-bay", "tech1", "wo-1-1", "bay1", T0 + 5000 * MIN}, T0 + 5000 * MIN));
  }
  client.wake();
  auto c = hub.client();
  auto hubLast = [&] { return json::parse(c.Get("/api/v1/health")->body)["last_pos"].get<std::int64_t>(); };
  const std::int64_t enrolled = hubEvents + 1;  // the hub logged this bay's enrolment (issue 11)
  while (hubLast() <= enrolled) {
    h.frame();
    REQUIRE(std::chrono::steady_clock::now() < deadline);
  }
  client.stop();
  CHECK(hubLast() == enrolled + 1);
}
