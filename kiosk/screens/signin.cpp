// Sign-in by PIN: pick your name, then type the PIN on the pad.
#include "kiosk/screens/screens.hpp"

#include "domain/rules.hpp"

#include <algorithm>

namespace bk::ui {

void drawSignIn(Ui& ui, const View& v, Intents& out) {
  AppState& st = v.st;
  const Shop& s = v.shop;
  const ImVec2 avail = contentSize();
  if (ui.button("signin.back", ui.tr("common.back"), Tone::Quiet, ui.m.mm(40), Icon::Back)) {
    st.pin.clear();
    st.pin_person.clear();
    st.setup.reset();
    out.push_back(Go{Screen::Board, {}});
  }
  if (!st.pin_person.empty()) {  // beside Back, always in view
    ImGui::SameLine();
    if (ui.button("signin.other", ui.tr("signin.not_me"), Tone::Quiet, ui.m.mm(40), Icon::Person)) {
      st.pin_person.clear();
      st.pin.clear();
      st.setup.reset();
    }
  }
  ImGui::SameLine();
  if (st.setup && !st.pin_person.empty()) {
    // issue 13: the setup code from their slip, then their own PIN twice
    SetupForm& f = *st.setup;
    const std::string who = personName(s, st.pin_person);
    ui.heading(f.step == 0 ? format(ui.tr("setup.code_for"), {who})
               : f.step == 1 ? format(ui.tr("setup.choose"), {who, std::to_string(std::clamp(s.policy.pin_length, 5, 8))})
                             : format(ui.tr("setup.again"), {who}));
    ui.wrapped(ui.tr(f.step == 0 ? "setup.code_hint" : "setup.pin_hint"), IM_COL32(190, 190, 190, 255));
    ImGui::SetCursorPosX((avail.x - ui.m.mm(70)) * 0.5f);
    ImGui::BeginGroup();
    if (ui.pinPad("setup.pad." + std::to_string(f.step), st.pin, 8)) {
      if (f.step == 0) f.code = st.pin, f.step = 1;
      else if (f.step == 1) f.first = st.pin, f.step = 2;
      else out.push_back(SetUpPin{st.pin_person, f.code, f.first, st.pin});
      st.pin.clear();
    }
    ImGui::EndGroup();
    return;
  }
  // issue 16: a new kiosk before it holds the shop: how far it is, large
  if (const auto progress = v.sync.catchingUp(); progress && st.pin_person.empty() && s.people.empty()) {
    ui.heading(format(ui.tr("signin.loading_shop"), {std::to_string(static_cast<int>(*progress * 100))}));
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const float bw = avail.x - ui.m.mm(8), bh = ui.m.mm(6);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(at, {at.x + bw, at.y + bh}, IM_COL32(60, 60, 60, 255), ui.m.mm(1));
    dl->AddRectFilled(at, {at.x + bw * *progress, at.y + bh}, toneColour(Tone::Primary, 1.2f), ui.m.mm(1));
    ImGui::Dummy({bw, bh});
    return;
  }
  ui.heading(st.pin_person.empty() ? ui.tr("signin.pick_name") : format(ui.tr("signin.pin_for"), {personName(s, st.pin_person)}));
  if (st.pin_person.empty()) {
    // technicians of this bay's trade first, then everyone else
    const Trade bayTrade = s.bays.count(v.bay) ? s.bays.at(v.bay).trade : Trade::None;
    std::vector<const Person*> people;
    // (issue 13: leavers are not listed)
    for (auto& [id, p] : s.people) if (p.active && p.trade == bayTrade && p.has(Role::Technician)) people.push_back(&p);
    for (auto& [id, p] : s.people) if (p.active && !(p.trade == bayTrade && p.has(Role::Technician))) people.push_back(&p);
    ui.beginList("signin.people", {avail.x, avail.y - ui.m.touch() - ui.m.gap() * 2});
    const float w = ui.m.mm(50);
    const int cols = std::max(1, static_cast<int>((avail.x - ui.m.mm(4)) / (w + ui.m.gap())));
    for (std::size_t i = 0; i < people.size(); ++i) {
      if (i % static_cast<std::size_t>(cols)) ImGui::SameLine();
      if (ui.button("signin.person." + people[i]->id, people[i]->name, Tone::Neutral, w, Icon::Person)) {
        st.pin_person = people[i]->id;
        st.pin.clear();
        // issue 13: someone with a setup code chooses their PIN first
        if (setupPending(s, people[i]->id, v.now)) st.setup = SetupForm{};
      }
    }
    ui.endList();
    return;
  }
  ImGui::SetCursorPosX((avail.x - ui.m.mm(70)) * 0.5f);
  ImGui::BeginGroup();
  if (ui.pinPad("signin.pin", st.pin, 8)) {
    out.push_back(SignInWithPin{st.pin_person, st.pin});
    st.pin.clear();
    st.pin_note.clear();
  }
  ImGui::EndGroup();
  if (!st.pin_note.empty()) {  // issue 14: beside the keypad, not over it
    ImGui::SameLine();
    ImGui::BeginGroup();
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + (avail.x - ui.m.mm(70)) * 0.5f - ui.m.mm(6));
    ui.chip(ui.tr("reason.wrong_pin"), Tone::Bad, Icon::Cross);
    ui.wrapped(st.pin_note, toneColour(Tone::Bad, 1.5f));
    ImGui::PopTextWrapPos();
    ImGui::EndGroup();
  }
}

}  // namespace bk::ui
