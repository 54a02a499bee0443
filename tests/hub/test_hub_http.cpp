// The real hub over real HTTP on loopback: enrolment, trust, exactly-once
// pushes, gaps, hostile input, long-poll pulls, conflicts kept (R16).
#include "tests/hub/hub_fixture.hpp"

#include <atomic>

using namespace bkt;

namespace {

}  // namespace

TEST_CASE("hub: only enrolled kiosks talk to it, with their own token") {
  RunningHub hub;
  auto c = hub.client();
  auto r = c.Post("/api/v1/push", json{{"events", json::array()}}.dump(), "application/json");
  REQUIRE(r);
  CHECK(r->status == 401);
  r = c.Post("/api/v1/enroll", json{{"code", "000000000000"}, {"kiosk_id", "k1"}}.dump(), "application/json");
  CHECK(r->status == 401);
  CHECK_THROWS(hub.server.newEnrolCode("bad id!", 60'000));
  const std::string code = hub.server.newEnrolCode("k1", 60'000);
  r = c.Post("/api/v1/enroll", json{{"code", code}, {"kiosk_id", "bad id!"}}.dump(), "application/json");
  CHECK(r->status == 400);
  // a code enrols only the kiosk it names, and stays good for that one
  r = c.Post("/api/v1/enroll", json{{"code", code}, {"kiosk_id", "k9"}}.dump(), "application/json");
  CHECK(r->status == 403);
  r = c.Post("/api/v1/enroll", json{{"code", code}, {"kiosk_id", "k1"}}.dump(), "application/json");
  REQUIRE(r->status == 200);
  const std::string token = json::parse(r->body)["token"];
  CHECK(token.size() == 64);
  // one time only
  r = c.Post("/api/v1/enroll", json{{"code", code}, {"kiosk_id", "k2"}}.dump(), "application/json");
  CHECK(r->status == 401);
  // expired codes do not work
  const std::string old = hub.server.newEnrolCode("k3", 1000);
  hub.now += 2000;
  r = c.Post("/api/v1/enroll", json{{"code", old}, {"kiosk_id", "k3"}}.dump(), "application/json");
  CHECK(r->status == 401);
  // the token works, a wrong one does not; only hashes are stored
  CHECK(c.Get("/api/v1/pull?after=0", bearer(token))->status == 200);
  CHECK(c.Get("/api/v1/pull?after=0", bearer(std::string(64, 'a')))->status == 401);
  CHECK(hub.store.db().scalarInt(("SELECT COUNT(*) FROM enrolled_kiosks WHERE token_hash = '" + token + "'").c_str()) == 0);
  // revoked: 401 and nothing changes
  CHECK(hub.server.revoke("k1"));
  CHECK(c.Get("/api/v1/pull?after=0", bearer(token))->status == 401);
}

TEST_CASE("hub: enrolment attempts are limited per address a minute, 10 by default, and the limits can be raised") {
  RunningHub hub;
  auto c = hub.client();
  auto attempt = [&](const std::string& code, const Id& kiosk) {
    auto r = c.Post("/api/v1/enroll", json{{"code", code}, {"kiosk_id", kiosk}}.dump(), "application/json");
    REQUIRE(r);
    return r->status;
  };
  const std::string wrong = "000000000000";
  for (int i = 0; i < 9; ++i) CHECK(attempt(wrong, "k1") == 401);
  CHECK(attempt(hub.server.newEnrolCode("k1", 600'000), "k1") == 200);  // the 10th
  const std::string code = hub.server.newEnrolCode("k2", 600'000);
  CHECK(attempt(code, "k2") == 429);  // the 11th within the minute: a good code too (a refused one is not counted)
  hub.server.setEnrolLimits(30, 120);  // (a benchmark's kiosks, all on 127.0.0.1)
  for (int i = 10; i < 29; ++i) CHECK(attempt(wrong, "k3") == 401);
  CHECK(attempt(code, "k2") == 200);  // the 30th
  CHECK(attempt(wrong, "k3") == 429);
  hub.now += 60'000;  // the next minute
  CHECK(attempt(wrong, "k3") == 401);
}

TEST_CASE("hub: pushes apply exactly once, gaps are refused, the reply says how far") {
  DeskAndHub f;
  RunningHub& hub = f.hub;
  Desk& desk = f.desk;
  const std::string& token = f.token;
  auto& c = f.c;
  desk.work(3);
  auto evs = desk.own();
  const auto n = static_cast<std::int64_t>(evs.size());
  const auto base = hub.store.eventCount();
  // the first half, then all of it again (duplicated request): applied once
  std::vector<StoredEvent> half(evs.begin(), evs.begin() + n / 2);
  CHECK(pushEvents(c, token, half)["applied_through"] == n / 2);
  CHECK(pushEvents(c, token, evs)["applied_through"] == n);
  CHECK(pushEvents(c, token, evs)["applied_through"] == n);
  CHECK(hub.store.eventCount() == base + n);
  // a gap: nothing past it, the reply says where to resend from
  REQUIRE(desk.st.record(ClockOn{"te-1", "tech1", "wo-1-1", "bay1", T0 + 50 * MIN}, T0 + 50 * MIN));
  REQUIRE(desk.st.record(ClockOff{"tech1", "wo-1-1", StopReason::Break, T0 + 52 * MIN}, T0 + 52 * MIN));
  auto more = desk.own();
  auto reply = pushEvents(c, token, {more.back()});
  CHECK(reply["gap"] == true);
  CHECK(reply["applied_through"] == n);
  CHECK(pushEvents(c, token, {more[static_cast<std::size_t>(n)], more.back()})["applied_through"] == n + 2);
  CHECK(hub.store.shop().entries.at("te-1").reason == StopReason::Break);
  CHECK(matchesReplay(hub.store));
}

TEST_CASE("hub: hostile or malformed requests get a clear 4xx and change nothing") {
  DeskAndHub f;
  RunningHub& hub = f.hub;
  Desk& desk = f.desk;
  const std::string& token = f.token;
  auto& c = f.c;
  desk.work(1);
  auto evs = desk.own();
  const auto base = hub.store.eventCount();
  auto post = [&](const std::string& body) {
    auto r = c.Post("/api/v1/push", bearer(token), body, "application/json");
    REQUIRE(r);
    return r->status;
  };
  CHECK(post("not json") == 400);
  CHECK(post("[1,2]") == 400);
  CHECK(post(R"({"events": 7})") == 400);
  json e = sync::toWire(evs[0]);
  e["id"] = "zz";
  CHECK(post(json{{"events", {e}}}.dump()) == 400);
  e = sync::toWire(evs[0]);
  e["seq"] = -4;
  CHECK(post(json{{"events", {e}}}.dump()) == 400);
  e = sync::toWire(evs[0]);
  e["origin"] = "someone-else";  // a kiosk pushes only its own events
  CHECK(post(json{{"events", {e}}}.dump()) == 403);
  json many{{"events", json::array()}};
  for (std::size_t i = 0; i < sync::kMaxBatch + 1; ++i) many["events"].push_back(sync::toWire(evs[0]));
  CHECK(post(many.dump()) == 413);
  // a valid event after a malformed one in the same batch: the batch is refused whole
  json mixed{{"events", {sync::toWire(evs[0]), {{"id", 1}}}}};
  CHECK(post(mixed.dump()) == 400);
  CHECK(c.Get("/api/v1/pull?after=x", bearer(token))->status == 400);
  CHECK(c.Get("/api/v1/pull?after=-1", bearer(token))->status == 400);
  CHECK(hub.store.eventCount() == base);
  CHECK(c.Get("/api/v1/health")->status == 200);  // still serving
  // a well-placed event with a body out of schema: refused, a tombstone
  // keeps its place, and the reply says which and why (DECISIONS.md)
  e = sync::toWire(evs[0]);
  e["body"] = {{"type", "launch_rockets"}};
  auto r = c.Post("/api/v1/push", bearer(token), json{{"events", {e, sync::toWire(evs[1])}}}.dump(), "application/json");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const json reply = json::parse(r->body);
  CHECK(reply["applied_through"] == 2);
  REQUIRE(reply["refused"].size() == 1);
  CHECK(reply["refused"][0]["seq"] == 1);
  CHECK(reply["refused"][0]["error"].get<std::string>().find("launch_rockets") != std::string::npos);
  CHECK(hub.store.eventCount() == base + 2);
  CHECK(hub.store.events(base, 1).at(0).tombstone());
}

TEST_CASE("hub: another bay's action reaches a long-polling kiosk, conflicts are kept and held for review (R16)") {
  RunningHub hub;
  Desk a("kiosk-a"), b("kiosk-b");
  hub.seedShop();
  const std::string ta = hub.enrol("kiosk-a"), tb = hub.enrol("kiosk-b");
  auto c = hub.client();
  // kiosks a and b pull the master data
  for (Desk* k : {&a, &b}) {
    auto r = c.Get("/api/v1/pull?after=0&limit=1000", bearer(k == &a ? ta : tb));
    REQUIRE(r->status == 200);
    const json page = json::parse(r->body);  // keep it alive for the loop
    REQUIRE(page["events"].size() == static_cast<std::size_t>(hub.store.eventCount()));
    for (auto& e : page["events"]) REQUIRE(k->st.ingestRemote(sync::fromWire(e), T0).status == Remote::Status::Applied);
  }
  CHECK(a.st.shop().people.count("tech1") == 1);
  CHECK(b.st.shop().people.count("tech1") == 1);
  const std::int64_t cursor = hub.store.lastPos();
  // b waits for news; a clocks on and pushes
  json got;
  std::thread waiter([&] {
    auto cb = hub.client();
    auto r = cb.Get(("/api/v1/pull?after=" + std::to_string(cursor) + "&wait_ms=5000").c_str(), bearer(tb));
    if (r && r->status == 200) got = json::parse(r->body);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto clocked = a.st.record(ClockOn{"te-a", "tech1", "wo-1-1", "bay1", T0 + 10 * MIN}, T0 + 10 * MIN);
  INFO((clocked ? std::string() : std::string(name(clocked.reason())) + " " + clocked.outcome.refusal->detail));
  CHECK(static_cast<bool>(clocked));
  std::vector<StoredEvent> mine;
  for (auto& e : a.own()) mine.push_back(e);
  pushEvents(c, ta, mine);
  waiter.join();
  REQUIRE(got.is_object());
  REQUIRE(got["events"].size() == 1);
  CHECK(got["events"][0]["body"]["entry"] == "te-a");
  // b, offline earlier, had clocked the same technician on elsewhere at 10:05
  REQUIRE(b.st.record(ClockOn{"te-b", "tech1", "wo-1-2", "bay2", T0 + 5 * MIN}, T0 + 5 * MIN));
  auto reply = pushEvents(c, tb, b.own());
  CHECK(reply["reviews"] == 1);
  CHECK(hub.store.shop().entries.count("te-b") == 0);  // held until the foreman decides
  REQUIRE(hub.store.shop().reviews.size() == 1);
  CHECK(hub.store.shop().reviews.begin()->second.reason == Reason::ClockOverlap);
  // issue 16: a pull says of each event whether the hub held it, by the
  // digest of its review item, which a bay holding it alike has too
  auto r = c.Get(("/api/v1/pull?after=" + std::to_string(cursor)).c_str(), bearer(ta));
  REQUIRE(r->status == 200);
  const sync::PullReply pulled = sync::decodePullReply(r->body);
  REQUIRE(pulled.error.empty());
  CHECK(pulled.verdicts);
  REQUIRE(pulled.events.size() == 2);
  CHECK(pulled.events[0].hub_held.empty());  // a's, applied
  CHECK(pulled.events[1].hub_held == heldDigest(hub.store.shop().reviews.begin()->second));  // b's, held
  REQUIRE(a.st.takeFromHub(pulled.events, T0 + 20 * MIN, pulled.verdicts).through == pulled.events.back().pos);
  REQUIRE(a.st.shop().reviews.count(hub.store.shop().reviews.begin()->first) == 1);
  CHECK(heldDigest(a.st.shop().reviews.begin()->second) == pulled.events[1].hub_held);
}

TEST_CASE("hub: an event id another kiosk already used is refused (409), never silently dropped") {
  DeskAndHub f;
  f.desk.work(1);
  auto evs = f.desk.own();
  const auto base = f.hub.store.eventCount();
  CHECK(pushEvents(f.c, f.token, {evs[0]})["applied_through"] == 1);
  const std::string other = f.hub.enrol("kiosk-x");
  const auto enrolled = f.hub.store.eventCount();  // the hub logs the new client
  CHECK(enrolled == base + 2);
  StoredEvent copy = evs[1];
  copy.id = evs[0].id;  // same id, another origin
  copy.origin = "kiosk-x";
  copy.origin_seq = 1;
  pushEvents(f.c, other, {copy}, 409);
  CHECK(f.hub.store.lastSeqOf("kiosk-x") == 0);
  CHECK(f.hub.store.eventCount() == enrolled);
}

TEST_CASE("hub: long polls wait without a thread: two hundred parked, health and pushes stay quick, one push wakes them all") {
  // 8 threads serve everything; 200 polls wait at once (the cap per address is 256)
  DeskAndHub f;
  pushEvents(f.c, f.token, f.desk.own());
  const std::int64_t last = json::parse(f.c.Get("/api/v1/health")->body)["last_pos"].get<std::int64_t>();
  const std::string path = "/api/v1/pull?after=" + std::to_string(last) + "&wait_ms=20000";
  std::atomic<int> woken{0};
  std::vector<std::thread> polls;
  for (int i = 0; i < 200; ++i)
    polls.emplace_back([&] {
      httplib::Client c("127.0.0.1", f.hub.port);
      c.set_read_timeout(30, 0);
      auto r = c.Get(path.c_str(), bearer(f.token));
      if (r && r->status == 200 && json::parse(r->body)["events"].size() == 1) ++woken;
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  // while they wait, health is answered at once
  httplib::Client c("127.0.0.1", f.hub.port);
  auto t0 = std::chrono::steady_clock::now();
  auto h = c.Get("/api/v1/health");
  REQUIRE(h);
  CHECK(h->status == 200);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(500));
  // one event from another bay wakes every poll, long before their 20 s
  t0 = std::chrono::steady_clock::now();
  REQUIRE(f.desk.st.record(ClockOn{"te-w", "tech1", "wo-1-1", "bay1", T0 + 10 * MIN}, T0 + 10 * MIN));
  pushEvents(f.c, f.token, {f.desk.own().back()});
  for (auto& t : polls) t.join();
  CHECK(woken.load() == 200);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10));
}

TEST_CASE("hub: past the cap on parked polls, a poll is told to come back (503, Retry-After)") {
  hub::http::Limits few;
  few.waiting = 64;
  TempDir dir;
  RunningHub hub(dir.file("hub.db"), 0, "hub-test", {}, few);
  const std::string token = hub.enrol("desk");
  // after what the hub has (it logged the new client): nothing new, so they wait
  const std::string path = "/api/v1/pull?after=" + std::to_string(hub.store.lastPos()) + "&wait_ms=3000";
  std::atomic<int> busy{0}, held{0};
  std::vector<std::thread> polls;
  for (int i = 0; i < 80; ++i)
    polls.emplace_back([&] {
      httplib::Client c("127.0.0.1", hub.port);
      c.set_read_timeout(10, 0);
      auto r = c.Get(path.c_str(), bearer(token));
      if (r && r->status == 503 && r->get_header_value("Retry-After") == "2") ++busy;
      else if (r && r->status == 200) ++held;
    });
  for (auto& t : polls) t.join();
  CHECK(busy.load() == 16);
  CHECK(held.load() == 64);
}

TEST_CASE("hub: a bay gets the snapshot a few times a minute and the desk never — more answer 429, the next bay is not held up") {
  RunningHub hub;
  hub.seedShop();
  const std::string bay = hub.enrol("kiosk-s"), desk = hub.enrol("front-desk", Scope::Desk);
  auto c = hub.client();
  auto get = [&](const std::string& token) { return c.Get("/api/v1/snapshot", httplib::Headers{{"Authorization", "Bearer " + token}}); };
  auto r = c.Get("/api/v1/snapshot");
  REQUIRE(r);
  CHECK(r->status == 401);
  CHECK(get(desk)->status == 403);
  for (int i = 0; i < 6; ++i) {
    r = get(bay);
    REQUIRE(r);
    CHECK(r->status == 200);
    const sync::SnapshotReply s = sync::decodeSnapshotReply(r->body);
    CHECK(s.error.empty());
    CHECK(s.hub == "hub-test");
  }
  r = get(bay);
  REQUIRE(r);
  CHECK(r->status == 429);
  CHECK(r->get_header_value("Retry-After") == "10");
  CHECK(get(hub.enrol("kiosk-t"))->status == 200);
}
