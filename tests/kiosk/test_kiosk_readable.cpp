// Issue 14: readable from a metre, in gloves. Every screen of the screenshot
// tour, in both languages, on a demo shop: body text at least 28 px, every
// text and background pair at least 4.5:1, no text cut short, every target
// at least 15 mm.
#include "kiosk/tour.hpp"
#include "demo/demo.hpp"
#include "tests/kiosk/harness.hpp"

#include <doctest/doctest.h>

#include <chrono>

using namespace bkt;

TEST_CASE("kiosk, issue 14: the contrast of the palette's text on its own tones is at least 4.5:1") {
  // the shades in use: a button (1), a held button (0.65), a disabled one
  // (Quiet 0.8), a running bay's tile (Primary 0.7)
  const std::vector<std::pair<ui::Tone, float>> used{{ui::Tone::Quiet, 0.8f}, {ui::Tone::Primary, 0.7f}};
  for (ui::Tone t : {ui::Tone::Neutral, ui::Tone::Primary, ui::Tone::Good, ui::Tone::Bad, ui::Tone::Warn, ui::Tone::Quiet})
    for (float shade : {1.f, 0.65f, 0.8f, 0.7f}) {
      if (shade != 1.f && shade != 0.65f && std::find(used.begin(), used.end(), std::make_pair(t, shade)) == used.end()) continue;
      const ImU32 bg = ui::toneColour(t, shade);
      INFO("tone ", static_cast<int>(t), " shade ", shade);
      CHECK(ui::contrast(ui::textOn(bg), bg) >= ui::kMinContrast);
    }
  // the ratio itself: white on black is 21:1, a colour on itself 1:1
  CHECK(ui::contrast(IM_COL32(255, 255, 255, 255), IM_COL32(0, 0, 0, 255)) == doctest::Approx(21.f));
  CHECK(ui::contrast(IM_COL32(204, 140, 0, 255), IM_COL32(204, 140, 0, 255)) == doctest::Approx(1.f));
  // the amber the issue measured: white on it is 2.9:1, so it takes dark text
  CHECK(ui::contrast(IM_COL32(255, 255, 255, 255), IM_COL32(204, 140, 0, 255)) < ui::kMinContrast);
  CHECK(ui::textOn(IM_COL32(204, 140, 0, 255)) != IM_COL32(255, 255, 255, 255));
}

TEST_CASE("kiosk, issue 14: every screen in both languages: text at least 28 px, contrast at least 4.5:1, nothing cut short, targets at least 15 mm") {
  const Millis now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  Harness h("zh", [&](Store& st, const Catalog& cat) {
    demo::Options o;
    o.now = now;
    o.days = 6;
    o.set_pins = false;
    demo::generate(st, cat, o);
  }, "b01");
  h.now = now;
  const float minPx = 28.f, minTarget = h.app->metrics().touch() - 0.5f;
  CHECK(h.app->metrics().bodyPx() >= minPx);
  int screens = 0, texts = 0;
  std::set<std::string> problems;
  const int rc = ui::runTour(*h.app, h.texts, h.dir.file("tour"), [&](const std::string& path) {
    ImGuiIO& io = ImGui::GetIO();
    io.DeltaTime = 1.f / 60;
    for (int i = 0; i < 2; ++i) {
      ImGui::NewFrame();
      h.app->frame(now);
      ImGui::Render();
    }
    ++screens;
    const std::string name = path.substr(path.rfind('/') + 1);
    for (const ui::TextDraw& t : h.app->textsDrawn()) {
      if (t.text.empty()) continue;
      ++texts;
      if (t.clipped) problems.insert(name + ": cut short: " + t.text);
      if (t.px + 0.5f < minPx) problems.insert(name + ": " + std::to_string(static_cast<int>(t.px)) + " px: " + t.text);
      if (t.fg && t.bg && ui::contrast(t.fg, t.bg) < ui::kMinContrast)
        problems.insert(name + ": contrast " + std::to_string(ui::contrast(t.fg, t.bg)) + ": " + t.text);
    }
    for (const ui::Hit& hit : h.app->hits()) {
      if (hit.clipped) continue;
      if (hit.max.x - hit.min.x < minTarget || hit.max.y - hit.min.y < minTarget)
        problems.insert(name + ": small target " + hit.id);
    }
    return true;
  });
  CHECK(rc == 0);
  CHECK(screens >= 40);
  CHECK(texts > 1000);
  for (const std::string& p : problems) FAIL_CHECK(p);
  CHECK(problems.empty());
}
