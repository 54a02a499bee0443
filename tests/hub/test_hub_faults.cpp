// Faults with real processes: the bk-hub binary is killed with SIGKILL at
// random points (also between its commit and its reply) while two kiosks
// keep working and syncing; it restarts on the same file and port. In the
// end every event committed on a kiosk is in the central database exactly
// once, each kiosk's sequence is contiguous, and the central state rebuilt
// from its log equals the live one.
#include "sync/client.hpp"
#include "tests/hub/processes.hpp"

#include <atomic>
#include <random>

using namespace bkt;

TEST_CASE("faults: the hub killed -9 three times while two kiosks work: everything arrives exactly once") {
  TempDir dir;
  HubProcess hub{dir.file("hub.db"), dir.file("pepper.key"), freePort()};
  {  // the central database starts with the shop's people and a work order
    FixedEntropy ent;
    StoreOptions o = storeOptions(hub.db, "hub-central");
    Store central(o, ent);
    seedShop(central);
  }
  hub.start();
  struct K {
    TempDir dir;
    FixedEntropy ent;
    Store st;
    std::mutex mu;
    std::unique_ptr<sync::SyncClient> sync;
    K(const Id& id, std::uint64_t seed) : ent(seed), st(storeOptions(dir.file("k.db"), id), ent) {}
  };
  K a("kiosk-a", 1), b("kiosk-b", 2);
  for (K* k : {&a, &b}) {
    k->sync = std::make_unique<sync::SyncClient>(k->st, k->mu, testPepper(),
        sync::SyncOptions{"http://127.0.0.1:" + std::to_string(hub.port), hub.enrolCode(k->st.kioskId()), 25, 200}, [] { return T0; });
    k->sync->start();
  }
  auto waitFor = [](auto pred, int ms) {
    for (int i = 0; i < ms / 20 && !pred(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return pred();
  };
  auto knowsWork = [](K& k) { std::lock_guard l(k.mu); return k.st.shop().operations.count("wo-1-2") == 1; };
  REQUIRE(waitFor([&] { return knowsWork(a) && knowsWork(b); }, 10'000));

  // the bays work: tech1 at a, tech2 at b, clocking on and off
  std::atomic<bool> working{true};
  auto bay = [&](K& k, const Id& tech, const Id& op) {
    Millis t = T0 + MIN;
    for (int i = 0; working && i < 400; ++i) {
      {
        std::lock_guard l(k.mu);
        Action act = i % 2 == 0 ? Action{ClockOn{"te-" + k.st.kioskId() + "-" + std::to_string(i), tech, op, "bay1", t}}
                                : Action{ClockOff{tech, op, StopReason::Break, t}};
        REQUIRE(k.st.record(std::move(act), t));
      }
      k.sync->wake();
      t += MIN;
      std::this_thread::sleep_for(std::chrono::milliseconds(4));
    }
  };
  std::thread ta([&] { bay(a, "tech1", "wo-1-1"); });
  std::thread tb([&] { bay(b, "tech2", "wo-1-2"); });
  std::mt19937 rng(2026);
  for (int round = 0; round < 3; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 400));
    hub.kill9();  // wherever it is: mid-batch, after commit before the reply, idle
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 300));
    hub.start();
  }
  ta.join();
  tb.join();
  working = false;
  // the network heals: everything gets through
  CHECK(waitFor([&] { return a.sync->state().pending == 0 && b.sync->state().pending == 0; }, 20'000));
  INFO("a: ", a.sync->state().error, " pending ", a.sync->state().pending);
  INFO("b: ", b.sync->state().error, " pending ", b.sync->state().pending);
  a.sync->stop();
  b.sync->stop();
  hub.term();

  FixedEntropy ent;
  Store central(storeOptions(hub.db, "ignored"), ent);
  CHECK(central.integrityCheck() == "ok");
  for (K* k : {&a, &b}) {
    const Id id = k->st.kioskId();
    CAPTURE(id);
    // every event committed on the kiosk is there, exactly once, contiguous
    CHECK(central.lastSeqOf(id) == k->st.lastOwnSeq());
    sql::Stmt q(central.db(), "SELECT COUNT(*), COUNT(DISTINCT origin_seq), MIN(origin_seq), MAX(origin_seq) FROM events "
                                   "WHERE origin = (SELECT n FROM origins WHERE name = ?1)");
    q.bind(1, id);
    REQUIRE(q.step());
    CHECK(q.integer(0) == k->st.lastOwnSeq());
    CHECK(q.integer(1) == k->st.lastOwnSeq());
    CHECK(q.integer(2) == 1);
    CHECK(q.integer(3) == k->st.lastOwnSeq());
    // and the same events, byte for byte
    for (auto& e : k->st.ownEventsAfter(0, 100000)) {
      sql::Stmt one(central.db(), "SELECT body FROM events WHERE event_id = ?1");
      one.bindBlob(1, e.id.data(), 16);
      REQUIRE(one.step());
      CHECK(one.text(0) == e.body);
    }
  }
  // the hub holds nothing no kiosk wrote
  CHECK(central.db().scalarInt("SELECT COUNT(*) FROM events WHERE origin NOT IN "
                                "(SELECT n FROM origins WHERE name IN ('hub-central', 'kiosk-a', 'kiosk-b'))") == 0);
  CHECK(matchesReplay(central));
  CHECK(central.shop().reviews.empty());  // no conflicts were made, so none are reported
}
