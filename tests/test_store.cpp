// The store on real SQLite files: one transaction per action, the event log,
// rebuild from events, durability settings.
#include "store/migrations.hpp"
#include "tests/support.hpp"

#include <doctest/doctest.h>

using namespace bkt;

namespace {
void seed(Store& st) {
  for (auto& a : staffAndBays()) REQUIRE(st.record(a, T0));
}
OpenWorkOrder simpleWorkOrder(const Id& id) {
  return testWorkOrder(id, Category::GeneralRepair,
                       {spec(id + "-1", Trade::Mechanical, "tech1"), spec(id + "-2", Trade::Paint, "paint1", true)});
}
}  // namespace

TEST_CASE("the store opens in WAL mode with full sync and the latest schema") {
  TempDir dir;
  FixedEntropy ent;
  Store st(storeOptions(dir.file("k.db")), ent);
  CHECK(st.db().scalarText("PRAGMA journal_mode") == "wal");
  CHECK(st.db().scalarInt("PRAGMA synchronous") == 2);  // FULL
  CHECK(st.db().scalarInt("PRAGMA journal_size_limit") == 64 * 1024 * 1024);
  CHECK(st.db().scalarInt("PRAGMA user_version") == latestSchemaVersion());
  CHECK(st.kioskId() == "kiosk-a");
  CHECK(st.integrityCheck() == "ok");
}

TEST_CASE("an action commits its records and one event, a refused one changes nothing") {
  TempDir dir;
  FixedEntropy ent;
  const std::string path = dir.file("k.db");
  {
    Store st(storeOptions(path), ent);
    seed(st);
    REQUIRE(st.record(simpleWorkOrder("wo-1"), T0));
    const auto before = st.eventCount();
    auto r = st.record(ClockOn{"te-1", "paint1", "wo-1-2", "bay1", T0 + MIN}, T0 + MIN);
    CHECK_FALSE(r);
    CHECK(r.reason() == Reason::BlockedUpstreamUnfinished);
    CHECK(st.eventCount() == before);
    auto ok = st.record(ClockOn{"te-1", "tech1", "wo-1-1", "bay1", T0 + MIN}, T0 + MIN);
    REQUIRE(ok);
    CHECK(ok.event->type == "clock_on");
    CHECK(ok.event->origin == "kiosk-a");
    CHECK(ok.event->origin_seq == before + 1);
    CHECK(st.db().scalarInt("SELECT COUNT(*) FROM records WHERE kind = 4") == 1);
  }
  // reopened: the same state, from the records tables
  Store again(storeOptions(path, "ignored"), ent);
  CHECK(again.kioskId() == "kiosk-a");
  CHECK(again.shop().entries.count("te-1") == 1);
  CHECK(again.shop().open_entries.count("te-1") == 1);
  CHECK(again.lastOwnSeq() == again.eventCount());
}

TEST_CASE("events are gap-free per kiosk, time-ordered, with HLC and canonical JSON bodies") {
  TempDir dir;
  FixedEntropy ent;
  Store st(storeOptions(dir.file("k.db")), ent);
  seed(st);
  REQUIRE(st.record(simpleWorkOrder("wo-1"), T0));
  // a wall clock that jumps back does not break order
  REQUIRE(st.record(ClockOn{"te-1", "tech1", "wo-1-1", "bay1", T0 + 10 * MIN}, T0 + 10 * MIN));
  REQUIRE(st.record(ClockOff{"tech1", "wo-1-1", StopReason::Break, T0 + 20 * MIN}, T0 - 5 * MIN));
  auto ev = st.events(0, 1000);
  REQUIRE(ev.size() == static_cast<std::size_t>(st.eventCount()));
  for (std::size_t i = 0; i < ev.size(); ++i) {
    CHECK(ev[i].origin_seq == static_cast<std::int64_t>(i + 1));
    if (i) {
      CHECK(ev[i].hlc > ev[i - 1].hlc);
      CHECK(toHex(ev[i].id) > toHex(ev[i - 1].id));
    }
    CHECK(canonical(json::parse(ev[i].body)) == ev[i].body);
  }
  CHECK(ev.back().wall_ms == T0 - 5 * MIN);
  CHECK(st.events(ev[2].pos, 2).size() == 2);
}

