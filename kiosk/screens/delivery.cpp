// Delivery (交车, R10, issue 12), for the advisor and the quality inspector:
// the cars ready to hand over and those blocked, each blocker in words; for
// the chosen car, what became of the old parts (旧件) and, when the customer
// declined safety items (R13), their finger signature on the reminder
// (潜在问题提醒单). Signed with the PIN; the gate pass (出门证) is shown.
#include "kiosk/screens/screens.hpp"

#include "domain/rules.hpp"

namespace bk::ui {

DeliverWorkOrder formDelivery(const View& v) {
  const DeliveryForm& f = v.st.delivery;
  DeliverWorkOrder d{f.wo, v.st.session ? v.st.session->person : Id{}, v.now, {}, f.old_parts, std::nullopt};
  const std::vector<Id> declined = declinedSafety(v.shop, f.wo);
  if (!declined.empty()) {
    CustomerAck ack{declined, {}, {}};
    for (const Stroke& st : f.strokes) if (!st.empty()) ack.strokes.push_back(st);
    ack.hash = strokesHash(ack.strokes);
    d.ack = ack;
  }
  return d;
}

static void carLine(Ui& ui, const View& v, const WorkOrder& wo) {
  ui.text(wo.number + "  " + wo.vehicle.plate + "  " + wo.vehicle.model, ui.fonts.large);
  ui.text(wo.customer + "  · " + ui.tr("delivery.promised") + " " + dateTimeText(wo.promised_at, v.utc_offset_minutes),
          nullptr, IM_COL32(190, 190, 190, 255));
}

static void lists(Ui& ui, const View& v, float width, float height, Intents& out) {
  const Shop& s = v.shop;
  ui.beginList("delivery.lists", {width, height});
  ui.heading(ui.tr("delivery.ready"));
  int n = 0;
  for (auto& [id, wo] : s.work_orders) {
    if (wo.delivered_at || !deliveryBlockers(s, wo).empty()) continue;
    ++n;
    const bool declined = !declinedSafety(s, id).empty();
    if (ui.button("delivery.open." + id, wo.vehicle.plate + "  " + wo.number, v.st.delivery.wo == id ? Tone::Primary : Tone::Neutral,
                  width - ui.m.mm(4), declined ? Icon::Warning : Icon::Check))
      v.st.delivery = DeliveryForm{id, std::nullopt, {}, {}};
  }
  if (!n) ui.text(ui.tr("floor.none"), nullptr, IM_COL32(150, 150, 150, 255));
  ImGui::Dummy({0, ui.m.gap()});
  ui.heading(ui.tr("delivery.blocked"));
  for (auto& [id, wo] : s.work_orders) {
    if (wo.delivered_at) continue;
    const auto b = deliveryBlockers(s, wo);
    if (b.empty()) continue;
    ui.text(wo.vehicle.plate + "  " + wo.number);
    for (const Refusal& r : b) {
      const Operation* op = s.operation(r.detail);
      ui.chip(refusalText(ui, r) + (op ? " · " + ui.data(op->title) : ""),  // wrapped to fit (issue 14)
              r.reason == Reason::FinalMissing || r.reason == Reason::FinalFailed ? Tone::Warn : Tone::Neutral, Icon::Lock);
    }
    ImGui::Dummy({0, ui.m.mm(1)});
  }
  // issue 15: cars handed over within the comeback window, newest first:
  // the history of one, where an advisor opens a comeback (返修)
  ImGui::Dummy({0, ui.m.gap()});
  ui.heading(ui.tr("delivery.recent"));
  // (issue 16: read from the store by the App when the screen opened)
  n = 0;
  for (const WorkOrder& wo : v.st.recent_deliveries) {
    if (!wo.delivered_at) continue;
    ++n;
    if (ui.button("delivery.history." + wo.id, wo.vehicle.plate + "  " + wo.number + "  " + dateText(*wo.delivered_at, v.utc_offset_minutes),
                  Tone::Quiet, width - ui.m.mm(4), Icon::Clock)) {
      v.st.history_vin = wo.vehicle.vin;
      v.st.history_back = Screen::Delivery;
      v.st.comeback.reset();
      out.push_back(Go{Screen::History, wo.id});
    }
  }
  if (!n) ui.text(ui.tr("floor.none"), nullptr, IM_COL32(150, 150, 150, 255));
  ui.endList();
}

void drawDelivery(Ui& ui, const View& v, Intents& out) {
  const Shop& s = v.shop;
  DeliveryForm& f = v.st.delivery;
  const ImVec2 avail = contentSize();
  const float left = avail.x * 0.36f;
  ImGui::BeginGroup();
  lists(ui, v, left, avail.y, out);
  ImGui::EndGroup();
  ImGui::SameLine();
  ImGui::BeginGroup();
  const float right = avail.x - left - ui.m.gap();
  const float rightX = ImGui::GetCursorPosX();  // where the right column starts
  const WorkOrder* done = s.workOrder(f.done);
  const WorkOrder* wo = s.workOrder(f.wo);
  if (!wo && done && done->delivered_at) {
    // handed over here: the gate pass, large, for the customer and the guard
    ui.heading(ui.tr("delivery.delivered"));
    carLine(ui, v, *done);
    ImGui::Dummy({0, ui.m.gap()});
    ui.text(ui.tr("delivery.gate_pass"), nullptr, IM_COL32(190, 190, 190, 255));
    ui.text(done->gate_pass, ui.fonts.large);  // the timer font has digits only
    if (done->old_parts) ui.text(ui.tr("delivery.old_parts") + ": " + ui.tr("old_parts." + std::string(name(*done->old_parts))));
    ImGui::Dummy({0, ui.m.gap()});
    if (v.can_print && ui.button("delivery.print", ui.tr("delivery.print"), Tone::Primary, ui.m.mm(90), Icon::Check))
      out.push_back(PrintRecord{done->id});
  } else if (!wo || wo->delivered_at) {
    ui.wrapped(ui.tr("delivery.pick"), IM_COL32(190, 190, 190, 255));
  } else {
    carLine(ui, v, *wo);
    const std::vector<Id> declined = declinedSafety(s, wo->id);
    if (!declined.empty() && !f.customer_done) {
      // 潜在问题提醒单, turned to the customer: what they declined, then
      // their signature on most of the screen
      ui.text(ui.tr("delivery.declined_safety"), ui.fonts.large, toneColour(Tone::Warn, 1.3f));
      for (const Id& id : declined) ui.text("· " + ui.fit(ui.data(s.addons.at(id).reason), right - ui.m.mm(6)));
      ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + right);
      ui.wrapped(ui.tr("delivery.customer_ack"), IM_COL32(220, 220, 220, 255));
      ImGui::PopTextWrapPos();
      const float below = ui.m.touch() + ImGui::GetStyle().ItemSpacing.y * 2;
      const float padH = std::max(ui.m.mm(16), ImGui::GetContentRegionAvail().y - below);
      ui.signaturePad("delivery.pad", f.strokes, {right, padH});
      std::size_t points = 0;
      for (auto& st : f.strokes) points += st.size();
      if (ui.button("delivery.pad.clear", ui.tr("delivery.clear"), Tone::Quiet, ui.m.mm(36), Icon::None, !f.strokes.empty()))
        f.strokes.clear();
      ImGui::SameLine();
      if (ui.button("delivery.customer_done", ui.tr("delivery.customer_done"), Tone::Primary, ui.m.mm(70), Icon::Check, points >= 2))
        f.customer_done = true;
      ImGui::EndGroup();
      return;
    }
    ImGui::Dummy({0, ui.m.gap()});
    // the old parts: three choices, none made for the advisor
    ui.text(ui.tr("delivery.old_parts"), ui.fonts.large);
    const float bw = (right - 2 * ui.m.gap()) / 3;
    int i = 0;
    for (OldParts p : {OldParts::Returned, OldParts::Scrapped, OldParts::WarrantyReturn}) {
      if (i++) ImGui::SameLine();
      const std::string key = "old_parts." + std::string(name(p));
      if (ui.button("delivery." + key, ui.tr(key), f.old_parts == p ? Tone::Primary : Tone::Quiet, bw)) f.old_parts = p;
    }
    if (!declined.empty()) {
      ImGui::Dummy({0, ui.m.gap()});
      ui.chip(format(ui.tr("sign.customer_signed"), {std::to_string(declined.size())}), Tone::Good, Icon::Check);
      // beside it while its label fits there (in English the chip is long)
      ImGui::SameLine();
      const std::string resign = ui.tr("delivery.resign");
      const float room = rightX + right - ImGui::GetCursorPosX();
      const bool fits = room >= ImGui::CalcTextSize(resign.c_str()).x + 2 * ui.m.mm(5);
      if (!fits) ImGui::NewLine();
      if (ui.button("delivery.resign", resign, Tone::Quiet, fits ? std::min(ui.m.mm(40), room) : ui.m.mm(40)))
        f.customer_done = false, f.strokes.clear();
    }
    ImGui::Dummy({0, ui.m.gap()});
    // off until the rules would take it, saying why
    const DeliverWorkOrder d = formDelivery(v);
    const Outcome ready = checkBeforeSigning(s, d);
    std::string why = " ";
    if (!ready) {
      const Refusal& r = *ready.refusal;
      why = r.detail == "old_parts" ? ui.tr("delivery.say_old_parts")
          : r.reason == Reason::AcknowledgementRequired ? ui.tr("delivery.customer_signs")
                                                        : refusalText(ui, r);
    }
    ui.text(why, nullptr, toneColour(Tone::Warn, 1.3f));
    if (ui.button("delivery.deliver", ui.tr("delivery.hand_over"), Tone::Good, ui.m.mm(90), Icon::Sign, bool(ready)))
      out.push_back(RequestSignature{d});
  }
  ImGui::EndGroup();
}

}  // namespace bk::ui
