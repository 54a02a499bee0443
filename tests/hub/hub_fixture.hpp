#pragma once
// A real hub serving on a free loopback port in this process, and kiosk
// stores to talk to it.
#include "sync/wire.hpp"
#include "hub/hub_server.hpp"
#include "tests/support.hpp"

#include <httplib.h>

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace bkt {

// A loopback port free at this moment (for a hub started as a process).
inline int freePort() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t n = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &n);
  ::close(s);
  return ntohs(a.sin_port);
}

struct RunningHub {
  TempDir dir;
  FixedEntropy ent;
  Store store;
  Millis now = T0;
  hub::HubServer server;
  int port = 0;
  std::thread thread;
  // A hub on `db` (a fresh file by default), on `at_port` (any free one by default).
  explicit RunningHub(const std::string& db = "", int at_port = 0, const Id& instance = "hub-test",
                      const hub::TlsFiles& tls = {}, const hub::http::Limits& limits = {})
      : store(storeOptions(db.empty() ? dir.file("hub.db") : db, instance), ent),
        server(store, ent, [this] { return now; }, 480, tls, limits) {
    port = server.bind("127.0.0.1", at_port);
    REQUIRE(port > 0);
    thread = std::thread([this] { server.run(); });
    if (tls.enabled()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      return;
    }
    httplib::Client c("127.0.0.1", port);
    for (int i = 0; i < 100 && !c.Get("/api/v1/health"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ~RunningHub() {
    server.stop();
    thread.join();
  }
  httplib::Client client() {
    httplib::Client c("127.0.0.1", port);
    c.set_tcp_nodelay(true);
    c.set_read_timeout(30, 0);
    return c;
  }
  // A client enrolled over HTTP, as a bay kiosk (floor) or the front desk.
  std::string enrol(const Id& kiosk, Scope scope = Scope::Floor) {
    const std::string code = server.newEnrolCode(kiosk, 3600'000, false, scope);
    auto c = client();
    auto r = c.Post("/api/v1/enroll", json{{"code", code}, {"kiosk_id", kiosk}}.dump(), "application/json");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return json::parse(r->body)["token"];
  }
  // The test shop's people and bays and wo-1, made as the administrator
  // makes master data: on the hub's own machine (DECISIONS.md).
  void seedShop();
};

inline httplib::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

inline json pushEvents(httplib::Client& c, const std::string& token, const std::vector<StoredEvent>& evs, int expect = 200) {
  json body{{"events", json::array()}};
  for (auto& e : evs) body["events"].push_back(sync::toWire(e));
  auto r = c.Post("/api/v1/push", bearer(token), body.dump(), "application/json");
  REQUIRE(r);
  CHECK(r->status == expect);
  return json::parse(r->body);
}

// A bay kiosk's store, driven by hand.
struct Desk {
  TempDir dir;
  FixedEntropy ent;
  Store st;
  explicit Desk(const Id& id) : st(storeOptions(dir.file("k.db"), id), ent) {}
  std::vector<StoredEvent> own() {
    std::vector<StoredEvent> out;
    for (auto& e : st.events(0, 100000)) if (e.origin == st.kioskId()) out.push_back(e);
    return out;
  }
  // Takes everything the hub has, as a kiosk's pull does.
  void pullAll(httplib::Client& c, const std::string& token) {
    for (;;) {
      auto r = c.Get(("/api/v1/pull?limit=500&after=" + std::to_string(st.cursors().get().pulled)).c_str(),
                     {{"Authorization", "Bearer " + token}});
      REQUIRE(r);
      REQUIRE(r->status == 200);
      const sync::PullReply page = sync::decodePullReply(r->body);
      REQUIRE(page.error.empty());
      if (page.events.empty()) return;
      const Store::Placement p = st.takeFromHub(page.events, T0);
      st.cursors().setPulled(p.through);
      if (p.through >= page.last_pos) return;
    }
  }
  // `n` short spells of work on wo-1-1 (tech1 at bay1), each a clock-on
  // and a clock-off: own events to push.
  void work(int n, Millis from = T0 + 60'000) {
    for (int i = 0; i < n; ++i) {
      const Millis at = from + i * 600'000;
      expect(static_cast<bool>(st.record(ClockOn{"te-work-" + std::to_string(lastOwnSeq()), "tech1", "wo-1-1", "bay1", at}, at)),
             "clock-on");
      expect(static_cast<bool>(st.record(ClockOff{"tech1", "wo-1-1", StopReason::Break, at + 300'000}, at + 300'000)),
             "clock-off");
    }
  }
  std::int64_t lastOwnSeq() const { return st.lastOwnSeq(); }
};

// The test shop's people and bays and one work order (wo-1: tech1 then tech2).
inline void seedShop(Store& st) {
  // expect(), not REQUIRE: the benchmarks build this without doctest
  for (auto& a : staffAndBays()) expect(static_cast<bool>(st.record(a, T0)), "the test shop's staff and bays");
  expect(static_cast<bool>(st.record(testWorkOrder("wo-1", Category::GeneralRepair, {spec("wo-1-1", Trade::Mechanical, "tech1"),
                                                                                      spec("wo-1-2", Trade::Mechanical, "tech2")}), T0)),
         "the test shop's work order");
}

inline void RunningHub::seedShop() {
  for (auto& a : staffAndBays()) expect(static_cast<bool>(server.recordAdmin(a)), "the test shop's staff and bays");
  expect(static_cast<bool>(server.recordAdmin(testWorkOrder(
             "wo-1", Category::GeneralRepair, {spec("wo-1-1", Trade::Mechanical, "tech1"), spec("wo-1-2", Trade::Mechanical, "tech2")}))),
         "the test shop's work order");
}

// A running hub that knows the test shop; a bay kiosk "desk" enrolled
// (floor) that has pulled it; and the front desk's token (desk scope).
struct DeskAndHub {
  RunningHub hub;
  Desk desk{"desk"};
  std::string token, desk_token;
  httplib::Client c;
  DeskAndHub() : c(hub.client()) {
    hub.seedShop();
    token = hub.enrol("desk");
    desk_token = hub.enrol("front-desk", Scope::Desk);
    desk.pullAll(c, token);
  }
};

}  // namespace bkt
