// Issue 15: a car's history (维修档案) at the bay, read-only, from the job
// card: its earlier work orders, newest first, with their operations, the
// inspections and the values recorded, rework, and the safety items the
// customer declined.
#include "kiosk/screens/screens.hpp"

#include "domain/rules.hpp"

#include <cstdio>

namespace bk::ui {

// Issue 15: the advisor opens a comeback of a delivered visit: the
// customer's concern and the operation to do again, both picked; the new
// work order takes the car, customer and category, and the job goes to the
// same trade and technician (the foreman can give it to someone else).
static OpenWorkOrder comebackAction(const View& v, const WorkOrder& w, const Operation& op, const std::string& concern) {
  OpenWorkOrder o;
  o.wo.vehicle = w.vehicle;
  o.wo.customer = w.customer;
  o.wo.advisor = v.st.session ? v.st.session->person : Id{};
  o.wo.category = w.category;
  o.wo.opened_at = v.now;
  o.wo.promised_at = v.now + 4 * 3'600'000;
  o.wo.bay = w.bay;
  o.wo.comeback_of = w.id;
  o.wo.concern = concern;
  o.ops.push_back(OperationSpec{"", op.trade, op.title, op.std_minutes, op.main_tech, false, {}});
  return o;
}

static void comebackForm(Ui& ui, const View& v, const WorkOrder& w, const Visit& visit, Intents& out) {
  AppState& st = v.st;
  const float width = contentSize().x - ui.m.mm(6);
  ComebackForm& f = *st.comeback;
  ImGui::PushFont(ui.fonts.large);
  ui.wrapped(format(ui.tr("history.comeback_title"), {w.number, dateText(*w.delivered_at, v.utc_offset_minutes)}),
             toneColour(Tone::Bad, 1.5f));
  ImGui::PopFont();
  ui.text(ui.tr("history.concern"), ui.fonts.large);
  const auto& concerns = ui.cat.phrases("comeback_concerns");
  const float cw = (width - ui.m.mm(4)) / 2;
  for (std::size_t i = 0; i < concerns.size(); ++i) {
    if (i % 2) ImGui::SameLine();
    if (ui.button("history.concern." + concerns[i].code, ui.t.lang == Lang::Zh ? concerns[i].zh : concerns[i].en,
                  f.concern == static_cast<int>(i) ? Tone::Primary : Tone::Neutral, cw))
      f.concern = static_cast<int>(i);
  }
  ui.text(ui.tr("history.redo_op"), ui.fonts.large);
  for (const Operation& op : visit.ops) {
    if (op.phase != Phase::Done) continue;
    if (ui.button("history.redo." + op.id, ui.data(op.title) + " · " + personName(v.shop, op.main_tech),
                  f.op == op.id ? Tone::Primary : Tone::Neutral, width))
      f.op = op.id;
  }
  const Operation* picked = v.shop.operation(f.op);
  std::optional<OpenWorkOrder> action;
  if (picked && f.concern >= 0) {
    action = comebackAction(v, w, *picked, concerns[static_cast<std::size_t>(f.concern)].code);
    OpenWorkOrder probe = *action;  // checked with stand-in ids; the App makes the real ones
    probe.wo.id = "draft-comeback";
    probe.ops[0].id = "draft-comeback-1";
    if (!check(v.shop, probe)) action.reset();
  }
  if (ui.button("history.comeback_open", ui.tr("history.comeback_open"), Tone::Bad, ui.m.mm(90), Icon::Check, action.has_value())) {
    out.push_back(Submit{*action});
    st.comeback.reset();
  }
  ImGui::SameLine();
  if (ui.button("history.comeback_cancel", ui.tr("common.cancel"), Tone::Quiet, ui.m.mm(40))) st.comeback.reset();
}

void drawHistory(Ui& ui, const View& v, Intents& out) {
  const Shop& s = v.shop;
  const AppState& st = v.st;
  const ImVec2 avail = contentSize();
  if (ui.button("history.back", ui.tr("common.back"), Tone::Quiet, ui.m.mm(40), Icon::Back)) {
    out.push_back(Go{st.history_back, {}});
    return;
  }
  ImGui::SameLine();
  ImGui::BeginGroup();
  ui.heading(ui.tr("history.title"));
  ui.text("VIN " + st.history_vin, nullptr, IM_COL32(190, 190, 190, 255));
  ImGui::EndGroup();
  ui.beginList("history.list", {avail.x, ImGui::GetContentRegionAvail().y});
  // issue 15: the advisor's comeback of one visit, at the top, the visits below
  if (st.comeback)
    for (const Visit& visit : st.history)
      if (visit.wo.id == st.comeback->of && visit.wo.delivered_at) {
        comebackForm(ui, v, visit.wo, visit, out);
        ImGui::Dummy({0, ui.m.gap()});
      }
  if (st.held_from) {  // issue 16: a bay from the hub's snapshot: older visits are the hub's
    const std::string since = dateText(*st.held_from, v.utc_offset_minutes);
    const ImU32 grey = IM_COL32(170, 170, 170, 255);
    if (!st.hub_history) {  // (a bay without a hub)
      ui.wrapped(format(ui.tr("history.since"), {since}), grey);
    } else if (!st.hub_history->done) {
      ui.wrapped(format(ui.tr("history.asking_hub"), {since}), grey);
    } else if (st.hub_history->error.empty()) {
      ui.wrapped(format(ui.tr("history.from_hub"), {since}), grey);
    } else {
      const ImU32 amber = IM_COL32(240, 170, 90, 255);
      if (st.hub_history->unreachable) ui.wrapped(format(ui.tr("history.hub_offline"), {since}), amber);
      else ui.wrapped(format(ui.tr("history.hub_failed"), {since, st.hub_history->error}), amber);
      if (ui.button("history.ask_again", ui.tr("report.ask_again"), Tone::Primary, ui.m.mm(60))) out.push_back(Go{Screen::History, st.selected});
    }
  }
  // a work order's number, from the bay or from the hub's visits
  auto number = [&](const Id& id) -> std::string {
    if (const WorkOrder* w = s.workOrder(id)) return w->number;
    for (const Visit& other : st.history)
      if (other.wo.id == id) return other.wo.number;
    return id;
  };
  if (st.history.empty()) ui.text(ui.tr("history.none"), nullptr, IM_COL32(170, 170, 170, 255));
  for (const Visit& visit : st.history) {
    const WorkOrder& w = visit.wo;
    ImGui::Dummy({0, ui.m.gap()});
    std::string head = dateText(w.opened_at, v.utc_offset_minutes) + "  " + w.number + "  " + ui.tr("category." + std::string(name(w.category)));
    if (w.odometer_km) head += "  " + format(ui.tr("approvals.odometer"), {std::to_string(w.odometer_km)});
    if (st.history_from_hub.count(w.id)) head += "  · " + ui.tr("history.hub_visit");  // issue 16
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
    // issue 15: comebacks, both ways, with the cause once it is found
    if (w.comeback()) {
      std::string line = format(ui.tr("work.comeback_of"), {number(w.comeback_of), ui.data(w.concern)});
      if (const Inspection* found = comebackInspection(s, w.id)) line += " · " + ui.tr("cause." + std::string(name(*found->cause)));
      ui.chip(line, Tone::Bad, Icon::Warning);
    }
    for (const Id& c : visit.comebacks)
      for (const Visit& back : st.history)  // (every visit of the car: the bay's and the hub's)
        if (back.wo.id == c)
          ui.chip(format(ui.tr("history.came_back"), {back.wo.number, dateText(back.wo.opened_at, v.utc_offset_minutes)}), Tone::Bad,
                  Icon::Back);
    // (not of a visit from the hub: the bay holds every car within the comeback window)
    if (w.delivered_at && (v.has(Role::ServiceAdvisor) || v.has(Role::ServiceManager)) && !st.comeback &&
        !st.history_from_hub.count(w.id) &&
        ui.button("history.comeback." + w.id, ui.tr("history.open_comeback"), Tone::Bad, ui.m.mm(90), Icon::Warning))
      v.st.comeback = ComebackForm{w.id, -1, {}};
  }
  ui.endList();
}

}  // namespace bk::ui