TEST_CASE("issue 16: a store opened again goes on from its log's latest HLC, read from where it last looked, whatever meta says") {
  TempDir dir;
  FixedEntropy ent;
  const std::string path = dir.file("k.db");
  std::int64_t latest = 0;
  {
    Store st(storeOptions(path), ent);
    seed(st);
    REQUIRE(st.record(simpleWorkOrder("wo-1"), T0));
    latest = st.events(0, 1000).back().hlc;
  }
  auto nextHlc = [&](Millis wall) {  // (a wall clock far behind: only the HLC orders)
    Store st(storeOptions(path), ent);
    REQUIRE(st.record(EndShift{"tech1", wall}, wall));
    return st.events(0, 100000).back().hlc;
  };
  std::int64_t h = nextHlc(T0 - 60 * MIN);
  CHECK(h > latest);
  latest = h;
  // what meta keeps is the latest through a position: only what follows is read
  {
    sql::Db d(path);
    CHECK(d.scalarText("SELECT value FROM meta WHERE key = 'hlc_through'").find(' ') != std::string::npos);
  }
  h = nextHlc(T0 - 61 * MIN);
  CHECK(h > latest);
  latest = h;
  // a kept position past the log's end, or damage: the log is read whole
  for (const char* kept : {"999999 1", "not a number", "5"}) {
    CAPTURE(kept);
    {
      sql::Db d(path);
      sql::Stmt u(d, "UPDATE meta SET value = ?1 WHERE key = 'hlc_through'");
      u.bind(1, std::string(kept)).run();
    }
    h = nextHlc(T0 - 62 * MIN);
    CHECK(h > latest);
    latest = h;
  }
}

TEST_CASE("the state rebuilt from the events alone equals the live one and the stored records") {
  TempDir dir;
  FixedEntropy ent;
  Store st(storeOptions(dir.file("k.db")), ent);
  seed(st);
  std::mt19937 rng(1234);
  Millis t = T0;
  int counter = 0, accepted = 0;
  for (int i = 0; i < 1500; ++i) {
    auto r = st.record(randomAction(st.shop(), rng, t, counter), t);
    accepted += static_cast<bool>(r);
  }
  INFO("accepted ", accepted);
  CHECK(accepted > 300);
  CHECK(matchesReplay(st));
  CHECK(st.loadRecords().sameRecords(st.shop()));
  CHECK(st.rebuildFromEvents().reviews.empty());  // local actions were all checked
}

TEST_CASE("signing through the store asks for the PIN and seals what is recorded") {
  TempDir dir;
  FixedEntropy ent;
  Store st(storeOptions(dir.file("k.db")), ent);
  seed(st);
  REQUIRE(st.setPin("tech1", "246802", T0));
  REQUIRE(st.record(simpleWorkOrder("wo-1"), T0));
  REQUIRE(st.record(ClockOn{"te-1", "tech1", "wo-1-1", "bay1", T0}, T0));
  Inspection in;
  in.id = "in-1";
  in.kind = InspectionKind::Self;
  in.wo = "wo-1";
  in.op = "wo-1-1";
  in.inspector = "tech1";
  in.items = catalog().blankItems(InspectionKind::Self, Trade::Mechanical);
  in.catalog = catalog().version();
  for (auto& it : in.items) {
    if (it.min) it.value = (*it.min + *it.max) / 2;
    it.verdict = it.unit.empty() ? Verdict::Pass : *measuredVerdict(it);
  }
  auto wrong = st.sign(RecordInspection{in, {}}, "tech1", "1111", T0 + 60 * MIN);
  CHECK(wrong.reason() == Reason::WrongPin);
  CHECK(st.shop().inspections.empty());
  auto ok = st.sign(RecordInspection{in, {}}, "tech1", "246802", T0 + 60 * MIN);
  REQUIRE(ok);
  const Inspection& stored = st.shop().inspections.at("in-1");
  CHECK(stored.sig.signer == "tech1");
  CHECK(stored.sig.at == T0 + 60 * MIN);
  CHECK(stored.sig.digest == signingDigest(actionFromJson(json::parse(ok.event->body))));
  CHECK(st.sign(ClockOn{"te-2", "tech1", "wo-1-1", "bay1", T0}, "tech1", "246802", T0).reason() == Reason::BadInput);
}

