// Numbered schema migrations, tested from a fixture of each old version.
#include "store/log_codes.hpp"
#include "store/migrations.hpp"
#include "tests/support.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace bkt;

namespace {
void loadFixture(const std::string& db, const std::string& name) {
  std::ifstream in(BK_FIXTURES_DIR "/" + name);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  sql::Db d(db);
  d.exec(ss.str());
}

// A store opened (and so migrated) from the fixture of an old version.
struct FromFixture {
  TempDir dir;
  FixedEntropy ent;
  Store st;
  explicit FromFixture(const std::string& name)
      : st((loadFixture(dir.file("old.db"), name), storeOptions(dir.file("old.db"), "should-not-replace")), ent) {}
};
}  // namespace

TEST_CASE("a store from every old schema version opens and is brought up to date") {
  for (int v = 1; v < latestSchemaVersion(); ++v) {
    CAPTURE(v);
    TempDir dir;
    const std::string path = dir.file("old.db");
    loadFixture(path, "store_v" + std::to_string(v) + ".sql");
    {
      sql::Db d(path);
      CHECK(schemaVersion(d) == v);
    }
    FixedEntropy ent;
    Store st(storeOptions(path, "should-not-replace"), ent);
    CHECK(schemaVersion(st.db()) == latestSchemaVersion());
    CHECK(st.kioskId() == "bay-07");
    CHECK(st.shop().people.at("tech1").name == "王建国");
    CHECK(st.shop().bays.count("bay1") == 1);
    CHECK(st.lastOwnSeq() == 2);
    CHECK(matchesReplay(st));
    CHECK(st.verifyChain() == 0);  // events older than the chain are chained on opening
    // v7: only the indexes something reads; each event carries its chain hash
    CHECK(st.db().scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('chain', 'events_by_origin')") == 0);
    // (issue 16: a kiosk's events its hub has not placed, by an index again;
    // the hub's store has none)
    CHECK(st.db().scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'events_unplaced'") == 1);
    // v18: a work order's records are read by it again (issue 16: the working set)
    CHECK(st.db().scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'records_by_wo'") == 1);
    // v21: the work orders in work or pinned, by an index of their own
    CHECK(st.db().scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'work_orders_in_work'") == 1);
    // v23: the report rows, and the triggers that take one away as its records change
    CHECK(st.db().scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'report_rows'") == 1);
    CHECK(st.db().scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'report_rows_on_%'") == 4);
    CHECK(st.db().scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'work_orders_long'") == 1);
    // v24: a work order out of memory keeps its records as one row, its bundle
    CHECK(st.db().scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('bundles', 'record_owners')") == 2);
    CHECK(st.db().scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%NOT EXISTS(SELECT 1 FROM bundles%'") == 1);
    CHECK(st.db().scalarInt("SELECT COUNT(*) FROM events WHERE chain IS NULL") == 0);
    if (v >= 2) CHECK(st.db().scalarInt("SELECT failures FROM credentials WHERE person = 'tech1'") == 3);
    // and it keeps working: the next event continues the sequence
    REQUIRE(st.record(EndShift{"tech1", T0}, T0));
    CHECK(st.lastOwnSeq() == 3);
    CHECK(st.verifyChain() == 0);
    CHECK(st.integrityCheck() == "ok");
    // issue 13: the file as it was, kept beside it before the migration
    const std::string kept = path + ".before-v" + std::to_string(latestSchemaVersion()) + ".bak";
    REQUIRE(std::filesystem::exists(kept));
    sql::Db before(kept, false);
    CHECK(schemaVersion(before) == v);
  }
}

TEST_CASE("v7: the log keeps only the indexes it reads, and its lookups still use one") {
  FromFixture f("store_v6.sql");
  Store& st = f.st;
  CHECK(st.db().scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('events_by_origin', 'chain')") == 0);
  {  // (issue 16: the unplaced index is a kiosk's; opened as the hub, none)
    TempDir d;
    StoreOptions o = storeOptions(d.file("hub.db"), "hub");
    o.takes_hub_order = false;
    FixedEntropy e;
    Store hub(o, e);
    CHECK(hub.db().scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'events_unplaced'") == 0);
    CHECK(st.db().scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'events_unplaced'") == 1);
  }
  // the v6 chain rows moved into the events; since v12 each event's hash
  // covers its whole envelope, so the log was chained again on opening
  CHECK(st.db().scalarInt("SELECT COUNT(*) FROM events WHERE chain IS NULL OR length(chain) != 8") == 0);
  CHECK(st.verifyChain() == 0);
  // a kiosk's own events by sequence (the pusher) and the hub's duplicate
  // guard by id are index searches, never a scan of the whole log
  auto plan = [&](const std::string& q) {
    sql::Stmt p(st.db(), "EXPLAIN QUERY PLAN " + q);
    std::string out;
    while (p.step()) out += p.text(3) + "\n";
    return out;
  };
  const std::string bySeq = plan("SELECT pos, body FROM events WHERE origin = (SELECT n FROM origins WHERE name = 'bay-07') "
                                    "AND origin_seq > 1 ORDER BY origin_seq");
  CHECK(bySeq.find("SEARCH events USING INDEX sqlite_autoindex_events_2") != std::string::npos);
  CHECK(bySeq.find("TEMP B-TREE") == std::string::npos);
  CHECK(plan("SELECT origin FROM events WHERE event_id = x'00'").find("SEARCH events USING INDEX sqlite_autoindex_events_1") != std::string::npos);
  // what the hub placed survives the migration
  CHECK(st.db().scalarInt("SELECT hub_pos FROM events WHERE pos = 1") == 7);
  CHECK(st.unplacedOwn() == 1);
}

TEST_CASE("a database newer than the program is refused, not damaged") {
  TempDir dir;
  const std::string path = dir.file("new.db");
  {
    sql::Db d(path);
    d.exec("PRAGMA user_version = 99");
  }
  sql::Db d(path);
  CHECK_THROWS_AS(migrate(d), sql::SqliteError);
  CHECK(schemaVersion(d) == 99);
}

TEST_CASE("each migration step is its own transaction") {
  TempDir dir;
  sql::Db d(dir.file("m.db"));
  migrate(d, 1);
  CHECK(schemaVersion(d) == 1);
  CHECK(d.scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'credentials'") == 0);
  migrate(d);
  CHECK(schemaVersion(d) == latestSchemaVersion());
}

TEST_CASE("v8: an enrolment code from before codes named their kiosk enrols nothing") {
  FromFixture f("store_v7.sql");
  Store& st = f.st;
  CHECK(schemaVersion(st.db()) == latestSchemaVersion());
  // the fixture holds a live code whose hash is '00aa' and which names no kiosk
  CHECK(st.enrolment().useCode("00aa", "kiosk-x", "token-hash", T0 - 1) == Enrolment::Use::WrongKiosk);
  CHECK_FALSE(st.enrolment().known("kiosk-x"));
  // codes made now name their kiosk, once
  st.enrolment().addCode("c1", "kiosk-x", false, T0 + MIN);
  CHECK(st.enrolment().useCode("c1", "kiosk-y", "t1", T0) == Enrolment::Use::WrongKiosk);
  CHECK(st.enrolment().useCode("c1", "kiosk-x", "t1", T0) == Enrolment::Use::Enrolled);
  CHECK(st.enrolment().useCode("c1", "kiosk-x", "t2", T0) == Enrolment::Use::BadCode);
  CHECK(st.enrolment().kioskOfToken("t1") == Id("kiosk-x"));
  // an id enrolled before is not taken over, revoked or not, without "replace"
  CHECK(st.enrolment().revoke("kiosk-x", T0));
  CHECK_FALSE(st.enrolment().kioskOfToken("t1"));
  st.enrolment().addCode("c2", "kiosk-x", false, T0 + MIN);
  CHECK(st.enrolment().useCode("c2", "kiosk-x", "t3", T0) == Enrolment::Use::IdTaken);
  CHECK_FALSE(st.enrolment().kioskOfToken("t3"));
  st.enrolment().addCode("c3", "kiosk-x", true, T0 + MIN);
  CHECK(st.enrolment().useCode("c3", "kiosk-x", "t4", T0) == Enrolment::Use::Enrolled);
  CHECK(st.enrolment().kioskOfToken("t4") == Id("kiosk-x"));
}

TEST_CASE("v13 (issue 16): records are a rowid table, so a signed inspection's body stays in its page, no overflow page of its own") {
  FromFixture f("store_v12.sql");
  Store& st = f.st;
  CHECK(st.db().scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'records' AND sql LIKE '%WITHOUT ROWID%'") == 0);
  CHECK(st.shop().people.at("tech1").name == "王建国");  // kept
  // (kind, id) is still one record: the store's upsert replaces it
  REQUIRE(st.record(DefineBay{Bay{"bay1", "机电 01 号", Trade::Mechanical}}, T0));
  CHECK(st.db().scalarInt("SELECT COUNT(*) FROM records WHERE kind = 1 AND id = 'bay1'") == 1);
  CHECK(st.shop().bays.at("bay1").name == "机电 01 号");
  CHECK(st.loadRecords().sameRecords(st.shop()));
  // a 1.5 KB body, as a signed inspection's, in a page of the table
  for (int i = 0; i < 40; ++i)
    st.db().exec("INSERT INTO records(kind, id, wo, body) VALUES('probe', 'p" + std::to_string(i) + "', NULL, printf('%.1500c', 'x'))");
  CHECK(st.db().scalarInt("SELECT COUNT(*) FROM dbstat WHERE name = 'records' AND pagetype = 'overflow'") == 0);
  CHECK(st.db().scalarInt("SELECT SUM(pgsize) FROM dbstat WHERE name = 'records'") < 40 * 1500 * 3 / 2);
  st.db().exec("DELETE FROM records WHERE kind = 'probe'");
}

TEST_CASE("v17 (issue 16): a record's kind is kept as its number, each row converted by the migration itself") {
  TempDir dir;
  const std::string path = dir.file("old.db");
  loadFixture(path, "store_v16.sql");
  sql::Db d(path);
  const std::int64_t rows = d.scalarInt("SELECT COUNT(*) FROM records");
  REQUIRE(rows > 0);
  migrate(d, 17);
  CHECK(d.scalarInt("SELECT COUNT(*) FROM records") == rows);
  CHECK(d.scalarInt("SELECT COUNT(*) FROM records WHERE typeof(kind) <> 'integer' OR kind < 0") == 0);
  CHECK(d.scalarInt("SELECT kind FROM records WHERE id = 'tech1'") == static_cast<int>(RecordKind::Person));
  CHECK(d.scalarInt("SELECT kind FROM records WHERE id = 'bay1'") == static_cast<int>(RecordKind::Bay));
}

TEST_CASE("v22 (issue 16): each event's type is kept as its number and its origin by a number, every row converted") {
  TempDir dir;
  const std::string path = dir.file("old.db");
  loadFixture(path, "store_v21.sql");
  sql::Db d(path);
  // beside the fixture's events: one of every type that has a number, one
  // of a type without (a newer program's), and a device batch of an origin
  // with no event here
  {
    sql::Stmt add(d, "INSERT INTO events(event_id, origin, origin_seq, wall_ms, hlc, type, body) VALUES(?1, 'kiosk-x', ?2, 1, 1, ?3, '{}')");
    std::int64_t seq = 0;
    auto put = [&](std::string_view type) {
      ++seq;
      const std::array<std::uint8_t, 16> id{0xEE, static_cast<std::uint8_t>(seq)};
      add.bindBlob(1, id.data(), 16).bind(2, seq).bind(3, type).run();
    };
    for (std::string_view t : logcodes::kTypes) put(t);
    put("from_the_future");
    d.exec("INSERT INTO device_batches(origin, first_seq, last_seq, device_key, hashes, sig) VALUES('kiosk-y', 1, 1, 1, x'00', x'00')");
  }
  std::map<std::int64_t, std::pair<std::string, std::string>> before;  // pos → origin, type
  {
    sql::Stmt q(d, "SELECT pos, origin, type FROM events");
    while (q.step()) before[q.integer(0)] = {q.text(1), q.text(2)};
  }
  const std::int64_t batches = d.scalarInt("SELECT COUNT(*) FROM device_batches");
  migrate(d, 22);
  CHECK(d.scalarInt("SELECT COUNT(*) FROM events") == static_cast<std::int64_t>(before.size()));
  CHECK(d.scalarInt("SELECT COUNT(*) FROM device_batches") == batches);
  sql::Stmt q(d, "SELECT e.pos, o.name, e.type, typeof(e.origin) FROM events e JOIN origins o ON o.n = e.origin");
  std::size_t seen = 0;
  while (q.step()) {
    ++seen;
    const std::string origin = before.at(q.integer(0)).first, type = before.at(q.integer(0)).second;
    CAPTURE(type);
    CHECK(q.text(1) == origin);
    CHECK(q.text(3) == "integer");
    CHECK(logcodes::typeAt(q, 2) == type);
    CHECK(q.isInteger(2) == logcodes::typeCode(type).has_value());
  }
  CHECK(seen == before.size());
  CHECK(d.scalarInt("SELECT COUNT(*) FROM events WHERE type = 'from_the_future'") == 1);
  CHECK(d.scalarText("SELECT o.name FROM device_batches b JOIN origins o ON o.n = b.origin WHERE b.first_seq = 1 AND "
                     "length(b.sig) = 1") == "kiosk-y");
  // the indexes are the log's as before, and the lookups use them
  CHECK(d.scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('sqlite_autoindex_events_1', "
                    "'sqlite_autoindex_events_2', 'events_by_hub_pos')") == 3);
}

TEST_CASE("v22 (issue 16): every action type has a number for good, the refused tombstone's 0") {
  std::set<std::string> names;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (names.insert(std::string(actionType(Action(std::variant_alternative_t<I, Action>{})))), ...);
  }(std::make_index_sequence<std::variant_size_v<Action>>{});
  CHECK(logcodes::typeCode(kRefusedType) == 0);
  for (const std::string& n : names) {
    CAPTURE(n);
    CHECK(logcodes::typeCode(n).has_value());
  }
  CHECK(names.size() + 1 == logcodes::kTypes.size());
  CHECK_FALSE(logcodes::typeCode("from_the_future").has_value());
}
