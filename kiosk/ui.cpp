#include "kiosk/ui.hpp"

#include <imgui_freetype.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>

namespace bk::ui {

void buildFonts(ImGuiIO& io, const Metrics& m, const std::string& glyph_text, const std::string& font_file,
                Fonts& out) {
  ImFontAtlas* atlas = io.Fonts;
  atlas->Clear();
  atlas->FontBuilderIO = ImGuiFreeType::GetBuilderForFreeType();
  ImVector<ImWchar>& textRanges = out.text_ranges;
  ImVector<ImWchar>& digitRanges = out.digit_ranges;
  textRanges.clear();
  digitRanges.clear();
  ImFontGlyphRangesBuilder b;
  b.AddRanges(atlas->GetGlyphRangesDefault());  // ASCII + Latin-1
  b.AddText(glyph_text.c_str());
  b.AddText("…·—–×÷±°μΩ℃");
  b.BuildRanges(&textRanges);
  out.asked.Storage = b.UsedChars;
  ++out.builds;
  ImFontGlyphRangesBuilder d;
  d.AddText("0123456789:-+. ");
  d.BuildRanges(&digitRanges);

  ImFontConfig cfg;
  cfg.FontNo = 0;
  cfg.PixelSnapH = true;
  out.body = atlas->AddFontFromFileTTF(font_file.c_str(), std::round(m.bodyPx()), &cfg, textRanges.Data);
  out.large = atlas->AddFontFromFileTTF(font_file.c_str(), std::round(m.largePx()), &cfg, textRanges.Data);
  out.timer = atlas->AddFontFromFileTTF(font_file.c_str(), std::round(m.timerPx()), &cfg, digitRanges.Data);
  if (!out.body || !out.large || !out.timer) {
    // No CJK font: fall back to ImGui's built-in (Latin only) so the kiosk
    // still starts and says why in English; install fonts-wqy-microhei.
    atlas->Clear();
    ImFontConfig def;
    def.SizePixels = std::round(m.bodyPx());
    out.body = out.large = out.timer = atlas->AddFontDefault(&def);
  }
  atlas->Build();
}

bool fontCovers(const Fonts& fonts, const std::string& text) {
  if (fonts.asked.Storage.empty()) return false;
  const char* s = text.c_str();
  const char* end = s + text.size();
  while (s < end) {
    unsigned int c = 0;
    const int n = ImTextCharFromUtf8(&c, s, end);
    if (n <= 0) break;
    s += n;
    if (c < 0x20) continue;
    if (c > IM_UNICODE_CODEPOINT_MAX) continue;  // beyond what ImGui draws: shown as '?', never asked for
    if (!fonts.asked.TestBit(static_cast<int>(c))) return false;
  }
  return true;
}

ImU32 toneColour(Tone t, float shade) {
  // Okabe–Ito: blue, bluish green, vermillion, orange; greys for neutral.
  // Vermillion a shade deeper than Okabe–Ito's, so white on it reaches 4.5:1.
  ImVec4 c;
  switch (t) {
    case Tone::Primary: c = {0.00f, 0.45f, 0.70f, 1}; break;
    case Tone::Good: c = {0.00f, 0.50f, 0.36f, 1}; break;
    case Tone::Bad: c = {0.76f, 0.30f, 0.00f, 1}; break;
    case Tone::Warn: c = {0.80f, 0.55f, 0.00f, 1}; break;
    case Tone::Quiet: c = {0.22f, 0.24f, 0.27f, 1}; break;
    case Tone::Neutral: c = {0.30f, 0.33f, 0.37f, 1}; break;
  }
  return ImGui::ColorConvertFloat4ToU32({std::min(1.f, c.x * shade), std::min(1.f, c.y * shade), std::min(1.f, c.z * shade), 1});
}

static float luminance(ImU32 c) {
  auto lin = [](unsigned v) {
    const float s = static_cast<float>(v) / 255.f;
    return s <= 0.04045f ? s / 12.92f : std::pow((s + 0.055f) / 1.055f, 2.4f);
  };
  return 0.2126f * lin((c >> IM_COL32_R_SHIFT) & 0xFF) + 0.7152f * lin((c >> IM_COL32_G_SHIFT) & 0xFF) +
         0.0722f * lin((c >> IM_COL32_B_SHIFT) & 0xFF);
}

float contrast(ImU32 a, ImU32 b) {
  const float la = luminance(a), lb = luminance(b);
  return (std::max(la, lb) + 0.05f) / (std::min(la, lb) + 0.05f);
}

ImU32 textOn(ImU32 bg) {
  const ImU32 white = IM_COL32(255, 255, 255, 255), dark = IM_COL32(16, 16, 16, 255);
  return contrast(white, bg) >= contrast(dark, bg) ? white : dark;
}

void drawIcon(ImDrawList* dl, Icon icon, ImVec2 c, float s, ImU32 col) {
  const float t = std::max(2.f, s * 0.12f);
  const float h = s * 0.5f;
  switch (icon) {
    case Icon::None: break;
    case Icon::Check:
      dl->AddLine({c.x - h * 0.8f, c.y}, {c.x - h * 0.2f, c.y + h * 0.6f}, col, t);
      dl->AddLine({c.x - h * 0.2f, c.y + h * 0.6f}, {c.x + h * 0.8f, c.y - h * 0.6f}, col, t);
      break;
    case Icon::Cross:
      dl->AddLine({c.x - h * 0.6f, c.y - h * 0.6f}, {c.x + h * 0.6f, c.y + h * 0.6f}, col, t);
      dl->AddLine({c.x + h * 0.6f, c.y - h * 0.6f}, {c.x - h * 0.6f, c.y + h * 0.6f}, col, t);
      break;
    case Icon::Clock:
      dl->AddCircle(c, h * 0.85f, col, 24, t);
      dl->AddLine(c, {c.x, c.y - h * 0.55f}, col, t);
      dl->AddLine(c, {c.x + h * 0.4f, c.y}, col, t);
      break;
    case Icon::Warning:
      dl->AddTriangle({c.x, c.y - h * 0.85f}, {c.x + h * 0.9f, c.y + h * 0.7f}, {c.x - h * 0.9f, c.y + h * 0.7f}, col, t);
      dl->AddLine({c.x, c.y - h * 0.3f}, {c.x, c.y + h * 0.2f}, col, t);
      dl->AddCircleFilled({c.x, c.y + h * 0.45f}, t * 0.7f, col);
      break;
    case Icon::Lock:
      dl->AddRect({c.x - h * 0.6f, c.y - h * 0.1f}, {c.x + h * 0.6f, c.y + h * 0.8f}, col, 2, 0, t);
      dl->PathArcTo({c.x, c.y - h * 0.1f}, h * 0.4f, 3.14159f, 2 * 3.14159f, 12);
      dl->PathStroke(col, 0, t);
      break;
    case Icon::Pause:
      dl->AddRectFilled({c.x - h * 0.55f, c.y - h * 0.6f}, {c.x - h * 0.15f, c.y + h * 0.6f}, col);
      dl->AddRectFilled({c.x + h * 0.15f, c.y - h * 0.6f}, {c.x + h * 0.55f, c.y + h * 0.6f}, col);
      break;
    case Icon::Play:
      dl->AddTriangleFilled({c.x - h * 0.45f, c.y - h * 0.65f}, {c.x + h * 0.7f, c.y}, {c.x - h * 0.45f, c.y + h * 0.65f}, col);
      break;
    case Icon::Stop: dl->AddRectFilled({c.x - h * 0.55f, c.y - h * 0.55f}, {c.x + h * 0.55f, c.y + h * 0.55f}, col); break;
    case Icon::Person:
      dl->AddCircleFilled({c.x, c.y - h * 0.35f}, h * 0.35f, col);
      dl->PathArcTo({c.x, c.y + h * 0.75f}, h * 0.7f, 3.14159f, 2 * 3.14159f, 16);
      dl->PathFillConvex(col);
      break;
    case Icon::Back:
      dl->AddLine({c.x + h * 0.3f, c.y - h * 0.6f}, {c.x - h * 0.3f, c.y}, col, t);
      dl->AddLine({c.x - h * 0.3f, c.y}, {c.x + h * 0.3f, c.y + h * 0.6f}, col, t);
      break;
    case Icon::Wrench:
      dl->AddLine({c.x - h * 0.6f, c.y + h * 0.6f}, {c.x + h * 0.2f, c.y - h * 0.2f}, col, t * 1.4f);
      dl->AddCircle({c.x + h * 0.35f, c.y - h * 0.35f}, h * 0.35f, col, 12, t);
      break;
    case Icon::Sign:
      dl->AddLine({c.x - h * 0.7f, c.y + h * 0.6f}, {c.x + h * 0.6f, c.y - h * 0.7f}, col, t);
      dl->AddLine({c.x - h * 0.8f, c.y + h * 0.75f}, {c.x + h * 0.8f, c.y + h * 0.75f}, col, t * 0.7f);
      break;
  }
}

std::string Ui::fit(const std::string& s, float width) {
  if (ImGui::CalcTextSize(s.c_str()).x <= width) return s;
  drawn.push_back({s, ImGui::GetFontSize(), 0, 0, true});
  std::string out = s;
  while (!out.empty()) {
    // drop one UTF-8 character from the end
    std::size_t i = out.size() - 1;
    while (i > 0 && (static_cast<unsigned char>(out[i]) & 0xC0) == 0x80) --i;
    out.resize(i);
    if (ImGui::CalcTextSize((out + "…").c_str()).x <= width) return out + "…";
  }
  return out;
}

static void recordHit(std::vector<Hit>& hits, const std::string& id, ImVec2 a, ImVec2 b, bool enabled) {
  if (!ImGui::IsItemVisible()) return;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 cmin = dl->GetClipRectMin(), cmax = dl->GetClipRectMax();
  Hit h{id, {std::max(a.x, cmin.x), std::max(a.y, cmin.y)}, {std::min(b.x, cmax.x), std::min(b.y, cmax.y)}, enabled,
        a.x < cmin.x || a.y < cmin.y || b.x > cmax.x || b.y > cmax.y};
  if (h.max.x > h.min.x && h.max.y > h.min.y) hits.push_back(std::move(h));
}

bool Ui::button(const std::string& id, const std::string& label, Tone tone, float width, Icon icon, bool enabled,
                float height) {
  float h = height > 0 ? height : m.touch();
  const float iconW = icon == Icon::None ? 0 : h * 0.55f;
  // issue 14: a label that needs three lines at this width makes the button
  // taller, rather than end in "…"
  if (height <= 0 && width > 0) {
    const float room = width - 2 * m.mm(3) - (icon == Icon::None ? 0 : iconW + m.mm(1.5f));
    const float lh = ImGui::GetFontSize();
    if (room > lh && ImGui::CalcTextSize(label.c_str(), nullptr, false, room).y > 2.5f * lh) h = 3 * lh + m.mm(4);
  }
  float w = width > 0 ? width : ImGui::CalcTextSize(label.c_str()).x + 2 * m.mm(5) + iconW;
  w = std::max(w, m.touch());
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  ImGui::PushID(id.c_str());
  bool clicked = ImGui::InvisibleButton("##b", {w, h});
  const bool held = ImGui::IsItemActive() && enabled;
  ImGui::PopID();
  const ImGuiIO& io = ImGui::GetIO();
  // a drag is a scroll, never a press
  if (clicked && io.MouseDragMaxDistanceSqr[0] > dragThreshold() * dragThreshold()) clicked = false;
  if (!enabled) clicked = false;
  if (clicked && guard) {  // issue 14: not what appeared under the finger
    const ImVec2 mp = io.MousePos;
    const float dx = mp.x - guard->pos.x, dy = mp.y - guard->pos.y, r = m.touch() * 0.75f;
    if (now - guard->at < kTapGuardMs && guard->id != id && dx * dx + dy * dy < r * r) {
      clicked = false;
      ++guard->ignored;
    } else {
      guard->at = now;
      guard->id = id;
      guard->pos = mp;
    }
  }

  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float inset = held ? m.mm(0.6f) : 0.f;
  const ImVec2 a{pos.x + inset, pos.y + inset}, b{pos.x + w - inset, pos.y + h - inset};
  const ImU32 fill = !enabled ? toneColour(Tone::Quiet, 0.8f) : toneColour(tone, held ? 0.65f : 1.f);
  dl->AddRectFilled(a, b, fill, m.mm(1.5f));
  dl->AddRect(a, b, held ? IM_COL32(255, 255, 255, 255) : IM_COL32(255, 255, 255, 60), m.mm(1.5f), 0,
              held ? m.mm(0.6f) : 1.f);
  // issue 14: the text colour that reads on this fill (dark on amber)
  const ImU32 fg = enabled ? textOn(fill) : IM_COL32(185, 185, 185, 255);
  const float pad = m.mm(3);
  float x = a.x + pad;
  if (icon != Icon::None) {
    drawIcon(dl, icon, {x + iconW * 0.5f, (a.y + b.y) * 0.5f}, iconW, fg);
    x += iconW + m.mm(1.5f);
  }
  // issue 14: a label too long for one line takes two, never "…" if it fits
  const float fs = ImGui::GetFontSize();
  const std::vector<std::string> ls = lines(label, b.x - x - pad, h >= 3 * fs ? 3 : h >= 2.4f * fs ? 2 : 1);
  const float lh = ImGui::GetFontSize();
  float ty = (a.y + b.y - lh * static_cast<float>(ls.size())) * 0.5f;
  for (const std::string& line : ls) {
    const ImVec2 ts = ImGui::CalcTextSize(line.c_str());
    const float tx = icon == Icon::None ? (a.x + b.x - ts.x) * 0.5f : x;
    textAt(dl, {tx, ty}, fg, fill, line);
    ty += lh;
  }
  recordHit(hits, id, pos, {pos.x + w, pos.y + h}, enabled);
  return clicked;
}

bool Ui::verdict(const std::string& id, std::optional<Verdict>& v, bool allow_na) {
  bool changed = false;
  const float w = m.mm(34);
  struct Opt { Verdict v; const char* key; Tone tone; Icon icon; const char* suffix; };
  const Opt opts[] = {{Verdict::Pass, "verdict.pass", Tone::Good, Icon::Check, ".pass"},
                      {Verdict::Fail, "verdict.fail", Tone::Bad, Icon::Cross, ".fail"},
                      {Verdict::NotApplicable, "verdict.na", Tone::Neutral, Icon::None, ".na"}};
  for (const Opt& o : opts) {
    if (o.v == Verdict::NotApplicable && !allow_na) continue;
    if (o.v != Verdict::Pass) ImGui::SameLine();
    const bool on = v == o.v;
    if (button(id + o.suffix, tr(o.key), on ? o.tone : Tone::Quiet, w, on ? o.icon : Icon::None)) {
      changed = v != o.v;
      v = o.v;  // issue 12: unset until tapped; no choice is made for the person
    }
  }
  return changed;
}

bool Ui::signaturePad(const std::string& id, std::vector<Stroke>& strokes, ImVec2 size) {
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  ImGui::PushID(id.c_str());
  ImGui::InvisibleButton("##pad", size);
  const bool started = ImGui::IsItemActivated(), active = ImGui::IsItemActive();
  ImGui::PopID();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 end{pos.x + size.x, pos.y + size.y};
  dl->AddRectFilled(pos, end, IM_COL32(250, 250, 245, 255), m.mm(1.5f));
  dl->AddLine({pos.x + m.mm(6), end.y - m.mm(10)}, {end.x - m.mm(6), end.y - m.mm(10)}, IM_COL32(150, 150, 150, 255), 2.f);
  if (strokes.empty()) {
    const std::string hint = tr("delivery.sign_here");
    const ImVec2 ts = ImGui::CalcTextSize(hint.c_str());
    textAt(dl, {pos.x + (size.x - ts.x) * 0.5f, pos.y + (size.y - ts.y) * 0.5f}, IM_COL32(95, 95, 95, 255), IM_COL32(250, 250, 245, 255), hint);
  }
  bool changed = false;
  std::size_t total = 0;
  for (auto& st : strokes) total += st.size();
  if (started && strokes.size() < kMaxStrokes) strokes.emplace_back(), changed = true;
  if (active && !strokes.empty() && total < kMaxAckPoints && strokes.back().size() < kMaxStrokePoints) {
    // kept in pad units (0..1000 each way), so it redraws at any size
    const ImVec2 p = ImGui::GetIO().MousePos;
    auto unit = [](float v, float lo, float span) {
      return std::clamp(static_cast<int>((v - lo) / span * static_cast<float>(kPadScale) + 0.5f), 0, kPadScale);
    };
    const std::array<int, 2> q{unit(p.x, pos.x, size.x), unit(p.y, pos.y, size.y)};
    Stroke& st = strokes.back();
    if (st.empty() || std::abs(st.back()[0] - q[0]) + std::abs(st.back()[1] - q[1]) >= 4) st.push_back(q), changed = true;
  }
  for (const Stroke& st : strokes) {
    std::vector<ImVec2> pts;
    for (auto& q : st)
      pts.push_back({pos.x + size.x * static_cast<float>(q[0]) / kPadScale, pos.y + size.y * static_cast<float>(q[1]) / kPadScale});
    if (pts.size() == 1) dl->AddCircleFilled(pts[0], m.mm(0.5f), IM_COL32(20, 20, 60, 255));
    else if (!pts.empty()) dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), IM_COL32(20, 20, 60, 255), 0, m.mm(0.7f));
  }
  recordHit(hits, id, pos, end, true);
  return changed;
}

