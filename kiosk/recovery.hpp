#pragma once
// The screen a kiosk shows instead of its board when its database is
// damaged (issue 10): what happened, in words a technician can pass on,
// and one way forward: rebuild from the hub. It shows state and returns
// intents; the rebuild itself runs in sync/rebuild.hpp (driven by main).
#include "kiosk/ui.hpp"

namespace bk::ui {

struct RecoveryView {
  enum class Phase { Damaged, Rebuilding, Failed, NeedsCode, Rebuilt };
  Phase phase = Phase::Damaged;
  std::string damage;          // what SQLite said
  Id kiosk;
  bool hub_configured = false;
  std::int64_t pulled = 0, hub_last = 0;   // Rebuilding
  std::string error;                       // Failed
  std::string set_aside, unsynced_file;    // Rebuilt
  std::size_t unsynced = 0;
  std::int64_t events = 0;
};

enum class RecoveryIntent { None, Rebuild, Quit, Continue };

class RecoveryScreen {
 public:
  RecoveryScreen(const Metrics& m, const Texts& t, const Catalog& cat, const Fonts& f) : ui_(m, t, cat, f) {}
  // Draws one frame (between ImGui::NewFrame and ImGui::Render).
  RecoveryIntent frame(const RecoveryView& v);
  const std::vector<Hit>& hits() const { return ui_.hits; }
  // Every character the screen may show, for the font atlas.
  static std::string glyphText(const Texts& t, const RecoveryView& v);

 private:
  Ui ui_;
};

}  // namespace bk::ui
