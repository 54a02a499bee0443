// Issue 15: a car's history (维修档案) at the bay, read-only, from the job
// card: its earlier work orders, newest first, with their operations, the
// inspections and the values recorded, rework, and the safety items the
// customer declined.
#include "kiosk/screens/screens.hpp"

#include <cstdio>

namespace bk::ui {

void drawHistory(Ui& ui, const View& v, Intents& out) {
  const Shop& s = v.shop;
  const AppState& st = v.st;
  const ImVec2 avail = contentSize();
  if (ui.button("history.back", ui.tr("common.back"), Tone::Quiet, ui.m.mm(40), Icon::Back)) {
    out.push_back(Go{Screen::Work, {}});
    return;
  }
  ImGui::SameLine();
  ImGui::BeginGroup();
  ui.heading(ui.tr("history.title"));
  ui.text("VIN " + st.history_vin, nullptr, IM_COL32(190, 190, 190, 255));
  ImGui::EndGroup();
  ui.beginList("history.list", {avail.x, ImGui::GetContentRegionAvail().y});
  if (st.history.empty()) ui.text(ui.tr("history.none"), nullptr, IM_COL32(170, 170, 170, 255));
  for (const Visit& visit : st.history) {
    const WorkOrder& w = visit.wo;
    ImGui::Dummy({0, ui.m.gap()});
    std::string head = dateText(w.opened_at, v.utc_offset_minutes) + "  " + w.number + "  " + ui.tr("category." + std::string(name(w.category)));
    if (w.odometer_km) head += "  " + format(ui.tr("approvals.odometer"), {std::to_string(w.odometer_km)});
    ImGui::PushFont(ui.fonts.large);
    ui.wrapped(head);
    ImGui::PopFont();
    if (!w.complaint.empty()) ui.wrapped(format(ui.tr("work.complaint"), {w.complaint}), toneColour(Tone::Primary, 1.6f));
    for (const Operation& op : visit.ops)
      ui.wrapped("· " + ui.data(op.title) + " — " + personName(s, op.main_tech) + " · " + ui.tr("phase." + std::string(name(op.phase))));
    for (const Inspection& in : visit.inspections) {
      const bool pass = in.result == Verdict::Pass;
      std::string line = ui.tr("inspection." + std::string(name(in.kind))) + " · " + ui.tr(pass ? "verdict.pass" : "verdict.fail") +
                         " · " + personName(s, in.inspector) + " · " + dateTimeText(in.sig.at, v.utc_offset_minutes);
      for (const ChecklistItem& it : in.items)  // the values recorded
        if (it.value) {
          const std::string& own = ui.t.lang == Lang::Zh ? it.zh : it.en;
          char value[32];
          std::snprintf(value, sizeof value, "%g", *it.value);
          line += " · " + (own.empty() ? ui.data(it.key) : own) + " " + value + " " + it.unit;
        }
      ui.wrapped("   " + line, pass ? IM_COL32(200, 200, 200, 255) : toneColour(Tone::Bad, 1.5f));
    }
    for (const Rework& rw : visit.reworks)
      ui.chip(ui.tr("history.rework") + " · " + ui.tr("inspection." + std::string(name(rw.found_in))) + " · " + ui.data(rw.defect),
              Tone::Bad, Icon::Wrench);
    for (const AddOn& a : visit.declined)
      ui.chip(ui.tr("history.declined") + " · " + ui.data(a.reason), Tone::Warn, Icon::Warning);
  }
  ui.endList();
}

}  // namespace bk::ui
