// The foreman's floor: every bay at a glance, operations waiting for peer
// inspection (R6), add-ons waiting for a first look, entries open too long
// (R3), and for the supervisor and technical director running work to patrol (R11).
#include "kiosk/screens/screens.hpp"

#include "domain/rules.hpp"

namespace bk::ui {

void drawFloor(Ui& ui, const View& v, Intents& out) {
  const Shop& s = v.shop;
  const ImVec2 avail = contentSize();
  const float gridW = avail.x * 0.56f;
  // bays grid
  ImGui::BeginGroup();
  ui.heading(ui.tr("floor.bays"));
  ui.beginList("floor.grid", {gridW, avail.y - ImGui::GetTextLineHeightWithSpacing() * 2});
  const int cols = 4;
  const float tw = (gridW - ui.m.mm(3) - ui.m.gap() * (cols - 1)) / cols, th = ui.m.mm(24);
  const auto overlong = overlongEntries(s, v.now);
  int i = 0;
  for (auto& [bid, bay] : s.bays) {
    if (i++ % cols) ImGui::SameLine();
    const TimeEntry* running = nullptr;
    for (auto& id : s.open_entries)
      if (s.entries.at(id).bay == bid) { running = &s.entries.at(id); break; }
    bool late = false;
    for (auto* e : overlong) late |= running && e->id == running->id;
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::Dummy({tw, th});
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, {p.x + tw, p.y + th}, running ? toneColour(late ? Tone::Warn : Tone::Primary, 0.7f) : IM_COL32(45, 48, 54, 255), ui.m.mm(1.5f));
    dl->AddText({p.x + ui.m.mm(2), p.y + ui.m.mm(1)}, IM_COL32(255, 255, 255, 255), bay.name.c_str());
    if (running) {
      const std::string who = personName(s, running->tech);
      dl->AddText({p.x + ui.m.mm(2), p.y + ui.m.mm(8)}, IM_COL32(255, 255, 255, 255), who.c_str());
      const std::string t = durationText(v.now - running->start);
      dl->AddText({p.x + ui.m.mm(2), p.y + ui.m.mm(15)}, IM_COL32(255, 255, 255, 255), t.c_str());
      if (late) drawIcon(dl, Icon::Warning, {p.x + tw - ui.m.mm(5), p.y + ui.m.mm(5)}, ui.m.mm(6), IM_COL32(255, 255, 255, 255));
    } else {
      const std::string idle = ui.tr("floor.idle");
      dl->AddText({p.x + ui.m.mm(2), p.y + ui.m.mm(8)}, IM_COL32(150, 150, 150, 255), idle.c_str());
    }
  }
  ui.endList();
  ImGui::EndGroup();

  ImGui::SameLine();
  ImGui::BeginGroup();
  const float w = avail.x - gridW - ui.m.gap();
  ui.beginList("floor.queues", {w, avail.y});
  const bool foreman = v.has(Role::Foreman);
  const bool patrol = v.has(Role::Supervisor) || v.has(Role::TechDirector);
  // R6: waiting for peer inspection (never one's own work)
  ui.heading(ui.tr("floor.peer_queue"));
  int n = 0;
  for (auto& [id, op] : s.operations) {
    if (op.phase != Phase::AwaitingPeer) continue;
    ++n;
    if (ui.button("floor.peer." + id, opTitle(ui, s, op), Tone::Neutral, w - ui.m.mm(3), Icon::Check,
                  foreman && !s.workedOn(v.st.session->person, id))) {
      startInspection(v, ui.cat, InspectionKind::Peer, op.wo, op.id, std::nullopt);
      out.push_back(Go{Screen::Inspect, id});
    }
  }
  if (!n) ui.text(ui.tr("floor.none"), nullptr, IM_COL32(150, 150, 150, 255));
  // R3: open too long, flagged, never closed silently
  ui.heading(ui.tr("floor.overlong"));
  for (auto* e : overlong)
    ui.chip(personName(s, e->tech) + " · " + durationText(v.now - e->start) + " · " +
                ui.fit(ui.data(s.operations.at(e->op).title), ui.m.mm(40)),
            Tone::Warn, Icon::Clock);
  if (overlong.empty()) ui.text(ui.tr("floor.none"), nullptr, IM_COL32(150, 150, 150, 255));
  // add-ons waiting for a first look (proposed, not yet quoted)
  ui.heading(ui.tr("floor.addons"));
  n = 0;
  for (auto& [id, a] : s.addons) {
    auto* wo = s.workOrder(a.wo);
    if (a.quote || a.consent || !wo || wo->delivered_at) continue;
    ++n;
    ui.chip(wo->vehicle.plate + " · " + ui.data(a.reason) + " · " + personName(s, a.proposer),
            a.safety ? Tone::Warn : Tone::Neutral, a.safety ? Icon::Warning : Icon::None);
  }
  if (!n) ui.text(ui.tr("floor.none"), nullptr, IM_COL32(150, 150, 150, 255));
  if (patrol) {  // R11
    ui.heading(ui.tr("floor.patrol"));
    for (auto& id : s.open_entries) {
      const TimeEntry& e = s.entries.at(id);
      const Operation& op = s.operations.at(e.op);
      if (ui.button("floor.patrol." + op.id, opTitle(ui, s, op), Tone::Neutral, w - ui.m.mm(3), Icon::Wrench)) {
        startInspection(v, ui.cat, InspectionKind::Patrol, op.wo, op.id, std::nullopt);
        out.push_back(Go{Screen::Inspect, op.id});
      }
    }
  }
  ui.endList();
  ImGui::EndGroup();
}

}  // namespace bk::ui