bool Ui::stepper(const std::string& id, int& value, int step, int lo, int hi, const std::string& shown) {
  const int before = value;
  if (button(id + ".minus", "-", Tone::Neutral, m.touch(), Icon::None, value > lo)) value = std::max(lo, value - step);
  ImGui::SameLine();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::Dummy({m.mm(38), m.touch()});
  ImGui::PushFont(fonts.large);
  const ImVec2 ts = ImGui::CalcTextSize(shown.c_str());
  textAt(ImGui::GetWindowDrawList(), {p.x + (m.mm(38) - ts.x) * 0.5f, p.y + (m.touch() - ts.y) * 0.5f},
         IM_COL32(255, 255, 255, 255), bg, shown);
  ImGui::PopFont();
  ImGui::SameLine();
  if (button(id + ".plus", "+", Tone::Neutral, m.touch(), Icon::None, value < hi)) value = std::min(hi, value + step);
  return value != before;
}

bool Ui::pinPad(const std::string& id, std::string& digits, std::size_t max_len) {
  // The PIN is shown as dots, never as digits.
  const float key = m.mm(22);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float padW = 3 * key + 2 * m.gap();
  ImGui::Dummy({padW, m.mm(12)});
  ImDrawList* dl = ImGui::GetWindowDrawList();
  // the dots centred over the keys, never wider than them (issue 14: a note
  // beside the pad is never drawn over the last dot)
  const float step = max_len > 1 ? std::min(m.mm(9), (padW - m.mm(6)) / static_cast<float>(max_len - 1)) : 0.f;
  const float x0 = p.x + (padW - step * static_cast<float>(max_len ? max_len - 1 : 0)) * 0.5f;
  for (std::size_t i = 0; i < max_len; ++i) {
    const ImVec2 c{x0 + static_cast<float>(i) * step, p.y + m.mm(6)};
    if (i < digits.size()) dl->AddCircleFilled(c, m.mm(2.5f), IM_COL32(255, 255, 255, 255));
    else dl->AddCircle(c, m.mm(2.5f), IM_COL32(255, 255, 255, 120), 0, 2);
  }
  bool ok = false;
  const char* rows[4][3] = {{"1", "2", "3"}, {"4", "5", "6"}, {"7", "8", "9"}, {"back", "0", "ok"}};
  for (auto& row : rows) {
    for (int c = 0; c < 3; ++c) {
      if (c) ImGui::SameLine();
      const std::string k = row[c];
      if (k == "back") {
        if (button(id + ".back", tr("common.delete"), Tone::Neutral, key, Icon::None, !digits.empty(), key * 0.8f)) digits.pop_back();
      } else if (k == "ok") {
        if (button(id + ".ok", tr("common.ok"), Tone::Primary, key, Icon::None, digits.size() >= 4, key * 0.8f)) ok = true;
      } else if (button(id + "." + k, k, Tone::Neutral, key, Icon::None, digits.size() < max_len, key * 0.8f)) {
        digits += k;
      }
    }
  }
  return ok;
}

