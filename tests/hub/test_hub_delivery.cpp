// Issue 12: delivery (交车) on the desk API, over real HTTP: refused with
// every blocker named, signed with the advisor's PIN at the hub, the
// customer's finger signature sealed into it when they declined a safety
// item, a gate pass issued, and the bays told by their next pull.
#include "tests/hub/hub_fixture.hpp"

using namespace bkt;

namespace {

struct DeliveryHub : DeskAndHub {
  Millis t = T0 + MIN;
  // the PINs the hub checks when a person signs at the desk
  DeliveryHub() {
    for (const char* p : {"advisor", "qi", "tech1"}) expect(static_cast<bool>(hub.store.setPin(p, testPin(p), T0)), std::string("PIN of ") + p);
  }
  httplib::Result post(const std::string& path, const json& body) {
    return c.Post(path.c_str(), bearer(desk_token), body.dump(), "application/json");
  }
  json get(const std::string& path) {
    auto r = c.Get(path.c_str(), bearer(desk_token));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return json::parse(r->body);
  }
  // At the bay "desk": recorded there (signed with the person's key when
  // the action is signed), then pushed to the hub.
  void bay(Action a, const Id& who = {}) {
    t += MIN;
    if (!who.empty()) signAction(a, who, t, testKey(who));
    const Recorded r = desk.st.record(a, t);
    expect(static_cast<bool>(r), std::string(actionType(a)) + " at the bay: " +
                                     (r.outcome.refusal ? std::string(name(r.outcome.refusal->reason)) : ""));
  }
  void push() { pushEvents(c, token, unpushed()); }
  std::vector<StoredEvent> unpushed() {
    std::vector<StoredEvent> out;
    for (auto& e : desk.own()) if (e.origin_seq > pushed_seq) out.push_back(e);
    if (!out.empty()) pushed_seq = out.back().origin_seq;
    return out;
  }
  std::int64_t pushed_seq = 0;
  RecordInspection inspection(InspectionKind kind, std::optional<Id> op, const Id& who, std::optional<Id> down = {}) {
    Inspection in;
    in.id = "in-" + std::to_string(++n);
    in.kind = kind;
    in.wo = "wo-1";
    in.op = op;
    in.downstream = down;
    in.inspector = who;
    in.items = {ChecklistItem{"works", Verdict::Pass}};
    in.catalog = catalog().version();
    return RecordInspection{in, {}};
  }
  int n = 0;
  // wo-1 worked and inspected: only its final is missing (tech2 still
  // clocked on its second operation when `running`).
  void workDone(bool running = false) {
    bay(ClockOn{"te-1", "tech1", "wo-1-1", "bay1", t + MIN});
    bay(inspection(InspectionKind::Self, "wo-1-1", "tech1"), "tech1");
    bay(inspection(InspectionKind::Peer, "wo-1-1", "foreman"), "foreman");
    bay(ClockOn{"te-2", "tech2", "wo-1-2", "bay1", t + MIN});
    if (running) return;
    finishSecond();
  }
  void finishSecond() {
    bay(inspection(InspectionKind::Self, "wo-1-2", "tech2"), "tech2");
    bay(inspection(InspectionKind::Peer, "wo-1-2", "foreman"), "foreman");
  }
  std::set<std::string> blockerReasons(const json& reply) {
    std::set<std::string> out;
    for (auto& b : reply["blockers"]) out.insert(b["reason"].get<std::string>());
    return out;
  }
};

json strokes() { return json::array({json::array({{100, 400}, {180, 520}, {260, 380}, {340, 610}}), json::array({{500, 500}, {700, 480}})}); }

}  // namespace

