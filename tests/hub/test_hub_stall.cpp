// Stalls (issue 10), against the real bk-hub process: 200 long polls, 200
// slowloris connections and 500 idle ones held at once from 127.0.0.2 and
// up. Health and pushes from 127.0.0.1 are all answered the whole time;
// the slowloris and idle connections are closed by the hub's deadlines and
// the long polls stay parked. The latency figures (p99 under 200 ms) are
// the stall benchmark's (bk_loadgen stall, docs/BENCHMARKS.md): this test
// only prints them.
#include "tests/hub/processes.hpp"
#include "tests/hub/stall.hpp"

using namespace bkt;

TEST_CASE("stalls: 200 long polls, 200 slowloris and 500 idle connections starve neither health nor pushes") {
  TempDir dir;
  HubProcess hub{dir.file("hub.db"), dir.file("pepper.key"), freePort()};
  hub.seed();
  hub.start();
  Desk desk("desk");
  httplib::Client c("127.0.0.1", hub.port);
  auto r = c.Post("/api/v1/enroll", json{{"code", hub.enrolCode("desk")}, {"kiosk_id", "desk"}}.dump(), "application/json");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const std::string token = json::parse(r->body)["token"];
  desk.pullAll(c, token);
  const std::int64_t seeded = json::parse(c.Get("/api/v1/health")->body)["last_pos"].get<std::int64_t>();

  const StallResult s = stallRun(hub.port, token, desk, 13.0, true);
  MESSAGE("health: " << s.health_ms.size() << " answered, p50 " << percentile(s.health_ms, 0.5) << " ms, p99 "
                     << percentile(s.health_ms, 0.99) << " ms; pushes: " << s.push_ms.size() << ", p99 "
                     << percentile(s.push_ms, 0.99) << " ms");
  MESSAGE("closed by the hub: " << s.slow_closed << " slowloris (the first after " << s.slow_first_close_s << " s), "
                                << s.idle_closed << " idle, " << s.polls_closed << " long polls; held at the end: "
                                << s.polls_held << " polls, " << s.slow_held << " slowloris, " << s.idle_held << " idle");
  // the shop's own traffic: every request answered
  CHECK(s.health_failed == 0);
  CHECK(s.push_failed == 0);
  CHECK(s.health_ms.size() > 100);
  CHECK(s.push_ms.size() > 40);
  // the deadlines: every slowloris cut (headers due within 10 s), and every
  // idle connection (10 s without a byte); the long polls stay parked
  CHECK(s.slow_closed >= 200);
  CHECK(s.slow_first_close_s > 9.0);
  CHECK(s.slow_first_close_s < 12.0);
  CHECK(s.idle_closed >= 500);
  CHECK(s.polls_closed == 0);
  CHECK(s.polls_held == 200);
  // every push arrived, once
  auto h = c.Get("/api/v1/health");
  REQUIRE(h);
  CHECK(json::parse(h->body)["last_pos"].get<std::int64_t>() == seeded + static_cast<std::int64_t>(desk.own().size()));
  hub.term();
}
