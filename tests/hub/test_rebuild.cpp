// A damaged kiosk database (issue 10): the file is moved aside, never
// deleted; the store is rebuilt from the real hub over loopback; the
// kiosk's own events the hub lacks are kept in a file; its next event
// continues the sequence the hub holds (no 409 on the next push).
#include "sync/rebuild.hpp"
#include "tests/hub/hub_fixture.hpp"

#include <filesystem>
#include <fstream>

using namespace bkt;
namespace fs = std::filesystem;

namespace {

// Overwrites one page of `table`'s b-tree with garbage (the file closed).
void damageTable(const std::string& db, const char* table) {
  std::int64_t page = 0, size = 0;
  {
    sql::Db d(db, false);
    size = d.scalarInt("PRAGMA page_size");
    sql::Stmt q(d, "SELECT rootpage FROM sqlite_master WHERE name = ?1");
    q.bind(1, std::string(table));
    REQUIRE(q.step());
    page = q.integer(0);
  }
  REQUIRE(!fs::exists(db + "-wal"));  // checkpointed on close: the pages are in the file
  std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp((page - 1) * size);
  const std::string junk(static_cast<std::size_t>(size), '\x5a');
  f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
}

// Files named <db><infix>…, without SQLite's -wal and -shm beside them.
std::vector<fs::path> besides(const std::string& db, const std::string& infix) {
  std::vector<fs::path> out;
  for (auto& e : fs::directory_iterator(fs::path(db).parent_path())) {
    const std::string name = e.path().filename().string();
    const bool sidecar = name.size() > 4 && (name.ends_with("-wal") || name.ends_with("-shm"));
    if (name.rfind(fs::path(db).filename().string() + infix, 0) == 0 && !sidecar) out.push_back(e.path());
  }
  return out;
}

struct BayFiles {
  StoreOptions so;
  FixedEntropy ent;
  sync::SyncOptions opt;
  RunningHub& hub;
  BayFiles(const std::string& db, RunningHub& h) : so(storeOptions(db, "kiosk-a")), hub(h) {
    so.pepper = testPepper();
    opt = sync::SyncOptions{"http://127.0.0.1:" + std::to_string(hub.port), "", 50, 300};
  }
  // Opening the store fails, and SQLite calls the file damaged.
  bool openSaysDamaged() {
    try {
      Store st(so, ent);
    } catch (const sql::SqliteError& e) {
      return damagedDatabase(e.code);
    }
    return false;
  }
  // The bay enrolled with a code of its own, and `work` done on its store
  // with a sync client at hand.
  void enrolAnd(const std::function<void(Store&, sync::SyncClient&)>& work) {
    Store st(so, ent);
    std::mutex mu;
    sync::SyncOptions withCode = opt;
    withCode.enrol_code = hub.server.newEnrolCode("kiosk-a", 3600'000);
    sync::SyncClient sc(st, mu, so.pepper, withCode, [] { return T0; });
    REQUIRE(sc.enroll());
    work(st, sc);
  }
};

}  // namespace

TEST_CASE("rebuild: a damaged kiosk store is set aside, rebuilt from the hub, unsynced events kept, the sequence goes on") {
  RunningHub hub;
  hub.seedShop();
  TempDir dir;
  const std::string db = dir.file("bay.db");
  BayFiles bay(db, hub);
  bay.enrolAnd([](Store& st, sync::SyncClient& sc) {
    REQUIRE(sc.pullOnce(0));
    // three events reach the hub, two more are made offline
    REQUIRE(st.record(ClockOn{"te-1", "tech1", "wo-1-1", "bay1", T0 + 1 * MIN}, T0 + 1 * MIN));
    REQUIRE(st.record(ClockOff{"tech1", "wo-1-1", StopReason::Break, T0 + 2 * MIN}, T0 + 2 * MIN));
    REQUIRE(st.record(ClockOn{"te-2", "tech1", "wo-1-1", "bay1", T0 + 3 * MIN}, T0 + 3 * MIN));
    REQUIRE(sc.pushOnce());
    REQUIRE(st.record(ClockOff{"tech1", "wo-1-1", StopReason::Break, T0 + 4 * MIN}, T0 + 4 * MIN));
    REQUIRE(st.record(ClockOn{"te-3", "tech2", "wo-1-2", "bay1", T0 + 5 * MIN}, T0 + 5 * MIN));
    CHECK(st.lastOwnSeq() == 5);
  });
  damageTable(db, "records");
  REQUIRE(bay.openSaysDamaged());

  sync::Rebuild rebuild(bay.so, bay.ent, bay.opt, [] { return T0 + 10 * MIN; });
  std::atomic<bool> cancel{false};
  std::int64_t lastProgress = 0;
  const sync::RebuildResult r = rebuild.run([&](std::int64_t pulled, std::int64_t) { lastProgress = pulled; }, cancel);
  INFO(r.error);
  REQUIRE(r.ok);
  CHECK(lastProgress == hub.store.lastPos());
  // the damaged file is kept, under a new name, byte for byte what it was
  REQUIRE(besides(db, ".damaged-").size() == 1);
  CHECK(r.set_aside == besides(db, ".damaged-").front().string());
  // the two events the hub lacks, in a file of their own
  CHECK(r.unsynced == 2);
  REQUIRE(fs::exists(r.unsynced_file));
  CHECK((fs::status(r.unsynced_file).permissions() & fs::perms::others_read) == fs::perms::none);
  std::ifstream lines(r.unsynced_file);
  std::vector<json> kept;
  for (std::string l; std::getline(lines, l);) kept.push_back(json::parse(l));
  REQUIRE(kept.size() == 2);
  CHECK(kept[0]["seq"] == 4);
  CHECK(kept[1]["seq"] == 5);
  CHECK(kept[1]["body"]["entry"] == "te-3");
  CHECK(sync::fromWire(kept[1]).origin == "kiosk-a");
  CHECK(besides(db, ".salvaged-").empty());

  // the rebuilt store: the hub's view, its own sequence where the hub has it
  Store st(bay.so, bay.ent);
  // (issue 16: from the hub's snapshot, which holds the kiosk's own events)
  CHECK(st.basePos() == hub.store.lastPos());
  CHECK(st.eventCount() == 0);
  CHECK(st.loadRecords().samePartOf(hub.store.loadRecords()));
  CHECK(st.lastOwnSeq() == 3);
  CHECK(st.shop().open_entries.size() == 1);  // te-2, as the hub knows it
  CHECK(st.integrityCheck() == "ok");
  REQUIRE(st.record(ClockOff{"tech1", "wo-1-1", StopReason::Break, T0 + 20 * MIN}, T0 + 20 * MIN));
  CHECK(st.lastOwnSeq() == 4);
  std::mutex mu;
  sync::SyncClient sc(st, mu, bay.so.pepper, bay.opt, [] { return T0 + 20 * MIN; });
  CHECK(sc.state().enrolled);  // the salvaged token
  CHECK(sc.state().pending == 1);
  REQUIRE(sc.pushOnce());
  CHECK(sc.state().pending == 0);
  CHECK(hub.store.lastSeqOf("kiosk-a") == 4);
}

TEST_CASE("rebuild: with the token unreadable, an administrator's replace code is needed, a second try goes on from the first") {
  RunningHub hub;
  TempDir dir;
  const std::string db = dir.file("bay.db");
  BayFiles bay(db, hub);
  bay.enrolAnd([](Store&, sync::SyncClient&) {});
  // not a database at all any more: nothing can be read of it
  {
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    f.write("this is not SQLite", 18);
  }
  REQUIRE(bay.openSaysDamaged());
  std::atomic<bool> cancel{false};
  {
    sync::Rebuild rebuild(bay.so, bay.ent, bay.opt, [] { return T0; });
    const sync::RebuildResult r = rebuild.run({}, cancel);
    CHECK_FALSE(r.ok);
    CHECK(r.needs_code);
    CHECK(besides(db, ".damaged-").size() == 1);
    CHECK(besides(db, ".salvaged-").size() == 1);  // what could be read, kept at once
  }
  // a kiosk started now finds the rebuild unfinished: it goes on with it
  {
    Store half(bay.so, bay.ent);
    CHECK(sync::rebuildPending(half));
  }
  // the id is enrolled: a plain code is refused, a replace code is taken
  sync::SyncOptions opt = bay.opt;
  opt.enrol_code = hub.server.newEnrolCode("kiosk-a", 3600'000, true);
  sync::Rebuild rebuild(bay.so, bay.ent, opt, [] { return T0; });
  const sync::RebuildResult r = rebuild.run({}, cancel);
  INFO(r.error);
  REQUIRE(r.ok);
  CHECK(r.unsynced == 0);
  CHECK(besides(db, ".damaged-").size() == 1);  // set aside once, not again
  CHECK(besides(db, ".salvaged-").empty());
  Store done(bay.so, bay.ent);
  CHECK_FALSE(sync::rebuildPending(done));
}
