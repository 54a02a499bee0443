// bk_rebase (issue 16): what one conflict costs a bay kiosk holding a shop's
// history. A copy of a hub's history is made a kiosk's store in step with
// its hub (every event placed in the hub's order); the bay then clocks a
// technician on while offline, the hub places another bay's clock-on of
// the same technician before it, and the kiosk takes both in the hub's
// order: a rebase (R16). Prints, as JSON, the time takeFromHub held the
// store for (the lock the kiosk's screen draws under), and how many events
// the rebase replayed. bench/history.sh runs it at every size.
//
// Meanwhile the bay's screen draws: the kiosk's own App on that store, real
// ImGui frames (headless, as the tests drive it) of a foreman's floor, the
// busiest screen, on a thread of their own, under the same lock as
// main.cpp's UI and sync threads share. It draws as often as it can (a
// millisecond between frames, not 60 a second), so a frame meets the
// rebase whenever it comes. It prints the frames' median time before the
// conflict (idle), and the longest frame and the longest gap between two
// frames while the bay takes the conflict: the screen keeps drawing if no
// gap is more than a frame's 16.7 ms at 60 a second.
#include "kiosk/app.hpp"
#include "kiosk/headless.hpp"
#include "kiosk/ui.hpp"
#include "platform/system.hpp"
#include "store/store.hpp"

#include <CLI/CLI.hpp>
#include <imgui.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

using namespace bk;

namespace {
struct FixedEntropy : Entropy {
  std::uint8_t n = 0;
  std::array<std::uint8_t, 8> random8() override { return {++n, 7, 7, 7, 7, 7, 7, 7}; }
};

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// The bay's screen: the kiosk's App drawing a foreman's floor until
// stopped, each frame under the store's lock (App::connectSync), as
// main.cpp's.
class Screen {
 public:
  struct Frame {
    Clock::time_point start, end;
  };
  Screen(Store& st, std::mutex& mu, const Id& bay, Millis now) : thread_([this, &st, &mu, bay, now] { run(st, mu, bay, now); }) {
    std::unique_lock l(ready_mu_);
    ready_cv_.wait(l, [this] { return ready_; });
  }
  std::size_t hits = 0;  // widgets a finger can reach and texts, on the last frame
  bool floor = false;    // ...and still the foreman's floor
  std::vector<Frame> stop() {
    stop_ = true;
    thread_.join();
    return frames_;
  }