bool Ui::keypad(const std::string& id, std::string& text) {
  // 7 8 9 ⌫ / 4 5 6 − / 1 2 3 . / 0 OK — four rows fit any screen height
  const float key = m.mm(19), kh = m.touch();
  bool ok = false;
  const char* rows[4][4] = {{"7", "8", "9", "back"}, {"4", "5", "6", "-"}, {"1", "2", "3", "."}, {"0", "ok", "", ""}};
  for (auto& row : rows) {
    for (int c = 0; c < 4; ++c) {
      const std::string k = row[c];
      if (k.empty()) continue;
      if (c) ImGui::SameLine();
      if (k == "back") {
        if (button(id + ".back", tr("common.delete"), Tone::Neutral, key, Icon::None, !text.empty(), kh)) text.pop_back();
      } else if (k == "ok") {
        if (button(id + ".ok", tr("common.ok"), Tone::Primary, key * 2 + ImGui::GetStyle().ItemSpacing.x, Icon::Check,
                   !text.empty() && text != "-", kh))
          ok = true;
      } else {
        const bool allowed = text.size() < 8 && (k != "." || text.find('.') == std::string::npos) &&
                             (k != "-" || text.empty());
        const std::string kid = k == "-" ? "minus" : k == "." ? "dot" : k;
        if (button(id + "." + kid, k, Tone::Neutral, key, Icon::None, allowed, kh)) text += k;
      }
    }
  }
  return ok;
}

