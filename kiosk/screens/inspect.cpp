// One inspection form for every kind (self R5, peer R6, patrol R11,
// handover R8, final R9). Issue 12: nothing is judged for the inspector.
// Every item starts unset; a measured value is typed on the keypad and its
// verdict follows from the tolerance; N/A takes a reason from a list; a
// final's road test is a record (driver, odometer, minutes, findings). The
// technician's self-inspection is shown beside the inspector's own items.
// The sign button stays off, saying why, until the domain would take it.
#include "kiosk/screens/screens.hpp"

#include "domain/rules.hpp"

#include <cstdio>
#include <cstdlib>

namespace bk::ui {

static std::string number(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", v);
  return b;
}

static std::string itemLabel(const Ui& ui, const ChecklistItem& it) {
  const std::string& own = ui.t.lang == Lang::Zh ? it.zh : it.en;
  return own.empty() ? ui.data(it.key) : own;
}

static bool anyFail(const InspectForm& f) {
  for (auto& it : f.items) if (it.verdict == Verdict::Fail) return true;
  return f.road_test == Verdict::Fail;
}

// What the technician recorded for the same item in their self-inspection
// of the operation (of any operation of the work order, for a final).
static const ChecklistItem* selfItem(const Shop& s, const InspectForm& f, const std::string& key) {
  if (f.kind == InspectionKind::Self) return nullptr;
  std::vector<Id> ops;
  if (f.op) ops.push_back(*f.op);
  else for (auto* o : s.opsOf(f.wo)) ops.push_back(o->id);
  for (const Id& op : ops)
    if (const Inspection* in = latestInspection(s, InspectionKind::Self, op))
      for (auto& it : in->items) if (it.key == key) return &it;
  return nullptr;
}

static std::string shownValue(const Ui& ui, const ChecklistItem& it) {
  if (it.verdict == Verdict::NotApplicable) return ui.tr("verdict.na") + (it.na_reason.empty() ? "" : " · " + ui.data(it.na_reason));
  std::string s = it.value ? number(*it.value) + " " + it.unit + " " : "";
  return s + (it.verdict ? ui.tr("verdict." + std::string(name(*it.verdict))) : "—");
}

// The inspection the form would sign now (its id is made on signing).
Inspection formInspection(const View& v, const Catalog& cat) {
  const InspectForm& f = v.st.inspect;
  Inspection in;
  in.id = "draft";
  in.kind = f.kind;
  in.wo = f.wo;
  in.op = f.op;
  in.downstream = f.downstream;
  in.inspector = v.st.session ? v.st.session->person : Id{};
  in.items = f.items;
  in.catalog = cat.version();
  const bool failing = anyFail(f);
  in.result = failing ? Verdict::Fail : Verdict::Pass;
  if (failing) in.defect = f.defect;
  in.defect_op = failing ? f.defect_op : std::nullopt;
  in.road_test = f.road_test;
  if (f.road_test || f.road.driver.size() || f.odo_start || f.odo_end || f.road.minutes) {
    RoadTest r = f.road;
    r.odo_start = f.odo_start.value_or(-1);
    r.odo_end = f.odo_end.value_or(-1);
    in.road = r;
  }
  in.stop = failing && f.stop;
  if (f.kind == InspectionKind::Comeback) {  // issue 15: the cause decides the result
    const bool workmanship = f.cause == ComebackCause::Workmanship;
    in.cause = f.cause;
    in.result = workmanship ? Verdict::Fail : Verdict::Pass;
    in.defect = workmanship ? f.defect : std::nullopt;
    in.defect_op.reset();
    in.road_test.reset();
    in.road.reset();
    in.stop = false;
    if (f.cause == ComebackCause::DifferentConcern) in.op.reset();
  }
  return in;
}

// Issue 15: a comeback's cause, the original operation it lies in, and for
// workmanship its defect; nothing picked for the inspector.
static void comebackCause(Ui& ui, const View& v, InspectForm& f, float width) {
  const Shop& s = v.shop;
  const WorkOrder* cb = s.workOrder(f.wo);
  if (!cb) return;
  ui.text(ui.tr("inspect.cause"), ui.fonts.large);
  const float cw = (width - ui.m.mm(6)) / 2;
  int n = 0;
  for (ComebackCause c : {ComebackCause::Workmanship, ComebackCause::Misdiagnosis, ComebackCause::PartFailure,
                          ComebackCause::DifferentConcern}) {
    if (n++ % 2) ImGui::SameLine();
    const bool on = f.cause == c;
    if (ui.button("inspect.cause." + std::string(name(c)), ui.tr("cause." + std::string(name(c))),
                  on ? (c == ComebackCause::Workmanship ? Tone::Bad : Tone::Primary) : Tone::Neutral, cw)) {
      f.cause = c;
      if (c != ComebackCause::Workmanship) f.defect.reset();
    }
  }
  if (!f.cause || f.cause == ComebackCause::DifferentConcern) return;
  ui.text(ui.tr("inspect.original_op"), ui.fonts.large);
  for (const Operation* o : s.opsOf(cb->comeback_of)) {
    if (o->phase != Phase::Done) continue;
    if (ui.button("inspect.original_op." + o->id, ui.data(o->title) + " · " + personName(s, o->main_tech),
                  f.op == o->id ? Tone::Primary : Tone::Neutral, width - ui.m.mm(4)))
      f.op = o->id;
  }
  if (f.cause != ComebackCause::Workmanship) return;
  const Operation* target = f.op ? s.operation(*f.op) : nullptr;
  ui.text(ui.tr("inspect.defect"), ui.fonts.large);
  n = 0;
  const float dw = (width - ui.m.mm(6)) / 2;
  for (auto& d : ui.cat.defects(target ? target->trade : Trade::None)) {
    if (n++ % 2) ImGui::SameLine();
    if (ui.button("inspect.defect." + d.code, ui.t.lang == Lang::Zh ? d.zh : d.en, f.defect == d.code ? Tone::Bad : Tone::Neutral, dw))
      f.defect = d.code;
  }
}

static void naReasons(Ui& ui, ChecklistItem& it, float width) {
  const auto& reasons = ui.cat.phrases("na_reasons");
  const float w = (width - ui.m.mm(6)) / 2;
  int n = 0;
  for (auto& r : reasons) {
    if (n++ % 2) ImGui::SameLine();
    if (ui.button("inspect.item." + it.key + ".na_reason." + r.code, ui.fit(ui.t.lang == Lang::Zh ? r.zh : r.en, w - ui.m.mm(4)),
                  it.na_reason == r.code ? Tone::Primary : Tone::Quiet, w))
      it.na_reason = r.code;
  }
}

static void roadTest(Ui& ui, const View& v, InspectForm& f, float width) {
  const Shop& s = v.shop;
  ui.text(ui.tr("inspect.road_test"), ui.fonts.large);
  // who drove: the inspector, or someone who worked on the car
  ui.text(ui.tr("road.driver"), nullptr, IM_COL32(190, 190, 190, 255));
  std::vector<Id> drivers{v.st.session->person};
  for (auto* o : s.opsOf(f.wo))
    if (std::find(drivers.begin(), drivers.end(), o->main_tech) == drivers.end()) drivers.push_back(o->main_tech);
  const float dw = ui.m.mm(48);
  int n = 0;
  for (const Id& d : drivers) {
    const Person* p = s.person(d);
    if (!p) continue;
    if (n++ % 3) ImGui::SameLine();
    if (ui.button("inspect.road.driver." + d, ui.fit(p->name, dw - ui.m.mm(4)), f.road.driver == d ? Tone::Primary : Tone::Quiet, dw))
      f.road.driver = d;
  }
  auto field = [&](const char* id, const char* label, std::optional<int> value, const char* unit, int target) {
    ui.text(ui.tr(label), nullptr, IM_COL32(190, 190, 190, 255));
    ImGui::SameLine();
    const std::string shown = value ? std::to_string(*value) + " " + unit : ui.tr("inspect.enter_value");
    if (ui.button(id, shown, Tone::Neutral, ui.m.mm(42))) {
      f.keypad_item = -1;
      f.keypad_road = target;
      f.keypad_text = value ? std::to_string(*value) : "";
    }
  };
  field("inspect.road.odo_start", "road.odo_start", f.odo_start, "km", 1);
  ImGui::SameLine();
  field("inspect.road.odo_end", "road.odo_end", f.odo_end, "km", 2);
  field("inspect.road.minutes", "road.minutes", f.road.minutes ? std::optional<int>(f.road.minutes) : std::nullopt,
        "min", 3);
  ui.text(ui.tr("road.findings"), nullptr, IM_COL32(190, 190, 190, 255));
  const float fw = (width - ui.m.mm(6)) / 2;
  n = 0;
  for (auto& ph : ui.cat.phrases("road_test_findings")) {
    auto& list = f.road.findings;
    auto at = std::find(list.begin(), list.end(), ph.code);
    const bool on = at != list.end();
    if (n++ % 2) ImGui::SameLine();
    if (ui.button("inspect.road.finding." + ph.code, ui.fit(ui.t.lang == Lang::Zh ? ph.zh : ph.en, fw - ui.m.mm(4)),
                  on ? Tone::Primary : Tone::Quiet, fw)) {
      // "no findings" and a finding exclude each other
      if (on) list.erase(at);
      else if (ph.code == "road.no_findings") list = {ph.code};
      else {
        std::erase(list, std::string("road.no_findings"));
        list.push_back(ph.code);
      }
    }
  }
  ui.text(ui.tr("road.verdict"), nullptr, IM_COL32(190, 190, 190, 255));
  ui.verdict("inspect.road_test", f.road_test, false);
}

void drawInspect(Ui& ui, const View& v, Intents& out) {
  AppState& st = v.st;
  InspectForm& f = st.inspect;
  const Shop& s = v.shop;
  const ImVec2 avail = contentSize();
  const Operation* op = f.op ? s.operation(*f.op) : nullptr;
  const WorkOrder* wo = s.workOrder(f.wo);
  if (!wo || !st.session) { out.push_back(Go{Screen::Work, {}}); return; }

  if (ui.button("inspect.back", ui.tr("common.back"), Tone::Quiet, ui.m.mm(40), Icon::Back)) {
    out.push_back(Go{screensFor(*v.me()).front(), {}});
    return;
  }
  ImGui::SameLine();
  ImGui::BeginGroup();
  ui.heading(ui.tr("inspection." + std::string(name(f.kind))));
  if (f.kind == InspectionKind::Comeback) {  // issue 15: which work came back, and why the customer says
    const WorkOrder* orig = s.workOrder(wo->comeback_of);
    ui.text(wo->number + "  " + wo->vehicle.plate + "  " +
                format(ui.tr("floor.comeback_of"), {orig ? orig->number : wo->comeback_of.str()}) + "  " + ui.data(wo->concern),
            nullptr, IM_COL32(190, 190, 190, 255));
  } else {
    ui.text(wo->number + "  " + wo->vehicle.plate + "  " + (op ? ui.data(op->title) : wo->vehicle.model), nullptr,
            IM_COL32(190, 190, 190, 255));
  }
  ImGui::EndGroup();

  const bool keypadOpen = (f.keypad_item >= 0 && f.keypad_item < static_cast<int>(f.items.size())) || f.keypad_road > 0;
  const float listW = keypadOpen ? avail.x - ui.m.mm(86) : avail.x;
  // what stays below the list: one line of advice and the sign button
  const float bottom = ui.m.touch() + ImGui::GetTextLineHeightWithSpacing() + ImGui::GetStyle().ItemSpacing.y * 2;
  ui.beginList("inspect.items", {listW, ImGui::GetContentRegionAvail().y - bottom});
  if (f.kind == InspectionKind::Final) {
    // what each technician recorded for their operation, measured values first
    for (const Operation* o : s.opsOf(f.wo)) {
      const Inspection* self = latestInspection(s, InspectionKind::Self, o->id);
      if (!self) continue;
      std::string line;
      for (const ChecklistItem& it : self->items)
        if (it.value || it.verdict != Verdict::Pass) line += (line.empty() ? "" : " · ") + itemLabel(ui, it) + " " + shownValue(ui, it);
      // wrapped in full: the inspector reads every value the technician recorded
      ui.wrapped(ui.tr("inspect.self_said") + " " + ui.data(o->title) + (line.empty() ? "  " + ui.tr("verdict.pass") : ":  " + line),
                 IM_COL32(160, 200, 255, 255));
    }
    ImGui::Dummy({0, ui.m.mm(1.5f)});
  }
  // issue 15: a comeback's cause first: it is the judgement; the checks follow
  if (f.kind == InspectionKind::Comeback) {
    comebackCause(ui, v, f, listW);
    ImGui::Dummy({0, ui.m.mm(2)});
    ui.text(ui.tr("inspect.comeback_checks"), ui.fonts.large);
  }
  for (std::size_t i = 0; i < f.items.size(); ++i) {
    ChecklistItem& it = f.items[i];
    const std::string id = "inspect.item." + it.key;
    ImGui::PushID(static_cast<int>(i));
    ui.text(itemLabel(ui, it));
    if (const ChecklistItem* mine = selfItem(s, f, it.key)) {  // the technician's own, beside it
      ImGui::SameLine();
      ui.text("  " + ui.tr("inspect.self_said") + " " + shownValue(ui, *mine), nullptr, IM_COL32(160, 200, 255, 255));
    }
    if (!it.unit.empty()) {
      // a measured value: typed on the keypad, tolerance shown; its verdict
      // follows from the value (R: no override), or N/A with a reason
      const std::string tol = number(it.min.value_or(0)) + " – " + number(it.max.value_or(0)) + " " + it.unit;
      const std::string shown = it.value ? number(*it.value) + " " + it.unit : ui.tr("inspect.enter_value");
      if (ui.button(id + ".value", shown, it.value ? Tone::Neutral : Tone::Primary, ui.m.mm(50), Icon::None)) {
        f.keypad_road = 0;
        f.keypad_item = static_cast<int>(i);
        f.keypad_text = it.value ? number(*it.value) : "";
      }
      ImGui::SameLine();
      ImGui::BeginGroup();
      ui.text(ui.tr("inspect.tolerance") + " " + tol, nullptr, IM_COL32(190, 190, 190, 255));
      if (it.verdict == Verdict::NotApplicable) ui.chip(ui.tr("verdict.na"), Tone::Quiet, Icon::None);
      else if (it.verdict) ui.chip(ui.tr(it.verdict == Verdict::Pass ? "verdict.pass" : "verdict.fail"),
                                   it.verdict == Verdict::Pass ? Tone::Good : Tone::Bad,
                                   it.verdict == Verdict::Pass ? Icon::Check : Icon::Cross);
      else ui.chip(ui.tr("inspect.not_measured"), Tone::Warn, Icon::None);
      ImGui::EndGroup();
      ImGui::SameLine();
      const bool na = it.verdict == Verdict::NotApplicable;
      if (ui.button(id + ".na", ui.tr("verdict.na"), na ? Tone::Primary : Tone::Quiet, ui.m.mm(22))) {
        if (na) it.verdict.reset(), it.na_reason.clear();
        else it.verdict = Verdict::NotApplicable, it.value.reset();
      }
    } else {
      if (ui.verdict(id, it.verdict, true) && it.verdict != Verdict::NotApplicable) it.na_reason.clear();
    }
    if (it.verdict == Verdict::NotApplicable) naReasons(ui, it, listW);
    ImGui::Dummy({0, ui.m.mm(1.5f)});
    ImGui::PopID();
  }
  if (f.kind == InspectionKind::Final && wo->road_test_required) roadTest(ui, v, f, listW);
  const bool failing = f.kind == InspectionKind::Comeback ? f.cause == ComebackCause::Workmanship : anyFail(f);
  if (failing && f.kind != InspectionKind::Self && f.kind != InspectionKind::Comeback) {
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
    const bool road = f.keypad_road > 0;
    const std::string what = road ? ui.tr(f.keypad_road == 1 ? "road.odo_start" : f.keypad_road == 2 ? "road.odo_end" : "road.minutes")
                                  : itemLabel(ui, f.items[static_cast<std::size_t>(f.keypad_item)]);
    const std::string unit = road ? (f.keypad_road == 3 ? std::string("min") : std::string("km")) : f.items[static_cast<std::size_t>(f.keypad_item)].unit.str();
    ui.text(ui.fit(what, ui.m.mm(80)), nullptr, IM_COL32(190, 190, 190, 255));
    ui.text((f.keypad_text.empty() ? "—" : f.keypad_text) + " " + unit, ui.fonts.large);
    if (ui.keypad("inspect.keypad", f.keypad_text)) {
      char* end = nullptr;
      const double val = std::strtod(f.keypad_text.c_str(), &end);
      const bool ok = end && *end == 0 && !f.keypad_text.empty();
      if (road) {
        const bool whole = ok && val >= 0 && val <= 9999999 && val == static_cast<double>(static_cast<int>(val));
        if (whole) {
          const int n = static_cast<int>(val);
          if (f.keypad_road == 1) f.odo_start = n;
          else if (f.keypad_road == 2) f.odo_end = n;
          else f.road.minutes = n;
        }
      } else if (ok) {
        ChecklistItem& it = f.items[static_cast<std::size_t>(f.keypad_item)];
        it.value = val;
        it.na_reason.clear();
        it.verdict = measuredVerdict(it);  // the tolerance decides, never a tap
      }
      f.keypad_item = -1;
      f.keypad_road = 0;
    }
    ImGui::SameLine();
    if (ui.button("inspect.keypad.cancel", ui.tr("common.cancel"), Tone::Quiet, ui.m.mm(19))) f.keypad_item = -1, f.keypad_road = 0;
    ImGui::EndGroup();
  }

  // the signature, showing the result it will carry; off until the rules
  // would take it, with why (issue 12: nothing signed unchecked)
  Inspection in = formInspection(v, ui.cat);
  const Outcome ready = checkBeforeSigning(s, RecordInspection{in, {}});
  std::string why = " ";
  if (!ready) {
    int open = 0;
    for (auto& it : f.items)
      if (auto p = itemProblem(it); p && (p->reason == Reason::VerdictMissing || p->reason == Reason::ValueRequired)) ++open;
    const Reason r = ready.refusal->reason;
    if (open > 0) why = format(ui.tr("inspect.items_left"), {std::to_string(open)});
    else if (r == Reason::DefectRequired || (r == Reason::BadInput && failing && !f.defect)) why = ui.tr("inspect.pick_defect_first");
    else if (r == Reason::ReasonRequired) why = ui.tr("inspect.pick_na_reason");
    else if (r == Reason::RoadTestRequired || ready.refusal->detail.starts_with("road")) why = ui.tr("inspect.complete_road_test");
    else if (f.kind == InspectionKind::Comeback && r == Reason::BadInput && ready.refusal->detail == "op") why = ui.tr("inspect.pick_original_op");
    else why = ui.tr("reason." + std::string(name(r)));
  }
  const std::string label = f.kind == InspectionKind::Comeback && f.cause
                                ? format(ui.tr("inspect.sign_as"), {ui.tr("cause." + std::string(name(*f.cause)))})
                                : format(ui.tr("inspect.sign_as"), {ui.tr(failing ? "verdict.fail" : "verdict.pass")});
  ui.text(why, nullptr, toneColour(Tone::Warn, 1.3f));
  if (ui.button("inspect.sign", label, failing ? Tone::Bad : Tone::Good, ui.m.mm(90), Icon::Sign, bool(ready))) {
    in.id.clear();  // made when it is signed
    out.push_back(RequestSignature{RecordInspection{in, {}}});
  }
  // issue 14: once every measured value is in, the person may say "all the
  // others are OK" in one tap: their judgement, stated, never a default
  // (the signature then lists every item with its verdict)
  int rest = 0;
  bool measuredDone = true;
  for (const ChecklistItem& it : f.items) {
    if (!it.unit.empty() && !it.value) measuredDone = false;
    if (it.unit.empty() && !it.verdict) ++rest;
  }
  if (rest > 0 && measuredDone) {
    ImGui::SameLine();
    if (ui.button("inspect.rest_pass", format(ui.tr("inspect.rest_pass"), {std::to_string(rest)}), Tone::Good, ui.m.mm(80), Icon::Check))
      for (ChecklistItem& it : f.items)
        if (it.unit.empty() && !it.verdict) it.verdict = Verdict::Pass;
  }
}

}  // namespace bk::ui
