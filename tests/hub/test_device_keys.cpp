// Issue 11 over real HTTP: every kiosk signs its pushes with a device key
// made at enrolment (the hub logs its public half with the client), the hub
// refuses a batch whose device signature does not verify and keeps the
// signature with what it covers, and `bk-hub verify` finds an event someone
// rewrote in the central database even after they recomputed every hash.
#include "sync/client.hpp"
#include "tests/hub/hub_fixture.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>

using namespace bkt;

namespace {

struct BayKiosk {
  TempDir dir;
  FixedEntropy ent;
  Store st;
  std::mutex mu;
  sync::SyncClient sync;
  BayKiosk(const Id& id, RunningHub& hub)
      : st(storeOptions(dir.file("k.db"), id), ent),
        sync(st, mu, testPepper(),
             sync::SyncOptions{"http://127.0.0.1:" + std::to_string(hub.port), hub.server.newEnrolCode(id, 60'000), 50, 300},
             [] { return T0; }) {}
  Recorded record(Action a, Millis at) {
    std::lock_guard l(mu);
    return st.record(std::move(a), at);
  }
};

// A push of `evs` as `kiosk`, signed (or not) with `key`.
httplib::Result pushSigned(httplib::Client& c, const std::string& token, const Id& kiosk, const std::vector<StoredEvent>& evs,
                           const KeyPair* key) {
  json body{{"events", json::array()}};
  std::vector<EventHash> hashes;
  for (const StoredEvent& e : evs) {
    body["events"].push_back(sync::toWire(e));
    hashes.push_back(envelopeHash(e));
  }
  if (key) body["batch_sig"] = signBytes(*key, batchMessage(kiosk, hashes));
  return c.Post("/api/v1/push", bearer(token), body.dump(), "application/json");
}

std::string run(const std::string& cmd, int& status) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  REQUIRE(p);
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  status = WEXITSTATUS(::pclose(p));
  return out;
}

}  // namespace

TEST_CASE("device keys: a bay signs every push — unsigned, signed by another key or changed after signing: refused (403), nothing stored") {
  RunningHub hub;
  hub.seedShop();
  BayKiosk bay("kiosk-a", hub);
  REQUIRE(bay.sync.enroll());
  // the hub logged the client with its device key, and every bay learns it
  REQUIRE(hub.store.shop().clients.count("kiosk-a"));
  const std::string pub = hub.store.shop().clients.at("kiosk-a").device_key;
  CHECK(pub.size() == 64);
  REQUIRE(bay.sync.pullOnce(0));
  CHECK(bay.st.shop().clients.at("kiosk-a").device_key == pub);
  // the secret stays on the kiosk, sealed; nowhere in the hub's file
  CHECK_FALSE(bay.st.cursors().sealedDeviceKey().empty());
  CHECK(hub.store.db().scalarInt("SELECT COUNT(*) FROM meta WHERE key = 'device_key'") == 0);

  REQUIRE(bay.record(ClockOn{"te-1", "tech1", "wo-1-1", "bay1", T0 + MIN}, T0 + MIN));
  REQUIRE(bay.record(ClockOff{"tech1", "wo-1-1", StopReason::Break, T0 + 2 * MIN}, T0 + 2 * MIN));
  REQUIRE(bay.st.ownEventsAfter(0, 100).size() == 2);

  // a client whose device key the test holds, to send what a thief with
  // only its token could: unsigned, signed with another key, changed
  auto c = hub.client();
  Seed kSeed{};
  kSeed[0] = 42;
  const KeyPair mine(kSeed), other(Seed{7});
  const std::string code = hub.server.newEnrolCode("kiosk-k", 60'000);
  auto r = c.Post("/api/v1/enroll", json{{"code", code}, {"kiosk_id", "kiosk-k"}, {"device_key", mine.pubHex()}}.dump(),
                  "application/json");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const std::string token = json::parse(r->body)["token"];
  Store k(storeOptions(bay.dir.file("kk.db"), "kiosk-k"), bay.ent);
  for (auto& e : hub.store.events(0, 100000)) REQUIRE(k.ingestRemote(e, T0).status != Remote::Status::Gap);
  REQUIRE(k.record(ClockOn{"te-k", "tech2", "wo-1-2", "bay2", T0 + 3 * MIN}, T0 + 3 * MIN));
  const std::vector<StoredEvent> kev = k.ownEventsAfter(0, 10);
  const std::int64_t at = hub.store.eventCount();

  auto refused = [&](httplib::Result res, const char* why) {
    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK(json::parse(res->body)["error"].get<std::string>().find(why) != std::string::npos);
    CHECK(hub.store.eventCount() == at);
    CHECK(hub.store.lastSeqOf("kiosk-k") == 0);
  };
  refused(pushSigned(c, token, "kiosk-k", kev, nullptr), "unsigned");
  refused(pushSigned(c, token, "kiosk-k", kev, &other), "does not verify");
  // signed, then its wall time moved: the signature covers the envelope
  {
    json body{{"events", json::array()}};
    std::vector<EventHash> hashes{envelopeHash(kev[0])};
    json w = sync::toWire(kev[0]);
    w["wall"] = kev[0].wall_ms - 3600'000;
    body["events"].push_back(w);
    body["batch_sig"] = signBytes(mine, batchMessage("kiosk-k", hashes));
    refused(c.Post("/api/v1/push", bearer(token), body.dump(), "application/json"), "does not verify");
  }
  // signed by its own key: taken, and the signature kept with its range
  r = pushSigned(c, token, "kiosk-k", kev, &mine);
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(hub.store.lastSeqOf("kiosk-k") == 1);
  CHECK(hub.store.db().scalarInt("SELECT COUNT(*) FROM device_batches WHERE origin = (SELECT n FROM origins WHERE name = 'kiosk-k') AND first_seq = 1 AND last_seq = 1") == 1);
  // a resend of what the hub holds adds no row
  r = pushSigned(c, token, "kiosk-k", kev, &mine);
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(hub.store.db().scalarInt("SELECT COUNT(*) FROM device_batches WHERE origin = (SELECT n FROM origins WHERE name = 'kiosk-k')") == 1);

  // the bay's own sync client signs as a matter of course
  REQUIRE(bay.sync.pushOnce());
  CHECK(hub.store.lastSeqOf("kiosk-a") == 2);
  CHECK(hub.store.db().scalarInt("SELECT COUNT(*) FROM device_batches WHERE origin = (SELECT n FROM origins WHERE name = 'kiosk-a')") == 1);
  CHECK(hub.store.verifyDevices().empty());
}

TEST_CASE("device keys: a signer rewritten in the central database, every hash recomputed: bk-hub verify names the event") {
  TempDir dir;
  const std::string db = dir.file("hub.db"), pepper = dir.file("pepper.key");
  {
    std::ofstream p(pepper, std::ios::binary);
    const auto bytes = testPepper();
    p.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  ::chmod(pepper.c_str(), 0600);
  // the hub's signing key, where bk-hub looks for it (beside the database)
  Seed hubSeed{};
  hubSeed[0] = 9;
  {
    std::ofstream k(dir.file("hub-signing.key"), std::ios::binary);
    k.write(reinterpret_cast<const char*>(hubSeed.data()), static_cast<std::streamsize>(hubSeed.size()));
  }
  ::chmod(dir.file("hub-signing.key").c_str(), 0600);
  std::int64_t pos = 0;
  TempDir bayDir;
  const std::string bayDb = bayDir.file("bay.db");
  {
    RunningHub hub(db);
    hub.server.setSigningKey(hubSeed);
    hub.seedShop();
    BayKiosk bay("kiosk-a", hub);
    REQUIRE(bay.sync.enroll());
    REQUIRE(bay.sync.pullOnce(0));
    World w;
    REQUIRE(bay.record(ClockOn{"te-1", "tech1", "wo-1-1", "bay1", T0 + MIN}, T0 + MIN));
    REQUIRE(bay.record(w.inspection(InspectionKind::Self, "wo-1", "wo-1-1", "tech1", true, T0 + 30 * MIN), T0 + 30 * MIN));
    REQUIRE(bay.sync.pushOnce());
    REQUIRE(hub.store.lastSeqOf("kiosk-a") == 2);
    CHECK(hub.store.verifyDevices().empty());
    CHECK(hub.store.verifyPersonSignatures().empty());
    pos = hub.store.db().scalarInt("SELECT pos FROM events WHERE origin = (SELECT n FROM origins WHERE name = 'kiosk-a') "
                                                  "AND type = 9");
    // a minute on, the bay pulls again: the hub's head, signed, now covers
    // the inspection, and the bay keeps it as a witness
    hub.now += 2 * MIN;
    REQUIRE(bay.sync.pullOnce(0));
    {
      std::lock_guard l(bay.mu);
      const std::vector<Witness> heads = bay.st.cursors().witnesses();
      REQUIRE_FALSE(heads.empty());
      CHECK(heads.back().pos >= pos);
      CHECK(heads.back().key == hub.server.signingKey());
      CHECK(hub.store.verifyWitnesses(heads, hub.server.signingKey()).empty());
      bay.st.backupTo(bayDb);  // the copy an auditor takes from the bay
    }
  }
  int status = -1;
  std::string out = run(std::string(BK_HUB_BIN) + " verify --db " + db + " --pepper " + pepper + " --witness " + bayDb, status);
  INFO(out);
  CHECK(status == 0);
  CHECK(out.find("all agree") != std::string::npos);
  // the administrator makes tech2 the one who signed, and recomputes the chain
  {
    sql::Db d(db);
    d.exec("UPDATE events SET body = replace(body, '\"tech1\"', '\"tech2\"') WHERE pos = " + std::to_string(pos));
    d.exec("UPDATE records SET body = replace(body, '\"tech1\"', '\"tech2\"') WHERE kind = 5");  // (inspections)
    d.exec("UPDATE events SET chain = NULL");
    d.exec("DELETE FROM meta WHERE key = 'chain_head'");
  }
  {
    FixedEntropy ent;
    Store st(storeOptions(db, "hub-test"), ent);  // opening chains the log again: the hashes all agree
    CHECK(st.verifyChain() == 0);
    const std::vector<Finding> devices = st.verifyDevices();
    REQUIRE(devices.size() == 1);
    CHECK(devices[0].pos == pos);
    CHECK(devices[0].origin == "kiosk-a");
    const std::vector<Finding> people = st.verifyPersonSignatures();
    REQUIRE(people.size() == 1);
    CHECK(people[0].pos == pos);
  }
  out = run(std::string(BK_HUB_BIN) + " verify --db " + db + " --pepper " + pepper + " --witness " + bayDb, status);
  INFO(out);
  CHECK(status == 3);
  CHECK(out.find("the witness head disagrees") != std::string::npos);
  CHECK(out.find("chain: ok") != std::string::npos);  // the hashes were recomputed...
  CHECK(out.find("device: event at position " + std::to_string(pos) + " (kiosk-a #2)") != std::string::npos);  // ...the device's signature was not
  CHECK(out.find("person: event at position " + std::to_string(pos)) != std::string::npos);
}

TEST_CASE("device keys: the hub signs its own events (the front desk's writes) with its key — a rewritten one is named") {
  TempDir dir;
  const std::string db = dir.file("hub.db");
  Seed hubSeed{};
  hubSeed[0] = 11;
  std::string hubKey;
  std::int64_t pos = 0;
  {
    RunningHub hub(db);
    hub.server.setSigningKey(hubSeed);
    hub.seedShop();
    hubKey = hub.server.signingKey();
    REQUIRE(hub.server.recordAdmin(UpdateWorkOrder{"wo-1", "advisor", T0 + 600 * MIN, false, "张先生", "bay1"}));
    pos = hub.store.lastPos();
    CHECK(hub.store.verifyDevices({{"hub-test", hubKey}}).empty());
    CHECK(hub.store.db().scalarInt("SELECT COUNT(*) FROM device_batches WHERE origin = (SELECT n FROM origins WHERE name = 'hub-test')") == pos);
  }
  {  // the customer's name changed in the file, the chain recomputed
    sql::Db d(db);
    d.exec("UPDATE events SET body = replace(body, '张先生', '李先生') WHERE pos = " + std::to_string(pos));
    d.exec("UPDATE events SET chain = NULL");
    d.exec("DELETE FROM meta WHERE key = 'chain_head'");
  }
  FixedEntropy ent;
  Store st(storeOptions(db, "hub-test"), ent);
  CHECK(st.verifyChain() == 0);
  const std::vector<Finding> found = st.verifyDevices({{"hub-test", hubKey}});
  REQUIRE(found.size() == 1);
  CHECK(found[0].pos == pos);
  CHECK(found[0].origin == "hub-test");
}
