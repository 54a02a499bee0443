#pragma once
// Drives real ImGui frames in-process with no window and no GPU (the way
// Dear ImGui's example_null runs): a real store file, the real App, taps on
// widgets by their stable id through io.MousePos / io.MouseDown.
#include "kiosk/app.hpp"
#include "kiosk/headless.hpp"
#include "tests/support.hpp"

#include <functional>
#include <memory>

namespace bkt {

struct Harness {
  TempDir dir;
  FixedEntropy ent;
  std::unique_ptr<Store> store;
  Catalog cat;
  ui::Texts texts;
  ui::KioskConfig cfg;
  std::unique_ptr<ui::Headless> screen;  // (made before the app, gone after it)
  std::unique_ptr<ui::App> app;
  Millis now = T0 + 9 * 60 * MIN;

  // A store with the test shop (every PIN "123456", tech1's "246802") and bay1.
  explicit Harness(const std::string& lang = "zh");
  // A store filled by `fill` (e.g. the demo shop), a kiosk standing in `bay`.
  // `auth`: the PIN hashing's cost (default: the tests' cheap one; a kiosk
  // that shares PINs with a real bk-hub needs the product's own).
  Harness(const std::string& lang, const std::function<void(Store&, const Catalog&)>& fill, const Id& bay,
          const AuthPolicy* auth = nullptr);
  ~Harness();

  void frame();                       // one frame at `now`, then its intents
  void frames(int n) { for (int i = 0; i < n; ++i) frame(); }
  bool has(const std::string& id);    // drawn this frame (and enabled)
  bool exists(const std::string& id); // drawn, enabled or not
  void tap(const std::string& id);    // press and release on it (REQUIRE it exists)
  void pressAt(ImVec2 at);            // press and release at a point, now
  // Issue 14: a tap on it, then `gap` ms later a second tap on the same
  // spot, as a finger double-taps
  void doubleTap(const std::string& id, Millis gap = 150);
  void reveal(const std::string& id); // scroll by dragging until it is in view
  float dragX = 300;                  // where drags for scrolling start
  void drag(const std::string& id, float dy);  // press on it, move, release
  // Issue 12: a finger stroke on a pad, through points given as fractions
  // of its width and height.
  void stroke(const std::string& id, const std::vector<ImVec2>& at);
  // Issue 12: taps PASS on every checklist item still unset that is not measured.
  void passAll();
  void type(const std::string& text); // characters, as a badge reader types
  void enter();
  void pin(const std::string& prefix, const std::string& digits);  // taps digits, then OK
  void advance(Millis ms) { now += ms; }
  void signIn(const Id& person, const std::string& pin = "123456");
  ui::AppState& st() { return app->state(); }
  const Shop& shop() { return store->shop(); }
  Id openWorkOrder(Category cat, std::vector<OperationSpec> ops, bool road = false);
  int woCounter = 0;
};

}  // namespace bkt
