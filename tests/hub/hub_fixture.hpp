#pragma once
// A real hub serving on a free loopback port in this process, and kiosk
// stores to talk to it.
#include "sync/wire.hpp"
#include "hub/hub_server.hpp"
#include "tests/support.hpp"

#include <httplib.h>

#include <doctest/doctest.h>

#include <thread>

namespace bkt {

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
  std::string enrol(const Id& kiosk) {
    const std::string code = server.newEnrolCode(kiosk, 3600'000);
    auto c = client();
    auto r = c.Post("/api/v1/enroll", json{{"code", code}, {"kiosk_id", kiosk}}.dump(), "application/json");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return json::parse(r->body)["token"];
  }
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

// A kiosk store that made the shop's master data and a work order.
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
};

// The test shop's people and bays and one work order (wo-1: tech1 then tech2).
inline void seedShop(Store& st) {
  // expect(), not REQUIRE: the benchmarks build this without doctest
  for (auto& a : staffAndBays()) expect(static_cast<bool>(st.record(a, T0)), "the test shop's staff and bays");
  expect(static_cast<bool>(st.record(testWorkOrder("wo-1", Category::GeneralRepair, {spec("wo-1-1", Trade::Mechanical, "tech1"),
                                                                                      spec("wo-1-2", Trade::Mechanical, "tech2")}), T0)),
         "the test shop's work order");
}

inline void seedDesk(Desk& d) { seedShop(d.st); }

// A running hub, and an enrolled front desk that made the shop's data.
struct DeskAndHub {
  RunningHub hub;
  Desk desk{"desk"};
  std::string token;
  httplib::Client c;
  DeskAndHub() : c(hub.client()) {
    seedDesk(desk);
    token = hub.enrol("desk");
  }
};

}  // namespace bkt
