// The foreman's floor: every bay at a glance, operations waiting for peer
// inspection (R6), add-ons waiting for a first look, entries open too long
// (R3), and for the supervisor and technical director running work to patrol (R11).
#include "kiosk/screens/screens.hpp"

#include "domain/rules.hpp"

namespace bk::ui {

// Issue 14: one time entry, for the foreman: close it at a corrected time
// with a reason (signed), stop it now, message the technician, or give the
// operation to another technician of its trade or another bay (派工).
static void entryPanel(Ui& ui, const View& v, Intents& out) {
  const Shop& s = v.shop;
  EntryPanel& pnl = *v.st.entry_panel;
  auto it = s.entries.find(pnl.entry);
  if (it == s.entries.end()) { v.st.entry_panel.reset(); return; }
  const TimeEntry& e = it->second;
  const Operation& op = s.operations.at(e.op);
  const bool foreman = v.has(Role::Foreman) && e.tech != v.st.session->person;
  const ImVec2 avail = contentSize();
  if (ui.button("floor.entry_back", ui.tr("common.back"), Tone::Quiet, ui.m.mm(40), Icon::Back)) {
    v.st.entry_panel.reset();
    return;
  }
  ImGui::SameLine();
  ImGui::BeginGroup();
  ui.heading(personName(s, e.tech) + " · " + opTitle(ui, s, op));
  const Millis end = e.end.value_or(v.now);
  if (e.end)
    ui.text(format(ui.tr("floor.entry_times"), {dateTimeText(e.start, v.utc_offset_minutes),
                                                clockText(*e.end, v.utc_offset_minutes), durationText(end - e.start)}));
  else
    ui.text(format(ui.tr("floor.entry_running"), {dateTimeText(e.start, v.utc_offset_minutes), durationText(end - e.start)}));
  if (ghostEntry(s.policy, e, v.now)) ui.chip(ui.tr("floor.ghost"), Tone::Warn, Icon::Warning);
  ImGui::EndGroup();
  if (!foreman) return;
  // two columns: the correction on the left, message and dispatch on the right
  const float w = (avail.x - ui.m.gap()) / 2;
  ImGui::BeginGroup();

  // 1. the corrected end: when the shift ended, when the standard time was
  // up, or now (stop it)
  ui.text(ui.tr("floor.close_at"), nullptr, IM_COL32(190, 190, 190, 255));
  std::vector<std::pair<Millis, std::string>> ends;
  {
    const Millis shiftEnd = localMidnight(e.start, v.utc_offset_minutes) + Millis{s.policy.work_end_minute} * 60'000;
    if (shiftEnd > e.start && shiftEnd < end)
      ends.emplace_back(shiftEnd, format(ui.tr("floor.end_of_shift_at"), {clockText(shiftEnd, v.utc_offset_minutes)}));
    const Millis standard = e.start + Millis{std::max(op.std_minutes, 1)} * 60'000;
    if (standard < end) ends.emplace_back(standard, format(ui.tr("floor.standard_at"), {clockText(standard, v.utc_offset_minutes)}));
    const Millis limit = e.start + s.policy.overlong_entry;  // the ghost limit, when nothing else fits
    if (ends.size() < 2 && limit < end && limit != standard)
      ends.emplace_back(limit, format(ui.tr("floor.limit_at"), {clockText(limit, v.utc_offset_minutes)}));
    if (!e.end) ends.emplace_back(v.now, ui.tr("floor.stop_now"));
  }
  const float third = (w - 2 * ImGui::GetStyle().ItemSpacing.x) / 3;
  int i = 0;
  for (auto& [t, label] : ends) {
    if (i++) ImGui::SameLine();
    if (ui.button("floor.end." + std::to_string(i), label, pnl.end == t ? Tone::Primary : Tone::Neutral, third)) pnl.end = t;
  }
  // 2. why
  const auto& reasons = ui.cat.phrases("correction_reasons");
  const float half = (w - ImGui::GetStyle().ItemSpacing.x) / 2;
  for (std::size_t r = 0; r < reasons.size(); ++r) {
    if (r % 3) ImGui::SameLine();
    if (ui.button("floor.reason." + reasons[r].code, ui.t.lang == Lang::Zh ? reasons[r].zh : reasons[r].en,
                  pnl.reason == static_cast<int>(r) ? Tone::Primary : Tone::Neutral, third))
      pnl.reason = static_cast<int>(r);
  }
  // 3. sign
  const bool ready = pnl.end && pnl.reason >= 0;
  if (ui.button("floor.correct", ui.tr("floor.correct"), Tone::Good, w, Icon::Sign, ready))
    out.push_back(RequestSignature{CorrectEntry{e.id, *pnl.end, reasons[static_cast<std::size_t>(pnl.reason)].code, {}}});
  ImGui::EndGroup();

  ImGui::SameLine();
  ImGui::BeginGroup();
  // dispatch first: the choice signed, then another technician of the
  // trade, then another bay
  ui.text(ui.tr("floor.reassign"), nullptr, IM_COL32(190, 190, 190, 255));
  std::string choice;
  if (!pnl.to.empty()) choice = personName(s, pnl.to);
  if (auto b = s.bays.find(pnl.bay); b != s.bays.end()) choice += (choice.empty() ? "" : " · ") + b->second.name;
  if (ui.button("floor.dispatch", choice.empty() ? ui.tr("floor.dispatch") : ui.tr("floor.dispatch") + ": " + choice,
                Tone::Good, w, Icon::Sign, !choice.empty()))
    out.push_back(RequestSignature{ReassignOperation{op.id, pnl.to, pnl.bay, {}}});
  i = 0;
  for (auto& [pid, p] : s.people) {
    if (!p.active || !p.has(Role::Technician) || pid == op.main_tech) continue;
    if (op.trade != Trade::None && p.trade != op.trade) continue;
    if (i++ % 3) ImGui::SameLine();
    if (ui.button("floor.to." + pid, p.name, pnl.to == pid ? Tone::Primary : Tone::Neutral, third))
      pnl.to = pnl.to == pid ? Id{} : pid;
  }
  i = 0;
  for (auto& [bid, b] : s.bays) {
    if (bid == op.bay) continue;
    if (i++ % 3) ImGui::SameLine();
    if (ui.button("floor.bay." + bid, b.name, pnl.bay == bid ? Tone::Primary : Tone::Neutral, third))
      pnl.bay = pnl.bay == bid ? Id{} : bid;
  }

  // a message to the technician's bay
  ImGui::Dummy({0, ui.m.gap()});
  ui.text(ui.tr("floor.message"), nullptr, IM_COL32(190, 190, 190, 255));
  const auto& messages = ui.cat.phrases("floor_messages");
  for (std::size_t m = 0; m < messages.size(); ++m) {
    if (m % 2) ImGui::SameLine();
    if (ui.button("floor.message." + messages[m].code, ui.t.lang == Lang::Zh ? messages[m].zh : messages[m].en,
                  Tone::Neutral, half))
      out.push_back(Submit{SendMessage{"", v.st.session->person, e.tech, messages[m].code, e.id, v.now}});
  }
  ImGui::EndGroup();
}

void drawFloor(Ui& ui, const View& v, Intents& out) {
  const Shop& s = v.shop;
  if (v.st.entry_panel) {  // issue 14: the whole screen for one entry
    ui.beginList("floor.entry", contentSize());
    entryPanel(ui, v, out);
    ui.endList();
    return;
  }
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
    const ImU32 fill = running ? toneColour(late ? Tone::Warn : Tone::Primary, late ? 1.f : 0.7f) : IM_COL32(45, 48, 54, 255);
    const ImU32 fg = textOn(fill);
    dl->AddRectFilled(p, {p.x + tw, p.y + th}, fill, ui.m.mm(1.5f));
    const float line = ImGui::GetTextLineHeight();
    ui.textAt(dl, {p.x + ui.m.mm(2), p.y + ui.m.mm(1)}, fg, fill, ui.fit(bay.name, tw - ui.m.mm(4)));
    if (running) {
      ui.textAt(dl, {p.x + ui.m.mm(2), p.y + ui.m.mm(1) + line}, fg, fill, ui.fit(personName(s, running->tech), tw - ui.m.mm(9)));
      ui.textAt(dl, {p.x + ui.m.mm(2), p.y + ui.m.mm(1) + 2 * line}, fg, fill, durationText(v.now - running->start));
      if (late) drawIcon(dl, Icon::Warning, {p.x + tw - ui.m.mm(5), p.y + ui.m.mm(5)}, ui.m.mm(6), fg);
    } else {
      ui.textAt(dl, {p.x + ui.m.mm(2), p.y + ui.m.mm(1) + line}, IM_COL32(170, 170, 170, 255), fill, ui.tr("floor.idle"));
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
  // issue 15: comebacks first: each open one, its concern and its cause,
  // found by the foreman or a quality inspector who did none of the work
  {
    int cbs = 0;
    const bool finder = foreman || v.has(Role::QualityInspector);
    // (every comeback ever opened is looked at once per change of the shop, not every frame)
    std::vector<Id> open;
    if (v.derived && v.derived->open_comebacks) {
      open = *v.derived->open_comebacks;
    } else {
      for (auto it = s.comebacks_by_open.rbegin(); it != s.comebacks_by_open.rend(); ++it)
        if (!s.work_orders.at(it->second).delivered_at) open.push_back(it->second);
      if (v.derived) v.derived->open_comebacks = open;
    }
    for (const Id& id : open) {
      const WorkOrder& wo = s.work_orders.at(id);
      if (!cbs++) ui.heading(ui.tr("floor.comebacks"));
      const WorkOrder* orig = s.workOrder(wo.comeback_of);
      const std::string what = wo.vehicle.plate + " · " + ui.data(wo.concern) + " · " +
                               format(ui.tr("floor.comeback_of"), {orig ? orig->number : wo.comeback_of.str()});
      if (const Inspection* found = comebackInspection(s, wo.id)) {
        ui.wrapped(what, toneColour(Tone::Bad, 1.5f));
        ui.chip(ui.tr("cause." + std::string(name(*found->cause))) + " · " + personName(s, found->inspector),
                found->cause == ComebackCause::Workmanship ? Tone::Bad : Tone::Neutral, Icon::Check);
      } else if (ui.button("floor.comeback." + wo.id, what + " · " + ui.tr("floor.find_cause"), Tone::Bad,
                           w - ui.m.mm(3), Icon::Warning, finder)) {
        startInspection(v, ui.cat, InspectionKind::Comeback, wo.id, std::nullopt, std::nullopt);
        out.push_back(Go{Screen::Inspect, wo.id});
      }
    }
  }
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
  // R3: open too long, flagged, never closed silently; issue 14: a tap
  // opens the entry, for the foreman to correct it, stop it, message the
  // technician or give the job to someone else. Then everyone still on.
  ui.heading(ui.tr("floor.overlong"));
  for (auto* e : overlong)
    if (ui.button("floor.entry." + e->id, personName(s, e->tech) + " · " + durationText(v.now - e->start) + " · " +
                                            ui.data(s.operations.at(e->op).title),
                  Tone::Warn, w - ui.m.mm(3), Icon::Clock))
      v.st.entry_panel = EntryPanel{e->id, std::nullopt, -1, {}, {}};
  if (overlong.empty()) ui.text(ui.tr("floor.none"), nullptr, IM_COL32(150, 150, 150, 255));
  if (foreman) {
    // the end of the shift: everyone still on, each with one action (stop
    // now, then only the signature), or the whole entry on a tap
    ui.heading(ui.tr("floor.clocked_on"));
    int on = 0;
    const auto& reasons = ui.cat.phrases("correction_reasons");
    int stopped = -1;
    for (std::size_t r = 0; r < reasons.size(); ++r)
      if (reasons[r].code == "correction.stopped_by_foreman") stopped = static_cast<int>(r);
    const float stopW = ui.m.mm(24);
    for (auto& id : s.open_entries) {
      const TimeEntry& e = s.entries.at(id);
      if (ghostEntry(s.policy, e, v.now)) continue;  // listed above
      ++on;
      const bool mine = e.tech == v.st.session->person;
      if (ui.button("floor.entry." + id, personName(s, e.tech) + " · " + durationText(v.now - e.start) + " · " +
                                             ui.data(s.operations.at(e.op).title),
                    Tone::Neutral, w - ui.m.mm(3) - (mine ? 0 : stopW + ImGui::GetStyle().ItemSpacing.x), Icon::Play))
        v.st.entry_panel = EntryPanel{id, std::nullopt, -1, {}, {}};
      if (mine) continue;  // nobody corrects their own time
      ImGui::SameLine();
      if (ui.button("floor.stop." + id, ui.tr("floor.stop"), Tone::Warn, stopW, Icon::Stop))
        v.st.entry_panel = EntryPanel{id, v.now, stopped, {}, {}};
    }
    if (!on) ui.text(ui.tr("floor.none"), nullptr, IM_COL32(150, 150, 150, 255));
  }
  // add-ons waiting for a first look (proposed, not yet quoted)
  ui.heading(ui.tr("floor.addons"));
  n = 0;
  for (auto& [id, a] : s.addons) {
    auto* wo = s.workOrder(a.wo);
    if (a.quote || a.resolved() || !wo || wo->delivered_at) continue;
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
