#pragma once
// Test support: a small shop with fixed people, times and ids, and real
// temporary folders for store files.
#include "domain/catalog.hpp"
#include "domain/rules.hpp"
#include "store/store.hpp"

#include <array>
#include <atomic>
#include <filesystem>
#include <optional>
#include <random>
#include <string>

namespace bkt {
using namespace bk;

// Test support is a library without doctest (bk_testsupport), shared by the
// tests, the helper processes, the fuzzers and the benchmarks: a broken
// precondition throws std::logic_error, which doctest reports with `what`.
void expect(bool ok, const std::string& what);

inline constexpr Millis T0 = 1'767'225'600'000;  // 2026-01-01 00:00 UTC
inline constexpr Millis MIN = 60'000;

// Deterministic "random" bits: a counter, so ids are reproducible.
class FixedEntropy final : public Entropy {
 public:
  explicit FixedEntropy(std::uint64_t seed = 0) : n_(seed << 32) {}
  std::array<std::uint8_t, 8> random8() override;
 private:
  std::atomic<std::uint64_t> n_{0};
};

struct TempDir {
  std::filesystem::path path;
  TempDir();
  ~TempDir();
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::vector<std::uint8_t> testPepper();
struct StaffedStore;
AuthPolicy fastAuth();  // cheap Argon2id settings so tests stay quick
StoreOptions storeOptions(const std::string& path, const Id& kiosk = "kiosk-a");
const Catalog& catalog();
// Issue 16: the same car back, opened at `now` as a comeback of `old`
// (`s` holds old's operations), with one operation.
Action comebackOf(const Shop& s, const WorkOrder& old, const std::string& tag, Millis now);
// A delivered work order of a car not seen since, delivered between `from`
// and `to` days before `now` (none: nullptr).
const WorkOrder* lastVisitBetween(const Shop& s, Millis now, int from, int to);
// (technician, operation, bay) a clock-on may name at `now`, for at most
// `people` technicians: jobs in work at bays of their trades.
std::vector<std::array<Id, 3>> clockable(const Shop& s, Millis now, std::size_t people);
// A clock-on or a clock-off, at random among `jobs`, valid in `s` at `at`
// (none in 50 tries: nothing). Few people and jobs: what bays do offline
// often names the same (R1, R16).
struct RandomClocking {
  std::vector<std::array<Id, 3>> jobs;
  std::mt19937& rng;
  int made = 0;
  std::optional<Action> next(const Shop& s, Millis at);
};
// Issue 16: a store's state is the replay of its log: its records on disk,
// every one, and its working set in memory (the replay's, in part).
bool matchesReplay(const Store& st);
// Issue 16 (v24): a work order's bundle made rows again behind the store's
// back, by SQL on its connection (its report row kept): for tests that
// change a record of a work order out of memory as it is stored.
void unbundle(Store& st, const Id& wo);

// People of the test shop (ids are their names).
// tech1, tech2: mechanical technicians; body1, paint1: body and paint;
// foreman (mechanical), foreman2; supervisor; director; qi, qi2: quality
// inspectors; advisor; manager; clerk: warranty clerk.
// The test shop's people and bays, each person with a signing key
// (testKey, sealed under testPin with the test pepper): registered last.
std::vector<Action> staffAndBays();
std::string testPin(const Id& person);
KeyPair testKey(const Id& person);
RegisterKey testKeyRegistration(const Id& person, Millis at);

// A shop in memory, driven through check() + apply().
struct World {
  Shop s;
  int next = 0;
  World();
  Outcome run(const Action& a);   // applies only if allowed
  void must(const Action& a);     // fails the test if refused
  Reason refused(const Action& a);  // fails the test if allowed; the reason
  // A work order with the given operations (id wo-N, ops wo-N-1, …).
  Id openWorkOrder(Category cat, std::vector<OperationSpec> ops, bool road_test = false);
  Id clockOn(const Id& tech, const Id& op, Millis at, const Id& bay = "bay1");
  // A signed inspection of `kind` by `who`, result pass/fail.
  RecordInspection inspection(InspectionKind kind, const Id& wo, std::optional<Id> op, const Id& who,
                              bool pass, Millis at);
  // Clock on, self-inspect, foreman passes: the operation is Done.
  void finish(const Id& op, Millis at);
  // The handover acceptance of `op`'s upstream by its main technician.
  void accept(const Id& op, Millis at);
  Action sealed(Action a, const Id& who, Millis at);
};

OperationSpec spec(const Id& id, Trade trade, const Id& tech, bool handover = false, int minutes = 60);
// Issue 12: an inspection as a person would sign it: every item judged
// (one "works" item, failing when the result fails) and a catalog version.
Inspection judged(Inspection in);
// Issue 12: a road test record for a final (8 km, 15 minutes, nothing found).
RoadTest testRoad(const bk::Id& driver);
// A delivery with the old parts returned and, given the shop, the customer's
// finger signature for any declined safety add-ons.
DeliverWorkOrder testDelivery(const bk::Id& wo, const bk::Id& by, bk::Millis at, const bk::Shop* s = nullptr);
// A work order of the test shop (advisor "advisor", bay1, opened at T0), with
// operation ids filled in as <id>-1, <id>-2, … where empty.
OpenWorkOrder testWorkOrder(const Id& id, Category cat, std::vector<OperationSpec> ops, bool road_test = false);

// A real store file in a temporary folder, with the test shop's people and bays.
struct StaffedStore {
  TempDir dir;
  FixedEntropy ent;
  Store st;
  StaffedStore();
};

// One node of a sync test (a kiosk, the desk or the hub) as a real store
// file; its entropy seeded from its id, so nodes make different ids.
struct Node {
  TempDir dir;
  FixedEntropy ent;
  Store st;
  explicit Node(const Id& id);
  std::vector<StoredEvent> own() const;  // the events it made, in order
  void take(const std::vector<StoredEvent>& evs);  // ingests each (all must apply)
};

}  // namespace bkt

#include <functional>
#include <random>

namespace bkt {
// A random, plausible action on the shop: often allowed, sometimes refused
// (wrong person, wrong order, blocked). Time moves forward in `t`.
// `floor`: only what a bay's kiosk may do (no new work orders).
Action randomAction(const Shop& s, std::mt19937& rng, Millis& t, int& counter, bool floor = false);
// A client's events as it would push them (a rogue token's, in the gate
// tests): its own origin and gap-free sequence, the action's canonical body.
struct PushStream {
  Id origin;
  std::vector<StoredEvent> events;
  void add(const Action& a, Millis at);
};
// The hub takes the streams in a random merge that keeps each one's order;
// every event must be applied (held or not); `after` runs after each.
void mergeRandomly(Store& hub, const std::vector<std::vector<StoredEvent>>& streams, std::mt19937& rng, Millis at,
                   const std::function<void()>& after = {});
// Invariants that must hold after any sequence of actions.
void checkInvariants(const Shop& s);
}  // namespace bkt
