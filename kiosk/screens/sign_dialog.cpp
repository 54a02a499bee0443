// R15: before anything is signed, the kiosk shows what is being signed, by
// whom and what it means, and asks for the signer's PIN again.
#include "kiosk/screens/screens.hpp"

namespace bk::ui {

void drawSignDialog(Ui& ui, const View& v, Intents& out) {
  AppState& st = v.st;
  if (!st.sign.open) return;
  // covers the screen below the status bar, which stays visible
  const ImVec2 ds = ImGui::GetIO().DisplaySize;
  const float top = ui.m.statusBar() + ImGui::GetStyle().WindowPadding.y;
  ImGui::SetNextWindowPos({0, top});
  ImGui::SetNextWindowSize({ds.x, ds.y - top});
  ImGui::SetNextWindowBgAlpha(1.f);
  ImGui::Begin("##sign", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
  const float left = ui.m.mm(10);
  ImGui::SetCursorPos({left, ui.m.mm(4)});
  ImGui::BeginGroup();
  ImGui::PushTextWrapPos(ds.x * 0.52f);  // everything on the left keeps clear of the PIN pad (issue 14)
  ui.heading(ui.tr("sign.title"));
  ImGui::Dummy({0, ui.m.gap()});
  const std::string meaning = expectedMeaning(st.sign.action);
  const Person* me = v.me();
  ui.text(ui.tr("sign.what"), nullptr, IM_COL32(170, 170, 170, 255));
  ui.text(ui.tr("meaning." + meaning), ui.fonts.large);
  if (auto* ri = std::get_if<RecordInspection>(&st.sign.action)) {
    const bool pass = ri->inspection.result == Verdict::Pass;
    ui.chip(ui.tr(pass ? "verdict.pass" : "verdict.fail"), pass ? Tone::Good : Tone::Bad, pass ? Icon::Check : Icon::Cross);
    if (ri->inspection.defect) { ImGui::SameLine(); ui.text(ui.data(*ri->inspection.defect)); }
    if (ri->inspection.cause) {  // issue 15: the comeback's cause and where it lies
      std::string where = ui.tr("cause." + std::string(name(*ri->inspection.cause)));
      if (ri->inspection.op)
        if (const Operation* o = v.shop.operation(*ri->inspection.op)) where += " · " + ui.data(o->title) + " · " + personName(v.shop, o->main_tech);
      ui.wrapped(where);
    }
  }
  if (auto* fs = std::get_if<SignFaultSlips>(&st.sign.action)) {  // issue 15: the month and every line signed
    ui.text(fs->month, ui.fonts.large);
    std::map<Id, int> per;
    for (const FaultSlipLine& l : fs->lines) per[l.charged_to] += 1;
    for (auto& [who, n] : per) ui.text(personName(v.shop, who) + " · " + std::to_string(n));
    if (per.empty()) ui.text(ui.tr("slips.none"));
  }
  // an add-on's step: what this signature agrees to
  if (auto* q = std::get_if<QuoteAddOn>(&st.sign.action))
    ui.text(format(ui.tr("approvals.quoted"), {yuanText(q->price_cents / 100), std::to_string(q->minutes)}), ui.fonts.large);
  // issue 14: the director's and the manager's signatures show the amount and time they agree to
  if (std::holds_alternative<SignAddOnTechnical>(st.sign.action) || std::holds_alternative<SignAddOnCost>(st.sign.action)) {
    const Id addon = std::visit([](const auto& x) -> Id { if constexpr (requires { x.addon; }) return x.addon; else return Id{}; }, st.sign.action);
    if (auto it = v.shop.addons.find(addon); it != v.shop.addons.end()) {
      ui.text(ui.data(it->second.reason));
      if (it->second.quote)
        ui.text(format(ui.tr("approvals.quoted"), {yuanText(it->second.quote->price_cents / 100), std::to_string(it->second.quote->minutes)}),
                ui.fonts.large);
    }
  }
  if (auto* ra = std::get_if<ReturnAddOn>(&st.sign.action)) {  // issue 14: what is refused or sent back, and why
    if (auto it = v.shop.addons.find(ra->addon); it != v.shop.addons.end()) ui.text(ui.data(it->second.reason));
    ui.chip(ui.tr(ra->refuse ? "approvals.refuse" : "approvals.send_back") + " · " + ui.data(ra->reason),
            ra->refuse ? Tone::Bad : Tone::Warn, ra->refuse ? Icon::Cross : Icon::Back);
  }
  if (auto* w = std::get_if<DecideWarranty>(&st.sign.action))
    ui.chip(ui.tr(w->covered ? "approvals.covered" : "approvals.not_covered"), w->covered ? Tone::Good : Tone::Bad,
            w->covered ? Icon::Check : Icon::Cross);
  if (auto* c = std::get_if<RecordConsent>(&st.sign.action))
    ui.chip(ui.tr(c->granted ? "approvals.granted" : "approvals.declined"), c->granted ? Tone::Good : Tone::Bad,
            c->granted ? Icon::Check : Icon::Cross);
  if (auto* rr = std::get_if<ResolveReview>(&st.sign.action)) {
    // the decision itself, as it will be signed
    const bool accept = rr->decision == Decision::Accept;
    ui.chip(ui.tr(accept ? "reviews.accept" : "reviews.void"), accept ? Tone::Good : Tone::Bad, accept ? Icon::Check : Icon::Cross);
  }
  // issue 14: a foreman's correction and dispatch, as they will be signed
  if (auto* c = std::get_if<CorrectEntry>(&st.sign.action)) {
    if (auto it = v.shop.entries.find(c->entry); it != v.shop.entries.end()) {
      const TimeEntry& e = it->second;
      ui.text(personName(v.shop, e.tech), ui.fonts.large);
      ImGui::PushFont(ui.fonts.large);
      ui.wrapped(format(ui.tr("sign.correction"), {dateTimeText(e.start, v.utc_offset_minutes),
                                                    clockText(c->end, v.utc_offset_minutes), durationText(c->end - e.start)}));
      ImGui::PopFont();
      ui.text(ui.data(c->reason));
    }
  }
  if (auto* r = std::get_if<ReassignOperation>(&st.sign.action)) {
    if (const Operation* op = v.shop.operation(r->op)) {
      ui.text(opTitle(ui, v.shop, *op));
      if (!r->to.empty())
        ui.text(personName(v.shop, op->main_tech) + "  →  " + personName(v.shop, r->to), ui.fonts.large);
      if (!r->bay.empty())
        if (auto b = v.shop.bays.find(r->bay); b != v.shop.bays.end()) ui.text(ui.tr("sign.to_bay") + " " + b->second.name, ui.fonts.large);
    }
  }
  const Id wo = workOrderOf(v.shop, st.sign.action);
  if (auto* w = v.shop.workOrder(wo)) ui.text(w->number + "  " + w->vehicle.plate + "  " + w->vehicle.model);
  // what is signed, in words (never an internal id): the operation and
  // every checklist item with its verdict and measured value, exactly as
  // they go into the record
  if (auto* ri = std::get_if<RecordInspection>(&st.sign.action)) {
    const Inspection& in = ri->inspection;
    if (in.op)
      if (const Operation* op = v.shop.operation(*in.op)) ui.text(opTitle(ui, v.shop, *op));
    const float rowH = ImGui::GetTextLineHeightWithSpacing();
    const std::size_t rows = in.items.size() + (in.road_test ? 1 : 0) + (in.road ? 2 : 0);
    const float listH = std::min(rowH * static_cast<float>(rows) + rowH * 0.5f, ds.y * 0.30f);
    ImGui::BeginChild("sign.items", {ds.x * 0.5f, listH}, false);
    auto row = [&](const std::string& label, std::optional<Verdict> verdict, const std::string& measured) {
      const ImU32 col = verdict == Verdict::Pass ? IM_COL32(120, 210, 140, 255)
                      : verdict == Verdict::Fail ? IM_COL32(240, 110, 100, 255)
                                                 : IM_COL32(190, 190, 190, 255);
      const std::string v = verdict ? ui.tr("verdict." + std::string(name(*verdict))) : std::string("—");
      ImGui::TextColored(ImColor(col), "%s", v.c_str());
      ImGui::SameLine(ui.m.mm(22));
      ImGui::TextUnformatted((label + (measured.empty() ? "" : "  " + measured)).c_str());
    };
    int pass = 0, fail = 0, na = 0;
    for (const ChecklistItem& it : in.items) {
      std::string measured;
      if (it.value) {
        char b[32];
        std::snprintf(b, sizeof b, "%g", *it.value);
        measured = std::string(b) + " " + it.unit;
      }
      if (it.verdict == Verdict::NotApplicable && !it.na_reason.empty()) measured = ui.data(it.na_reason);
      const std::string& own = ui.t.lang == Lang::Zh ? it.zh : it.en;
      row(own.empty() ? ui.data(it.key) : own, it.verdict, measured);
      (it.verdict == Verdict::Pass ? pass : it.verdict == Verdict::Fail ? fail : na)++;
    }
    if (in.road_test) row(ui.tr("inspect.road_test"), *in.road_test, "");
    if (in.road) {
      const Person* d = v.shop.person(in.road->driver);
      ImGui::TextUnformatted(("   " + ui.tr("road.driver") + " " + (d ? d->name : in.road->driver.str()) + " · " +
                              std::to_string(in.road->odo_end - in.road->odo_start) + " km · " +
                              std::to_string(in.road->minutes) + " min").c_str());
      std::string found;
      for (auto& c : in.road->findings) found += (found.empty() ? "" : ", ") + ui.data(c);
      ImGui::TextUnformatted(("   " + ui.tr("road.findings") + ": " + found).c_str());
    }
    ImGui::EndChild();
    ui.text(format(ui.tr("sign.totals"), {std::to_string(pass), std::to_string(fail), std::to_string(na)}), nullptr,
            IM_COL32(200, 200, 200, 255));
  }
  if (auto* d = std::get_if<DeliverWorkOrder>(&st.sign.action)) {
    // issue 12: what the handover records, as it will be signed
    if (d->old_parts) ui.text(ui.tr("sign.old_parts") + ": " + ui.tr("old_parts." + std::string(name(*d->old_parts))));
    if (d->ack) {
      for (const Id& id : d->ack->addons)
        if (auto it = v.shop.addons.find(id); it != v.shop.addons.end()) ui.text("· " + ui.data(it->second.reason));
      ui.text(format(ui.tr("sign.customer_signed"), {std::to_string(d->ack->addons.size())}), nullptr,
              toneColour(Tone::Warn, 1.3f));
    }
  }
  ImGui::Dummy({0, ui.m.gap()});
  ui.text(ui.tr("sign.by"), nullptr, IM_COL32(170, 170, 170, 255));
  ui.text((me ? me->name : std::string("?")) + "   " + dateTimeText(v.now, v.utc_offset_minutes), ui.fonts.large);
  ImGui::Dummy({0, ui.m.gap()});
  ui.wrapped(ui.tr("sign.notice"), IM_COL32(200, 200, 200, 255));
  ImGui::Dummy({0, ui.m.gap()});
  if (ui.button("sign.cancel", ui.tr("common.cancel"), Tone::Quiet, ui.m.mm(50), Icon::Back)) {
    st.sign = SignDialog{};
  }
  ImGui::PopTextWrapPos();
  ImGui::EndGroup();
  ImGui::SameLine(ds.x * 0.55f);
  ImGui::BeginGroup();
  ui.text(ui.tr("sign.enter_pin"), ui.fonts.large);
  if (!st.pin_note.empty()) ui.text(st.pin_note, nullptr, toneColour(Tone::Bad, 1.5f));  // issue 14
  if (ui.pinPad("sign.pin", st.sign.pin, 8)) {
    out.push_back(SubmitSigned{st.sign.action, st.sign.pin});
    st.sign.pin.clear();
    st.pin_note.clear();
  }
  ImGui::EndGroup();
  ImGui::End();
}

}  // namespace bk::ui
