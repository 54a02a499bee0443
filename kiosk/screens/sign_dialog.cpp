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
  }
  if (auto* rr = std::get_if<ResolveReview>(&st.sign.action)) {
    // the decision itself, as it will be signed
    const bool accept = rr->decision == Decision::Accept;
    ui.chip(ui.tr(accept ? "reviews.accept" : "reviews.void"), accept ? Tone::Good : Tone::Bad, accept ? Icon::Check : Icon::Cross);
  }
  const Id wo = workOrderOf(v.shop, st.sign.action);
  if (auto* w = v.shop.workOrder(wo)) ui.text(w->number + "  " + w->vehicle.plate + "  " + w->vehicle.model);
  ui.text(ui.tr("sign.record") + " " + expectedRecord(st.sign.action), nullptr, IM_COL32(170, 170, 170, 255));
  ImGui::Dummy({0, ui.m.gap()});
  ui.text(ui.tr("sign.by"), nullptr, IM_COL32(170, 170, 170, 255));
  ui.text((me ? me->name : std::string("?")) + "   " + dateTimeText(v.now, v.utc_offset_minutes), ui.fonts.large);
  ImGui::Dummy({0, ui.m.gap()});
  ImGui::PushTextWrapPos(ds.x * 0.52f);  // keep clear of the PIN pad
  ui.wrapped(ui.tr("sign.notice"), IM_COL32(200, 200, 200, 255));
  ImGui::PopTextWrapPos();
  ImGui::Dummy({0, ui.m.gap()});
  if (ui.button("sign.cancel", ui.tr("common.cancel"), Tone::Quiet, ui.m.mm(50), Icon::Back)) {
    st.sign = SignDialog{};
  }
  ImGui::EndGroup();
  ImGui::SameLine(ds.x * 0.55f);
  ImGui::BeginGroup();
  ui.text(ui.tr("sign.enter_pin"), ui.fonts.large);
  if (ui.pinPad("sign.pin", st.sign.pin, 8)) {
    out.push_back(SubmitSigned{st.sign.action, st.sign.pin});
    st.sign.pin.clear();
  }
  ImGui::EndGroup();
  ImGui::End();
}

}  // namespace bk::ui