 private:
  void run(Store& st, std::mutex& mu, const Id& bay, Millis now) {
    FixedEntropy entropy;
    const Catalog cat = Catalog::load(BK_ASSETS_DIR "/catalog");
    ui::Texts texts = ui::Texts::load(BK_ASSETS_DIR "/i18n");
    ui::KioskConfig cfg;
    cfg.bay = bay;
    cfg.assets = BK_ASSETS_DIR;
    cfg.fullscreen = false;
    ui::Headless screen;
    {
      std::optional<ui::App> app;
      {
        std::lock_guard l(mu);
        app.emplace(cfg, st, cat, texts, entropy);
        for (auto& [id, p] : st.shop().people)
          if (p.has(Role::Foreman)) {
            app->state().session = ui::Session{id, now};
            app->state().screen = ui::Screen::Floor;
            app->noteInput(now);  // (not signed out as idle)
            break;
          }
      }
      app->connectSync(&mu, [](ui::SyncStatus&) {}, [] {});
      if (!screen.buildFontsFor(*app, cfg)) throw std::runtime_error("the fonts could not be built");
      {
        std::lock_guard l(ready_mu_);
        ready_ = true;
      }
      ready_cv_.notify_all();
      while (!stop_) {
        Frame f{Clock::now(), {}};
        ui::Headless::frame(*app, now);
        f.end = Clock::now();
        frames_.push_back(f);
        hits = app->hits().size() + app->textsDrawn().size();
        floor = app->state().session && app->state().screen == ui::Screen::Floor;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
  }
  std::atomic<bool> stop_ = false;
  std::vector<Frame> frames_;
  std::mutex ready_mu_;
  std::condition_variable ready_cv_;
  bool ready_ = false;
  std::thread thread_;
};

// The frames' figures around a time the store was held [from, to]: the
// median frame before `idleUntil`, the longest frame and the longest gap
// between two frame ends meeting it.
struct Frames {
  double idle_median = 0, during_max = 0, gap_max = 0;
  int during = 0;
  std::size_t count = 0;
};
Frames framesAround(const std::vector<Screen::Frame>& frames, Clock::time_point idleUntil, Clock::time_point from,
                    Clock::time_point to) {
  Frames out;
  out.count = frames.size();
  std::vector<double> idle;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const auto& f = frames[i];
    const double ms = std::chrono::duration<double, std::milli>(f.end - f.start).count();
    if (f.end < idleUntil) idle.push_back(ms);
    if (f.end >= from && f.start <= to) out.during_max = std::max(out.during_max, ms), ++out.during;
    if (i > 0 && f.end >= from && frames[i - 1].end <= to)
      out.gap_max = std::max(out.gap_max, std::chrono::duration<double, std::milli>(f.end - frames[i - 1].end).count());
  }
  std::sort(idle.begin(), idle.end());
  out.idle_median = idle.empty() ? 0 : idle[idle.size() / 2];
  return out;
}

// --snapshot: a working bay that started from its hub's snapshot judged an
// event otherwise than the hub, and takes a newer snapshot (the same one
// here: what is written is as much). The snapshot is read and written
// beside the store's state outside the store's lock (Store::prepare and
// stage), as the sync thread does; printed are the time that took, the time
// the swap (Store::adopt) held the store, and the frames.
int resnapshot(const std::string& db, const std::string& pepper) {
  FixedEntropy entropy;
  StoreOptions ho;
  ho.path = db;
  ho.pepper = platform::loadPepper(pepper);
  ho.takes_hub_order = false;
  Snapshot snap;
  std::int64_t hubEvents = 0;
  {
    Store hub(ho, entropy);
    snap = hub.snapshot();
    hubEvents = hub.eventCount();
  }
  const std::string bayDb = db + ".bay";
  StoreOptions so;
  so.path = bayDb;
  so.kiosk_id = "kiosk-resnapshot";
  so.pepper = ho.pepper;
  so.kept_days = kKioskKeptDays;
  {
    Store first(so, entropy);
    first.startFrom(snap, "hub-bench");
  }
  sql::Db(bayDb).exec("UPDATE snapshot_base SET stale = 1");  // (judged an event otherwise than its hub)
  Store st(so, entropy);
  if (!st.wantsSnapshot()) {
    std::fprintf(stderr, "bk_rebase: the bay does not want a newer snapshot\n");
    return 1;
  }
  const Millis now = Hlc::wall(snap.hlc) + 60'000;
  Id bay = st.shop().bays.empty() ? Id() : st.shop().bays.begin()->first;
  std::mutex mu;
  Screen screen(st, mu, bay, now);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto idleUntil = Clock::now();
  const std::size_t records = snap.records.size();
  auto t0 = Clock::now();
  StagedSnapshot staged = st.stage(st.prepare(std::move(snap)), "hub-bench");
  const double stageMs = msSince(t0);
  Clock::time_point from, to;
  bool adopted = false;
  {  // as the sync thread does: the store's lock, then the swap
    std::lock_guard l(mu);
    from = Clock::now();
    adopted = st.adopt(staged);
    to = Clock::now();
  }
  staged = StagedSnapshot{};  // (outside the lock, as the sync thread does)
  const double heldMs = std::chrono::duration<double, std::milli>(to - from).count();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const Frames f = framesAround(screen.stop(), idleUntil, from, to);
  std::printf(
      "{\"events\": %lld, \"records\": %zu, \"stage_ms\": %.1f, \"resnapshot_ms\": %.1f, \"frames\": %zu, "
      "\"frame_idle_ms\": %.2f, \"frame_gap_max_ms\": %.2f, \"floor_hits\": %zu}\n",
      static_cast<long long>(hubEvents), records, stageMs, heldMs, f.count, f.idle_median, f.gap_max,
      screen.floor ? screen.hits : 0);
  std::remove(bayDb.c_str());
  std::remove((bayDb + "-wal").c_str());
  std::remove((bayDb + "-shm").c_str());
  return adopted && !st.wantsSnapshot() && screen.floor ? 0 : 1;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Issue 16: one conflict's rebase on a bay kiosk holding a shop's history"};
  std::string db, pepper;
  bool resnap = false;
  app.add_option("--db", db, "a copy of a hub's history (made a kiosk's store here)")->required();
  app.add_option("--pepper", pepper, "the shop's pepper file")->required();
  app.add_flag("--snapshot", resnap, "instead: a bay from a snapshot takes a newer one (--db is read as the hub's)");
  CLI11_PARSE(app, argc, argv);
  if (resnap) return resnapshot(db, pepper);

  {  // a kiosk in step with its hub: every event placed where the hub has it
    sql::Db raw(db);
    raw.exec("UPDATE events SET hub_pos = pos WHERE hub_pos IS NULL");
    raw.exec("UPDATE meta SET value = 'kiosk-rebase' WHERE key = 'kiosk_id'");
    raw.exec("DELETE FROM meta WHERE key IN ('placed_max', 'rebase_from')");
  }
  FixedEntropy entropy;
  StoreOptions so;
  so.path = db;
  so.pepper = platform::loadPepper(pepper);
  so.kept_days = kKioskKeptDays;
  auto t0 = Clock::now();
  Store st(so, entropy);
  const double openMs = msSince(t0);
  const Shop& s = st.shop();
  const std::int64_t last = st.lastPos();
  const Millis now = Hlc::wall(st.events(last - 1, 1).front().hlc) + 60'000;

  // a technician free to clock on, and two jobs of theirs at two bays
  Id tech, op1, op2, bay1, bay2;
  for (auto& [tid, p] : s.people) {
    if (!p.has(Role::Technician) || !s.openEntriesOf(tid).empty()) continue;
    for (auto& [oid, op] : s.operations) {
      const WorkOrder* w = s.workOrder(op.wo);
      if (!w || w->delivered_at) continue;
      for (auto& [bid, b] : s.bays) {
        if (b.trade != op.trade || !check(s, ClockOn{"te-x", tid, oid, bid, now})) continue;
        if (op1.empty()) {
          tech = tid, op1 = oid, bay1 = bid;
        } else if (oid != op1 && bid != bay1) {
          op2 = oid, bay2 = bid;
        }
        break;
      }
      if (!op2.empty()) break;
    }
    if (!op2.empty()) break;
    op1.clear();
  }
  if (op2.empty()) {
    std::fprintf(stderr, "bk_rebase: no technician free for two jobs in this history\n");
    return 1;
  }
  (void)st.takeFromHub({}, now);  // (its hourly trim, done now: not what is measured)
  std::mutex mu;  // the store's, shared by the screen and the sync threads
  Screen screen(st, mu, bay1, now);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the screen idle
  const auto idleUntil = Clock::now();
  // offline, this bay clocks them on
  Recorded own;
  {
    std::lock_guard l(mu);
    own = st.record(ClockOn{"te-rebase-own", tech, op1, bay1, now}, now);
  }
  if (!own) {
    screen.stop();
    std::fprintf(stderr, "bk_rebase: the clock-on was refused\n");
    return 1;
  }
  // the hub placed another bay's clock-on of them (30 s earlier) first
  UuidV7 ids;
  const Action other = ClockOn{"te-rebase-other", tech, op2, bay2, now - 30'000};
  StoredEvent e1;
  e1.pos = last + 1;
  e1.id = ids.next(now - 30'000, entropy.random8());
  e1.origin = "kiosk-rebase-other";
  e1.origin_seq = 1;
  e1.wall_ms = now - 30'000;
  e1.hlc = (now - 30'000) << 16;
  e1.type = std::string(actionType(other));
  e1.body = canonical(toJson(other));
  StoredEvent e2 = *own.event;
  e2.pos = last + 2;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Store::Placement p;
  double rebaseMs = 0;
  Clock::time_point from, to;
  {  // as the sync thread does: the store's lock, then takeFromHub
    std::lock_guard l(mu);
    from = t0 = Clock::now();
    p = st.takeFromHub({e1, e2}, now + 1000);
    rebaseMs = msSince(t0);
    to = Clock::now();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::vector<Screen::Frame> frames = screen.stop();

  // idle: the frames before the bay clocked on; during: each frame that
  // ends after the conflict came and starts before it was taken, and the
  // gaps between frame ends around it
  const Frames f = framesAround(frames, idleUntil, from, to);
  std::printf(
      "{\"events\": %lld, \"open_ms\": %.1f, \"rebased\": %s, \"replayed\": %lld, \"rebase_ms\": %.2f, "
      "\"frames\": %zu, \"frame_idle_ms\": %.2f, \"frames_during\": %d, \"frame_during_max_ms\": %.2f, "
      "\"frame_gap_max_ms\": %.2f, \"floor_hits\": %zu}\n",
      static_cast<long long>(st.eventCount()), openMs, p.rebased ? "true" : "false", static_cast<long long>(p.replayed),
      rebaseMs, f.count, f.idle_median, f.during, f.during_max, f.gap_max, screen.floor ? screen.hits : 0);
  return p.rebased && f.idle_median > 0 && screen.floor ? 0 : 1;
}
