// The front desk over real HTTP: work orders created, updated and given more
// operations, checked by the same rules (refusals change nothing); the floor
// and the monthly report read back, as JSON and CSV. And TLS.
#include "demo/demo.hpp"
#include "domain/report.hpp"
#include "sync/client.hpp"

#include <algorithm>
#include "tests/hub/hub_fixture.hpp"

using namespace bkt;

namespace {

// A hub that knows the shop, and the front desk's client (desk scope).
struct ShopHub : DeskAndHub {
  httplib::Result post(const std::string& path, const json& body) {
    return c.Post(path.c_str(), bearer(desk_token), body.dump(), "application/json");
  }
  httplib::Result get(const std::string& path) { return c.Get(path.c_str(), bearer(desk_token)); }
};

json newWorkOrder(const Id& id) {
  return {{"wo", {{"id", id}, {"number", "W-" + id}, {"vehicle", {{"plate", "粤B·12345"}, {"vin", "LFV3A23C0K3000001"}, {"model", "迈腾"}}},
                  {"customer", "张先生"}, {"advisor", "advisor"}, {"category", "general_repair"}, {"road_test_required", false},
                  {"opened_at", T0}, {"promised_at", T0 + 480 * MIN}, {"bay", "bay1"}}},
          {"ops", {{{"id", id + "-1"}, {"trade", "mechanical"}, {"title", "mech.brake_pads"}, {"std_minutes", 90}, {"main_tech", "tech1"}, {"handover", false}},
                   {{"id", id + "-2"}, {"trade", "mechanical"}, {"title", "mech.brake_pads"}, {"std_minutes", 30}, {"main_tech", "tech2"}, {"handover", true}}}}};
}

}  // namespace

TEST_CASE("desk: work orders are created, read back, and refused with the rule's reason") {
  ShopHub f;
  const auto before = f.hub.store.eventCount();
  auto r = f.post("/api/v1/work-orders", newWorkOrder("wo-9"));
  REQUIRE(r);
  CHECK(r->status == 201);
  CHECK(json::parse(r->body)["work_order"] == "wo-9");
  CHECK(f.hub.store.eventCount() == before + 1);
  // issue 11: the write is the desk client's, named by the hub, not by the client
  CHECK(json::parse(f.hub.store.events(f.hub.store.lastPos() - 1, 1).at(0).body)["via"] == "front-desk");
  json claimed = newWorkOrder("wo-10");
  claimed["via"] = "kiosk-b01";
  CHECK(f.post("/api/v1/work-orders", claimed)->status == 400);
  CHECK(f.hub.store.eventCount() == before + 1);
  r = f.get("/api/v1/work-orders/wo-9");
  REQUIRE(r->status == 200);
  const json wo = json::parse(r->body);
  CHECK(wo["customer"] == "张先生");
  CHECK(wo["operations"].size() == 2);
  CHECK(wo["operations"][1]["upstream"] == "wo-9-1");  // R8: handover from the first
  CHECK(wo["delivery_blockers"].size() >= 1);          // R10: nothing done yet

  // refusals say why and change nothing
  r = f.post("/api/v1/work-orders", newWorkOrder("wo-9"));
  CHECK(r->status == 422);
  CHECK(json::parse(r->body)["reason"] == "duplicate_id");
  json badAdvisor = newWorkOrder("wo-10");
  badAdvisor["wo"]["advisor"] = "tech1";
  r = f.post("/api/v1/work-orders", badAdvisor);
  CHECK(r->status == 422);
  CHECK(json::parse(r->body)["reason"] == "lacks_role");
  json outOfSchema = newWorkOrder("wo-11");
  outOfSchema["wo"]["promised_at"] = "tomorrow";
  r = f.post("/api/v1/work-orders", outOfSchema);
  CHECK(r->status == 400);
  CHECK(json::parse(r->body)["error"].get<std::string>().find("open_work_order") != std::string::npos);
  r = f.post("/api/v1/work-orders", json{{"wo", 1}});
  CHECK(r->status == 400);
  r = f.c.Post("/api/v1/work-orders", newWorkOrder("wo-12").dump(), "application/json");  // no token
  CHECK(r->status == 401);
  CHECK(f.get("/api/v1/work-orders/wo-404")->status == 404);
  CHECK(f.hub.store.eventCount() == before + 1);
}

