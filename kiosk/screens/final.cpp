// The quality inspector: work orders ready for the final inspection (R9, with
// the road test when asked), and what still blocks delivery (R10).
#include "kiosk/screens/screens.hpp"

#include "domain/rules.hpp"

namespace bk::ui {

void drawFinal(Ui& ui, const View& v, Intents& out) {
  const Shop& s = v.shop;
  const ImVec2 avail = contentSize();
  const float half = (avail.x - ui.m.gap()) / 2;
  ImGui::BeginGroup();
  ui.heading(ui.tr("final.ready"));
  ui.beginList("final.ready", {half, avail.y - ImGui::GetTextLineHeightWithSpacing() * 2});
  int n = 0;
  for (auto& [id, wo] : s.work_orders) {
    if (wo.delivered_at || !finalRequired(s, wo)) continue;
    auto b = deliveryBlockers(s, wo);
    if (b.size() != 1 || b[0].reason != Reason::FinalMissing) continue;
    ++n;
    const bool own = [&] { for (auto* op : s.opsOf(id)) if (s.workedOn(v.st.session->person, op->id)) return true; return false; }();
    const std::string label = wo.vehicle.plate + " · " + ui.tr("category." + std::string(name(wo.category))) +
                              (wo.road_test_required ? " · " + ui.tr("inspect.road_test") : "");
    if (ui.button("final.start." + id, label, Tone::Primary, half - ui.m.mm(3), Icon::Check, !own)) {
      startInspection(v, ui.cat, InspectionKind::Final, id, std::nullopt, std::nullopt);
      out.push_back(Go{Screen::Inspect, id});
    }
  }
  if (!n) ui.text(ui.tr("floor.none"), nullptr, IM_COL32(150, 150, 150, 255));
  ui.endList();
  ImGui::EndGroup();
  ImGui::SameLine();
  ImGui::BeginGroup();
  ui.heading(ui.tr("final.blocked"));
  ui.beginList("final.blocked", {half, avail.y - ImGui::GetTextLineHeightWithSpacing() * 2});
  for (auto& [id, wo] : s.work_orders) {
    if (wo.delivered_at) continue;
    auto b = deliveryBlockers(s, wo);
    if (b.empty() || (b.size() == 1 && b[0].reason == Reason::FinalMissing)) continue;
    ui.text(wo.number + "  " + wo.vehicle.plate + "  " + dateTimeText(wo.promised_at, v.utc_offset_minutes));
    for (auto& r : b) {
      const Operation* op = s.operation(r.detail);
      ui.chip(refusalText(ui, r) + (op ? " · " + ui.data(op->title) : ""),  // wrapped to fit (issue 14)
              r.reason == Reason::FinalMissing ? Tone::Warn : Tone::Neutral, Icon::Lock);
    }
    ImGui::Dummy({0, ui.m.mm(1)});
  }
  ui.endList();
  ImGui::EndGroup();
}

}  // namespace bk::ui