void Ui::beginList(const std::string& id, ImVec2 size) {
  ImGui::BeginChild(id.c_str(), size, false, ImGuiWindowFlags_NoScrollbar);
  if (scroll_top) ImGui::SetScrollY(0);  // issue 14: never at the previous user's place
  const ImGuiIO& io = ImGui::GetIO();
  if (ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows | ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) &&
      ImGui::IsMouseDragging(ImGuiMouseButton_Left, dragThreshold()))
    ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseDelta.y);
}

void Ui::endList() {
  // a thin position bar, visible without hover
  const float maxY = ImGui::GetScrollMaxY();
  if (maxY > 0) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
    const float frac = ws.y / (ws.y + maxY);
    const float top = wp.y + (ws.y - ws.y * frac) * (ImGui::GetScrollY() / maxY);
    dl->AddRectFilled({wp.x + ws.x - m.mm(1.5f), top}, {wp.x + ws.x, top + ws.y * frac}, IM_COL32(255, 255, 255, 110), 2);
  }
  ImGui::EndChild();
}

void Ui::text(const std::string& s, ImFont* font, ImU32 col) {
  if (font) ImGui::PushFont(font);
  if (col) ImGui::PushStyleColor(ImGuiCol_Text, col);
  ImGui::TextUnformatted(s.c_str());
  // past the window's edge, or the wrap position a column set: cut off
  const ImGuiWindow* w = ImGui::GetCurrentWindow();
  float right = w->Pos.x + ImGui::GetWindowContentRegionMax().x;
  if (w->DC.TextWrapPos > 0) right = std::min(right, w->Pos.x + w->DC.TextWrapPos);
  const bool off = ImGui::GetItemRectMax().x > right + 1.f;
  drawn.push_back({s, ImGui::GetFontSize(), ImGui::GetColorU32(ImGuiCol_Text), bg, off});
  if (col) ImGui::PopStyleColor();
  if (font) ImGui::PopFont();
}

