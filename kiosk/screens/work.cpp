// The technician's screen: the running operation with a large live timer,
// pause with a reason (R3), finish through self-inspection (R5), raise an
// add-on (R12), and the queue: clock on, accept handover (R8), rework (R7).
#include "kiosk/screens/screens.hpp"

#include "domain/rules.hpp"

namespace bk::ui {

void startInspection(const View& v, const Catalog& cat, InspectionKind kind, const Id& wo, std::optional<Id> op,
                     std::optional<Id> downstream) {
  InspectForm f;
  f.kind = kind;
  f.wo = wo;
  f.op = op;
  f.downstream = downstream;
  const Operation* o = op ? v.shop.operation(*op) : nullptr;
  // issue 12: the job's checklist (its trade and labour operation), all unset
  f.items = cat.blankItems(kind, o ? o->trade : Trade::None, o ? o->title : std::string());
  v.st.inspect = f;
}

static void runningCard(Ui& ui, const View& v, const TimeEntry& e, float width, Intents& out) {
  const Shop& s = v.shop;
  const Operation& op = s.operations.at(e.op);
  const WorkOrder& wo = s.work_orders.at(op.wo);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  dl->AddRectFilled(p, {p.x + width, p.y + ui.m.mm(42)}, IM_COL32(0, 60, 100, 255), ui.m.mm(2));
  ImGui::SetCursorScreenPos({p.x + ui.m.mm(3), p.y + ui.m.mm(2)});
  ImGui::BeginGroup();
  ui.text(ui.tr("work.running") + "   " + durationText(v.now - e.start), nullptr, IM_COL32(190, 220, 255, 255));
  if (e.rework) {  // on the first line, so the card keeps its height
    ImGui::SameLine();
    ui.chip(ui.tr("phase.rework"), Tone::Bad, Icon::Wrench);
  }
  ui.text(ui.fit(ui.data(op.title), width - ui.m.mm(6)), ui.fonts.large);
  ui.text(wo.number + "  " + wo.vehicle.plate + "  " + wo.vehicle.model);
  // issue 14: the job's whole time, not this entry's: a resumed job goes on
  ui.text(durationText(timeOn(s, op.id, e.tech, v.now)), ui.fonts.timer);
  ImGui::EndGroup();
  ImGui::SetCursorScreenPos({p.x, p.y + ui.m.mm(44)});
  const float bw = (width - ImGui::GetStyle().ItemSpacing.x) / 2;
  const bool main = op.main_tech == v.st.session->person;
  // issue 14: the job card: standard time against the time spent, the promise
  ui.text(format(ui.tr("work.spent"), {durationText(timeOn(s, op.id, "", v.now)), std::to_string(op.std_minutes)}));
  if (wo.promised_at) ui.text(format(ui.tr("work.promised"), {dateTimeText(wo.promised_at, v.utc_offset_minutes)}));
  // issue 14: switching from a running job asks first, here, away from the
  // button that asked (nothing appears under the finger)
  if (const Operation* next = s.operation(v.st.confirm_switch)) {
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
    ui.wrapped(format(ui.tr("work.confirm_switch"), {ui.data(op.title), opTitle(ui, s, *next)}), toneColour(Tone::Warn, 1.4f));
    ImGui::PopTextWrapPos();
    if (ui.button("work.switch_confirm", ui.tr("work.switch"), Tone::Primary, bw, Icon::Play))
      out.push_back(Submit{ClockOn{"", v.st.session->person, next->id, v.bay, v.now}});
    ImGui::SameLine();
    if (ui.button("work.switch_cancel", ui.tr("common.cancel"), Tone::Quiet, bw, Icon::Back)) v.st.confirm_switch.clear();
    ImGui::SetScrollHereY(1.0f);  // the question and its answers in view, whatever is above them
    return;
  }
  // the pause reasons take the place of the buttons, so they are in view
  if (!v.st.choosing_pause) {
    if (ui.button("work.pause", ui.tr("work.pause"), Tone::Warn, bw, Icon::Pause)) v.st.choosing_pause = true;
    ImGui::SameLine();
    if (ui.button("work.finish", ui.tr("work.finish"), Tone::Good, bw, Icon::Check, main)) {
      startInspection(v, ui.cat, InspectionKind::Self, op.wo, op.id, std::nullopt);
      out.push_back(Go{Screen::Inspect, op.id});
    }
    if (ui.button("work.addon", ui.tr("work.raise_addon"), Tone::Primary, width, Icon::Warning, main)) {
      v.st.addon = AddOnForm{op.id};
      out.push_back(Go{Screen::AddOn, op.id});
    }
  }
  if (v.st.choosing_pause) {
    const StopReason reasons[] = {StopReason::WaitingParts, StopReason::WaitingApproval, StopReason::Break,
                                  StopReason::CalledAway};
    const float rw = (width - ui.m.gap()) / 2;
    int i = 0;
    for (StopReason r : reasons) {
      if (i++ % 2) ImGui::SameLine();
      if (ui.button("work.reason." + std::string(name(r)), ui.tr("stop." + std::string(name(r))), Tone::Warn, rw)) {
        out.push_back(Submit{ClockOff{e.tech, e.op, r, v.now}});
        v.st.choosing_pause = false;
      }
    }
    if (ui.button("work.reason.end_of_shift", ui.tr("stop.end_of_shift"), Tone::Quiet, rw)) {
      out.push_back(Submit{EndShift{e.tech, v.now}});  // R3: closes every open entry
      v.st.choosing_pause = false;
    }
    ImGui::SameLine();
    if (ui.button("work.reason.cancel", ui.tr("common.cancel"), Tone::Quiet, rw, Icon::Back)) v.st.choosing_pause = false;
  }
  // issue 14: what the customer said, and the desk's instructions for this job
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  if (!wo.complaint.empty()) ui.wrapped(format(ui.tr("work.complaint"), {wo.complaint}), toneColour(Tone::Primary, 1.6f));
  if (!op.instructions.empty()) ui.wrapped(format(ui.tr("work.instructions"), {op.instructions}), toneColour(Tone::Primary, 1.6f));
  // issue 15: a comeback, of which work order, and what the customer says
  if (wo.comeback()) {
    const WorkOrder* orig = s.workOrder(wo.comeback_of);
    ui.wrapped(format(ui.tr("work.comeback_of"), {orig ? orig->number : wo.comeback_of.str(), ui.data(wo.concern)}),
               toneColour(Tone::Bad, 1.5f));
  }
  ImGui::PopTextWrapPos();
  // issue 15: the car's history (维修档案), read-only
  if (ui.button("work.history", ui.tr("work.history"), Tone::Neutral, width, Icon::Clock)) {
    v.st.history_vin = wo.vehicle.vin;
    v.st.history_back = Screen::Work;
    out.push_back(Go{Screen::History, op.id});
  }
}

// Issue 14: what the technician should know now:
// the foreman's messages, work taken away, add-ons approved.
static void notices(Ui& ui, const View& v, Intents& out) {
  const Shop& s = v.shop;
  const Id me = v.st.session->person;
  for (auto& [id, m] : s.messages) {
    if (m.to != me || m.read_at) continue;
    ui.chip(personName(s, m.from) + ": " + ui.data(m.text), Tone::Warn, Icon::Person);
    ImGui::SameLine();
    if (ui.button("work.message_read." + id, ui.tr("work.message_read"), Tone::Neutral, 0, Icon::Check))
      out.push_back(Submit{ReadMessage{id, me, v.now}});
  }
  constexpr Millis kRecent = 8LL * 3600 * 1000;
  for (auto& [id, op] : s.operations) {
    if (op.reassigned_from == me && v.now - op.reassigned_at < kRecent)
      ui.chip(format(ui.tr("work.reassigned_away"), {ui.data(op.title), personName(s, op.main_tech)}), Tone::Neutral, Icon::Person);
  }
  for (auto& [id, a] : s.addons) {
    if (a.proposer == me && a.consent && a.consent->granted && v.now - a.consent->sig.at < kRecent)
      ui.chip(format(ui.tr("work.addon_approved"), {ui.data(a.reason)}), Tone::Good, Icon::Check);
    // issue 14: refused or sent back, and why
    if (a.proposer == me && a.refused && v.now - a.refused->sig.at < kRecent)
      ui.chip(format(ui.tr("work.addon_refused"), {ui.data(a.reason), ui.data(a.refused->reason)}), Tone::Bad, Icon::Cross);
    if (a.proposer == me && !a.returns.empty() && !a.quote && v.now - a.returns.back().sig.at < kRecent)
      ui.chip(format(ui.tr("work.addon_sent_back"), {ui.data(a.reason), ui.data(a.returns.back().reason)}), Tone::Warn, Icon::Back);
  }
}

void drawWork(Ui& ui, const View& v, Intents& out) {
  const Shop& s = v.shop;
  const Id me = v.st.session->person;
  const ImVec2 avail = contentSize();
  const float leftW = avail.x * 0.5f;
  auto mine = s.openEntriesOf(me);

  ui.beginList("work.left", {leftW, avail.y});
  notices(ui, v, out);
  if (!mine.empty()) {
    runningCard(ui, v, *mine.front(), leftW - ui.m.mm(2), out);
  } else {
    ui.heading(ui.tr("work.not_running"));
    ui.wrapped(ui.tr("work.pick_from_queue"), IM_COL32(190, 190, 190, 255));
  }
  // issue 14: my hours today (the shop's day, from local midnight)
  ui.text(format(ui.tr("work.my_hours"), {durationText(timeWorked(s, me, localMidnight(v.now, v.utc_offset_minutes), v.now))}),
          nullptr, IM_COL32(200, 200, 200, 255));
  // rework sent back to me (R7)
  bool any = false;
  for (auto& [id, rw] : s.reworks) {
    if (rw.assigned_to != me || rw.closed_at) continue;
    if (!any) { ImGui::Dummy({0, ui.m.gap()}); ui.heading(ui.tr("work.rework_for_me")); any = true; }
    const Operation* op = s.operation(rw.op);
    ui.chip(ui.tr("inspection." + std::string(name(rw.found_in))) + " · " + ui.data(rw.defect), Tone::Bad, Icon::Wrench);
    if (op) ui.text(opTitle(ui, s, *op), nullptr, IM_COL32(200, 200, 200, 255));
  }
  // quality charges against me that I may dispute (R8); the manager decides
  for (auto& [id, inc] : s.incidents) {
    if (inc.charged_to != me || inc.disputed_by || inc.decision || !inc.charged()) continue;
    const WorkOrder* wo = s.workOrder(inc.wo);
    if (!wo || v.now - inc.at > 30LL * 24 * 3600 * 1000) continue;  // this month's charges
    ImGui::Dummy({0, ui.m.gap()});
    ui.chip(ui.tr("work.charged") + " · " + ui.data(inc.defect), Tone::Warn, Icon::Warning);
    ui.text(wo->vehicle.plate + " · " + dateTimeText(inc.at, v.utc_offset_minutes), nullptr, IM_COL32(200, 200, 200, 255));
    if (v.st.dispute_incident != id) {
      if (ui.button("work.dispute." + id, ui.tr("work.dispute"), Tone::Neutral, ui.m.mm(56))) {
        v.st.dispute_incident = id;
        v.st.dispute_reason = -1;
      }
      continue;
    }
    const auto& reasons = ui.cat.phrases("dispute_reasons");
    for (std::size_t i = 0; i < reasons.size(); ++i)
      if (ui.button("work.dispute_reason." + reasons[i].code, ui.t.lang == Lang::Zh ? reasons[i].zh : reasons[i].en,
                    v.st.dispute_reason == static_cast<int>(i) ? Tone::Primary : Tone::Neutral, leftW - ui.m.mm(4)))
        v.st.dispute_reason = static_cast<int>(i);
    if (ui.button("work.dispute_send", ui.tr("work.dispute_send"), Tone::Good, ui.m.mm(56), Icon::Check,
                  v.st.dispute_reason >= 0)) {
      out.push_back(Submit{DisputeCharge{id, me, reasons[static_cast<std::size_t>(v.st.dispute_reason)].code, v.now}});
      v.st.dispute_incident.clear();
    }
  }
  ImGui::EndChild();

  ImGui::SameLine();
  ImGui::BeginGroup();
  ui.heading(ui.tr("work.queue"));
  const float w = avail.x - leftW - ui.m.gap();
  ui.beginList("work.queue", {w, avail.y - ImGui::GetTextLineHeightWithSpacing() * 2});
  int queued = 0;
  // issue 15: the domain's order: comebacks first, then the earliest promised
  for (const Operation* queuedOp : workQueue(s, me)) {
    const Operation& op = *queuedOp;
    const bool running = !mine.empty() && mine.front()->op == op.id;
    if (running) continue;
    ++queued;
    operationRow(ui, v, op, w - ui.m.mm(3));
    auto blocker = clockBlocker(s, op);
    // issue 14: a paused job says why, and how long it has taken so far
    const TimeEntry* paused = pausedEntry(s, op.id, me);
    if (paused && paused->reason)
      ui.text(format(ui.tr("work.paused"), {ui.tr("stop." + std::string(name(*paused->reason))),
                                            durationText(timeOn(s, op.id, me, v.now))}),
              nullptr, toneColour(Tone::Warn, 1.4f));
    if (!blocker) {
      if (ui.button("work.clock_on." + op.id, ui.tr(paused ? "work.resume" : "work.clock_on"), Tone::Good, ui.m.mm(56), Icon::Play)) {
        if (mine.empty()) out.push_back(Submit{ClockOn{"", me, op.id, v.bay, v.now}});
        else v.st.confirm_switch = op.id;  // issue 14: asks first
      }
    } else if (blocker->reason == Reason::BlockedAwaitingHandover) {
      // R8: accept the upstream work, the vehicle's appearance especially
      if (ui.button("work.accept." + op.id, ui.tr("work.accept_handover"), Tone::Primary, ui.m.mm(56), Icon::Check)) {
        startInspection(v, ui.cat, InspectionKind::Handover, op.wo, *op.upstream, op.id);
        out.push_back(Go{Screen::Inspect, op.id});
      }
    }
    ImGui::Dummy({0, ui.m.mm(1)});
  }
  if (!queued) ui.text(ui.tr("floor.none"), nullptr, IM_COL32(150, 150, 150, 255));
  ui.endList();
  ImGui::EndGroup();
}

}  // namespace bk::ui