TEST_CASE("hub: delivery over the desk API names every blocker, then issues a gate pass") {
  DeliveryHub f;
  const json good{{"by", "advisor"}, {"pin", testPin("advisor")}, {"old_parts", "returned"}};
  // nothing done: refused, each blocker named, nothing recorded
  const auto before = f.hub.store.eventCount();
  auto r = f.post("/api/v1/work-orders/wo-1/deliver", good);
  REQUIRE(r);
  CHECK(r->status == 422);
  CHECK(f.blockerReasons(json::parse(r->body)) == std::set<std::string>{"operation_unfinished", "final_missing"});
  f.workDone(true);  // tech2 still on wo-1-2
  f.push();
  r = f.post("/api/v1/work-orders/wo-1/deliver", good);
  CHECK(r->status == 422);
  const json refused = json::parse(r->body);
  CHECK(f.blockerReasons(refused) == std::set<std::string>{"operation_running", "final_missing"});
  CHECK(refused["blockers"][0]["detail"] == "wo-1-2");
  json list = f.get("/api/v1/deliveries");
  CHECK(list["ready"].empty());
  REQUIRE(list["blocked"].size() == 1);
  CHECK(list["blocked"][0]["wo"] == "wo-1");
  f.finishSecond();
  f.bay(f.inspection(InspectionKind::Final, std::nullopt, "qi"), "qi");
  f.push();
  CHECK(f.hub.store.shop().work_orders.at("wo-1").final_passed.has_value());
  list = f.get("/api/v1/deliveries");
  REQUIRE(list["ready"].size() == 1);
  CHECK(list["ready"][0]["number"] == f.hub.store.shop().work_orders.at("wo-1").number);

  const auto ready = f.hub.store.eventCount();
  // hostile or incomplete bodies: refused, nothing recorded
  for (const json& bad : {json{{"by", "advisor"}, {"old_parts", "returned"}},                              // no PIN
                          json{{"by", "advisor"}, {"pin", "12ab56"}, {"old_parts", "returned"}},           // not digits
                          json{{"by", "advisor"}, {"pin", testPin("advisor")}, {"old_parts", "sold"}},     // no such fate
                          json{{"by", "advisor"}, {"pin", testPin("advisor")}, {"gate_pass", "GP-1"}},     // not the desk's to give
                          json{{"by", "advisor"}, {"pin", testPin("advisor")}, {"ack", "signed"}}}) {
    r = f.post("/api/v1/work-orders/wo-1/deliver", bad);
    REQUIRE(r);
    CHECK(r->status == 400);
  }
  r = f.post("/api/v1/work-orders/wo-1/deliver", json{{"by", "advisor"}, {"pin", testPin("advisor")}});
  CHECK(r->status == 422);  // the old parts: a person says what became of them
  CHECK(json::parse(r->body)["detail"] == "old_parts");
  r = f.post("/api/v1/work-orders/wo-1/deliver", json{{"by", "tech1"}, {"pin", testPin("tech1")}, {"old_parts", "returned"}});
  CHECK(r->status == 422);
  CHECK(json::parse(r->body)["reason"] == "lacks_role");
  r = f.post("/api/v1/work-orders/wo-1/deliver", json{{"by", "advisor"}, {"pin", "999999"}, {"old_parts", "returned"}});
  CHECK(r->status == 403);
  CHECK(json::parse(r->body)["reason"] == "wrong_pin");
  CHECK_FALSE(f.hub.store.shop().work_orders.at("wo-1").delivered_at);
  // a wrong PIN is itself kept (issue 11, pin_failed); nothing else
  CHECK(f.hub.store.eventCount() == ready + 1);
  // a bay's token is not the desk's
  auto floor = f.c.Post("/api/v1/work-orders/wo-1/deliver", bearer(f.token), good.dump(), "application/json");
  CHECK(floor->status == 403);

  r = f.post("/api/v1/work-orders/wo-1/deliver", good);
  REQUIRE(r->status == 200);
  const json done = json::parse(r->body);
  const WorkOrder& w = f.hub.store.shop().work_orders.at("wo-1");
  CHECK(done["gate_pass"] == w.gate_pass);
  CHECK(w.gate_pass.starts_with("GP-" + w.number + "-"));
  CHECK(w.delivered_by == Id("advisor"));
  CHECK(w.old_parts == OldParts::Returned);
  const json read = f.get("/api/v1/work-orders/wo-1");
  CHECK(read["gate_pass"] == w.gate_pass);
  CHECK(read["old_parts"] == "returned");
  // once: a second delivery is refused
  r = f.post("/api/v1/work-orders/wo-1/deliver", good);
  CHECK(r->status == 422);
  CHECK(f.blockerReasons(json::parse(r->body)).count("work_order_closed"));
  // the bays hear of it by their next pull, with the same gate pass
  f.desk.pullAll(f.c, f.token);
  CHECK(f.desk.st.shop().work_orders.at("wo-1").gate_pass == w.gate_pass);
  // and the signature is the advisor's, verifiable in the log
  CHECK(f.hub.store.verifyPersonSignatures().empty());
  CHECK(matchesReplay(f.hub.store));
  (void)before;
}