void Ui::wrapped(const std::string& s, ImU32 col) {
  if (col) ImGui::PushStyleColor(ImGuiCol_Text, col);
  ImGui::TextWrapped("%s", s.c_str());  // wraps at the current wrap position (the window edge by default)
  drawn.push_back({s, ImGui::GetFontSize(), ImGui::GetColorU32(ImGuiCol_Text), bg, false});
  if (col) ImGui::PopStyleColor();
}

void Ui::textAt(ImDrawList* dl, ImVec2 pos, ImU32 fg, ImU32 on, const std::string& s, ImFont* font) {
  ImFont* f = font ? font : ImGui::GetFont();
  const float px = font ? font->FontSize : ImGui::GetFontSize();
  dl->AddText(f, px, pos, fg, s.c_str());
  const float right = pos.x + f->CalcTextSizeA(px, FLT_MAX, 0, s.c_str()).x;
  drawn.push_back({s, px, fg, on, right > dl->GetClipRectMax().x + 1.f});
}

std::vector<std::string> Ui::lines(const std::string& s, float width, int max_lines) {
  std::vector<std::string> out;
  ImFont* font = ImGui::GetFont();
  const float scale = ImGui::GetFontSize() / font->FontSize;
  const char* p = s.c_str();
  const char* end = p + s.size();
  while (p < end && static_cast<int>(out.size()) < max_lines) {
    if (static_cast<int>(out.size()) == max_lines - 1) {  // the last line takes the rest
      out.push_back(fit(std::string(p, end), width));
      return out;
    }
    const char* brk = font->CalcWordWrapPositionA(scale, p, end, width);
    if (brk <= p) brk = p + 1;
    while (brk < end && (*brk & 0xC0) == 0x80) ++brk;  // never inside a UTF-8 character
    std::string line(p, brk);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out.push_back(line);
    p = brk;
    while (p < end && *p == ' ') ++p;
  }
  if (out.empty()) out.emplace_back();
  return out;
}

