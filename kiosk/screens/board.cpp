// The locked screen: the bay's board — its work orders and operations, who
// is clocked on with running timers, what is blocked and why — and sign-in.
#include "kiosk/screens/screens.hpp"

#include "domain/rules.hpp"

namespace bk::ui {

void operationRow(Ui& ui, const View& v, const Operation& op, float width) {
  const Shop& s = v.shop;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  // issue 14: the card grows with what it holds (a long title wraps, a chip
  // may take lines): its background goes under the text once measured
  constexpr ImU32 kCard = IM_COL32(40, 44, 50, 255);
  const ImU32 under = ui.bg;
  ui.bg = kCard;
  dl->ChannelsSplit(2);
  dl->ChannelsSetCurrent(1);
  ImGui::SetCursorScreenPos({p.x + ui.m.mm(2), p.y + ui.m.mm(1)});
  ImGui::BeginGroup();
  for (const std::string& line : ui.lines(opTitle(ui, s, op), width * 0.55f, 3)) ui.text(line);
  ui.text(personName(s, op.main_tech) + " · " + ui.tr("trade." + std::string(name(op.trade))), nullptr,
          IM_COL32(170, 170, 170, 255));
  // issue 15: a comeback (返修) says so: it goes first
  if (const WorkOrder* wo = s.workOrder(op.wo); wo && wo->comeback()) ui.chip(ui.tr("comeback.chip"), Tone::Bad, Icon::Warning);
  ImGui::EndGroup();
  float bottom = ImGui::GetItemRectMax().y;
  // right part: running timer, or a phase / blocked chip
  ImGui::SetCursorScreenPos({p.x + width * 0.58f, p.y + ui.m.mm(1.5f)});
  ImGui::BeginGroup();
  auto open = s.openEntriesOn(op.id);
  if (!open.empty()) {
    const TimeEntry* e = open.front();
    ui.chip(ui.tr("board.running") + " " + personName(s, e->tech), Tone::Primary, Icon::Play);
    ImGui::SameLine();
    ui.text(durationText(v.now - e->start), ui.fonts.large);
  } else if (auto b = clockBlocker(s, op); b && (op.phase == Phase::Open || op.phase == Phase::Rework || op.phase == Phase::AwaitingApproval)) {
    ui.chip(refusalText(ui, *b), Tone::Warn, Icon::Lock);
  } else {
    const Tone tone = op.phase == Phase::Done ? Tone::Good : op.phase == Phase::Rework ? Tone::Bad
                    : op.phase == Phase::Declined ? Tone::Quiet : Tone::Neutral;
    const Icon icon = op.phase == Phase::Done ? Icon::Check : op.phase == Phase::Rework ? Icon::Wrench : Icon::Clock;
    ui.chip(ui.tr("phase." + std::string(name(op.phase))), tone, icon);
  }
  ImGui::EndGroup();
  bottom = std::max({bottom, ImGui::GetItemRectMax().y, p.y + ui.m.mm(16)}) + ui.m.mm(1);
  dl->ChannelsSetCurrent(0);
  dl->AddRectFilled(p, {p.x + width, bottom}, kCard, ui.m.mm(1));
  dl->ChannelsMerge();
  ui.bg = under;
  ImGui::SetCursorScreenPos({p.x, bottom + ui.m.mm(1.2f)});
}

void drawBoard(Ui& ui, const View& v, Intents& out) {
  const Shop& s = v.shop;
  const ImVec2 avail = contentSize();
  const float side = ui.m.mm(70);
  ImGui::BeginGroup();
  auto* bay = s.bays.count(v.bay) ? &s.bays.at(v.bay) : nullptr;
  ui.heading(format(ui.tr("board.title"), {bay ? bay->name : v.bay.str()}));
  // the bay's work: open work orders parked here and anything clocked here
  std::vector<const Operation*> ops;
  std::set<Id> seen;
  for (auto& [id, wo] : s.work_orders) {
    if (wo.delivered_at || wo.bay != v.bay) continue;
    for (auto* op : s.opsOf(id)) if (seen.insert(op->id).second) ops.push_back(op);
  }
  for (auto& id : s.open_entries) {
    const TimeEntry& e = s.entries.at(id);
    if (e.bay == v.bay && seen.insert(e.op).second) ops.push_back(&s.operations.at(e.op));
  }
  const float listW = avail.x - side - ui.m.gap();
  ui.beginList("board.list", {listW, avail.y - ImGui::GetTextLineHeightWithSpacing() * 2});
  if (ops.empty()) ui.text(ui.tr("board.empty"), ui.fonts.large, IM_COL32(170, 170, 170, 255));
  for (auto* op : ops) operationRow(ui, v, *op, listW - ui.m.mm(3));
  ui.endList();
  ImGui::EndGroup();
  ImGui::SameLine();
  ImGui::BeginGroup();
  ImGui::Dummy({0, ui.m.mm(10)});
  drawIcon(ImGui::GetWindowDrawList(), Icon::Lock, {ImGui::GetCursorScreenPos().x + side * 0.5f, ImGui::GetCursorScreenPos().y + ui.m.mm(8)},
           ui.m.mm(12), IM_COL32(200, 200, 200, 255));
  ImGui::Dummy({side, ui.m.mm(18)});
  ui.wrapped(ui.tr("board.badge_hint"), IM_COL32(200, 200, 200, 255));
  ImGui::Dummy({0, ui.m.gap()});
  if (ui.button("board.signin", ui.tr("board.sign_in_pin"), Tone::Primary, side, Icon::Person))
    out.push_back(Go{Screen::SignIn, {}});
  if (!v.st.badge.empty()) ui.text(std::string(v.st.badge.size(), '*'), ui.fonts.large);
  ImGui::EndGroup();
}

}  // namespace bk::ui
