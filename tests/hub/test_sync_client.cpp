// The kiosk's sync client against the real hub on loopback: enrolment with a
// code, exactly-once delivery, offline work delivered later, another bay's
// action arriving by long poll, a replaced hub getting everything again.
#include "tests/demo_shop.hpp"
#include "sync/client.hpp"
#include "tests/hub/hub_fixture.hpp"

#include <atomic>

using namespace bkt;

namespace {

struct Kiosk {
  TempDir dir;
  FixedEntropy ent;
  Store st;
  std::mutex mu;
  sync::SyncClient sync;
  Kiosk(const Id& id, RunningHub& hub, const std::string& code, std::function<void()> changed = {})
      : st(storeOptions(dir.file("k.db"), id), ent),
        sync(st, mu, testPepper(), sync::SyncOptions{"http://127.0.0.1:" + std::to_string(hub.port), code, 50, 300},
             [] { return T0; }, std::move(changed)) {}
  Recorded record(Action a, Millis at) {
    std::lock_guard l(mu);
    return st.record(std::move(a), at);
  }
};

// The shop's data on the hub.
void seedHub(RunningHub& hub) { hub.seedShop(); }

// Issue 16: a hub with four months of a demo shop's history, and a bay
// syncing with it (threads running) that starts from its snapshot.
struct DemoHubBay {
  DemoShop made{7, "hub", false};
  const demo::Options opt = made.opt;
  const Shop whole = [this] {  // (read here: the hub's store is its server's once it runs)
    Shop s = made.st->loadRecords();
    made.st.reset();
    return s;
  }();
  RunningHub hub{made.dir.file("hub.db")};
  Kiosk a{"kiosk-a", hub, [this] {
            hub.now = opt.now;  // (the hub's clock at the shop's now before the code is issued)
            return hub.server.newEnrolCode("kiosk-a", 60'000);
          }()};
  DemoHubBay() { a.sync.start(); }
  template <typename P>
  static bool waitFor(P pred) {
    for (int i = 0; i < 400 && !pred(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    return pred();
  }
  // Once the bay has started from the snapshot: every work order since when it holds.
  std::optional<Millis> heldFrom() {
    std::optional<Millis> held;
    waitFor([&] {
      std::lock_guard l(a.mu);
      held = a.st.holdsEverySince();
      return a.st.basePos() && held;
    });
    return held;
  }
};

}  // namespace

TEST_CASE("sync: enrol with a one-time code, pull the shop, push exactly once") {
  RunningHub hub;
  seedHub(hub);
  Kiosk a("kiosk-a", hub, hub.server.newEnrolCode("kiosk-a", 60'000));
  CHECK_FALSE(a.sync.state().enrolled);
  REQUIRE(a.sync.enroll());
  // the token is kept sealed, never in clear
  CHECK(a.st.meta("hub_token").find(a.st.meta("hub_token").substr(0, 8)) == 0);
  REQUIRE(a.sync.pullOnce(0));
  CHECK(a.st.shop().people.count("tech1") == 1);
  CHECK(a.st.shop().operations.count("wo-1-1") == 1);
  REQUIRE(a.record(ClockOn{"te-a", "tech1", "wo-1-1", "bay1", T0 + MIN}, T0 + MIN));
  CHECK(a.sync.state().pending == 0);  // not yet recounted
  REQUIRE(a.sync.pushOnce());
  CHECK(a.sync.state().pending == 0);
  CHECK(a.sync.state().reachable);
  CHECK(hub.store.shop().entries.count("te-a") == 1);
  // pushing again sends nothing new; pulling our own event back changes nothing
  REQUIRE(a.sync.pushOnce());
  REQUIRE(a.sync.pullOnce(0));
  CHECK(hub.store.lastSeqOf("kiosk-a") == 1);
  CHECK(a.st.shop().entries.size() == 1);
  // the sealed token is not the token: the hub's hash of it is not in the kiosk file either
  CHECK(a.st.meta("hub_token").size() > 64);
  // issue 13: a PIN is checked against the person's key, sealed under it
  // in the log: with the shop's pepper it works here as soon as the shop
  // is pulled, wherever it was chosen
  {
    std::lock_guard l(a.mu);
    REQUIRE(a.st.signInPin("tech2", "123456", T0));
    REQUIRE_FALSE(a.st.signInPin("tech2", "654321", T0));
  }
  // PIN hashes still come from the hub (people from before signature keys)
  REQUIRE(hub.store.setPin("tech2", "123456", T0));
  REQUIRE(a.sync.fetchCredentials());
  std::lock_guard l(a.mu);
  CHECK(a.st.signInPin("tech2", "123456", T0));
  CHECK_FALSE(a.st.signInPin("tech2", "0000", T0));
}

TEST_CASE("sync: work done while the hub is down arrives once it is back") {
  TempDir hubDir;
  const std::string hubDb = hubDir.file("hub.db");
  int port = 0;
  std::string code;
  auto kiosk = [&](RunningHub& h) { return std::make_unique<Kiosk>("kiosk-a", h, code); };
  std::unique_ptr<Kiosk> a;
  {
    RunningHub hub(hubDb);
    port = hub.port;
    seedHub(hub);
    code = hub.server.newEnrolCode("kiosk-a", 600'000);
    a = kiosk(hub);
    REQUIRE(a->sync.enroll());
    REQUIRE(a->sync.pullOnce(0));
  }  // the hub stops
  // the bay keeps working: 30 actions while the hub is away
  for (int i = 0; i < 15; ++i) {
    REQUIRE(a->record(ClockOn{"te-" + std::to_string(i), "tech1", "wo-1-1", "bay1", T0 + (2 * i + 1) * MIN}, T0 + (2 * i + 1) * MIN));
    REQUIRE(a->record(ClockOff{"tech1", "wo-1-1", StopReason::Break, T0 + (2 * i + 2) * MIN}, T0 + (2 * i + 2) * MIN));
  }
  CHECK_FALSE(a->sync.pushOnce());
  CHECK_FALSE(a->sync.state().reachable);
  // the hub comes back on the same port and file
  RunningHub hub(hubDb, port);
  REQUIRE(hub.port == port);
  REQUIRE(a->sync.pushOnce());
  CHECK(a->sync.state().pending == 0);
  CHECK(hub.store.lastSeqOf("kiosk-a") == 30);
  CHECK(hub.store.shop().entries.size() == 15);
  CHECK(hub.store.integrityCheck() == "ok");
}

TEST_CASE("sync: another bay's action arrives by long poll, with the threads running") {
  RunningHub hub;
  seedHub(hub);
  std::atomic<int> changes{0};
  Kiosk a("kiosk-a", hub, hub.server.newEnrolCode("kiosk-a", 60'000));
  Kiosk b("kiosk-b", hub, hub.server.newEnrolCode("kiosk-b", 60'000), [&] { ++changes; });
  a.sync.start();
  b.sync.start();
  auto waitFor = [](auto pred) {
    for (int i = 0; i < 200 && !pred(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    return pred();
  };
  auto knows = [](Kiosk& k, auto pred) { std::lock_guard l(k.mu); return pred(k.st.shop()); };
  REQUIRE(waitFor([&] { return knows(b, [](const Shop& s) { return s.operations.count("wo-1-1") == 1; }); }));
  REQUIRE(waitFor([&] { return knows(a, [](const Shop& s) { return s.operations.count("wo-1-1") == 1; }); }));
  // issue 16: each new bay started from the hub's snapshot, not its whole log
  for (Kiosk* k : {&a, &b}) {
    std::lock_guard l(k->mu);
    CHECK(k->st.basePos());
    CHECK(k->st.eventCount() == 0);
  }
  REQUIRE(a.record(ClockOn{"te-a", "tech1", "wo-1-1", "bay1", T0 + MIN}, T0 + MIN));
  a.sync.wake();
  CHECK(waitFor([&] { return knows(b, [](const Shop& s) { return s.entries.count("te-a") == 1; }); }));
  CHECK(changes > 0);
  CHECK(waitFor([&] { return a.sync.state().pending == 0; }));
  a.sync.stop();
  b.sync.stop();
  // what the bays hold is the hub's, and a replay of their logs from the snapshot
  for (Kiosk* k : {&a, &b}) {
    CHECK(k->st.loadRecords().samePartOf(hub.store.loadRecords()));
    CHECK(matchesReplay(k->st));
  }
}

TEST_CASE("sync: a replaced hub (new instance) gets everything again, exactly once") {
  TempDir d;
  int port = 0;
  std::unique_ptr<Kiosk> a;
  std::string code2;
  {
    RunningHub first;
    port = first.port;
    seedHub(first);
    a = std::make_unique<Kiosk>("kiosk-a", first, first.server.newEnrolCode("kiosk-a", 60'000));
    REQUIRE(a->sync.enroll());
    REQUIRE(a->sync.pullOnce(0));
    REQUIRE(a->record(ClockOn{"te-a", "tech1", "wo-1-1", "bay1", T0 + MIN}, T0 + MIN));
    REQUIRE(a->sync.pushOnce());
  }
  // a new hub, restored from the desk's data only, on the same address; the
  // kiosk is enrolled again there (its token is the old hub's)
  RunningHub second(d.file("new.db"), port, "hub-new");
  seedHub(second);
  {
    std::lock_guard l(a->mu);
    a->st.setMeta("hub_token", "");
  }
  sync::SyncClient re(a->st, a->mu, testPepper(), sync::SyncOptions{"http://127.0.0.1:" + std::to_string(port),
                                                                   second.server.newEnrolCode("kiosk-a", 60'000), 50, 300},
                     [] { return T0; });
  REQUIRE(re.enroll());
  REQUIRE(re.pullOnce(0));  // hears a new hub instance: resets its cursors
  CHECK(re.state().pending == 1);
  REQUIRE(re.pushOnce());   // and resends from the start
  CHECK(second.store.lastSeqOf("kiosk-a") == 1);
  CHECK(second.store.shop().entries.count("te-a") == 1);
  REQUIRE(re.pushOnce());
  CHECK(second.store.lastSeqOf("kiosk-a") == 1);
}

TEST_CASE("sync: an event the hub refuses as bad input leaves a tombstone, the bay goes on and every store agrees") {
  // DECISIONS.md: bad input is refused outright, a tombstone keeps the
  // sequence, the kiosk learns from the push reply and rebuilds its view
  RunningHub hub;
  seedHub(hub);
  Kiosk a("kiosk-a", hub, hub.server.newEnrolCode("kiosk-a", 60'000));
  Kiosk b("kiosk-b", hub, hub.server.newEnrolCode("kiosk-b", 60'000));
  for (Kiosk* k : {&a, &b}) {
    REQUIRE(k->sync.enroll());
    REQUIRE(k->sync.pullOnce(0));
  }
  REQUIRE(a.record(ClockOn{"te-a", "tech1", "wo-1-1", "bay1", T0 + MIN}, T0 + MIN));
  REQUIRE(a.record(ClockOff{"tech1", "wo-1-1", StopReason::Break, T0 + 20 * MIN}, T0 + 20 * MIN));
  REQUIRE(a.record(EndShift{"tech2", T0 + 21 * MIN}, T0 + 21 * MIN));
  CHECK(a.st.shop().entries.at("te-a").end);
  // a fault at bay A: its second event's body became something no hub takes
  a.st.db().exec("UPDATE events SET body = json_set(body, '$.tech', printf('%.5000c', 'x')) "
                 "WHERE origin = (SELECT n FROM origins WHERE name = 'kiosk-a') AND origin_seq = 2");
  REQUIRE(a.sync.pushOnce());
  // the hub: the event refused, a tombstone in its place, the rest applied
  CHECK(hub.store.lastSeqOf("kiosk-a") == 3);
  CHECK(a.sync.state().pending == 0);  // nothing stalls behind it
  const StoredEvent t = hub.store.events(hub.store.lastPos() - 2, 1).at(0);
  CHECK(t.tombstone());
  CHECK(t.origin_seq == 2);
  CHECK(t.body.find("xxxxxxxx") == std::string::npos);  // the bad body is not kept
  CHECK_FALSE(hub.store.shop().entries.at("te-a").end);  // the clock-off had no effect
  const Id review = "rv-" + toHex(t.id);
  REQUIRE(hub.store.shop().reviews.count(review) == 1);
  CHECK(hub.store.shop().reviews.at(review).hold == Hold::Refused);
  CHECK(hub.store.shop().reviews.at(review).for_role == Role::Foreman);
  {
    // bay A learnt it from the reply: its copy marked, its view rebuilt
    // without it, the foreman shown
    std::lock_guard l(a.mu);
    CHECK_FALSE(a.st.shop().entries.at("te-a").end);
    CHECK(a.st.shop().reviews.count(review) == 1);
    CHECK(a.st.db().scalarInt("SELECT COUNT(*) FROM events WHERE refused IS NOT NULL") == 1);
    // it can only be voided: there is nothing of it to accept (R17)
    const Outcome accept = checkBeforeSigning(a.st.shop(), ResolveReview{review, "foreman", "seen", T0 + 60 * MIN, Decision::Accept});
    REQUIRE_FALSE(accept);
    CHECK(accept.refusal->reason == Reason::CannotAccept);
  }
  // another bay takes the tombstone: no gap, the same view
  REQUIRE(b.sync.pullOnce(0));
  REQUIRE(a.sync.pullOnce(0));
  for (Kiosk* k : {&a, &b}) {
    std::lock_guard l(k->mu);
    CHECK(k->st.lastSeqOf("kiosk-a") == 3);
    CHECK(k->st.shop().sameRecords(hub.store.shop()));
    CHECK(matchesReplay(k->st));
  }
  // bay A goes on: its next event follows, and the foreman voids the notice
  REQUIRE(a.record(ClockOff{"tech1", "wo-1-1", StopReason::Break, T0 + 30 * MIN}, T0 + 30 * MIN));
  Action voided = ResolveReview{review, "foreman", "seen", T0 + 60 * MIN, Decision::Void};
  signAction(voided, "foreman", T0 + 60 * MIN, testKey("foreman"));  // a decision is signed (issue 11)
  REQUIRE(a.record(voided, T0 + 60 * MIN));
  REQUIRE(a.sync.pushOnce());
  CHECK(hub.store.lastSeqOf("kiosk-a") == 5);
  CHECK(hub.store.shop().entries.at("te-a").end);
  CHECK(hub.store.shop().reviews.at(review).resolved_by == Id("foreman"));
  CHECK(matchesReplay(hub.store));
}

TEST_CASE("sync: five wrong PINs at one bay lock the person out at another once synced — the attempts reach the API") {
  RunningHub hub;
  seedHub(hub);
  REQUIRE(hub.store.setPin("tech2", "123456", T0));
  Kiosk a("kiosk-a", hub, hub.server.newEnrolCode("kiosk-a", 60'000)), b("kiosk-b", hub, hub.server.newEnrolCode("kiosk-b", 60'000));
  for (Kiosk* k : {&a, &b}) {
    REQUIRE(k->sync.enroll());
    REQUIRE(k->sync.pullOnce(0));
    REQUIRE(k->sync.fetchCredentials());
  }
  // someone tries tech2's PIN at bay a: five wrong, the fifth locks
  {
    std::lock_guard l(a.mu);
    for (int i = 0; i < 4; ++i) CHECK(a.st.signInPin("tech2", "0000", T0 + i * 1000).outcome.refusal->reason == Reason::WrongPin);
    CHECK(a.st.signInPin("tech2", "9999", T0 + 4000).outcome.refusal->reason == Reason::LockedOut);
    CHECK(a.st.shop().pin_attempts.at("tech2").size() == 5);
  }
  // at bay b the right PIN works until b hears of them...
  {
    std::lock_guard l(b.mu);
    CHECK(b.st.signInPin("tech2", "123456", T0 + 5000));
  }
  REQUIRE(a.sync.pushOnce());
  REQUIRE(b.sync.pullOnce(0));
  {
    std::lock_guard l(b.mu);
    // ...then tech2 is locked out there too, even with the right PIN, and
    // not for signing either
    const SignIn locked = b.st.signInPin("tech2", "123456", T0 + 6000);
    REQUIRE_FALSE(locked);
    CHECK(locked.outcome.refusal->reason == Reason::LockedOut);
    const std::vector<PinAttempt>& seen = b.st.shop().pin_attempts.at("tech2");
    REQUIRE(seen.size() == 5);
    CHECK(seen.front().kiosk == "kiosk-a");
    CHECK_FALSE(seen.front().signing);
    // the lock-out passes with its period
    CHECK(b.st.signInPin("tech2", "123456", T0 + b.st.shop().policy.pin_lockout + 1));
  }
  // the audit trail through the API (the front desk's client)
  hub.now = T0 + 10'000;
  auto c = hub.client();
  const std::string desk = hub.enrol("front-desk", Scope::Desk);
  auto r = c.Get("/api/v1/pin-attempts", bearer(desk));
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const json j = json::parse(r->body);
  REQUIRE(j["people"].size() == 1);
  CHECK(j["people"][0]["person"] == "tech2");
  CHECK(j["people"][0]["attempts"].size() == 5);
  CHECK(j["people"][0]["attempts"][0]["kiosk"] == "kiosk-a");
  CHECK(j["people"][0]["attempts"][0]["context"] == "sign_in");
  CHECK(j["people"][0]["locked_until"] == T0 + hub.store.shop().policy.pin_lockout);
  // every store agrees with its log
  CHECK(matchesReplay(hub.store));
}

TEST_CASE("sync: a kiosk of another protocol version is told update needed, works on offline, and syncs once it speaks the hub's") {
  RunningHub hub;
  seedHub(hub);
  auto c = hub.client();
  const json health = json::parse(c.Get("/api/v1/health")->body);
  CHECK(health["protocol"] == sync::kProtocol);
  CHECK(health["min_protocol"] == sync::kMinProtocol);
  // a request in a protocol the hub does not speak is refused, whatever it is
  for (const char* v : {"99", "0", "abc", "1.5"}) {
    auto r = c.Get("/api/v1/pull?after=0", httplib::Headers{{"X-BK-Protocol", v}});
    REQUIRE(r);
    CHECK(r->status == 426);
    CHECK(json::parse(r->body)["error"].get<std::string>().find("update needed") == 0);
  }
  TempDir dir;
  FixedEntropy ent;
  Store st(storeOptions(dir.file("k.db"), "kiosk-new"), ent);
  std::mutex mu;
  const std::string code = hub.server.newEnrolCode("kiosk-new", 600'000);
  {
    sync::SyncOptions newer{"http://127.0.0.1:" + std::to_string(hub.port), code, 50, 300};
    newer.protocol = sync::kProtocol + 1;  // a kiosk updated before its hub
    sync::SyncClient client(st, mu, testPepper(), newer, [] { return T0; });
    CHECK_FALSE(client.enroll());
    CHECK(client.state().fault == sync::SyncFault::UpdateNeeded);
    CHECK(client.state().error.find("update needed") != std::string::npos);
    // the bay works on offline meanwhile
    std::lock_guard l(mu);
    for (auto& a : staffAndBays()) REQUIRE(st.record(a, T0));
  }
  CHECK(hub.store.enrolment().active().empty());  // nothing of it was taken
  sync::SyncClient client(st, mu, testPepper(),
                          sync::SyncOptions{"http://127.0.0.1:" + std::to_string(hub.port), code, 50, 300}, [] { return T0; });
  REQUIRE(client.enroll());
  REQUIRE(client.pullOnce(0));
  CHECK(client.state().fault == sync::SyncFault::None);
}

TEST_CASE_FIXTURE(DemoHubBay, "sync: a bay whose snapshot lacks what an event reads starts again from a newer one, with its threads running") {
  auto holds = [&](const Id& wo) { std::lock_guard l(a.mu); return a.st.shop().work_orders.count(wo) == 1; };
  std::optional<std::int64_t> base;
  REQUIRE(waitFor([&] {
    std::lock_guard l(a.mu);
    base = a.st.basePos();
    return base && a.sync.state().pulled >= *base;
  }));
  // the desk links a car back to its visit of seven weeks ago, beyond the
  // bay's snapshot: the bay starts again from a newer one, which has both
  const WorkOrder* old = lastVisitBetween(whole, opt.now, 40, 60);
  REQUIRE(old);
  CHECK_FALSE(holds(old->id));
  {  // (at the front desk, through the hub's API: the hub's store is the server's now)
    const std::string desk = hub.enrol("front-desk", Scope::Desk);
    json body = toJson(comebackOf(whole, *old, "late-1", opt.now));
    body.erase("type");
    for (const char* k : {"final_passed", "delivered_at", "delivered_by"}) body["wo"].erase(k);
    auto c = hub.client();
    auto r = c.Post("/api/v1/work-orders", httplib::Headers{{"Authorization", "Bearer " + desk}}, body.dump(), "application/json");
    REQUIRE(r);
    INFO(r->body);
    REQUIRE(r->status == 201);
  }
  REQUIRE(waitFor([&] { return holds("wo-late-1") && holds(old->id); }));
  REQUIRE(waitFor([&] { std::lock_guard l(a.mu); return !a.st.wantsSnapshot() && a.st.basePos() > *base; }));
  a.sync.stop();
  CHECK(a.st.loadRecords().samePartOf(hub.store.loadRecords()));
  CHECK(matchesReplay(a.st));
}

// Issue 16: a bay from the hub's snapshot holds last month and this one; a
// month before, asked of the hub while the bay syncs, is the hub's report.
TEST_CASE_FIXTURE(DemoHubBay, "sync: a month before what a bay holds is asked of the hub, with the threads running, and is the hub's report") {
  const std::optional<Millis> held = heldFrom();
  REQUIRE(held);
  const int tz = whole.policy.utc_offset_minutes;
  const std::string month = addMonths(monthOf(opt.now, tz), -3);
  const auto range = calendarMonth(month, tz);
  REQUIRE(range);
  REQUIRE(range->first < *held);  // (a month this bay does not hold)
  const MonthlyReport expected = monthlyReport(whole, range->first, range->second);
  REQUIRE(expected.comebacks.delivered > 0);  // (a month with work in it)
  a.sync.askReport(range->first, range->second);
  REQUIRE(waitFor([&] { return a.sync.reportAnswer().done; }));
  const sync::ReportAnswer got = a.sync.reportAnswer();
  INFO(got.error);
  REQUIRE(got.report);
  CHECK(*got.report == expected);
  CHECK_FALSE(got.provisional);  // (three months back: every comeback window closed)
  // a newer question replaces an older one: the answer is to the latest
  const auto before = calendarMonth(addMonths(month, -1), tz);
  a.sync.askReport(range->first, range->second);
  a.sync.askReport(before->first, before->second);
  REQUIRE(waitFor([&] { return a.sync.reportAnswer().done; }));
  REQUIRE(a.sync.reportAnswer().report);
  CHECK(*a.sync.reportAnswer().report == monthlyReport(whole, before->first, before->second));
  a.sync.stop();
}

// Issue 16: ...and a car's visits before what the bay holds, beside its own.
TEST_CASE_FIXTURE(DemoHubBay, "sync: a car's visits before what a bay holds are asked of the hub, and are the hub's") {
  const std::optional<Millis> held = heldFrom();
  REQUIRE(held);
  // a car that came before the bay's window (the one with most visits): the
  // bay has not all of them
  std::string vin;
  std::size_t most = 0;
  {
    std::lock_guard l(a.mu);
    for (const auto& [key, wos] : whole.wos_of_vin) {
      if (wos.size() <= most) continue;
      const Shop& bay = a.st.shopForVehicle(key);
      const auto inBay = bay.wos_of_vin.find(key);
      if ((inBay == bay.wos_of_vin.end() ? 0 : inBay->second.size()) < wos.size()) {
        vin = key;
        most = wos.size();
      }
    }
    a.st.stopViewing();
  }
  REQUIRE_FALSE(vin.empty());
  MESSAGE(vin << ": " << most << " visits");
  const std::vector<Visit> expected = vehicleHistory(whole, vin);
  a.sync.askHistory(vin);
  REQUIRE(waitFor([&] { return a.sync.historyAnswer().done; }));
  const sync::HistoryAnswer got = a.sync.historyAnswer();
  INFO(got.error);
  REQUIRE(got.error.empty());
  CHECK(got.visits == expected);
  // asked with a report at once: each has its answer
  const auto month = calendarMonth(addMonths(monthOf(opt.now, whole.policy.utc_offset_minutes), -3), whole.policy.utc_offset_minutes);
  a.sync.askHistory(vin);
  a.sync.askReport(month->first, month->second);
  REQUIRE(waitFor([&] { return a.sync.historyAnswer().done && a.sync.reportAnswer().done; }));
  CHECK(a.sync.historyAnswer().visits == expected);
  REQUIRE(a.sync.reportAnswer().report);
  CHECK(*a.sync.reportAnswer().report == monthlyReport(whole, month->first, month->second));
  a.sync.stop();
}