void Ui::heading(const std::string& s) { text(s, fonts.large); }

void Ui::chip(const std::string& label, Tone tone, Icon icon) {
  const float lh = ImGui::GetTextLineHeight();
  const float h1 = lh + m.mm(2);
  const float iw = icon == Icon::None ? 0 : h1 * 0.8f;
  // issue 14: never past the edge of its card or column: wrapped to fit
  const float room = std::max(m.mm(30), ImGui::GetContentRegionAvail().x);
  const float textRoom = room - iw - m.mm(4);
  const std::vector<std::string> ls =
      ImGui::CalcTextSize(label.c_str()).x <= textRoom ? std::vector<std::string>{label} : lines(label, textRoom, 3);
  float tw = 0;
  for (auto& l : ls) tw = std::max(tw, ImGui::CalcTextSize(l.c_str()).x);
  const float h = h1 + lh * static_cast<float>(ls.size() - 1);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float w = tw + iw + m.mm(4);
  ImGui::Dummy({w, h});
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 fill = toneColour(tone), fg = textOn(fill);
  dl->AddRectFilled(p, {p.x + w, p.y + h}, fill, h1 * 0.3f);
  if (icon != Icon::None) drawIcon(dl, icon, {p.x + m.mm(2) + iw * 0.45f, p.y + h1 * 0.5f}, iw, fg);
  float y = p.y + m.mm(1);
  for (auto& l : ls) {
    textAt(dl, {p.x + m.mm(2) + iw, y}, fg, fill, l);
    y += lh;
  }
}

const Hit* Ui::find(const std::string& id) const {
  for (auto& h : hits) if (h.id == id) return &h;
  return nullptr;
}

}  // namespace bk::ui