TEST_CASE("desk: an update changes the fields given, more operations reach the bays by the next pull") {
  ShopHub f;
  REQUIRE(f.post("/api/v1/work-orders", newWorkOrder("wo-9"))->status == 201);
  auto r = f.post("/api/v1/work-orders/wo-9", json{{"by", "advisor"}, {"customer", "李女士"}, {"road_test_required", true}});
  REQUIRE(r);
  CHECK(r->status == 200);
  const WorkOrder& w = f.hub.store.shop().work_orders.at("wo-9");
  CHECK(w.customer == "李女士");
  CHECK(w.road_test_required);
  CHECK(w.promised_at == T0 + 480 * MIN);  // not given: kept
  CHECK(w.bay == "bay1");
  const auto before = f.hub.store.eventCount();
  CHECK(f.post("/api/v1/work-orders/wo-9", json{{"by", "tech1"}, {"customer", "x"}})->status == 422);
  CHECK(f.post("/api/v1/work-orders/wo-9", json{{"by", "advisor"}, {"colour", "red"}})->status == 400);
  CHECK(f.post("/api/v1/work-orders/wo-9", json{{"by", "advisor"}, {"promised_at", T0 - 1}})->status == 422);
  CHECK(f.post("/api/v1/work-orders/wo-404", json{{"by", "advisor"}})->status == 404);
  CHECK(f.hub.store.eventCount() == before);

  // a kiosk that already has the work order hears of the added operation
  Desk bay("kiosk-b01");
  std::mutex mu;
  sync::SyncClient sync(bay.st, mu, testPepper(), sync::SyncOptions{"http://127.0.0.1:" + std::to_string(f.hub.port), f.hub.server.newEnrolCode(bay.st.kioskId(), 60'000)},
                       [] { return T0; });
  REQUIRE(sync.enroll());
  REQUIRE(sync.pullOnce(0));
  CHECK(bay.st.shop().opsOf("wo-9").size() == 2);
  r = f.post("/api/v1/work-orders/wo-9/operations",
             json{{"by", "advisor"}, {"ops", {{{"id", "wo-9-3"}, {"trade", "paint"}, {"title", "paint.door"}, {"std_minutes", 120}, {"main_tech", "paint1"}, {"handover", true}}}}});
  REQUIRE(r);
  CHECK(r->status == 201);
  REQUIRE(sync.pullOnce(0));
  REQUIRE(bay.st.shop().opsOf("wo-9").size() == 3);
  CHECK(bay.st.shop().operation("wo-9-3")->upstream == "wo-9-2");
  CHECK(f.post("/api/v1/work-orders/wo-9/operations", json{{"by", "advisor"}, {"ops", json::array()}})->status == 422);
  CHECK(f.post("/api/v1/work-orders/wo-9/operations", json{{"by", "advisor"}, {"at", 5}, {"ops", json::array()}})->status == 400);
}

TEST_CASE("desk: the floor shows every bay, who is on what, open work and what blocks delivery") {
  ShopHub f;
  REQUIRE(f.desk.st.record(ClockOn{"te-1", "tech1", "wo-1-1", "bay1", T0 + MIN}, T0 + MIN));
  pushEvents(f.c, f.token, f.desk.own());
  f.hub.now = T0 + 5 * 3600'000;  // R3: open for five hours
  auto r = f.get("/api/v1/floor");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const json floor = json::parse(r->body);
  CHECK(floor["bays"].size() == f.hub.store.shop().bays.size());
  bool seen = false;
  for (auto& b : floor["bays"])
    if (b["id"] == "bay1") {
      REQUIRE(b["clocked_on"].size() == 1);
      CHECK(b["clocked_on"][0]["tech"] == "tech1");
      seen = true;
    }
  CHECK(seen);
  REQUIRE(floor["work_orders"].size() == 1);
  CHECK(floor["work_orders"][0]["operations"][0]["clocked_on"].size() == 1);
  CHECK(floor["overlong_entries"].size() == 1);
  CHECK(floor["open_reviews"].empty());
}

TEST_CASE("desk: the monthly report by calendar month in the shop's time zone, as JSON and CSV") {
  auto jan = calendarMonth("2026-01", 480);
  REQUIRE(jan);
  CHECK(jan->first == T0 - 8 * 3600'000LL);  // 2026-01-01 00:00 in Beijing
  CHECK(jan->second == T0 + 31LL * 24 * 3600'000 - 8 * 3600'000LL);
  auto dec = calendarMonth("2026-12", 0);
  REQUIRE(dec);
  CHECK(dec->second - dec->first == 31LL * 24 * 3600'000);
  for (const char* bad : {"2026-13", "2026-1", "26-01-01", "abcd-ef", "", "2026-00"}) CHECK_FALSE(calendarMonth(bad, 480));

  ShopHub f;
  auto r = f.get("/api/v1/report?month=2026-01");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  json got = json::parse(r->body);
  CHECK(got["comebacks"]["provisional"].is_boolean());  // the hub's word on now (DECISIONS.md)
  got["comebacks"].erase("provisional");
  CHECK(got == reportJson(f.hub.store.shop(), monthlyReport(f.hub.store.shop(), jan->first, jan->second)));
  r = f.get("/api/v1/report?month=2026-01&format=csv");
  REQUIRE(r->status == 200);
  CHECK(r->get_header_value("Content-Type").find("text/csv") == 0);
  CHECK(r->body.rfind("section,", 0) == 0);
  CHECK(f.get("/api/v1/report?month=2026-1")->status == 400);
  CHECK(f.get("/api/v1/report?format=xml&month=2026-01")->status == 400);
  CHECK(f.get("/api/v1/report?from=10&to=5")->status == 400);
  CHECK(f.get("/api/v1/report")->status == 400);
  // issue 16: the range is read from the store, a year at most
  CHECK(f.get("/api/v1/report?from=0&to=99999999999999")->status == 400);
  CHECK(f.get("/api/v1/report?from=" + std::to_string(T0) + "&to=" + std::to_string(T0 + 366LL * 86'400'000))->status == 200);
  CHECK(f.c.Get("/api/v1/report?month=2026-01")->status == 401);
}

TEST_CASE("tls: the hub speaks https, a kiosk with the hub's certificate syncs, others are refused") {
  TempDir certs;
  const std::string cert = certs.file("hub.pem"), key = certs.file("hub.key");
  REQUIRE(std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=bk-hub -addext subjectAltName=IP:127.0.0.1 -keyout " +
                       key + " -out " + cert + " >/dev/null 2>&1").c_str()) == 0);
  RunningHub hub("", 0, "hub-tls", hub::TlsFiles{cert, key});
  {
    FixedEntropy e;
    seedShop(hub.store);
  }
  const std::string url = "https://127.0.0.1:" + std::to_string(hub.port);
  // with the certificate: enrols and pulls the shop over TLS
  Desk bay("kiosk-tls");
  std::mutex mu;
  sync::SyncClient good(bay.st, mu, testPepper(), sync::SyncOptions{url, hub.server.newEnrolCode(bay.st.kioskId(), 60'000), 200, 1000, cert}, [] { return T0; });
  REQUIRE(good.enroll());
  REQUIRE(good.pullOnce(0));
  CHECK(bay.st.shop().operations.count("wo-1-1") == 1);
  // without it (an unknown certificate): refused, nothing learnt
  Desk other("kiosk-other");
  sync::SyncClient bad(other.st, mu, testPepper(), sync::SyncOptions{url, hub.server.newEnrolCode(other.st.kioskId(), 60'000)}, [] { return T0; });
  CHECK_FALSE(bad.enroll());
  CHECK(other.st.shop().operations.empty());
  // plain http to the TLS port gets nowhere
  httplib::Client plain("127.0.0.1", hub.port);
  plain.set_connection_timeout(2, 0);
  plain.set_read_timeout(2, 0);
  auto r = plain.Get("/api/v1/health");
  CHECK((!r || r->status != 200));
}

TEST_CASE("desk, issue 15: a car's history by VIN: its work orders newest first, with operations, inspections and rework") {
  ShopHub f;
  json first = newWorkOrder("wo-h1");
  json second = newWorkOrder("wo-h2");
  second["wo"]["opened_at"] = T0 + 60 * MIN;
  second["wo"]["vehicle"]["vin"] = "lfv3a23c0k3000001";  // the same car, typed in lower case
  json other = newWorkOrder("wo-h3");
  other["wo"]["vehicle"]["vin"] = "LFV3A23C0K3000999";
  for (const json& w : {first, second, other}) REQUIRE(f.post("/api/v1/work-orders", w)->status == 201);
  auto r = f.get("/api/v1/vehicles/LFV3A23C0K3000001/history");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const json h = json::parse(r->body);
  REQUIRE(h["work_orders"].size() == 2);
  CHECK(h["work_orders"][0]["id"] == "wo-h2");  // newest first
  CHECK(h["work_orders"][1]["id"] == "wo-h1");
  CHECK(h["work_orders"][1]["operations"].size() == 2);
  CHECK(h["work_orders"][1]["inspections"].is_array());
  CHECK(h["work_orders"][1]["reworks"].is_array());
  CHECK(h["work_orders"][1]["declined_safety"].is_array());
  // a car the shop has not seen has an empty history; a malformed VIN is no route
  r = f.get("/api/v1/vehicles/LFV3A23C0K3000002/history");
  CHECK(r->status == 200);
  CHECK(json::parse(r->body)["work_orders"].empty());
  CHECK(f.get("/api/v1/vehicles/LFV-3A23/history")->status == 404);
  CHECK(f.c.Get("/api/v1/vehicles/LFV3A23C0K3000001/history")->status == 401);  // no token
}

namespace {
// One job of one operation for `vin`, done at the hub (clocked, inspected by
// its technician and the foreman) and handed over through the desk API.
void deliveredAtHub(ShopHub& f, const Id& id, const std::string& vin, Millis at) {
  json w = newWorkOrder(id);
  w["wo"]["vehicle"]["vin"] = vin;
  w["wo"]["category"] = "maintenance";
  w["wo"]["opened_at"] = at;
  w["wo"]["promised_at"] = at + 480 * MIN;
  w["ops"].erase(1);
  REQUIRE(f.post("/api/v1/work-orders", w)->status == 201);
  Store& st = f.hub.store;
  REQUIRE(st.record(ClockOn{id + "-e", "tech1", id + "-1", "bay1", at + MIN}, at + MIN).outcome);
  Inspection self = judged(Inspection{});
  self.id = id + "-self";
  self.kind = InspectionKind::Self;
  self.wo = id;
  self.op = id + "-1";
  self.inspector = "tech1";
  REQUIRE(st.sign(RecordInspection{self, {}}, "tech1", testPin("tech1"), at + 30 * MIN).outcome);
  Inspection peer = self;
  peer.id = id + "-peer";
  peer.kind = InspectionKind::Peer;
  peer.inspector = "foreman";
  REQUIRE(st.sign(RecordInspection{peer, {}}, "foreman", testPin("foreman"), at + 40 * MIN).outcome);
  f.hub.now = at + 60 * MIN;
  auto r = f.post("/api/v1/work-orders/" + id + "/deliver", {{"by", "advisor"}, {"pin", "123456"}, {"old_parts", "returned"}});
  REQUIRE(r);
  REQUIRE(r->status == 200);
}
}  // namespace

TEST_CASE("desk, issue 15: a comeback is suggested, linked or declined, found and charged, and on the car's history and the month's slips") {
  ShopHub f;
  const std::string vin = "LFV3A23C0K3000555";
  deliveredAtHub(f, "wo-c1", vin, T0);
  f.hub.now = T0 + 5 * 24 * 60 * MIN;
  // the car's history says which work order a new one would be a comeback of
  auto h = json::parse(f.get("/api/v1/vehicles/" + vin + "/history")->body);
  CHECK(h["comeback_candidate"] == "wo-c1");
  // neither linked nor declined: 422, naming it
  json plain = newWorkOrder("wo-c2");
  plain["wo"]["vehicle"]["vin"] = vin;
  plain["wo"]["opened_at"] = f.hub.now;
  plain["wo"]["promised_at"] = f.hub.now + 480 * MIN;
  plain["ops"].erase(1);
  auto r = f.post("/api/v1/work-orders", plain);
  CHECK(r->status == 422);
  CHECK(json::parse(r->body)["reason"] == "comeback_undecided");
  CHECK(json::parse(r->body)["detail"] == "wo-c1");
  // linked, with the customer's concern
  json cb = plain;
  cb["wo"]["comeback_of"] = "wo-c1";
  cb["wo"]["concern"] = "concern.same_noise";
  REQUIRE(f.post("/api/v1/work-orders", cb)->status == 201);
  json wo = json::parse(f.get("/api/v1/work-orders/wo-c2")->body);
  CHECK(wo["comeback_of"] == "wo-c1");
  CHECK(wo["within_window"] == true);
  CHECK(wo["comeback_cause"].is_null());
  CHECK(wo["billable"] == false);
  bool blocked = false;
  for (auto& b : wo["delivery_blockers"]) blocked |= b["reason"] == "cause_required";
  CHECK(blocked);
  // declined, with a reason, for the next visit
  json other = plain;
  other["wo"]["id"] = "wo-c3";
  other["wo"]["number"] = "W-c3";
  other["ops"][0]["id"] = "wo-c3-1";
  other["wo"]["not_comeback_of"] = "wo-c1";
  CHECK(json::parse(f.post("/api/v1/work-orders", other)->body)["reason"] == "reason_required");
  other["wo"]["not_comeback_reason"] = "not_comeback.maintenance";
  other["wo"]["promised_at"] = f.hub.now + 10 * MIN;  // promised before the comeback
  CHECK(f.post("/api/v1/work-orders", other)->status == 201);
  // the comeback first on the floor all the same
  const json floor = json::parse(f.get("/api/v1/floor")->body);
  REQUIRE(floor["work_orders"].size() >= 2);
  CHECK(floor["work_orders"][0]["id"] == "wo-c2");
  bool later = false;
  for (const json& w : floor["work_orders"]) later |= w["id"] == "wo-c3";
  CHECK(later);

  // the quality inspector finds workmanship in the original operation, at a bay
  Inspection in = judged(Inspection{});
  in.id = "in-cause";
  in.kind = InspectionKind::Comeback;
  in.wo = "wo-c2";
  in.op = "wo-c1-1";
  in.inspector = "qi";
  in.cause = ComebackCause::Workmanship;
  in.result = Verdict::Fail;
  in.defect = "mech.missed_item";
  REQUIRE(f.hub.store.sign(RecordInspection{in, {}}, "qi", testPin("qi"), f.hub.now + MIN).outcome);
  wo = json::parse(f.get("/api/v1/work-orders/wo-c2")->body);
  CHECK(wo["comeback_cause"]["cause"] == "workmanship");
  CHECK(wo["comeback_cause"]["op"] == "wo-c1-1");
  CHECK(wo["billable"] == false);
  h = json::parse(f.get("/api/v1/vehicles/" + vin + "/history")->body);
  const json& first = h["work_orders"].back();
  CHECK(first["id"] == "wo-c1");
  CHECK(first["comebacks"] == json::array({"wo-c2"}));
  CHECK(first["reworks"].size() == 1);
  CHECK(first["reworks"][0]["found_in"] == "comeback");

  // the month's slips: tech1 charged, in JSON, CSV and PDF
  const std::string month = monthOf(f.hub.now, 480);
  json slips = json::parse(f.get("/api/v1/fault-slips?month=" + month)->body);
  REQUIRE(slips["lines"].size() == 1);
  CHECK(slips["lines"][0]["technician"] == "tech1");
  CHECK(slips["lines"][0]["state"] == "charged");
  CHECK(slips["lines"][0]["found_in"] == "comeback");
  CHECK(slips["signed"].is_null());
  r = f.get("/api/v1/fault-slips?month=" + month + "&format=csv");
  REQUIRE(r->status == 200);
  CHECK(r->body.find("tech1,") != std::string::npos);
  CHECK(r->body.find(",comeback,charged,,") != std::string::npos);
  CHECK(f.get("/api/v1/fault-slips?month=2026-13")->status == 400);
  CHECK(f.get("/api/v1/fault-slips?month=" + month + "&format=xml")->status == 400);
  CHECK(f.c.Get(("/api/v1/fault-slips?month=" + month).c_str())->status == 401);
  // the service manager signs them once the month is over
  const auto range = *calendarMonth(month, 480);
  std::vector<FaultSlipLine> lines = faultSlipLines(f.hub.store.shop(), range.first, range.second);
  CHECK_FALSE(f.hub.store.sign(SignFaultSlips{month, lines, {}}, "manager", "123456", range.second - MIN).outcome);
  REQUIRE(f.hub.store.sign(SignFaultSlips{month, lines, {}}, "manager", "123456", range.second + MIN).outcome);
  slips = json::parse(f.get("/api/v1/fault-slips?month=" + month)->body);
  CHECK(slips["signed"]["by"] == "manager");
  CHECK(slips["signed"]["current"] == true);
  CHECK(f.get("/api/v1/fault-slips?month=" + month + "&format=csv")->body.find(",comeback,charged,") != std::string::npos);
}

TEST_CASE("desk, issue 16: while it serves, the hub keeps each past month's report, newest first, so one asked for is a read") {
  TempDir dir;
  const std::string db = dir.file("shop.db");
  demo::Options opt;
  opt.seed = 5;
  opt.now = T0 + 75LL * 24 * 60 * MIN + 14 * 60 * MIN;
  opt.set_pins = false;
  Shop whole;
  {
    FixedEntropy ent;
    Store st(storeOptions(db, "hub-test"), ent);
    demo::generate(st, catalog(), opt);
    whole = st.loadRecords();
    REQUIRE(st.db().scalarInt("SELECT COUNT(*) FROM reports") == 0);
  }
  // every calendar month the shop worked in, wholly past
  const int tz = whole.policy.utc_offset_minutes;
  Millis first = opt.now;
  for (auto& [id, w] : whole.work_orders) first = std::min(first, w.opened_at);
  std::vector<std::string> want;
  for (std::string m = monthOf(first, tz); m < monthOf(opt.now, tz); m = addMonths(m, 1)) want.push_back(m);
  REQUIRE(want.size() >= 2);

  RunningHub hub(db);
  hub.server.keepReports(10);
  sql::Db look(db, false);  // a second connection, as sqlite3 would read it
  auto kept = [&](const std::string& m) {
    const auto r = *calendarMonth(m, tz);
    sql::Stmt q(look, "SELECT COUNT(*) FROM reports WHERE from_ms = ?1 AND to_ms = ?2");
    q.bind(1, r.first).bind(2, r.second);
    return q.step() && q.integer(0) == 1;
  };
  auto allKept = [&] { return std::all_of(want.begin(), want.end(), kept); };
  for (int i = 0; i < 1000 && !allKept(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(allKept());
  // each as the whole shop's report of its month, over HTTP too
  const std::string token = hub.enrol("front-desk", Scope::Desk);
  auto c = hub.client();
  for (const std::string& m : want) {
    CAPTURE(m);
    const auto r = *calendarMonth(m, tz);
    auto got = c.Get(("/api/v1/report?month=" + m).c_str(), bearer(token));
    REQUIRE(got);
    REQUIRE(got->status == 200);
    json j = json::parse(got->body);
    j["comebacks"].erase("provisional");
    json expect = reportJson(whole, monthlyReport(whole, r.first, r.second));
    expect["comebacks"].erase("provisional");
    CHECK(j == expect);
  }
  hub.server.stop();
  for (const Store::KeptReport& k : hub.store.checkKeptReports()) CHECK(k.equal);
}
