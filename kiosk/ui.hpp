#pragma once
// What every screen draws with: sizes in millimetres from one metrics helper,
// the shared touch widgets (big button, PIN pad, keypad, stepper, pass/fail
// toggle, drag-scrolled list), colour-blind-safe tones that always come with
// an icon or a word, and a registry of tap targets by stable id, so tests
// (and the xdotool test) can press a widget by name.
#include "kiosk/texts.hpp"

#include <imgui.h>
#include <imgui_internal.h>

#include <string>
#include <vector>

namespace bk::ui {

struct Metrics {
  float dpi = 151.f;  // a 10-inch 1280×800 panel
  float mm(float v) const { return v * dpi / 25.4f; }
  float touch() const { return mm(15.f); }  // every tap target ≥ 15 mm (R: touch first)
  float gap() const { return mm(2.5f); }
  // Issue 14: read from a metre: body text at least 28 px (4.75 mm on the
  // 10-inch panel), titles and verdicts larger
  float bodyPx() const { return mm(4.75f); }
  float largePx() const { return mm(7.5f); }
  float timerPx() const { return mm(17.f); }
  float statusBar() const { return mm(16.f); }
};

struct Fonts {
  ImVector<ImWchar> text_ranges, digit_ranges;  // must outlive the atlas build
  ImFont* body = nullptr;
  ImFont* large = nullptr;
  ImFont* timer = nullptr;  // digits and ':' only
  // every character asked for at the last build, whether the font file has
  // it or not: a character it lacks is remembered, not asked for again on
  // every frame
  ImBitVector asked;  // (its Storage: the builder's UsedChars)
  int builds = 0;
};

// Builds the font atlas from exactly the characters the kiosk can show
// (`glyph_text`: translations, catalog and shop data) plus ASCII — not the
// "common" CJK range, which misses names and wastes memory.
void buildFonts(ImGuiIO& io, const Metrics& m, const std::string& glyph_text, const std::string& font_file,
                Fonts& out);
// True if every character of `text` has a glyph in the atlas.
// True when every character of `text` was asked for at the last build.
bool fontCovers(const Fonts& fonts, const std::string& text);

// Okabe–Ito palette: safe for the common colour-vision deficiencies.
enum class Tone { Neutral, Primary, Good, Bad, Warn, Quiet };
ImU32 toneColour(Tone t, float shade = 1.f);
// The kiosk's background (main.cpp sets it as the window's).
inline constexpr ImU32 kWindowBg = IM_COL32(26, 28, 33, 255);
// Issue 14: WCAG contrast ratio of two colours (1 to 21), and the text
// colour (white or near-black) that reads best on a background.
float contrast(ImU32 a, ImU32 b);
ImU32 textOn(ImU32 bg);
inline constexpr float kMinContrast = 4.5f;
// Issue 14: text drawn this frame, for the tests: its size, colours, and
// whether it had to be cut short ("…").
struct TextDraw {
  std::string text;
  float px = 0;
  ImU32 fg = 0, bg = 0;  // 0: not a colour pair (a cut-short note)
  bool clipped = false;
};

enum class Icon { None, Check, Cross, Clock, Warning, Lock, Pause, Play, Stop, Person, Back, Wrench, Sign };
void drawIcon(ImDrawList* dl, Icon icon, ImVec2 centre, float size, ImU32 col);

struct Hit {
  std::string id;
  ImVec2 min, max;       // the visible part
  bool enabled = true;
  bool clipped = false;  // partly scrolled out of its list
};

// Issue 14: nothing may act under a finger that has just tapped. A tap on a
// spot where another control was tapped less than kTapGuardMs ago (the
// control under the finger changed: a list opened, a row moved up) is
// ignored; the same control tapped again (a keypad's "1", "1") is not.
inline constexpr long long kTapGuardMs = 400;
struct TapGuard {
  long long at = -1'000'000'000;
  std::string id;
  ImVec2 pos;
  int ignored = 0;  // how many taps it has kept from acting (for tests)
};

// The per-frame drawing context.
class Ui {
 public:
  Ui(const Metrics& m, const Texts& t, const Catalog& cat, const Fonts& f) : m(m), t(t), cat(cat), fonts(f) {}

  const Metrics& m;
  const Texts& t;
  const Catalog& cat;
  const Fonts& fonts;
  std::vector<Hit> hits;  // every tap target drawn this frame
  TapGuard* guard = nullptr;  // kept by the App across frames
  long long now = 0;          // this frame's time (ms)
  bool scroll_top = false;    // a screen or form has just opened: lists start at the top
  ImU32 bg = kWindowBg;       // what text() and wrapped() are drawn on now
  std::vector<TextDraw> drawn;  // issue 14: every text drawn this frame
  // Text drawn straight onto a draw list, on a known background (recorded).
  void textAt(ImDrawList* dl, ImVec2 pos, ImU32 fg, ImU32 on, const std::string& s, ImFont* font = nullptr);
  // A label broken into at most `max_lines` lines of `width` (the current
  // font); a label longer than that is cut short with "…" and recorded so.
  std::vector<std::string> lines(const std::string& s, float width, int max_lines);

  // A large button; returns true when tapped (released on it, not dragged).
  bool button(const std::string& id, const std::string& label, Tone tone = Tone::Neutral, float width = 0,
              Icon icon = Icon::None, bool enabled = true, float height = 0);
  // A toggle that shows its state in colour, icon and word.
  // Pass / fail (/ N/A): none lit while `v` is unset.
  bool verdict(const std::string& id, std::optional<Verdict>& v, bool allow_na);
  // Issue 12: a pad a customer signs with a finger: each press a stroke,
  // its points in pad units (0..kPadScale). True when a point was added.
  bool signaturePad(const std::string& id, std::vector<Stroke>& strokes, ImVec2 size);
  // − value + with big targets; returns true when changed.
  bool stepper(const std::string& id, int& value, int step, int lo, int hi, const std::string& shown);
  // 0–9, ⌫ and OK; `max_len` digits. Returns true when OK is tapped.
  bool pinPad(const std::string& id, std::string& digits, std::size_t max_len);
  // Digits, '.', '-', delete and OK for measured values, four rows; the
  // caller may put one more button after OK. Returns true on OK.
  bool keypad(const std::string& id, std::string& text);
  // A scrolled region that scrolls when dragged anywhere inside, so a drag
  // that starts on a button scrolls instead of pressing it.
  void beginList(const std::string& id, ImVec2 size);
  void endList();

  void text(const std::string& s, ImFont* font = nullptr, ImU32 col = 0);
  void wrapped(const std::string& s, ImU32 col = 0);
  // A coloured chip with an icon and a word (status never by colour alone).
  void chip(const std::string& label, Tone tone, Icon icon);
  void heading(const std::string& s);

  const Hit* find(const std::string& id) const;
  const std::string& tr(const std::string& key) const { return t(key); }
  std::string data(const std::string& code) const { return cat.text(code, t.code()); }
  // Fits a label into a width: the text itself, or shortened with "…"
  // (recorded as cut short: issue 14 wants none).
  std::string fit(const std::string& s, float width);
  float dragThreshold() const { return m.mm(3.f); }
};

}  // namespace bk::ui
