// Raise an add-on (R12): reason from the pick-list, estimated time on a
// stepper, safety and warranty flags; parts follow from the reason.
#include "kiosk/screens/screens.hpp"

#include <algorithm>

namespace bk::ui {

void drawAddOn(Ui& ui, const View& v, Intents& out) {
  AppState& st = v.st;
  AddOnForm& f = st.addon;
  const Shop& s = v.shop;
  const Operation* on = s.operation(f.found_on);
  if (!on) { out.push_back(Go{Screen::Work, {}}); return; }
  const ImVec2 avail = contentSize();
  if (ui.button("addon.back", ui.tr("common.back"), Tone::Quiet, ui.m.mm(40), Icon::Back)) {
    out.push_back(Go{Screen::Work, {}});
    return;
  }
  ImGui::SameLine();
  ImGui::BeginGroup();
  ui.heading(ui.tr("addon.title"));
  ui.text(opTitle(ui, s, *on), nullptr, IM_COL32(190, 190, 190, 255));
  ImGui::EndGroup();

  std::vector<const Phrase*> reasons;
  for (auto& p : ui.cat.phrases("addon_reasons")) if (p.trade == on->trade) reasons.push_back(&p);
  const float leftW = avail.x * 0.55f;
  ImGui::BeginGroup();
  ui.text(ui.tr("addon.reason"), ui.fonts.large);
  ui.beginList("addon.reasons", {leftW, avail.y - ui.m.touch() * 2});
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    const Phrase& p = *reasons[i];
    const bool on_ = f.reason == static_cast<int>(i);
    if (ui.button("addon.reason." + p.code, ui.t.lang == Lang::Zh ? p.zh : p.en, on_ ? Tone::Primary : Tone::Neutral,
                  leftW - ui.m.mm(3), p.safety ? Icon::Warning : Icon::None)) {
      f.reason = static_cast<int>(i);
      f.minutes = p.minutes;
      f.safety = p.safety;
    }
  }
  // parts, picked from the trade's list (tap again to remove)
  ui.text(ui.tr("addon.parts"), ui.fonts.large);
  const float pw = (leftW - ui.m.mm(3) - ImGui::GetStyle().ItemSpacing.x) / 2;
  int n = 0;
  for (auto& p : ui.cat.phrases("parts")) {
    if (p.trade != on->trade) continue;
    const auto it = std::find(f.parts.begin(), f.parts.end(), p.code);
    const bool picked = it != f.parts.end();
    if (n++ % 2) ImGui::SameLine();
    if (ui.button("addon.part." + p.code, ui.t.lang == Lang::Zh ? p.zh : p.en, picked ? Tone::Primary : Tone::Neutral,
                  pw, picked ? Icon::Check : Icon::None)) {
      if (picked) f.parts.erase(it);
      else f.parts.push_back(p.code);
    }
  }
  ui.endList();
  ImGui::EndGroup();
  ImGui::SameLine();
  ImGui::BeginGroup();
  ui.text(ui.tr("addon.estimate"), ui.fonts.large);
  ui.stepper("addon.minutes", f.minutes, 15, 15, 24 * 60, format(ui.tr("common.minutes"), {std::to_string(f.minutes)}));
  ImGui::Dummy({0, ui.m.gap()});
  if (ui.button("addon.safety", ui.tr("addon.safety"), f.safety ? Tone::Warn : Tone::Quiet, ui.m.mm(80),
                f.safety ? Icon::Warning : Icon::None))
    f.safety = !f.safety;
  if (ui.button("addon.warranty", ui.tr("addon.warranty"), f.warranty ? Tone::Primary : Tone::Quiet, ui.m.mm(80),
                f.warranty ? Icon::Check : Icon::None))
    f.warranty = !f.warranty;
  ImGui::Dummy({0, ui.m.gap()});
  const bool ready = f.reason >= 0 && f.reason < static_cast<int>(reasons.size());
  if (ui.button("addon.submit", ui.tr("addon.submit"), Tone::Good, ui.m.mm(80), Icon::Check, ready)) {
    const Phrase& p = *reasons[static_cast<std::size_t>(f.reason)];
    out.push_back(Submit{ProposeAddOn{"", "", on->wo, on->id, st.session->person, on->trade, p.code, f.minutes,
                                      f.parts, f.safety, f.warranty, v.now}});
    out.push_back(Go{Screen::Work, {}});
  }
  ImGui::EndGroup();
}

}  // namespace bk::ui
