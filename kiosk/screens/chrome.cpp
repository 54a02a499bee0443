// The status bar (bay, time, person, hub, pending sync, idle countdown),
// the role navigation bar, and the message line.
#include "kiosk/screens/screens.hpp"

namespace bk::ui {

ImVec2 contentSize() { return ImGui::GetContentRegionAvail(); }

std::vector<Screen> screensFor(const Person& p) {
  std::vector<Screen> s;
  if (p.has(Role::Technician)) s.push_back(Screen::Work);
  if (p.has(Role::Foreman) || p.has(Role::Supervisor) || p.has(Role::TechDirector)) s.push_back(Screen::Floor);
  if (p.has(Role::QualityInspector)) s.push_back(Screen::Final);
  if (p.has(Role::ServiceAdvisor) || p.has(Role::TechDirector) || p.has(Role::ServiceManager) ||
      p.has(Role::WarrantyClerk))
    s.push_back(Screen::Approvals);
  if (p.has(Role::QualityInspector) || p.has(Role::ServiceAdvisor) || p.has(Role::ServiceManager))
    s.push_back(Screen::Delivery);  // issue 12: 交车
  if (p.has(Role::Foreman) || p.has(Role::ServiceManager)) s.push_back(Screen::Reviews);
  if (p.has(Role::Supervisor) || p.has(Role::ServiceManager) || p.has(Role::TechDirector)) s.push_back(Screen::Report);
  return s;
}

static const char* screenKey(Screen s) {
  switch (s) {
    case Screen::Work: return "nav.work";
    case Screen::Floor: return "nav.floor";
    case Screen::Final: return "nav.final";
    case Screen::Approvals: return "nav.approvals";
    case Screen::Reviews: return "nav.reviews";
    case Screen::Delivery: return "nav.delivery";
    case Screen::Report: return "nav.report";
    default: return "nav.board";
  }
}

static constexpr ImU32 kBar = IM_COL32(18, 20, 24, 255);

void drawStatusBar(Ui& ui, const View& v, Intents& out) {
  const float h = ui.m.statusBar();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x;
  dl->AddRectFilled(p, {p.x + w, p.y + h}, kBar);
  const float ty = p.y + (h - ImGui::GetTextLineHeight()) * 0.5f;
  float x = p.x + ui.m.mm(3);
  auto put = [&](const std::string& s, ImU32 col = IM_COL32(235, 235, 235, 255)) {
    ui.textAt(dl, {x, ty}, col, kBar, s);
    x += ImGui::CalcTextSize(s.c_str()).x + ui.m.mm(5);
  };
  auto* bay = v.shop.bays.count(v.bay) ? &v.shop.bays.at(v.bay) : nullptr;
  put(ui.tr("status.bay") + " " + (bay ? bay->name : v.bay.str()));
  put(clockText(v.now, v.utc_offset_minutes));
  if (auto* me = v.me()) {
    drawIcon(dl, Icon::Person, {x + ui.m.mm(2), p.y + h * 0.5f}, ui.m.mm(4), IM_COL32(235, 235, 235, 255));
    x += ui.m.mm(5);
    put(me->name);
    // issue 14: an unsaved form holds the sign-out off (App::frame)
    const Millis limit = formDirty(v.st) ? std::max(Millis{v.idle_seconds} * 1000, kFormIdleMs) : Millis{v.idle_seconds} * 1000;
    const Millis left = limit - (v.now - v.st.last_input);
    const bool undo = v.st.undo && v.st.undo->until > v.now;
    if (!undo)
      put(format(ui.tr("status.idle_countdown"), {std::to_string(std::max<Millis>(0, left / 1000))}),
          left < 20'000 ? toneColour(Tone::Warn, 1.3f) : IM_COL32(170, 170, 170, 255));
    // issue 14: undo, for a few seconds after a clocking, where nothing else
    // moves for it (never in the place of something the finger just left)
    if (undo) {  // in the countdown's place: it has just been reset
      const UndoClock& u = v.st.undo->action;
      const char* what = !u.cancel.empty() && !u.reopen.empty() ? "work.undo_switch"
                         : !u.cancel.empty()                     ? "work.undo_clock_on"
                                                                 : "work.undo_clock_off";
      const std::string label = format(ui.tr(what), {std::to_string((v.st.undo->until - v.now + 999) / 1000)});
      ImGui::SetCursorScreenPos({x, p.y + (h - ui.m.touch()) * 0.5f});
      const float bw = ImGui::CalcTextSize(label.c_str()).x + ui.m.mm(16);
      if (ui.button("work.undo", label, Tone::Primary, bw, Icon::Back, true, ui.m.touch())) {
        UndoClock a = u;
        a.at = v.now;
        out.push_back(Submit{a});
        v.st.undo.reset();
      }
      x += bw + ui.m.mm(3);
    }
    // issue 14: its last 20 s are a bar across the whole screen, seen from a metre
    if (left < 20'000) {
      const float frac = static_cast<float>(std::max<Millis>(0, left)) / 20'000.f;
      const float by = p.y + h - ui.m.mm(2.5f);
      dl->AddRectFilled({p.x, by}, {p.x + w, p.y + h}, IM_COL32(60, 60, 60, 255));
      dl->AddRectFilled({p.x, by}, {p.x + w * frac, p.y + h}, toneColour(Tone::Warn, 1.2f));
    }
  }
  // hub state: colour with an icon and a word, never colour alone
  std::string hub;
  Tone tone;
  Icon icon;
  if (!v.sync.hub_configured) { hub = ui.tr("status.hub_none"); tone = Tone::Warn; icon = Icon::Warning; }
  else if (v.sync.fault == HubFault::Refused || v.sync.fault == HubFault::BadReply) {
    hub = ui.tr("status.hub_fault"); tone = Tone::Bad; icon = Icon::Warning;
  } else if (v.sync.fault == HubFault::Unstable) {
    hub = ui.tr("status.hub_unstable"); tone = Tone::Warn; icon = Icon::Warning;
  } else if (v.sync.fault == HubFault::UpdateNeeded) {  // issue 13: works on offline
    hub = ui.tr("status.hub_update_needed"); tone = Tone::Warn; icon = Icon::Warning;
  }
  else if (v.sync.reachable) { hub = ui.tr("status.hub_online"); tone = Tone::Good; icon = Icon::Check; }
  else { hub = ui.tr("status.hub_offline"); tone = Tone::Bad; icon = Icon::Cross; }
  const std::string pending = format(ui.tr("status.pending"), {std::to_string(v.sync.pending)});
  // right side: language switch, hub state, pending count
  const std::string& langLabel = ui.tr("status.switch_lang");
  const float langW = ui.m.mm(26);
  const float right = p.x + w - langW - ui.m.mm(2);
  const float pendW = ImGui::CalcTextSize(pending.c_str()).x;
  ui.textAt(dl, {right - pendW - ui.m.mm(3), ty}, v.sync.pending ? toneColour(Tone::Warn, 1.3f) : IM_COL32(200, 200, 200, 255),
            kBar, pending);
  const float hubW = ImGui::CalcTextSize(hub.c_str()).x + ui.m.mm(10);
  const float hx = right - pendW - ui.m.mm(6) - hubW;
  const ImU32 hubFill = toneColour(tone), hubText = textOn(hubFill);
  dl->AddRectFilled({hx, p.y + ui.m.mm(1.5f)}, {hx + hubW, p.y + h - ui.m.mm(1.5f)}, hubFill, ui.m.mm(1));
  drawIcon(dl, icon, {hx + ui.m.mm(3.5f), p.y + h * 0.5f}, ui.m.mm(4), hubText);
  ui.textAt(dl, {hx + ui.m.mm(7), ty}, hubText, hubFill, hub);
  // a kiosk catching up with the hub shows how far it is, not a frozen screen
  if (const auto progress = v.sync.catchingUp()) {
    const float frac = *progress;
    const float bw = ui.m.mm(40), bx = hx - bw - ui.m.mm(4), by = p.y + h - ui.m.mm(4);
    const std::string label = format(ui.tr(v.sync.loading_snapshot ? "status.loading_shop" : "status.syncing"),
                                     {std::to_string(static_cast<int>(frac * 100))});
    ui.textAt(dl, {bx, p.y + ui.m.mm(1.5f)}, IM_COL32(235, 235, 235, 255), kBar, label);
    dl->AddRectFilled({bx, by}, {bx + bw, by + ui.m.mm(2)}, IM_COL32(60, 60, 60, 255), 2);
    dl->AddRectFilled({bx, by}, {bx + bw * frac, by + ui.m.mm(2)}, toneColour(Tone::Primary, 1.2f), 2);
  }
  ImGui::SetCursorScreenPos({right, p.y + ui.m.mm(0.5f)});
  if (ui.button("status.lang", langLabel, Tone::Quiet, langW, Icon::None, true, ui.m.touch()))
    out.push_back(SetLanguage{ui.t.lang == Lang::Zh ? Lang::En : Lang::Zh});
  ImGui::SetCursorScreenPos({p.x, p.y + h + ui.m.mm(1)});
}

void drawNavBar(Ui& ui, const View& v, Intents& out) {
  auto* me = v.me();
  if (!me) return;
  const auto screens = screensFor(*me);
  const float avail = ImGui::GetContentRegionAvail().x;
  const float outW = ui.m.mm(36);
  const float w = std::min(ui.m.mm(48), (avail - outW - ui.m.gap() * static_cast<float>(screens.size())) /
                                            std::max<float>(1.f, static_cast<float>(screens.size())));
  for (std::size_t i = 0; i < screens.size(); ++i) {
    if (i) ImGui::SameLine();
    const Screen s = screens[i];
    const bool on = v.st.screen == s;
    // the key is the button's id too ("nav.work"…)
    // issue 14: what waits there, on the tab
    int waiting = 0;
    if (v.waiting)
      if (auto it = v.waiting->find(s); it != v.waiting->end()) waiting = it->second;
    const std::string label = waiting ? ui.tr(screenKey(s)) + " (" + std::to_string(waiting) + ")" : ui.tr(screenKey(s));
    if (ui.button(std::string(screenKey(s)), label, on ? Tone::Primary : Tone::Neutral, w))
      out.push_back(Go{s, {}});
  }
  ImGui::SameLine(avail - outW);
  if (ui.button("nav.signout", ui.tr("nav.sign_out"), Tone::Quiet, outW, Icon::Lock)) out.push_back(SignOut{});
}

void drawMessage(Ui& ui, const View& v) {
  if (!v.st.message || v.now > v.st.message->until) return;
  const ImVec2 ds = ImGui::GetIO().DisplaySize;
  const float h = ui.m.mm(14);
  ImDrawList* dl = ImGui::GetForegroundDrawList();
  ImGui::PushFont(ui.fonts.large);
  // issue 14: two lines rather than cut short
  const float textW = ds.x - ui.m.mm(12) - ui.m.mm(20);
  const auto ls = ui.lines(v.st.message->text, textW, 2);
  const float lh = ImGui::GetTextLineHeight();
  const float hh = std::max(h, lh * static_cast<float>(ls.size()) + ui.m.mm(4));
  const ImVec2 a{ui.m.mm(6), ds.y - hh - ui.m.mm(4)}, b{ds.x - ui.m.mm(6), ds.y - ui.m.mm(4)};
  const ImU32 fill = toneColour(v.st.message->tone), fg = textOn(fill);
  dl->AddRectFilled(a, b, fill, ui.m.mm(2));
  const Icon icon = v.st.message->tone == Tone::Bad ? Icon::Warning : v.st.message->tone == Tone::Good ? Icon::Check : Icon::None;
  drawIcon(dl, icon, {a.x + ui.m.mm(7), (a.y + b.y) * 0.5f}, ui.m.mm(7), fg);
  float y = (a.y + b.y - lh * static_cast<float>(ls.size())) * 0.5f;
  for (const std::string& l : ls) {
    ui.textAt(dl, {a.x + ui.m.mm(14), y}, fg, fill, l, ui.fonts.large);
    y += lh;
  }
  ImGui::PopFont();
}

}  // namespace bk::ui
