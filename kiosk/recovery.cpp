#include "kiosk/recovery.hpp"

namespace bk::ui {

std::string RecoveryScreen::glyphText(const Texts& t, const RecoveryView& v) {
  std::string s = "0123456789/.:-_ ";
  for (const char* key : {"recovery.title", "recovery.explain", "recovery.detail", "recovery.rebuild", "recovery.quit",
                          "recovery.no_hub", "recovery.rebuilding", "recovery.failed", "recovery.retry",
                          "recovery.needs_code", "recovery.needs_code_then", "recovery.done", "recovery.kept",
                          "recovery.unsynced", "recovery.all_synced", "recovery.continue"})
    s += t(key);
  return s + v.damage + v.kiosk + v.error + v.set_aside + v.unsynced_file;
}

RecoveryIntent RecoveryScreen::frame(const RecoveryView& v) {
  using Phase = RecoveryView::Phase;
  Ui& ui = ui_;
  ui.hits.clear();
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos({0, 0});
  ImGui::SetNextWindowSize(io.DisplaySize);
  ImGui::Begin("##recovery", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  ImGui::PushFont(ui.fonts.body);
  const float pad = ui.m.mm(8);
  ImGui::SetCursorPos({pad, pad});
  ImGui::PushTextWrapPos(io.DisplaySize.x - pad);
  ImGui::BeginGroup();
  // the title, large, with its icon: what a person a metre away must see
  {
    const bool good = v.phase == Phase::Rebuilt;
    const float h = ui.fonts.large ? ui.fonts.large->FontSize : ui.m.largePx();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    drawIcon(ImGui::GetWindowDrawList(), good ? Icon::Check : Icon::Warning, {p.x + h * 0.5f, p.y + h * 0.55f}, h,
             toneColour(good ? Tone::Good : Tone::Warn));
    ImGui::SetCursorScreenPos({p.x + h * 1.3f, p.y});
    ui.text(ui.tr(good ? "recovery.done_title" : "recovery.title"), ui.fonts.large, toneColour(good ? Tone::Good : Tone::Warn));
  }
  ImGui::Dummy({0, ui.m.mm(3)});
  RecoveryIntent intent = RecoveryIntent::None;
  const ImU32 quiet = IM_COL32(200, 200, 200, 255);
  switch (v.phase) {
    case Phase::Damaged:
    case Phase::Failed:
      ui.wrapped(ui.tr("recovery.explain"));
      ImGui::Dummy({0, ui.m.mm(2)});
      if (v.phase == Phase::Failed) ui.wrapped(format(ui.tr("recovery.failed"), {v.error}), toneColour(Tone::Warn));
      ui.wrapped(format(ui.tr("recovery.detail"), {v.damage}), quiet);
      ImGui::Dummy({0, ui.m.mm(4)});
      if (!v.hub_configured) {
        ui.wrapped(ui.tr("recovery.no_hub"));
        ImGui::Dummy({0, ui.m.mm(4)});
      } else if (ui.button("recovery.rebuild", ui.tr(v.phase == Phase::Failed ? "recovery.retry" : "recovery.rebuild"),
                           Tone::Primary, ui.m.mm(90), Icon::Wrench)) {
        intent = RecoveryIntent::Rebuild;
      }
      ImGui::SameLine(0, ui.m.mm(8));
      if (ui.button("recovery.quit", ui.tr("recovery.quit"), Tone::Quiet, ui.m.mm(45))) intent = RecoveryIntent::Quit;
      break;
    case Phase::Rebuilding: {
      ui.heading(format(ui.tr("recovery.rebuilding"), {std::to_string(v.pulled), std::to_string(v.hub_last)}));
      ImGui::Dummy({0, ui.m.mm(3)});
      const float frac = v.hub_last > 0 ? static_cast<float>(v.pulled) / static_cast<float>(v.hub_last) : 0.f;
      ImGui::PushStyleColor(ImGuiCol_PlotHistogram, toneColour(Tone::Primary));
      ImGui::ProgressBar(std::clamp(frac, 0.f, 1.f), {io.DisplaySize.x - 2 * pad, ui.m.mm(10)}, "");
      ImGui::PopStyleColor();
      break;
    }
    case Phase::NeedsCode:
      ui.heading(ui.tr("recovery.needs_code"));
      ImGui::Dummy({0, ui.m.mm(2)});
      ui.text("bk-hub enroll-code --kiosk " + v.kiosk + " --replace", ui.fonts.large, toneColour(Tone::Warn));
      ImGui::Dummy({0, ui.m.mm(2)});
      ui.wrapped(ui.tr("recovery.needs_code_then"));
      ImGui::Dummy({0, ui.m.mm(4)});
      if (ui.button("recovery.quit", ui.tr("recovery.quit"), Tone::Quiet, ui.m.mm(45))) intent = RecoveryIntent::Quit;
      break;
    case Phase::Rebuilt:
      ui.heading(format(ui.tr("recovery.done"), {std::to_string(v.events)}));
      ImGui::Dummy({0, ui.m.mm(2)});
      if (v.unsynced > 0) ui.wrapped(format(ui.tr("recovery.unsynced"), {std::to_string(v.unsynced), v.unsynced_file}), toneColour(Tone::Warn));
      else ui.wrapped(ui.tr("recovery.all_synced"));
      ui.wrapped(format(ui.tr("recovery.kept"), {v.set_aside}), quiet);
      ImGui::Dummy({0, ui.m.mm(4)});
      if (ui.button("recovery.continue", ui.tr("recovery.continue"), Tone::Good, ui.m.mm(90), Icon::Check))
        intent = RecoveryIntent::Continue;
      break;
  }
  ImGui::EndGroup();
  ImGui::PopTextWrapPos();
  ImGui::PopFont();
  ImGui::End();
  return intent;
}

}  // namespace bk::ui
