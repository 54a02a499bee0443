// R16: actions that conflicted with what the hub knew, kept with both facts,
// decided here by the foreman or the service manager.
#include "domain/rules.hpp"
#include "kiosk/screens/screens.hpp"

namespace bk::ui {
namespace {

// Issue 14: the held event in plain words: who, what, verdict, time, bay.
void heldFact(Ui& ui, const View& v, const Action& a) {
  const Shop& s = v.shop;
  const std::string type(actionType(a));
  ui.text(personName(s, actorOf(a)), ui.fonts.large);
  ui.text(ui.tr("done." + type) + "  " + dateTimeText(timeOf(a), v.utc_offset_minutes));
  Id op;
  if (auto* on = std::get_if<ClockOn>(&a)) {
    op = on->op;
    if (auto b = s.bays.find(on->bay); b != s.bays.end()) ui.text(ui.tr("status.bay") + " " + b->second.name);
  }
  if (auto* off = std::get_if<ClockOff>(&a)) op = off->op;
  if (auto* ri = std::get_if<RecordInspection>(&a)) {
    op = ri->inspection.op.value_or("");
    const bool pass = ri->inspection.result == Verdict::Pass;
    ui.chip(ui.tr("inspection." + std::string(name(ri->inspection.kind))) + " · " + ui.tr(pass ? "verdict.pass" : "verdict.fail"),
            pass ? Tone::Good : Tone::Bad, pass ? Icon::Check : Icon::Cross);
  }
  if (const Operation* o = s.operation(op)) ui.wrapped(opTitle(ui, s, *o));
}

// ...and what the shop already had that it disagrees with.
void knownFact(Ui& ui, const View& v, const json& known) {
  const Shop& s = v.shop;
  bool any = false;
  Id lastOp;  // the job last named, so a phase is never shown under another job
  if (known.contains("open_entries") && known["open_entries"].is_array())
    for (const json& e : known["open_entries"]) {
      if (!e.is_object() || !e.contains("op") || !e.contains("start")) continue;
      const Operation* o = s.operation(e["op"].get<Id>());
      std::string bay;
      if (e.contains("bay")) if (auto b = s.bays.find(e["bay"].get<Id>()); b != s.bays.end()) bay = b->second.name;
      ui.text(personName(s, e.value("tech", Id{})), ui.fonts.large);
      ui.text(ui.tr("done.clock_on") + "  " + dateTimeText(e["start"].get<Millis>(), v.utc_offset_minutes) +
              (bay.empty() ? "" : "  " + ui.tr("status.bay") + " " + bay));
      if (o) ui.wrapped(opTitle(ui, s, *o)), lastOp = o->id;
      any = true;
    }
  if (known.contains("operation") && known["operation"].is_object() && known["operation"].contains("phase")) {
    const Operation* o = s.operation(known["operation"].value("id", Id{}));
    if (o && o->id != lastOp) ui.wrapped(opTitle(ui, s, *o));
    ui.chip(ui.tr("phase." + known["operation"]["phase"].get<std::string>()), Tone::Neutral, Icon::Clock);
    any = true;
  }
  if (!any) ui.text("—");
}

}  // namespace

void drawReviews(Ui& ui, const View& v, Intents& out) {
  AppState& st = v.st;
  const Shop& s = v.shop;
  const Person& me = *v.me();
  const ImVec2 avail = contentSize();
  const float listW = avail.x * 0.45f;
  ImGui::BeginGroup();
  ui.heading(ui.tr("reviews.title"));
  ui.beginList("reviews.list", {listW, avail.y - ImGui::GetTextLineHeightWithSpacing() * 2});
  int n = 0;
  for (auto& [id, r] : s.reviews) {
    if (r.resolved_by || !(me.has(r.for_role) || me.has(Role::ServiceManager))) continue;
    ++n;
    if (ui.button("reviews.item." + id, ui.tr("reason." + std::string(name(r.reason))),
                  st.selected == id ? Tone::Primary : Tone::Neutral, listW - ui.m.mm(3), Icon::Warning))
      st.selected = id;
  }
  // R8: disputed quality charges, decided by the service manager
  if (me.has(Role::ServiceManager))
    for (auto& [id, inc] : s.incidents) {
      if (!inc.disputed_by || inc.decision) continue;
      ++n;
      if (ui.button("reviews.dispute." + id, ui.tr("reviews.dispute") + " · " + personName(s, inc.charged_to),
                    st.ruling_incident == id ? Tone::Primary : Tone::Neutral, listW - ui.m.mm(3), Icon::Warning)) {
        st.ruling_incident = id;
        st.ruling_charged_to = inc.charged_to;
        st.selected.clear();
      }
    }
  if (!n) ui.text(ui.tr("reviews.none"), nullptr, IM_COL32(150, 150, 150, 255));
  // issue 11: wrong PINs in the whole shop over the last day, and who is
  // locked out (the domain decides; shown here only)
  if (me.has(Role::Foreman) || me.has(Role::ServiceManager)) {
    bool headed = false;
    for (const auto& [who, attempts] : s.pin_attempts) {
      int recent = 0;
      const PinAttempt* last = nullptr;
      for (const PinAttempt& a : attempts)
        if (a.at > v.now - 24 * 3600 * 1000LL && a.at <= v.now) ++recent, last = &a;
      if (!recent) continue;
      if (!headed) ui.heading(ui.tr("reviews.pin_attempts")), headed = true;
      // one line a person: tapped, every attempt shows on the right
      const bool locked = pinLockedUntil(s, who, v.now).has_value();
      if (ui.button("reviews.pin." + who,
                    format(ui.tr("reviews.pin_attempt"), {personName(s, who), std::to_string(recent), clockText(last->at, v.utc_offset_minutes),
                                                          last->kiosk, ui.tr(last->signing ? "reviews.pin_signing" : "reviews.pin_sign_in")}),
                    st.selected == "pin:" + who ? Tone::Primary : locked ? Tone::Bad : Tone::Neutral, listW - ui.m.mm(3),
                    locked ? Icon::Warning : Icon::Person))
        st.selected = "pin:" + who;
    }
  }
  ui.endList();
  ImGui::EndGroup();
  if (auto inc = s.incidents.find(st.ruling_incident); inc != s.incidents.end() && !inc->second.decision) {
    const Incident& c = inc->second;
    const Operation* op = s.operation(c.op);
    ImGui::SameLine();
    ImGui::BeginGroup();
    ui.heading(ui.tr("reviews.dispute"));
    if (op) ui.text(opTitle(ui, s, *op));
    ui.text(ui.data(c.defect) + " · " + dateTimeText(c.at, v.utc_offset_minutes));
    ui.text(format(ui.tr("reviews.disputed_by"), {personName(s, *c.disputed_by), ui.data(c.dispute_reason)}), nullptr,
            IM_COL32(200, 200, 200, 255));
    ui.text(ui.tr("reviews.charge_to"), ui.fonts.large);
    // who may answer for it: whoever accepted it at handover, or its main technician
    std::vector<Id> candidates{c.charged_to};
    if (op && op->main_tech != c.charged_to) candidates.push_back(op->main_tech);
    if (op && op->accepted_by && *op->accepted_by != c.charged_to && *op->accepted_by != op->main_tech)
      candidates.push_back(*op->accepted_by);
    for (auto& who : candidates)
      if (ui.button("reviews.charge." + who, personName(s, who), st.ruling_charged_to == who ? Tone::Primary : Tone::Neutral,
                    ui.m.mm(70), Icon::Person))
        st.ruling_charged_to = who;
    if (ui.button("reviews.rule", ui.tr("approvals.sign"), Tone::Good, ui.m.mm(60), Icon::Sign))
      out.push_back(RequestSignature{DecideDispute{c.id, st.ruling_charged_to, {}}});
    ImGui::EndGroup();
    return;
  }
  // issue 11: one person's wrong PINs, and until when they are locked out
  if (st.selected.rfind("pin:", 0) == 0) {
    const Id who = st.selected.substr(4);
    const auto attempts = s.pin_attempts.find(who);
    if (attempts == s.pin_attempts.end()) return;
    ImGui::SameLine();
    ImGui::BeginGroup();
    ui.heading(ui.tr("reviews.pin_attempts") + " · " + personName(s, who));
    if (auto until = pinLockedUntil(s, who, v.now))
      ui.text(format(ui.tr("reviews.pin_locked"), {clockText(*until, v.utc_offset_minutes)}), ui.fonts.large, IM_COL32(230, 120, 90, 255));
    for (auto a = attempts->second.rbegin(); a != attempts->second.rend(); ++a)
      ui.text(dateTimeText(a->at, v.utc_offset_minutes) + "  " + a->kiosk + "  " +
              ui.tr(a->signing ? "reviews.pin_signing" : "reviews.pin_sign_in"));
    // issue 13: a forgotten PIN: the service manager signs a new setup code
    // for them (never their own), shown here once, to hand over
    if (me.has(Role::ServiceManager) && who != me.id) {
      ImGui::Dummy({0, ui.m.gap()});
      if (st.reset_shown && st.reset_shown->first == who) {
        const std::string& code = st.reset_shown->second;
        ui.text(format(ui.tr("reviews.reset_code"), {personName(s, who)}));
        ui.text(code.substr(0, 4) + " " + code.substr(4), ui.fonts.large, IM_COL32(240, 240, 240, 255));
        ui.wrapped(ui.tr("setup.code_hint"), IM_COL32(190, 190, 190, 255));
      } else if (ui.button("reviews.reset_pin", ui.tr("reviews.reset_pin"), Tone::Warn, ui.m.mm(80), Icon::Lock)) {
        out.push_back(ResetPin{who});
      }
    }
    ImGui::EndGroup();
    return;
  }
  auto it = s.reviews.find(st.selected);
  if (it == s.reviews.end() || it->second.resolved_by) return;
  const ReviewItem& r = it->second;
  ImGui::SameLine();
  ui.beginList("reviews.detail", {avail.x - listW - ui.m.gap(), avail.y});  // scrolls: both facts may be long
  ImGui::PushFont(ui.fonts.large);  // a long reason wraps in its column
  ui.wrapped(ui.tr("reason." + std::string(name(r.reason))));
  ImGui::PopFont();
  if (r.hold == Hold::Refused) {
    // bad input refused at the hub: nothing of it is kept but why
    ui.text(dateTimeText(r.at, v.utc_offset_minutes));
    const auto fact = [&](const char* key) {
      return r.facts.contains(key) && r.facts[key].is_string() ? r.facts[key].get<std::string>() : std::string("?");
    };
    ui.wrapped(format(ui.tr("reviews.refused"), {fact("origin"), fact("detail")}), IM_COL32(190, 190, 190, 255));
  } else {
    if (auto* wo = s.workOrder(r.wo)) ui.text(wo->number + "  " + wo->vehicle.plate);
    ui.wrapped(ui.tr(r.hold == Hold::Quarantine ? "reviews.quarantined" : "reviews.held"), IM_COL32(190, 190, 190, 255));
    // issue 14: both facts side by side, in words
    const float col = (ImGui::GetContentRegionAvail().x - ui.m.gap()) / 2;
    const float x0 = ImGui::GetCursorPosX();
    ImGui::BeginGroup();
    ImGui::PushTextWrapPos(x0 + col);
    ui.text(ui.tr("reviews.this_event"), nullptr, IM_COL32(190, 190, 190, 255));
    try {
      heldFact(ui, v, actionFromJson(r.facts.at("action")));
    } catch (const json::exception&) {
      ui.text(r.action);
    }
    ImGui::PopTextWrapPos();
    ImGui::EndGroup();
    ImGui::SameLine(x0 + col + ui.m.gap());
    ImGui::BeginGroup();
    ImGui::PushTextWrapPos(x0 + 2 * col + ui.m.gap());
    ui.text(ui.tr("reviews.already_known"), nullptr, IM_COL32(190, 190, 190, 255));
    knownFact(ui, v, r.facts.contains("known") ? r.facts["known"] : json::object());
    ImGui::PopTextWrapPos();
    ImGui::EndGroup();
    ImGui::Dummy({0, ui.m.gap()});
  }
  const auto& phrases = ui.cat.phrases("review_resolutions");
  for (std::size_t i = 0; i < phrases.size(); ++i)
    if (ui.button("reviews.resolution." + phrases[i].code, ui.t.lang == Lang::Zh ? phrases[i].zh : phrases[i].en,
                  st.review_pick == static_cast<int>(i) ? Tone::Primary : Tone::Neutral, ui.m.mm(80)))
      st.review_pick = static_cast<int>(i);
  // accept (its effect applies) or void (none): the domain says which may
  // be chosen now (R16; a quarantined event is only ever voided, R17)
  const std::string note = st.review_pick >= 0 ? phrases[static_cast<std::size_t>(st.review_pick)].code : "-";
  auto decided = [&](Decision d) { return ResolveReview{r.id, st.session->person, note, v.now, d}; };
  // a decision is signed with the PIN, like an inspection (issue 11)
  const bool canAccept = static_cast<bool>(checkBeforeSigning(s, decided(Decision::Accept)));
  const bool picked = st.review_pick >= 0;
  if (ui.button("reviews.accept", ui.tr("reviews.accept"), Tone::Good, ui.m.mm(60), Icon::Check, picked && canAccept)) {
    out.push_back(RequestSignature{decided(Decision::Accept)});
    st.review_pick = -1;
  }
  ImGui::SameLine();
  if (ui.button("reviews.void", ui.tr("reviews.void"), Tone::Bad, ui.m.mm(60), Icon::Cross, picked)) {
    out.push_back(RequestSignature{decided(Decision::Void)});
    st.review_pick = -1;
  }
  ui.endList();
}

}  // namespace bk::ui
