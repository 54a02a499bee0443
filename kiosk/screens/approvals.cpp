// Add-on approvals (R12), each by the person who holds the step's role:
// warranty clerk, service advisor (quote), technical director, service
// manager; then the customer's consent or refusal (R13), recorded by the
// advisor or the manager. Every step is signed (R15).
#include "kiosk/screens/screens.hpp"

#include "domain/rules.hpp"

namespace bk::ui {
namespace {

enum class Step { Warranty, Quote, Technical, Cost, Consent, None };

Step nextStep(const AddOn& a) {
  if (a.resolved()) return Step::None;
  if (a.warranty_claimed && !a.warranty) return Step::Warranty;
  if (!a.quote) return Step::Quote;
  if (!a.technical) return Step::Technical;
  if (!a.manager) return Step::Cost;
  return Step::Consent;
}

bool mayDo(const Person& p, Step s) {
  switch (s) {
    case Step::Warranty: return p.has(Role::WarrantyClerk);
    case Step::Quote: return p.has(Role::ServiceAdvisor);
    case Step::Technical: return p.has(Role::TechDirector);
    case Step::Cost: return p.has(Role::ServiceManager);
    case Step::Consent: return p.has(Role::ServiceAdvisor) || p.has(Role::ServiceManager);
    case Step::None: return false;
  }
  return false;
}

const char* stepKey(Step s) {
  switch (s) {
    case Step::Warranty: return "approvals.step.warranty";
    case Step::Quote: return "approvals.step.quote";
    case Step::Technical: return "approvals.step.technical";
    case Step::Cost: return "approvals.step.cost";
    case Step::Consent: return "approvals.step.consent";
    case Step::None: return "approvals.step.done";
  }
  return "";
}

}  // namespace

void drawApprovals(Ui& ui, const View& v, Intents& out) {
  AppState& st = v.st;
  const Shop& s = v.shop;
  const Person& me = *v.me();
  const ImVec2 avail = contentSize();
  const float listW = avail.x * 0.42f;
  ImGui::BeginGroup();
  ui.heading(ui.tr("approvals.title"));
  ui.beginList("approvals.list", {listW, avail.y - ImGui::GetTextLineHeightWithSpacing() * 2});
  int shown = 0;
  for (auto& [id, a] : s.addons) {
    const Step step = nextStep(a);
    if (step == Step::None) continue;
    const WorkOrder* wo = s.workOrder(a.wo);
    if (!wo || wo->delivered_at) continue;
    const bool mine = mayDo(me, step);
    const std::string label = wo->vehicle.plate + " · " + ui.data(a.reason);
    if (ui.button("approvals.addon." + id, label, st.step.addon == id ? Tone::Primary : mine ? Tone::Neutral : Tone::Quiet,
                  listW - ui.m.mm(3), a.safety ? Icon::Warning : Icon::None)) {
      st.step = StepForm{id};
      st.step.minutes = a.est_minutes;
      // issue 13: the shop's labour rate (its policy), never a price in a screen
      // and the parts at their catalog prices
      st.step.price_yuan = static_cast<int>((labourQuoteCents(s.policy, a.est_minutes) + ui.cat.partsCents(a.parts)) / 100);
    }
    ui.text("   " + ui.tr(stepKey(step)) + (mine ? "" : "  (" + ui.tr("approvals.not_your_step") + ")"), nullptr,
            mine ? toneColour(Tone::Warn, 1.3f) : IM_COL32(150, 150, 150, 255));
    ++shown;
  }
  if (!shown) ui.text(ui.tr("approvals.none"), nullptr, IM_COL32(170, 170, 170, 255));
  ui.endList();
  ImGui::EndGroup();

  auto it = s.addons.find(st.step.addon);
  if (it == s.addons.end()) return;
  const AddOn& a = it->second;
  const Step step = nextStep(a);
  ImGui::SameLine();
  ui.beginList("approvals.detail", {avail.x - listW - ui.m.gap(), avail.y});
  ui.heading(ui.data(a.reason));
  ui.text(format(ui.tr("approvals.proposed_by"), {personName(s, a.proposer), std::to_string(a.est_minutes)}));
  // issue 14: what the technician picked: the parts, and the car
  if (!a.parts.empty()) {
    std::string parts;
    for (const std::string& p : a.parts)
      parts += (parts.empty() ? "" : ", ") + ui.data(p) + " ¥" + yuanText(static_cast<int>(ui.cat.partsCents({p}) / 100));
    ui.wrapped(ui.tr("approvals.parts") + ": " + parts);
  }
  if (const WorkOrder* wo = s.workOrder(a.wo)) {
    ui.text(wo->vehicle.plate + "  " + wo->vehicle.model + "  VIN " + wo->vehicle.vin);
    // issue 14: the mileage and the warranty as the desk recorded them
    if (wo->odometer_km) ui.text(format(ui.tr("approvals.odometer"), {std::to_string(wo->odometer_km)}));
  }
  if (a.safety) ui.chip(ui.tr("addon.safety"), Tone::Warn, Icon::Warning);
  if (a.warranty_claimed) {
    if (a.safety) ImGui::SameLine();
    ui.chip(ui.tr("addon.warranty"), Tone::Primary, Icon::None);
    if (const WorkOrder* wo = s.workOrder(a.wo)) {  // issue 14: the warranty as the desk recorded it
      const WarrantyStatus ws = warrantyStatus(*wo, v.now);
      std::string until;
      if (wo->warranty_until) until += " · " + format(ui.tr("approvals.warranty_until"), {dateText(wo->warranty_until, v.utc_offset_minutes)});
      if (wo->warranty_km) until += " · " + format(ui.tr("approvals.warranty_km"), {std::to_string(wo->warranty_km)});
      ui.chip(ui.tr("warranty_status." + std::string(name(ws))) + until,
              ws == WarrantyStatus::Within ? Tone::Good : ws == WarrantyStatus::Unknown ? Tone::Quiet : Tone::Bad,
              ws == WarrantyStatus::Within ? Icon::Check : ws == WarrantyStatus::Unknown ? Icon::None : Icon::Cross);
    }
  }
  // the chain so far, each step with who signed
  auto done = [&](const char* key, const Signature* sig) {
    // a signature from before signature keys is said to be one (issue 11)
    ui.chip(ui.tr(key) + (sig ? " · " + personName(s, sig->signer) : "") +
                (sig && sig->beforeKeys() ? " · " + ui.tr("sig.before_keys") : ""),
            sig ? Tone::Good : Tone::Quiet, sig ? Icon::Check : Icon::Clock);
  };
  if (a.warranty_claimed) done("approvals.step.warranty", a.warranty ? &a.warranty->sig : nullptr);
  done("approvals.step.quote", a.quote ? &a.quote->sig : nullptr);
  done("approvals.step.technical", a.technical ? &*a.technical : nullptr);
  done("approvals.step.cost", a.manager ? &*a.manager : nullptr);
  // issue 14: each time it was sent back, by whom and why
  for (const AddOnReturn& r : a.returns)
    ui.wrapped(format(ui.tr("approvals.sent_back_by"), {personName(s, r.sig.signer), ui.data(r.reason)}), toneColour(Tone::Warn, 1.3f));
  ImGui::Dummy({0, ui.m.gap()});
  if (!mayDo(me, step)) {
    ui.wrapped(format(ui.tr("approvals.waiting_for"), {ui.tr(stepKey(step))}), IM_COL32(190, 190, 190, 255));
    ui.endList();
    return;
  }
  StepForm& f = st.step;
  const float full = ImGui::GetContentRegionAvail().x - ui.m.mm(3);
  const float sp = ImGui::GetStyle().ItemSpacing.x;
  const float w = (full - sp) / 2;       // two side by side
  const float w3 = (full - 2 * sp) / 3;  // three side by side
  switch (step) {
    case Step::Warranty: {
      const bool covered = f.covered == true, notCovered = f.covered == false;
      if (ui.button("approvals.covered", ui.tr("approvals.covered"), covered ? Tone::Good : Tone::Quiet, w, covered ? Icon::Check : Icon::None))
        f.covered = true;
      ImGui::SameLine();
      if (ui.button("approvals.not_covered", ui.tr("approvals.not_covered"), notCovered ? Tone::Bad : Tone::Quiet, w,
                    notCovered ? Icon::Cross : Icon::None))
        f.covered = false;
      const auto& reasons = ui.cat.phrases("not_covered_reasons");
      if (notCovered)
        for (std::size_t i = 0; i < reasons.size(); ++i)
          if (ui.button("approvals.nc." + reasons[i].code, ui.t.lang == Lang::Zh ? reasons[i].zh : reasons[i].en,
                        f.not_covered_reason == static_cast<int>(i) ? Tone::Primary : Tone::Neutral, full))
            f.not_covered_reason = static_cast<int>(i);
      const bool ready = covered || (notCovered && (reasons.empty() || f.not_covered_reason >= 0));
      if (ui.button("approvals.sign", ui.tr("approvals.sign"), Tone::Good, w, Icon::Sign, ready))
        out.push_back(RequestSignature{DecideWarranty{a.id, covered,
            covered || reasons.empty() ? "" : reasons[static_cast<std::size_t>(f.not_covered_reason)].code, {}}});
      break;
    }
    case Step::Quote: {
      // issue 14: the price on a keypad (¥1,860: the field, four digits, OK),
      // starting from the labour at the shop's rate
      ui.text(ui.tr("approvals.price"));
      const std::string shown = f.typing_price ? "¥" + f.price_text + "_" : "¥" + yuanText(f.price_yuan);
      ImGui::PushFont(ui.fonts.large);
      if (ui.button("approvals.price", shown, f.typing_price ? Tone::Primary : Tone::Neutral, w)) {
        f.typing_price = true;
        f.price_text.clear();
      }
      ImGui::PopFont();
      if (f.typing_price) {
        if (ui.keypad("approvals.keypad", f.price_text)) {
          const std::string& t = f.price_text;
          const bool digits = !t.empty() && t.size() <= 7 && t.find_first_not_of("0123456789") == std::string::npos;
          if (digits) f.price_yuan = std::stoi(t);
          f.typing_price = !digits;  // "12.5" or "-3": typed again
          if (!digits) f.price_text.clear();
        }
        break;
      }
      ui.text(ui.tr("approvals.minutes"));
      ui.stepper("approvals.minutes", f.minutes, 15, 15, 24 * 60, format(ui.tr("common.minutes"), {std::to_string(f.minutes)}));
      if (ui.button("approvals.sign", ui.tr("approvals.sign"), Tone::Good, w, Icon::Sign, f.price_yuan > 0))
        out.push_back(RequestSignature{QuoteAddOn{a.id, std::int64_t{f.price_yuan} * 100, f.minutes, {}}});
      break;
    }
    case Step::Technical:
    case Step::Cost: {
      if (a.quote) ui.text(format(ui.tr("approvals.quoted"), {yuanText(static_cast<int>(a.quote->price_cents / 100)), std::to_string(a.quote->minutes)}));
      if (!f.refuse) {
        const bool technical = step == Step::Technical;
        if (ui.button("approvals.sign", ui.tr(technical ? "approvals.sign_technical" : "approvals.sign_cost"), Tone::Good, full, Icon::Sign)) {
          if (technical) out.push_back(RequestSignature{SignAddOnTechnical{a.id, {}}});
          else out.push_back(RequestSignature{SignAddOnCost{a.id, {}}});
        }
      }
      // issue 14: or refuse it, or send it back to the quote, with a reason
      if (ui.button("approvals.send_back", ui.tr("approvals.send_back"), f.refuse == false ? Tone::Warn : Tone::Quiet, w,
                    f.refuse == false ? Icon::Check : Icon::Back))
        f.refuse = f.refuse == false ? std::nullopt : std::optional<bool>(false);
      ImGui::SameLine();
      if (ui.button("approvals.refuse", ui.tr("approvals.refuse"), f.refuse == true ? Tone::Bad : Tone::Quiet, w, Icon::Cross))
        f.refuse = f.refuse == true ? std::nullopt : std::optional<bool>(true);
      if (!f.refuse) break;
      ui.text(ui.tr("approvals.return_reason"));
      const auto& reasons = ui.cat.phrases("addon_return_reasons");
      for (std::size_t i = 0; i < reasons.size(); ++i)
        if (ui.button("approvals.rr." + reasons[i].code, ui.t.lang == Lang::Zh ? reasons[i].zh : reasons[i].en,
                      f.return_reason == static_cast<int>(i) ? Tone::Primary : Tone::Neutral, full))
          f.return_reason = static_cast<int>(i);
      const bool ready = f.return_reason >= 0 && static_cast<std::size_t>(f.return_reason) < reasons.size();
      if (ui.button("approvals.sign_return", ui.tr(*f.refuse ? "approvals.sign_refuse" : "approvals.sign_send_back"),
                    *f.refuse ? Tone::Bad : Tone::Warn, full, Icon::Sign, ready))
        out.push_back(RequestSignature{ReturnAddOn{a.id, *f.refuse, reasons[static_cast<std::size_t>(f.return_reason)].code, {}}});
      break;
    }
    case Step::Consent: {
      if (a.quote) ui.text(format(ui.tr("approvals.quoted"), {yuanText(static_cast<int>(a.quote->price_cents / 100)), std::to_string(a.quote->minutes)}));
      const bool granted = f.granted == true, declined = f.granted == false;
      if (ui.button("approvals.granted", ui.tr("approvals.granted"), granted ? Tone::Good : Tone::Quiet, w, Icon::Check)) f.granted = true;
      ImGui::SameLine();
      if (ui.button("approvals.declined", ui.tr("approvals.declined"), declined ? Tone::Bad : Tone::Quiet, w, Icon::Cross)) f.granted = false;
      const ConsentChannel chans[] = {ConsentChannel::Phone, ConsentChannel::InPerson, ConsentChannel::Message};
      for (std::size_t i = 0; i < 3; ++i) {
        if (i) ImGui::SameLine();
        if (ui.button("approvals.channel." + std::string(name(chans[i])), ui.tr("channel." + std::string(name(chans[i]))),
                      f.channel == chans[i] ? Tone::Primary : Tone::Neutral, w3))
          f.channel = chans[i];
      }
      if (declined && a.safety)  // R13: the customer was warned
        if (ui.button("approvals.warned", ui.tr("approvals.warned"), f.warned ? Tone::Warn : Tone::Quiet, full,
                      f.warned ? Icon::Check : Icon::Warning))
          f.warned = !f.warned;
      const bool ok = f.granted && f.channel && (granted || !a.safety || f.warned);
      if (ui.button("approvals.sign", ui.tr("approvals.sign"), Tone::Good, w, Icon::Sign, ok))
        out.push_back(RequestSignature{RecordConsent{a.id, granted, *f.channel, f.warned, {}}});
      break;
    }
    case Step::None: break;
  }
  ui.endList();
}

}  // namespace bk::ui
