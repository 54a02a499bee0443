#include "kiosk/headless.hpp"

#include <imgui.h>

namespace bk::ui {

Headless::Headless() : ctx_(ImGui::CreateContext()) {
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.DisplaySize = {1280, 800};
  io.DeltaTime = 1.f / 60;
}

Headless::~Headless() { ImGui::DestroyContext(ctx_); }

bool Headless::buildFontsFor(App& app, const KioskConfig& cfg) {
  ImGuiIO& io = ImGui::GetIO();
  buildFonts(io, app.metrics(), app.glyphText(), cfg.font, app.fonts());
  return io.Fonts->IsBuilt();
}

void Headless::frame(App& app, Millis now) {
  ImGui::GetIO().DeltaTime = 1.f / 60;
  ImGui::NewFrame();
  app.frame(now);
  ImGui::Render();
  app.afterFrame(now);
}

}  // namespace bk::ui