TEST_CASE("hub: a declined safety item is signed for by the customer's finger at delivery") {
  DeliveryHub f;
  f.workDone();
  f.bay(ProposeAddOn{"ad-1", "op-ad-1", "wo-1", "wo-1-2", "tech2", Trade::Mechanical, "addon.brake_disc_worn", 60, {}, true, false, f.t});
  f.bay(QuoteAddOn{"ad-1", 60000, 60, {}}, "advisor");
  f.bay(SignAddOnTechnical{"ad-1", {}}, "director");
  f.bay(SignAddOnCost{"ad-1", {}}, "manager");
  f.bay(RecordConsent{"ad-1", false, ConsentChannel::InPerson, true, {}}, "advisor");
  f.bay(f.inspection(InspectionKind::Final, std::nullopt, "qi"), "qi");
  f.push();
  const json wo = f.get("/api/v1/work-orders/wo-1");
  REQUIRE(wo["declined_safety"].size() == 1);
  CHECK(wo["declined_safety"][0]["addon"] == "ad-1");
  CHECK(wo["declined_safety"][0]["reason"] == "addon.brake_disc_worn");
  const json base{{"by", "advisor"}, {"pin", testPin("advisor")}, {"old_parts", "scrapped"}};
  auto r = f.post("/api/v1/work-orders/wo-1/deliver", base);
  CHECK(r->status == 422);
  CHECK(json::parse(r->body)["reason"] == "acknowledgement_required");
  json offPad = base;
  offPad["ack"] = {{"strokes", json::array({json::array({{10, 10}, {2000, 10}})})}};
  CHECK(f.post("/api/v1/work-orders/wo-1/deliver", offPad)->status == 422);
  json wrongItems = base;
  wrongItems["ack"] = {{"strokes", strokes()}, {"addons", {"ad-404"}}};
  CHECK(f.post("/api/v1/work-orders/wo-1/deliver", wrongItems)->status == 422);
  json notStrokes = base;
  notStrokes["ack"] = {{"strokes", "a signature"}};
  CHECK(f.post("/api/v1/work-orders/wo-1/deliver", notStrokes)->status == 400);
  CHECK_FALSE(f.hub.store.shop().work_orders.at("wo-1").delivered_at);
  json signedFor = base;
  signedFor["ack"] = {{"strokes", strokes()}};
  r = f.post("/api/v1/work-orders/wo-1/deliver", signedFor);
  REQUIRE(r->status == 200);
  const WorkOrder& w = f.hub.store.shop().work_orders.at("wo-1");
  REQUIRE(w.ack);
  CHECK(w.ack->addons == std::vector<Id>{"ad-1"});
  CHECK(w.ack->hash == strokesHash(strokes().get<std::vector<Stroke>>()));
  CHECK(w.old_parts == OldParts::Scrapped);
  // the hash is inside what the advisor signed: the stored event carries it
  const StoredEvent last = f.hub.store.events(f.hub.store.lastPos() - 1, 1).at(0);
  CHECK(last.type == "deliver_work_order");
  CHECK(json::parse(last.body)["ack"]["hash"] == w.ack->hash);
}
