// bk_rebase (issue 16): what one conflict costs a bay kiosk holding a shop's
// history. A copy of a hub's history is made a kiosk's store in step with
// its hub (every event placed in the hub's order); the bay then clocks a
// technician on while offline, the hub places another bay's clock-on of
// the same technician before it, and the kiosk takes both in the hub's
// order: a rebase (R16). Prints, as JSON, the time takeFromHub held the
// store for (the lock the kiosk's screen draws under), and how many events
// the rebase replayed. bench/history.sh runs it at every size.
#include "platform/system.hpp"
#include "store/store.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>

using namespace bk;

namespace {
struct FixedEntropy : Entropy {
  std::uint8_t n = 0;
  std::array<std::uint8_t, 8> random8() override { return {++n, 7, 7, 7, 7, 7, 7, 7}; }
};

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Issue 16: one conflict's rebase on a bay kiosk holding a shop's history"};
  std::string db, pepper;
  app.add_option("--db", db, "a copy of a hub's history (made a kiosk's store here)")->required();
  app.add_option("--pepper", pepper, "the shop's pepper file")->required();
  CLI11_PARSE(app, argc, argv);

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
  auto t0 = std::chrono::steady_clock::now();
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
  // offline, this bay clocks them on
  const Recorded own = st.record(ClockOn{"te-rebase-own", tech, op1, bay1, now}, now);
  if (!own) {
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
  t0 = std::chrono::steady_clock::now();
  const Store::Placement p = st.takeFromHub({e1, e2}, now + 1000);
  const double rebaseMs = msSince(t0);
  std::printf("{\"events\": %lld, \"open_ms\": %.1f, \"rebased\": %s, \"replayed\": %lld, \"rebase_ms\": %.2f}\n",
              static_cast<long long>(st.eventCount()), openMs, p.rebased ? "true" : "false",
              static_cast<long long>(p.replayed), rebaseMs);
  return p.rebased ? 0 : 1;
}
