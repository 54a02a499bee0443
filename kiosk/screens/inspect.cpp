// One inspection form for every kind (self R5, peer R6, patrol R11,
// handover R8, final R9): checklist items as pass/fail toggles or measured
// values typed on the keypad with the tolerance shown and checked, the
// defect from the trade's list when something fails, then the signature.
#include "kiosk/screens/screens.hpp"

#include <cstdio>
#include <cstdlib>

namespace bk::ui {

static std::string number(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", v);
  return b;
}

static bool anyFail(const InspectForm& f) {
  for (auto& it : f.items) if (it.verdict == Verdict::Fail) return true;
  return f.road_test == Verdict::Fail;
}

void drawInspect(Ui& ui, const View& v, Intents& out) {
  AppState& st = v.st;
  InspectForm& f = st.inspect;
  const Shop& s = v.shop;
  const ImVec2 avail = contentSize();
  const Operation* op = f.op ? s.operation(*f.op) : nullptr;
  const WorkOrder* wo = s.workOrder(f.wo);
  if (!wo) { out.push_back(Go{Screen::Work, {}}); return; }

  if (ui.button("inspect.back", ui.tr("common.back"), Tone::Quiet, ui.m.mm(40), Icon::Back)) {
    out.push_back(Go{screensFor(*v.me()).front(), {}});
    return;
  }
  ImGui::SameLine();
  ImGui::BeginGroup();
  ui.heading(ui.tr("inspection." + std::string(name(f.kind))));
  ui.text(wo->number + "  " + wo->vehicle.plate + "  " + (op ? ui.data(op->title) : wo->vehicle.model), nullptr,
          IM_COL32(190, 190, 190, 255));
  ImGui::EndGroup();

  const bool keypadOpen = f.keypad_item >= 0 && f.keypad_item < static_cast<int>(f.items.size());
  const float listW = keypadOpen ? avail.x - ui.m.mm(86) : avail.x;
  // what stays below the list: one line of advice and the sign button
  const float bottom = ui.m.touch() + ImGui::GetTextLineHeightWithSpacing() + ImGui::GetStyle().ItemSpacing.y * 2;
  ui.beginList("inspect.items", {listW, ImGui::GetContentRegionAvail().y - bottom});
  for (std::size_t i = 0; i < f.items.size(); ++i) {
    ChecklistItem& it = f.items[i];
    const std::string id = "inspect.item." + it.key;
    ImGui::PushID(static_cast<int>(i));
    ui.text(ui.data(it.key));
    if (!it.unit.empty()) {
      // a measured value: typed on the keypad, tolerance shown, checked
      const std::string tol = number(it.min.value_or(0)) + " – " + number(it.max.value_or(0)) + " " + it.unit;
      const std::string shown = it.value ? number(*it.value) + " " + it.unit : ui.tr("inspect.enter_value");
      if (ui.button(id + ".value", shown, Tone::Neutral, ui.m.mm(50), Icon::None)) {
        f.keypad_item = static_cast<int>(i);
        f.keypad_text = it.value ? number(*it.value) : "";
      }
      ImGui::SameLine();
      ImGui::BeginGroup();
      ui.text(ui.tr("inspect.tolerance") + " " + tol, nullptr, IM_COL32(190, 190, 190, 255));
      if (it.value) {
        const bool inside = (!it.min || *it.value >= *it.min) && (!it.max || *it.value <= *it.max);
        it.verdict = inside ? Verdict::Pass : Verdict::Fail;
        ui.chip(ui.tr(inside ? "verdict.pass" : "verdict.fail"), inside ? Tone::Good : Tone::Bad, inside ? Icon::Check : Icon::Cross);
      } else {
        it.verdict = Verdict::NotApplicable;  // not measured
        ui.chip(ui.tr("inspect.not_measured"), Tone::Quiet, Icon::None);
      }
      ImGui::EndGroup();
    } else {
      ui.verdict(id, it.verdict, true);
    }
    ImGui::Dummy({0, ui.m.mm(1.5f)});
    ImGui::PopID();
  }
  if (f.kind == InspectionKind::Final && wo->road_test_required) {
    ui.text(ui.tr("inspect.road_test"), ui.fonts.large);
    Verdict rt = f.road_test.value_or(Verdict::Pass);
    if (ui.verdict("inspect.road_test", rt, false)) f.road_test = rt;
  }
  const bool failing = anyFail(f);
  if (failing && f.kind != InspectionKind::Self) {
    // R7/R8: a failure names its defect; a final names the operation too
    if (f.kind == InspectionKind::Final) {
      ui.text(ui.tr("inspect.defect_op"), ui.fonts.large);
      for (auto* o : s.opsOf(f.wo)) {
        if (o->phase != Phase::Done) continue;
        if (ui.button("inspect.defect_op." + o->id, ui.fit(ui.data(o->title), ui.m.mm(70)),
                      f.defect_op == o->id ? Tone::Primary : Tone::Neutral, ui.m.mm(75)))
          f.defect_op = o->id;
      }
    }
    const Operation* target = f.kind == InspectionKind::Final && f.defect_op ? s.operation(*f.defect_op) : op;
    ui.text(ui.tr("inspect.defect"), ui.fonts.large);
    int n = 0;
    const float dw = (listW - ui.m.mm(6)) / 2;
    for (auto& d : ui.cat.defects(target ? target->trade : Trade::None)) {
      if (n++ % 2) ImGui::SameLine();
      if (ui.button("inspect.defect." + d.code, ui.t.lang == Lang::Zh ? d.zh : d.en,
                    f.defect == d.code ? Tone::Bad : Tone::Neutral, dw))
        f.defect = d.code;
    }
    if (f.kind == InspectionKind::Patrol) {
      if (ui.button("inspect.stop", ui.tr("inspect.stop_operation"), f.stop ? Tone::Bad : Tone::Quiet, ui.m.mm(70), Icon::Stop))
        f.stop = !f.stop;
    }
  }
  ui.endList();

  if (keypadOpen) {
    ImGui::SameLine();
    ImGui::BeginGroup();
    ChecklistItem& it = f.items[static_cast<std::size_t>(f.keypad_item)];
    ui.text(ui.data(it.key) + ": " + (f.keypad_text.empty() ? "—" : f.keypad_text) + " " + it.unit, ui.fonts.large);
    if (ui.keypad("inspect.keypad", f.keypad_text)) {
      char* end = nullptr;
      const double val = std::strtod(f.keypad_text.c_str(), &end);
      if (end && *end == 0) it.value = val;
      f.keypad_item = -1;
    }
    ImGui::SameLine();
    if (ui.button("inspect.keypad.cancel", ui.tr("common.cancel"), Tone::Quiet, ui.m.mm(19))) f.keypad_item = -1;
    ImGui::EndGroup();
  }

  // the signature, showing the result it will carry
  const bool needsDefect = failing && f.kind != InspectionKind::Self &&
                           (!f.defect || (f.kind == InspectionKind::Final && !f.defect_op));
  const std::string label = format(ui.tr("inspect.sign_as"), {ui.tr(failing ? "verdict.fail" : "verdict.pass")});
  ui.text(needsDefect ? ui.tr("inspect.pick_defect_first") : " ", nullptr, toneColour(Tone::Warn, 1.3f));
  if (ui.button("inspect.sign", label, failing ? Tone::Bad : Tone::Good, ui.m.mm(90), Icon::Sign, !needsDefect)) {
    Inspection in;
    in.kind = f.kind;
    in.wo = f.wo;
    in.op = f.op;
    in.downstream = f.downstream;
    in.inspector = v.st.session->person;
    in.items = f.items;
    in.result = failing ? Verdict::Fail : Verdict::Pass;
    if (failing) in.defect = f.defect;
    in.defect_op = failing ? f.defect_op : std::nullopt;
    in.road_test = f.road_test;
    in.stop = failing && f.stop;
    out.push_back(RequestSignature{RecordInspection{in, {}}});
  }
}

}  // namespace bk::ui
