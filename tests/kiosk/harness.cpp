#include "tests/kiosk/harness.hpp"

#include <doctest/doctest.h>

namespace bkt {

Harness::Harness(const std::string& lang)
    : Harness(lang, [](Store& st, const Catalog&) {
        for (auto& a : staffAndBays()) {
          const auto r = st.record(a, T0);
          REQUIRE(r);
        }
        for (auto& [id, p] : st.shop().people) {
          const Outcome o = st.setPin(id, testPin(id), T0);
          REQUIRE(o);
        }
      }, "bay1") {}

Harness::Harness(const std::string& lang, const std::function<void(Store&, const Catalog&)>& fill, const Id& bay,
                 const AuthPolicy* auth)
    : cat(Catalog::load(BK_ASSETS_DIR "/catalog")),
      texts(ui::Texts::load(BK_ASSETS_DIR "/i18n")) {
  StoreOptions so = storeOptions(dir.file("bay.db"), "kiosk-" + bay);
  so.kept_days = cfg.keep_days;  // issue 16: a bay kiosk's working set
  if (auth) so.auth = *auth;
  store = std::make_unique<Store>(so, ent);
  fill(*store, cat);
  cfg.bay = bay;
  cfg.lang = lang;
  cfg.assets = BK_ASSETS_DIR;
  cfg.export_dir = dir.file("exports");
  cfg.fullscreen = false;
  screen = std::make_unique<ui::Headless>();
  app = std::make_unique<ui::App>(cfg, *store, cat, texts, ent);
  // (outside the macro: bk_bench compiles this without doctest, where a
  // REQUIRE is nothing, its expression not evaluated)
  const bool fonts = screen->buildFontsFor(*app, cfg);
  REQUIRE(fonts);
  app->noteInput(now);
  frames(2);
}

Harness::~Harness() {
  app.reset();
  screen.reset();
}

void Harness::frame() { ui::Headless::frame(*app, now); }

bool Harness::exists(const std::string& id) {
  for (auto& h : app->hits()) if (h.id == id) return true;
  return false;
}

bool Harness::has(const std::string& id) {
  for (auto& h : app->hits()) if (h.id == id) return h.enabled;
  return false;
}

// Drags the content (as a finger would) until `id` is fully in view.
void Harness::reveal(const std::string& id) {
  auto find = [&]() -> const ui::Hit* {
    for (auto& h : app->hits()) if (h.id == id) return &h;
    return nullptr;
  };
  frame();
  for (float dir : {-1.f, 1.f}) {
    for (int i = 0; i < 12; ++i) {
      const ui::Hit* hit = find();
      if (hit && !hit->clipped) return;
      ImGuiIO& io = ImGui::GetIO();
      const float dy = hit ? (hit->min.y < 400 ? 150.f : -150.f) : dir * 200.f;
      ImVec2 p{dragX, 480};
      io.MousePos = p;
      frame();
      io.MouseDown[0] = true;
      frame();
      for (int k = 1; k <= 6; ++k) {
        io.MousePos = {p.x, p.y + dy * static_cast<float>(k) / 6};
        frame();
      }
      io.MouseDown[0] = false;
      frame();
      frame();
    }
  }
}

void Harness::tap(const std::string& id) {
  reveal(id);
  const ui::Hit* hit = nullptr;
  for (auto& h : app->hits()) if (h.id == id) hit = &h;
  INFO("tap ", id);
  REQUIRE(hit != nullptr);
  REQUIRE(hit->enabled);
  const ImVec2 c{(hit->min.x + hit->max.x) * 0.5f, (hit->min.y + hit->max.y) * 0.5f};
  // a person's taps on different controls are at least this far apart (the
  // kiosk ignores a tap on a control that has just appeared under a finger)
  now += 450;
  pressAt(c);
}

void Harness::pressAt(ImVec2 c) {
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = c;
  frame();
  io.MouseDown[0] = true;
  app->noteInput(now);
  frame();
  io.MouseDown[0] = false;
  frame();
  frame();
}

void Harness::doubleTap(const std::string& id, Millis gap) {
  tap(id);
  const ImVec2 c = ImGui::GetIO().MousePos;
  now += gap;
  pressAt(c);  // the same spot again, whatever is drawn there now
}

void Harness::drag(const std::string& id, float dy) {
  frame();
  const ui::Hit* hit = nullptr;
  for (auto& h : app->hits()) if (h.id == id) hit = &h;
  REQUIRE(hit != nullptr);
  ImGuiIO& io = ImGui::GetIO();
  ImVec2 p{(hit->min.x + hit->max.x) * 0.5f, (hit->min.y + hit->max.y) * 0.5f};
  io.MousePos = p;
  frame();
  io.MouseDown[0] = true;
  frame();
  for (int i = 1; i <= 8; ++i) {
    io.MousePos = {p.x, p.y + dy * static_cast<float>(i) / 8};
    frame();
  }
  io.MouseDown[0] = false;
  frame();
  frame();
}

void Harness::stroke(const std::string& id, const std::vector<ImVec2>& at) {
  frame();
  const ui::Hit* hit = nullptr;
  for (auto& h : app->hits()) if (h.id == id) hit = &h;
  INFO("stroke on ", id);
  REQUIRE(hit != nullptr);
  REQUIRE(!at.empty());
  const ImVec2 a = hit->min, b = hit->max;
  auto point = [&](ImVec2 f) { return ImVec2{a.x + (b.x - a.x) * f.x, a.y + (b.y - a.y) * f.y}; };
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = point(at.front());
  frame();
  io.MouseDown[0] = true;
  app->noteInput(now);
  frame();
  for (std::size_t i = 1; i < at.size(); ++i) {
    io.MousePos = point(at[i]);
    frame();
  }
  io.MouseDown[0] = false;
  frame();
  frame();
}

void Harness::passAll() {
  std::vector<std::string> keys;
  for (auto& it : st().inspect.items)
    if (it.unit.empty() && !it.verdict) keys.push_back(it.key);
  for (auto& k : keys) tap("inspect.item." + k + ".pass");
}

void Harness::type(const std::string& text) {
  for (char c : text) app->onText(static_cast<unsigned char>(c), now);
  frame();
}

void Harness::enter() {
  app->onEnter(now);
  frames(2);
}

void Harness::pin(const std::string& prefix, const std::string& digits) {
  for (char c : digits) tap(prefix + "." + std::string(1, c));
  tap(prefix + ".ok");
}

void Harness::signIn(const Id& person, const std::string& p) {
  tap("board.signin");
  tap("signin.person." + person);
  pin("signin.pin", p);
  REQUIRE(st().session);
  REQUIRE(st().session->person == person);
}

Id Harness::openWorkOrder(Category c, std::vector<OperationSpec> ops, bool road) {
  const Id id = "wo-" + std::to_string(++woCounter);
  const auto r = store->record(testWorkOrder(id, c, std::move(ops), road), now);
  REQUIRE(r);
  // new data may bring characters the atlas lacks: rebuild, as the kiosk does
  if (!app->fontsCoverData()) ui::buildFonts(ImGui::GetIO(), app->metrics(), app->glyphText(), cfg.font, app->fonts());
  CHECK(app->fontsCoverData());
  frames(2);
  return id;
}

}  // namespace bkt