TEST_CASE("the event log is tamper-evident: an edited, removed or reordered event is found") {
  StaffedStore fx;
  Store& st = fx.st;
  std::mt19937 rng(5);
  Millis t = T0;
  int counter = 0;
  for (int i = 0; i < 300; ++i) (void)st.record(randomAction(st.shop(), rng, t, counter), t);
  REQUIRE(st.verifyChain() == 0);
  const std::int64_t victim = st.eventCount() / 2;
  SUBCASE("an edited body") {
    st.db().exec("UPDATE events SET body = replace(body, 'tech1', 'tech2') WHERE pos = " + std::to_string(victim) +
                 " AND body LIKE '%tech1%'");
    if (st.db().changes() == 0) st.db().exec("UPDATE events SET body = body || ' ' WHERE pos = " + std::to_string(victim));
    CHECK(st.verifyChain() == victim);
  }
  SUBCASE("a removed event") {
    st.db().exec("DELETE FROM events WHERE pos = " + std::to_string(victim));
    CHECK(st.verifyChain() == victim + 1);
  }
  SUBCASE("the last event removed") {
    const std::int64_t last = st.lastPos();
    st.db().exec("DELETE FROM events WHERE pos = (SELECT MAX(pos) FROM events)");
    CHECK(st.verifyChain() == last);
    // and it stays evident when the store is opened again and writes on
    FixedEntropy ent(3);
    Store again(storeOptions(fx.dir.file("k.db"), "kiosk-a"), ent);
    REQUIRE(again.record(EndShift{"tech1", t + MIN}, t + MIN));
    CHECK(again.verifyChain() != 0);
  }
  SUBCASE("a hash removed") {
    st.db().exec("UPDATE events SET chain = NULL WHERE pos = " + std::to_string(victim));
    CHECK(st.verifyChain() == victim);
  }
  SUBCASE("the last event edited and its hash removed: not hashed again on opening") {
    const std::int64_t last = st.lastPos();
    st.db().exec("UPDATE events SET body = body || ' ', chain = NULL WHERE pos = " + std::to_string(last));
    FixedEntropy ent(3);
    Store again(storeOptions(fx.dir.file("k.db"), "kiosk-a"), ent);
    CHECK(again.verifyChain() == last);
  }
  SUBCASE("a changed sequence number") {
    st.db().exec("UPDATE events SET origin_seq = origin_seq + 100000 WHERE pos = " + std::to_string(victim));
    CHECK(st.verifyChain() == victim);
  }
}

TEST_CASE("an online backup is a sound copy that opens as a store") {
  StaffedStore fx;
  std::mt19937 rng(9);
  Millis t = T0;
  int counter = 0;
  for (int i = 0; i < 200; ++i) (void)fx.st.record(randomAction(fx.st.shop(), rng, t, counter), t);
  const std::string copy = fx.dir.file("backup.db");
  fx.st.backupTo(copy);
  FixedEntropy ent;
  Store restored(storeOptions(copy, "ignored"), ent);
  CHECK(restored.integrityCheck() == "ok");
  CHECK(restored.verifyChain() == 0);
  CHECK(restored.eventCount() == fx.st.eventCount());
  CHECK(restored.kioskId() == fx.st.kioskId());
  CHECK(restored.shop().sameRecords(fx.st.shop()));
}
