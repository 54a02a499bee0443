#pragma once
// The kiosk shell: owns the application state, draws a frame from it, and
// carries out the frame's intents through the store between frames. No
// window system here — main.cpp (GLFW/OpenGL) and the headless test harness
// both drive it the same way.
#include "kiosk/state.hpp"

#include "record/quality_record.hpp"
#include "store/store.hpp"

#include <functional>
#include <mutex>

namespace bk::ui {

struct KioskConfig {
  std::string db = "var/bay.db";
  std::string pepper = "var/pepper.key";
  std::string assets = "assets";
  std::string font = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";
  std::string export_dir = "var/exports";
  Id bay = "b01";
  Id kiosk_id;              // default: "kiosk-" + bay
  std::string lang = "zh";
  int idle_seconds = 0;     // 0: the shop's policy (issue 13)
  float dpi = 151.f;
  bool fullscreen = true;
  int width = 1280, height = 800;
  std::string hub;          // hub address; empty: standalone
  std::string hub_ca;       // https: the hub's certificate (PEM)
  std::optional<int> utc_offset_minutes;  // unset: the shop's policy (issue 13)
  // Issue 12: the CUPS queue quality records print to (empty: no printing),
  // and the command that prints (`lp -d QUEUE FILE`).
  std::string printer;
  std::string print_command = "lp";
  std::string shop_name;    // in the heading of a printed quality record
  // Issue 16: days a delivered work order stays in this kiosk's memory
  // (the past beyond is read from its store when someone asks for it)
  int keep_days = kKioskKeptDays;
};

class App {
 public:
  App(const KioskConfig& cfg, Store& store, const Catalog& cat, Texts& texts, Entropy& entropy);

  // Draws one frame. Call between ImGui::NewFrame() and ImGui::Render().
  void frame(Millis now);
  // Carries out what the frame asked for. Returns true if anything changed.
  bool afterFrame(Millis now);
  // Raw input from the window system: characters (the badge reader types
  // digits then Enter) and any touch or key, for the idle timer.
  void onText(unsigned codepoint, Millis now);
  void onEnter(Millis now);
  void noteInput(Millis now);

  // When the screen must next be redrawn with no input: the next second of a
  // visible timer or countdown, or the next minute of the clock.
  Millis nextWake(Millis now) const;
  // Issue 13: the shop's policy, unless this kiosk was told otherwise.
  int idleSeconds() const;
  int utcOffset() const;

  // Sync wiring (main.cpp): the store is shared with the sync threads through
  // `mu`; `source` refreshes the hub state each frame; `recorded` is called
  // after each committed action so the pusher sends it now.
  void connectSync(std::mutex* mu, std::function<void(SyncStatus&)> source, std::function<void()> recorded) {
    store_mu_ = mu;
    sync_source_ = std::move(source);
    on_recorded_ = std::move(recorded);
  }

  // Issue 16: a month before what this bay holds is asked of the hub
  // (main.cpp: the sync client): `ask` takes the question and returns at
  // once; `answer` says how the latest stands, read each frame until done.
  void connectHubReports(std::function<void(Millis from, Millis to)> ask, std::function<HubReport()> answer) {
    ask_report_ = std::move(ask);
    report_answer_ = std::move(answer);
  }

  // ...and a car's visits before it, the same way.
  void connectHubHistory(std::function<void(const std::string& vin)> ask, std::function<HubHistory()> answer) {
    ask_history_ = std::move(ask);
    history_answer_ = std::move(answer);
  }

  AppState& state() { return st_; }
  KioskConfig& config() { return cfg_; }
  const Catalog& catalog() const { return cat_; }
  const std::vector<Hit>& hits() const { return hits_; }
  const std::vector<TextDraw>& textsDrawn() const { return drawn_; }  // issue 14: for the tests
  const TapGuard& tapGuard() const { return guard_; }
  const std::map<Id, Draft>& drafts() const { return drafts_; }
  // Issue 14: the shop's language (this kiosk's setting), the board's.
  Lang shopLang() const { return cfg_.lang == "en" ? Lang::En : Lang::Zh; }
  std::string draftsPath() const { return store_.path() + ".drafts.json"; }
  const Metrics& metrics() const { return metrics_; }
  Fonts& fonts() { return fonts_; }
  SyncStatus& sync() { return sync_; }
  const Shop& shop() const { return store_.shop(); }
  // Every character the kiosk can show now: texts, catalog, shop data.
  std::string glyphText() const;
  bool fontsCoverData() const;
  // Issue 15/16: the report of a calendar month, and a car's history, read
  // from the store (the past is not all in memory).
  void showReport(const std::string& month);
  void showHistory(const std::string& vin);

 private:
  void handle(const Intent& in, Millis now);
  void say(const std::string& text, Tone tone, Millis now);
  void printRecord(const Id& wo, Millis now);
  void refused(const Refusal& r, Millis now);
  bool pinNote(Reason r, const Id& person, Millis now);
  void fillIds(Action& a, Millis now);
  void signIn(const Id& person, Millis now);
  void openScreen(Screen s, Millis now);
  std::uint64_t report_generation_ = ~0ull;  // issue 16: the shop the report was read from
  Millis report_read_at_ = 0;
  std::uint64_t history_generation_ = ~0ull, deliveries_generation_ = ~0ull;
  Millis deliveries_read_at_ = 0;
  void showDeliveries(Millis now);
  // Issue 14: drafts. Kept when their person is signed out with a form
  // half done, brought back at their next sign-in here, gone at the end of
  // their shift; on disk beside the store (0600), so a restart keeps them.
  void signOut(Millis now);
  void keepDraft(Millis now);
  void restoreDraft(Millis now);
  void saveDrafts() const;
  void loadDrafts();
  Millis endOfShift(Millis now) const;

  KioskConfig cfg_;
  std::unique_ptr<record::Labels> labels_;  // loaded at the first print
  Store& store_;
  const Catalog& cat_;
  Texts& texts_;
  Entropy& entropy_;
  Metrics metrics_;
  Fonts fonts_;
  SyncStatus sync_;
  AppState st_;
  Intents pending_;
  std::vector<Hit> hits_;
  std::vector<TextDraw> drawn_;
  TapGuard guard_;        // issue 14: across frames
  int scroll_top_ = 0;    // issue 14: frames left in which lists start at the top
  std::map<Id, Draft> drafts_;  // issue 14: by person
  std::map<Id, Lang> langs_;    // issue 14: the language each person chose here
  UuidV7 ids_;
  std::mutex* store_mu_ = nullptr;
  std::function<void(SyncStatus&)> sync_source_;
  std::function<void()> on_recorded_;
  std::function<void(Millis, Millis)> ask_report_;  // issue 16
  std::function<HubReport()> report_answer_;
  std::function<void(const std::string&)> ask_history_;
  std::function<HubHistory()> history_answer_;
  void readHistory();  // issue 16: the bay's own visits again, with the hub's answer kept
  std::map<Screen, int> waiting_;            // issue 14: tab counts
  std::uint64_t waiting_generation_ = ~0ull;  // ...of this shop
  Id waiting_person_;                         // ...for this person's roles
  Derived derived_;                           // issue 16: what screens keep while the shop is the same
  mutable std::uint64_t covered_generation_ = ~0ull;  // the shop the atlas was last found to cover
  mutable int covered_build_ = -1;                     // ...with this build of it
};

}  // namespace bk::ui
