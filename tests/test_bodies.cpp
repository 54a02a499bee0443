// Issue 16: compact storage. The log's bodies, and the records made from
// them, stored compressed with dictionaries the store trains on its own
// (store/bodies.hpp), read back byte for byte; device signatures kept
// without what can be made again from the events they cover.
#include "demo/demo.hpp"
#include "store/bodies.hpp"
#include "store/log_codes.hpp"
#include "store/migrations.hpp"
#include "store/peek.hpp"
#include "store/salvage.hpp"
#include "tests/support.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <random>

using namespace bkt;

namespace {

// The demo shop (about 4,200 events, past the threshold), made once and
// copied for each test.
const std::string& demoFile() {
  static TempDir dir;
  static const std::string path = [] {
    const std::string p = dir.file("demo.db");
    FixedEntropy ent;
    Store st(storeOptions(p, "hub-demo"), ent);
    st.db().exec("PRAGMA synchronous = OFF");  // test data
    demo::Options opt;
    opt.now = T0 + 120LL * 24 * 60 * MIN + 14 * 60 * MIN;
    opt.set_pins = false;
    demo::generate(st, catalog(), opt);
    st.db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    return p;
  }();
  return path;
}

std::string copyOfDemo(const TempDir& dir) {
  const std::string p = dir.file("copy.db");
  std::filesystem::copy_file(demoFile(), p);
  return p;
}

// The state a store opened on this file holds: its records, whole.
Shop stateOf(const std::string& path) {
  FixedEntropy ent;
  Store st(storeOptions(path), ent);
  return st.loadRecords();
}

std::int64_t count(sql::Db& d, const std::string& where) {
  return d.scalarInt("SELECT COUNT(*) FROM events WHERE " + where);
}

// Every record's body as JSON, read with the dictionaries in the file.
std::map<std::pair<RecordKind, std::string>, std::string> recordBodies(sql::Db& d) {
  bodies::Codec codec;
  loadDictionaries(d, codec);
  std::map<std::pair<RecordKind, std::string>, std::string> out;
  for (sql::Stmt q(d, "SELECT kind, id, body FROM records"); q.step();)
    out[{static_cast<RecordKind>(q.integer(0)), q.text(1)}] = codec.decode(q.text(2));
  return out;
}

// Schema v23's file: the records of every bundle rows again, as JSON (v24
// keeps a work order out of memory as one row, its bundle).
void withoutBundles(sql::Db& d) {
  if (!d.scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'bundles'")) return;
  auto codec = std::make_shared<bodies::Codec>();
  loadDictionaries(d, *codec);
  d.defineFunction("bk_bundle", [codec](std::string_view stored) { return codec->decode(stored); });
  d.exec("DROP TRIGGER report_rows_on_delete; "
         "INSERT INTO records(kind, id, wo, body) SELECT e.value->>0, e.value->>1, b.wo, e.value->>2 "
         "FROM bundles b, json_each(bk_bundle(b.body)) e; "
         "DROP TABLE bundles; DROP TABLE record_owners; DELETE FROM meta WHERE key = 'bundles_made'; "
         "CREATE TRIGGER report_rows_on_delete AFTER DELETE ON records WHEN OLD.wo IS NOT NULL "
         "BEGIN DELETE FROM report_rows WHERE wo = OLD.wo; END;");
}

// The file put back as schema v14 left it: every record JSON and its kind
// by name, one dictionary (the log's), each device key kept whole.
// Schema v22's file: no report rows (v23), nor their triggers.
void withoutReportRows(sql::Db& d) {
  withoutBundles(d);
  d.exec("DROP TRIGGER IF EXISTS report_rows_on_insert; DROP TRIGGER IF EXISTS report_rows_on_update; DROP TRIGGER IF EXISTS report_rows_on_delete; "
         "DROP TRIGGER IF EXISTS report_rows_on_work_order_gone; DROP TABLE report_rows");  // (those of a table dropped went with it)
}

// Schema v21's log: each event's origin and type, and each device batch's
// origin, by name again (v22 keeps numbers); and what v23 added undone.
void byNamesAgain(sql::Db& d) {
  withoutReportRows(d);
  std::string typeName = "CASE type";
  for (std::size_t i = 0; i < logcodes::kTypes.size(); ++i)
    typeName += " WHEN " + std::to_string(i) + " THEN '" + std::string(logcodes::kTypes[i]) + "'";
  d.exec("UPDATE events SET origin = (SELECT name FROM origins WHERE n = events.origin), type = " + typeName + " ELSE type END; "
         "UPDATE device_batches SET origin = (SELECT name FROM origins WHERE n = device_batches.origin); DROP TABLE origins");
}

void backToV14(sql::Db& d) {
  withoutBundles(d);
  const auto records = recordBodies(d);
  sql::Tx tx(d);
  std::string kindName = "CASE kind";
  for (const auto& [kind, name] : kRecordKindNames)
    kindName += " WHEN " + std::to_string(static_cast<int>(kind)) + " THEN '" + std::string(name) + "'";
  d.exec("CREATE TABLE records_v13(kind TEXT NOT NULL, id TEXT NOT NULL, wo TEXT, body TEXT NOT NULL, UNIQUE(kind, id)); "
         "INSERT INTO records_v13(kind, id, wo, body) SELECT " + kindName + " END, id, "
         "(SELECT w.id FROM work_orders w WHERE w.n = records.wo), body FROM records ORDER BY rowid; "
         "DROP TABLE records; ALTER TABLE records_v13 RENAME TO records");
  byNamesAgain(d);
  d.exec(R"sql(
    DELETE FROM body_dicts WHERE kind = 'records';
    ALTER TABLE body_dicts DROP COLUMN kind;
    UPDATE device_batches SET device_key = (SELECT k.key FROM device_keys k WHERE k.id = device_batches.device_key)
      WHERE typeof(device_key) = 'integer';
    DROP TABLE device_keys;
    DROP TABLE work_orders;
    DROP TABLE reports;
    DROP TABLE snapshot_base;
    DELETE FROM meta WHERE key = 'records_compacted';
    PRAGMA user_version = 14;
  )sql");
  sql::Stmt put(d, "UPDATE records SET body = ?3 WHERE kind = ?1 AND id = ?2");
  for (const auto& [key, json] : records) put.bind(1, std::string(name(key.first))).bind(2, key.second).bind(3, json).run();
  tx.commit();
  REQUIRE(d.scalarInt("SELECT COUNT(*) FROM records WHERE typeof(body) = 'text'") == static_cast<std::int64_t>(records.size()));
}

}  // namespace

TEST_CASE("issue 16: past the threshold every body is stored compressed with the store's own dictionary, and reads back byte for byte") {
  TempDir dir;
  const std::string path = copyOfDemo(dir);
  FixedEntropy ent;
  Store st(storeOptions(path), ent);
  const std::int64_t n = st.eventCount();
  REQUIRE(n > bodies::kTrainAt);
  // one dictionary, trained on the log, and every body (those from before
  // it too) compressed with it: a fraction of the JSON
  CHECK(st.db().scalarInt("SELECT COUNT(*) FROM body_dicts WHERE kind = 'events'") == 1);
  CHECK(count(st.db(), "typeof(body) = 'blob'") == n);
  CHECK(st.db().scalarText("SELECT value FROM meta WHERE key = 'bodies_compacted'") == "1");
  const auto events = st.events(0, 1'000'000);
  std::int64_t json = 0;
  for (const auto& e : events) {
    json += static_cast<std::int64_t>(e.body.size());
    CHECK(canonical(json::parse(e.body)) == e.body);  // the canonical JSON, as recorded
  }
  const std::int64_t stored = st.db().scalarInt("SELECT SUM(length(body)) FROM events");
  CHECK(stored * 4 < json);  // measured: 148 bytes an event against 950
  // byte for byte: every body hashes to the chain hash made from the JSON
  // when it was written, and the replay equals the state
  CHECK(st.verifyChain() == 0);
  CHECK(st.verifyDevices().empty());
  CHECK(matchesReplay(st));
  // a new event is stored compressed at once
  const std::int64_t before = st.lastPos();
  Action a = SetPolicy{st.shop().policy, T0 + 200LL * 24 * 60 * MIN};
  REQUIRE(st.record(a, T0 + 200LL * 24 * 60 * MIN));
  CHECK(st.db().scalarText("SELECT typeof(body) FROM events WHERE pos = " + std::to_string(before + 1)) == "blob");
  CHECK(st.events(before, 1).at(0).body == canonical(toJson(a)));
  // reopened: the dictionary comes from the file
  const Shop live = st.loadRecords();
  {
    Store again(storeOptions(path), ent);
    CHECK(again.events(0, 1'000'000).size() == events.size() + 1);
    CHECK(again.events(0, 10).at(3).body == events.at(3).body);
    CHECK(again.verifyChain() == 0);
    CHECK(again.shop().samePartOf(live));
  }
}

TEST_CASE("issue 16: a damaged compressed body shows in the chain at its position, and a missing dictionary is a clear error") {
  TempDir dir;
  const std::string path = copyOfDemo(dir);
  FixedEntropy ent;
  Store st(storeOptions(path), ent);
  REQUIRE(st.verifyChain() == 0);
  for (const std::int64_t victim : {std::int64_t{57}, std::int64_t{3001}}) {
    CAPTURE(victim);
    // one byte in the middle of the stored frame changed
    const std::string where = " WHERE pos = " + std::to_string(victim);
    const std::string original = st.db().scalarText("SELECT hex(body) FROM events" + where);
    st.db().exec("UPDATE events SET body = CAST(substr(body, 1, 20) || X'00' || substr(body, 22) AS BLOB)" + where);
    REQUIRE(st.db().scalarText("SELECT hex(body) FROM events" + where) != original);
    CHECK(st.verifyChain() == victim);
    CHECK_NOTHROW((void)st.verifyDevices());
    st.db().exec("UPDATE events SET body = X'" + original + "'" + where);
    CHECK(st.verifyChain() == 0);
  }
  // the dictionary gone: reading is refused with what is wrong, never
  // garbage; and nothing is trained on the compressed bodies themselves
  st.db().exec("DELETE FROM body_dicts WHERE kind = 'events'");
  Store blind(storeOptions(path), ent);
  CHECK(blind.db().scalarInt("SELECT COUNT(*) FROM body_dicts WHERE kind = 'events'") == 0);
  CHECK_THROWS_WITH_AS((void)blind.events(0, 5), doctest::Contains("dictionary"), bodies::DamagedBody);
  CHECK(blind.verifyChain() == 1);
}

TEST_CASE("issue 16: a log of schema v13 is compressed once as the store opens, and the replay equals the live state before and after") {
  TempDir dir;
  const std::string path = copyOfDemo(dir);
  Shop live;
  std::vector<StoredEvent> events;
  {
    FixedEntropy ent;
    Store st(storeOptions(path), ent);
    live = st.loadRecords();
    events = st.events(0, 1'000'000);
  }
  {  // the file as schema v13 left it: every body JSON, no dictionary
    sql::Db d(path);
    backToV14(d);
    sql::Tx tx(d);
    sql::Stmt put(d, "UPDATE events SET body = ?2 WHERE pos = ?1");
    for (const auto& e : events) put.bind(1, e.pos).bind(2, e.body).run();
    d.exec("DROP TABLE body_dicts; DELETE FROM meta WHERE key = 'bodies_compacted'; PRAGMA user_version = 13");
    tx.commit();
    CHECK(count(d, "typeof(body) = 'text'") == static_cast<std::int64_t>(events.size()));
  }
  const auto v13Bytes = std::filesystem::file_size(path);
  FixedEntropy ent;
  Store st(storeOptions(path), ent);
  CHECK(schemaVersion(st.db()) == latestSchemaVersion());
  CHECK(count(st.db(), "typeof(body) = 'text'") == 0);
  CHECK(st.shop().samePartOf(live));
  CHECK(st.rebuildFromEvents().sameRecords(live));
  CHECK(st.verifyChain() == 0);
  const auto after = st.events(0, 1'000'000);
  REQUIRE(after.size() == events.size());
  for (std::size_t i = 0; i < after.size(); ++i)
    if (after[i].body != events[i].body) FAIL_CHECK("the body at " << after[i].pos << " changed");
  // the rewritten file was made compact again
  st.db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
  CHECK(std::filesystem::file_size(path) * 10 < v13Bytes * 8);
}

TEST_CASE("issue 16: the records are compressed too, with a dictionary trained on records, and read back as they were") {
  TempDir dir;
  const std::string path = copyOfDemo(dir);
  FixedEntropy ent;
  Store st(storeOptions(path), ent);
  const std::int64_t n = st.db().scalarInt("SELECT COUNT(*) FROM records");
  REQUIRE(n > bodies::kTrainAt);
  CHECK(st.db().scalarInt("SELECT COUNT(*) FROM body_dicts WHERE kind = 'records'") == 1);
  CHECK(st.db().scalarInt("SELECT COUNT(*) FROM records WHERE typeof(body) = 'blob'") == n);
  CHECK(st.db().scalarText("SELECT value FROM meta WHERE key = 'records_compacted'") == "1");
  // each is the canonical JSON of its entity in the state
  const auto records = recordBodies(st.db());
  std::int64_t plain = 0;
  for (const auto& [key, body] : records) {
    plain += static_cast<std::int64_t>(body.size());
    CHECK(canonical(json::parse(body)) == body);
  }
  CHECK(records.at({RecordKind::WorkOrder, st.shop().work_orders.begin()->first}) == canonical(json(st.shop().work_orders.begin()->second)));
  CHECK(st.db().scalarInt("SELECT SUM(length(body)) FROM records") * 4 < plain);
  // a change is written compressed at once, and a reopened store has the
  // same state, read from them
  REQUIRE(st.record(DefineBay{Bay{"bay-99", "机电 99", Trade::Mechanical}}, T0 + 200LL * 24 * 60 * MIN));
  CHECK(st.db().scalarText("SELECT typeof(body) FROM records WHERE kind = 1 AND id = 'bay-99'") == "blob");
  const Shop live = st.loadRecords();
  Store again(storeOptions(path), ent);
  CHECK(again.shop().samePartOf(live));
  CHECK(again.shop().bays.at("bay-99").name == "机电 99");
  CHECK(again.rebuildFromEvents().sameRecords(live));
}

TEST_CASE("issue 16: bk-hub records reads a store's compressed records as JSON, by kind, without opening it as a store") {
  TempDir dir;
  const std::string path = copyOfDemo(dir);
  const Shop live = stateOf(path);
  sql::Db d(path, false);
  REQUIRE(d.scalarInt("SELECT COUNT(*) FROM records WHERE typeof(body) = 'text'") == 0);
  std::map<std::string, int> kinds;
  forEachRecord(d, "", [&](const std::string& kind, const std::string& id, const std::string& body) {
    ++kinds[kind];
    if (kind == "work_order") CHECK(body == canonical(json(live.work_orders.at(id))));
  });
  CHECK(kinds["work_order"] == static_cast<int>(live.work_orders.size()));
  CHECK(kinds["inspection"] == static_cast<int>(live.inspections.size()));
  int people = 0;
  forEachRecord(d, "person", [&](const std::string& kind, const std::string& id, const std::string& body) {
    CHECK(kind == "person");
    CHECK(json::parse(body).get<Person>() == live.people.at(id));
    ++people;
  });
  CHECK(people == static_cast<int>(live.people.size()));
  CHECK_THROWS_AS(forEachRecord(d, "lorry", [](auto&&...) {}), std::invalid_argument);
}

TEST_CASE("issue 16: records that cannot be read back (their dictionary lost, a frame cut short, a kind unknown) are made again from the log as the store opens") {
  TempDir dir;
  const std::string path = copyOfDemo(dir);
  const Shop live = stateOf(path);
  for (const char* damage : {"UPDATE records SET body = substr(body, 1, 9) WHERE kind = 5 AND id = "
                             "(SELECT MIN(id) FROM records WHERE kind = 5)",  // an inspection's
                             "UPDATE records SET kind = 99 WHERE kind = 1 AND id = (SELECT MIN(id) FROM records WHERE kind = 1)",
                             "DELETE FROM body_dicts WHERE kind = 'records'"}) {
    CAPTURE(damage);
    {
      sql::Db d(path);
      d.exec(damage);
      REQUIRE(d.changes() == 1);
    }
    FixedEntropy ent;
    Store st(storeOptions(path), ent);
    CHECK(st.shop().samePartOf(live));
    CHECK(st.db().scalarInt("SELECT COUNT(*) FROM records WHERE typeof(body) = 'blob'") ==
          st.db().scalarInt("SELECT COUNT(*) FROM records"));
    Store again(storeOptions(path), ent);
    CHECK(again.shop().samePartOf(live));
  }
}

TEST_CASE("issue 16: a store of schema v14, its records JSON, has them compressed as it opens, and the rebuild equals the live state before and after") {
  TempDir dir;
  const std::string path = copyOfDemo(dir);
  const Shop live = stateOf(path);
  {
    sql::Db d(path);
    backToV14(d);
  }
  const auto v14Bytes = std::filesystem::file_size(path);
  FixedEntropy ent;
  Store st(storeOptions(path), ent);
  CHECK(schemaVersion(st.db()) == latestSchemaVersion());
  CHECK(st.db().scalarInt("SELECT COUNT(*) FROM records WHERE typeof(body) = 'text'") == 0);
  CHECK(st.db().scalarInt("SELECT COUNT(*) FROM body_dicts WHERE kind = 'events'") == 1);
  CHECK(st.db().scalarInt("SELECT COUNT(*) FROM device_batches WHERE typeof(device_key) <> 'integer'") == 0);
  CHECK(st.verifyDevices().empty());
  CHECK(st.shop().samePartOf(live));
  CHECK(st.rebuildFromEvents().sameRecords(live));
  CHECK(st.verifyChain() == 0);
  // v18: every work order has its history row, made from its records, and
  // memory holds only the working set of the four months' shop
  CHECK(st.workOrderCount().all == static_cast<std::int64_t>(live.work_orders.size()));
  CHECK(st.db().scalarInt("SELECT COUNT(*) FROM work_orders WHERE first_at IS NULL OR last_at < first_at") == 0);
  CHECK(st.shop().work_orders.size() < live.work_orders.size());
  CHECK(matchesReplay(st));
  st.db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
  CHECK(std::filesystem::file_size(path) * 10 < v14Bytes * 8);
}

TEST_CASE("issue 16: a bundle compressed harder (encodeDense) reads back the same, and is smaller than the usual level") {
  TempDir dir;
  const std::string path = copyOfDemo(dir);
  { FixedEntropy ent; Store st(storeOptions(path), ent); }  // (its records' dictionary)
  sql::Db d(path);
  bodies::Codec codec;
  loadDictionaries(d, codec, "records");
  REQUIRE(codec.ready());
  // a work order's records as one text, as a bundle holds them
  const auto records = recordBodies(d);
  std::map<std::string, std::string> byWo;
  for (const auto& [key, body] : records)
    if (const json j = json::parse(body); j.contains("wo") && j["wo"].is_string()) byWo[j["wo"].get<std::string>()] += body;
  REQUIRE(byWo.size() > 20);
  std::size_t usual = 0, dense = 0;
  for (const auto& [wo, text] : byWo) {
    const std::string a = codec.encode(text), b = codec.encodeDense(text);
    CHECK(codec.decode(b) == text);
    usual += a.size();
    dense += b.size();
  }
  CHECK(dense < usual);
  MESSAGE("bundles: ", usual, " bytes at the usual level, ", dense, " harder");
}

TEST_CASE("issue 16: a store of schema v23 packs each work order out of memory into its bundle as it opens: the rebuild equals the live state before and after, and the file shrinks") {
  TempDir dir;
  const std::string path = copyOfDemo(dir);
  const Shop live = stateOf(path);
  std::int64_t rows = 0, reportRows = 0;
  {
    sql::Db d(path);
    withoutBundles(d);
    d.exec("PRAGMA user_version = 23");
    rows = d.scalarInt("SELECT COUNT(*) FROM records");
    reportRows = d.scalarInt("SELECT COUNT(*) FROM report_rows");
    d.exec("VACUUM");
  }
  const auto v23Bytes = std::filesystem::file_size(path);
  FixedEntropy ent;
  Store st(storeOptions(path), ent);
  CHECK(schemaVersion(st.db()) == latestSchemaVersion());
  // memory's work orders keep their records as rows; every other has one
  // bundle, and each of its records but its own an owner row
  const std::int64_t bundled = st.db().scalarInt("SELECT COUNT(*) FROM bundles");
  CHECK(bundled == st.workOrderCount().all - static_cast<std::int64_t>(st.shop().work_orders.size()));
  CHECK(bundled > 0);
  CHECK(st.db().scalarInt("SELECT COUNT(*) FROM records r JOIN bundles b ON b.wo = r.wo") == 0);
  CHECK(st.db().scalarInt("SELECT COUNT(*) FROM records") + bundled + st.db().scalarInt("SELECT COUNT(*) FROM record_owners") == rows);
  CHECK(st.db().scalarInt("SELECT COUNT(*) FROM report_rows") == reportRows);  // (packing keeps them)
  CHECK(st.db().scalarText("SELECT value FROM meta WHERE key = 'bundles_made'") == "1");
  CHECK(st.loadRecords().sameRecords(live));
  CHECK(st.rebuildFromEvents().sameRecords(live));
  CHECK(st.recordsDiffer(st.rebuildFromEvents()).empty());
  CHECK(st.shop().samePartOf(live));
  CHECK(matchesReplay(st));
  CHECK(st.checkLog().differ.empty());
  st.db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
  CHECK(std::filesystem::file_size(path) < v23Bytes);
  // a bundled work order's records read one by one as before (peek, bk-hub records)
  std::int64_t peeked = 0;
  forEachRecord(st.db(), "", [&](const std::string&, const std::string&, const std::string&) { ++peeked; });
  CHECK(peeked == rows);
}

TEST_CASE("issue 16: an old record that cannot be read back keeps no store from opening after the upgrade to v24: its work order stays rows") {
  TempDir dir;
  const std::string path = copyOfDemo(dir);
  (void)stateOf(path);
  std::int64_t n = 0;
  {
    sql::Db d(path);
    withoutBundles(d);
    d.exec("PRAGMA user_version = 23");
    n = d.scalarInt("SELECT MIN(wo) FROM records WHERE kind = 4");  // (the oldest work order with time on it)
    d.exec("UPDATE records SET body = X'28B52FFD0000' WHERE rowid = (SELECT MIN(rowid) FROM records WHERE kind = 4 AND wo = " +
           std::to_string(n) + ")");  // (a zstd frame cut short)
    REQUIRE(d.changes() == 1);
  }
  FixedEntropy ent;
  Store st(storeOptions(path), ent);
  CHECK(schemaVersion(st.db()) == latestSchemaVersion());
  CHECK(st.db().scalarInt("SELECT COUNT(*) FROM bundles") > 0);
  CHECK(st.db().scalarInt("SELECT COUNT(*) FROM bundles WHERE wo = " + std::to_string(n)) == 0);
  CHECK(st.db().scalarInt("SELECT COUNT(*) FROM records WHERE wo = " + std::to_string(n)) > 1);
  CHECK(st.db().scalarText("SELECT value FROM meta WHERE key = 'bundles_made'") == "1");
}

TEST_CASE("issue 16: a file a migration left more than a quarter empty (a table copied into its new form) is written again compact as the store opens") {
  TempDir dir;
  const std::string path = copyOfDemo(dir);
  const Shop live = stateOf(path);
  const auto compact = std::filesystem::file_size(path);
  {
    sql::Db d(path);
    d.exec("CREATE TABLE copied(b); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
           "INSERT INTO copied SELECT randomblob(4000) FROM n; DROP TABLE copied; PRAGMA wal_checkpoint(TRUNCATE)");
    REQUIRE(d.scalarInt("PRAGMA freelist_count") * 4 > d.scalarInt("PRAGMA page_count"));
  }
  REQUIRE(std::filesystem::file_size(path) > compact + 7'000'000);
  FixedEntropy ent;
  Store st(storeOptions(path), ent);
  // the rewrite went through the WAL and is not left there beside the file
  CHECK(std::filesystem::file_size(path + "-wal") < 1'000'000);
  st.db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
  CHECK(st.db().scalarInt("PRAGMA freelist_count") < 256);
  CHECK(std::filesystem::file_size(path) < compact + 1'000'000);
  CHECK(st.shop().samePartOf(live));
}

TEST_CASE("issue 16: a damaged store's own events are salvaged from compressed bodies as JSON") {
  TempDir dir;
  const std::string path = copyOfDemo(dir);
  std::vector<StoredEvent> own;
  {
    FixedEntropy ent;
    Store st(storeOptions(path), ent);
    own = st.ownEventsAfter(0, 1'000'000);
  }
  REQUIRE(own.size() > 4000);
  const Salvaged s = setAsideAndSalvage(path, "hub-demo", T0);
  CHECK(s.unreadable == 0);
  REQUIRE(s.own.size() == own.size());
  CHECK(s.own.front()["body"] == json::parse(own.front().body));
  CHECK(s.own.back()["body"] == json::parse(own.back().body));
}

namespace {

// A hub store, a bay kiosk enrolled with a device key, and three clockings
// the kiosk made, as it pushes them: one batch, signed.
struct SignedBatch {
  Node hub{"hub-x"}, bay{"kiosk-x"};
  KeyPair key{[] {
    Seed s{};
    s[0] = 42;
    return s;
  }()};
  std::vector<StoredEvent> events;
  DeviceBatch batch;
  SignedBatch() {
    for (auto& a : staffAndBays()) REQUIRE(hub.st.record(a, T0));
    REQUIRE(hub.st.record(testWorkOrder("wo-1", Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")}), T0));
    REQUIRE(hub.st.record(EnrolClient{Client{"kiosk-x", Scope::Floor, key.pubHex(), T0}}, T0));
    bay.take(hub.own());
    REQUIRE(bay.st.record(ClockOn{"te-1", "tech1", "wo-1-1", "bay1", T0 + MIN}, T0 + MIN));
    REQUIRE(bay.st.record(ClockOff{"tech1", "wo-1-1", StopReason::WaitingParts, T0 + 2 * MIN}, T0 + 2 * MIN));
    REQUIRE(bay.st.record(ClockOn{"te-2", "tech1", "wo-1-1", "bay1", T0 + 3 * MIN}, T0 + 3 * MIN));
    events = bay.own();
    batch = sign(events);
  }
  DeviceBatch sign(const std::vector<StoredEvent>& evs) const {
    std::vector<EventHash> hashes;
    for (const auto& e : evs) hashes.push_back(envelopeHash(e));
    return DeviceBatch{"kiosk-x", evs.front().origin_seq, evs.back().origin_seq, key.pubHex(), hashes,
                       signBytes(key, batchMessage("kiosk-x", hashes))};
  }
  std::int64_t column(const char* what) {
    return hub.st.db().scalarInt(std::string("SELECT ") + what + " FROM device_batches WHERE origin = (SELECT n FROM origins WHERE name = 'kiosk-x')");
  }
};

}  // namespace

TEST_CASE("issue 16: a device batch whose events are stored as signed keeps 4 bytes of each hash and its key and signature as bytes, and still names an event rewritten later") {
  SignedBatch f;
  for (const Remote& r : f.hub.st.ingestBatch(f.events, T0 + 4 * MIN, &f.batch)) REQUIRE(r.status == Remote::Status::Applied);
  CHECK(f.column("length(hashes)") == 3 * 4);
  CHECK(f.column("typeof(device_key) = 'integer'") == 1);  // the key by its number
  CHECK(f.column("(SELECT length(key) FROM device_keys k WHERE k.id = device_key)") == 32);
  CHECK(f.column("length(sig)") == 64);
  CHECK(f.hub.st.verifyDevices().empty());
  // the middle event rewritten in the file and the chain made again: the
  // signature no longer verifies, and the event is named
  const std::int64_t middle = f.hub.st.lastPos() - 1;
  {
    sql::Db d(f.hub.st.path());
    d.exec("UPDATE events SET body = replace(body, 'waiting_parts', 'break') WHERE pos = " + std::to_string(middle));
    REQUIRE(d.changes() == 1);
    d.exec("UPDATE events SET chain = NULL");
    d.exec("DELETE FROM meta WHERE key = 'chain_head'");
  }
  FixedEntropy ent;
  Store reopened(storeOptions(f.hub.st.path(), "hub-x"), ent);
  CHECK(reopened.verifyChain() == 0);
  const auto found = reopened.verifyDevices();
  REQUIRE(found.size() == 1);
  CHECK(found[0].pos == middle);
  CHECK(found[0].seq == 2);
  CHECK(found[0].what.find("not what kiosk-x wrote") != std::string::npos);
}

TEST_CASE("issue 16: device batches kept with their key whole (schema v15) name it by its number after the upgrade, and still verify") {
  SignedBatch f;
  for (const Remote& r : f.hub.st.ingestBatch(f.events, T0 + 4 * MIN, &f.batch)) REQUIRE(r.status == Remote::Status::Applied);
  {
    sql::Db d(f.hub.st.path());
    byNamesAgain(d);
    d.exec("UPDATE device_batches SET device_key = (SELECT k.key FROM device_keys k WHERE k.id = device_batches.device_key); "
           "DROP TABLE device_keys; DROP TABLE work_orders; DROP INDEX records_by_wo; DROP TABLE reports; DROP TABLE snapshot_base; "
           "PRAGMA user_version = 15");
    CHECK(d.scalarInt("SELECT length(device_key) FROM device_batches WHERE origin = 'kiosk-x'") == 32);
  }
  FixedEntropy ent;
  Store upgraded(storeOptions(f.hub.st.path(), "hub-x"), ent);
  CHECK(schemaVersion(upgraded.db()) == latestSchemaVersion());
  CHECK(f.column("typeof(device_key) = 'integer'") == 1);
  CHECK(upgraded.db().scalarInt("SELECT COUNT(*) FROM device_keys") == 1);
  CHECK(upgraded.verifyDevices().empty());
  // a key number the file no longer knows is named, never passed over
  upgraded.db().exec("DELETE FROM device_keys");
  const auto found = upgraded.verifyDevices();
  REQUIRE(found.size() == 1);
  CHECK(found[0].what.find("a key the log never gave this device") != std::string::npos);
}

TEST_CASE("issue 16: a device batch with a tombstone in it keeps the signed hashes whole, and a batch kept in the old form (hex, whole hashes) still verifies") {
  SignedBatch f;
  std::vector<StoredEvent> stored = f.events;
  stored[1] = tombstoneOf(stored[1], "bad input");  // the hub refused the middle one as bad input
  for (const Remote& r : f.hub.st.ingestBatch(stored, T0 + 4 * MIN, &f.batch)) REQUIRE(r.status == Remote::Status::Applied);
  CHECK(f.column("length(hashes)") == 3 * 32);
  CHECK(f.hub.st.verifyDevices().empty());
  // the form of schema v13: the key and the signature in hex, every hash whole
  {
    sql::Db d(f.hub.st.path());
    d.exec("UPDATE device_batches SET device_key = lower(hex((SELECT k.key FROM device_keys k WHERE k.id = device_key))), "
           "sig = lower(hex(sig)) WHERE origin = (SELECT n FROM origins WHERE name = 'kiosk-x')");
  }
  CHECK(f.column("length(device_key)") == 64);
  CHECK(f.hub.st.verifyDevices().empty());
  // and a whole hash that no longer matches its stored event is named
  {
    sql::Db d(f.hub.st.path());
    d.exec("UPDATE events SET body = replace(body, '\"te-2\"', '\"te-9\"') WHERE origin = (SELECT n FROM origins WHERE name = 'kiosk-x') AND origin_seq = 3");
    REQUIRE(d.changes() == 1);
  }
  const auto found = f.hub.st.verifyDevices();
  REQUIRE(found.size() == 1);
  CHECK(found[0].seq == 3);
}

TEST_CASE("issue 16: a top-level member's value is replaced in the text without parsing it, and nothing else is touched") {
  using bodies::withMember;
  CHECK(withMember(R"({"a":1,"items":[{"x":"]"},2],"z":"}"})", "items", "[]") == R"({"a":1,"items":[],"z":"}"})");
  CHECK(withMember(R"({"items":[1,2]})", "items", "[]") == R"({"items":[]})");
  CHECK(withMember(R"({"a":{"items":[1]},"b":"\"items\":[1]"})", "items", "[]") == R"({"a":{"items":[1]},"b":"\"items\":[1]"})");
  CHECK(withMember(R"( { "a" : true , "items" : [ "\\", "\"]" ] , "n" : -1.5e3 } )", "items", "[]") ==
        R"( { "a" : true , "items" : [] , "n" : -1.5e3 } )");
  CHECK(withMember(R"({"a":null,"b":false,"items":"text"})", "items", "[]") == R"({"a":null,"b":false,"items":[]})");
  // not an object, no such member, or text it cannot read: as it was
  for (const char* t : {R"([{"items":[1]}])", R"({"item":[1],"itemsx":[2]})", R"({"a":[1,"items"})", R"({"a" 1,"items":[1]})", "", "{",
                        R"({"a":"unterminated)", "{}"})
    CHECK(withMember(t, "items", "[]") == t);
  // random objects: the result parses to the object with that member made []
  std::mt19937 rng(1604);
  auto text = [&](int n) {
    static const std::vector<std::string> alphabet = {"a", "b", " ", "\"", "\\", "{", "}", "[", "]", ",", ":", "\xe6\xa3\x80", "items", "\n"};
    std::string s;
    for (int i = 0; i < n; ++i) s += alphabet[rng() % alphabet.size()];
    return s;
  };
  std::function<json(int)> value = [&](int depth) -> json {
    switch (rng() % (depth > 3 ? 4 : 6)) {
      case 0: return text(static_cast<int>(rng() % 8));
      case 1: return static_cast<int>(rng() % 2000) - 1000;
      case 2: return rng() % 2 == 0;
      case 3: return nullptr;
      case 4: {
        json a = json::array();
        for (unsigned i = rng() % 4; i > 0; --i) a.push_back(value(depth + 1));
        return a;
      }
      default: {
        json o = json::object();
        for (unsigned i = rng() % 4; i > 0; --i) o[rng() % 3 ? text(3) : "items"] = value(depth + 1);
        return o;
      }
    }
  };
  for (int round = 0; round < 500; ++round) {
    json o = json::object();
    for (unsigned i = rng() % 5; i > 0; --i) o[text(4)] = value(1);
    const bool has = rng() % 2 == 0;
    if (has) o["items"] = value(1);
    const std::string dumped = o.dump(rng() % 2 ? -1 : 1);
    json want = o;
    if (has) want["items"] = json::array();
    CHECK(json::parse(withMember(dumped, "items", "[]")) == want);
  }
}
