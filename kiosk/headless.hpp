#pragma once
// The App drawn with no window and no GPU (the way Dear ImGui's
// example_null runs): an ImGui context of a 1280×800 screen, and one frame
// at a time. The tests' harness and bench/bk_rebase draw the real screens
// through it.
#include "kiosk/app.hpp"

namespace bk::ui {

class Headless {
 public:
  Headless();
  ~Headless();
  Headless(const Headless&) = delete;
  Headless& operator=(const Headless&) = delete;
  // The font atlas for what `app` shows (the kiosk's own buildFonts);
  // false if it could not be built.
  bool buildFontsFor(App& app, const KioskConfig& cfg);
  // One frame of `app` at `now`, its intents carried out after it.
  static void frame(App& app, Millis now);

 private:
  ImGuiContext* ctx_ = nullptr;
};

}  // namespace bk::ui
