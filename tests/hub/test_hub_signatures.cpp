// Issue 11 over real HTTP: what an enrolled token can push "signed" by
// someone else. A final inspection with a correct SHA-256 but no key, or a
// real signature copied from another record, is kept as evidence and has no
// effect: the car is not released. The service manager can only void it.
// A review decision or a delivery without its person's signature likewise.
#include "tests/hub/hub_fixture.hpp"

using namespace bkt;

namespace {

json wireEvent(const Id& origin, std::int64_t seq, const Action& a, Millis at) {
  char id[33];  // unique per origin and sequence number
  std::snprintf(id, sizeof id, "019b78000000700080%02x%012llx", static_cast<unsigned>(std::hash<std::string>{}(origin) & 0xff),
                static_cast<unsigned long long>(seq));
  return {{"id", id}, {"origin", origin}, {"seq", seq}, {"wall", at}, {"hlc", at << 16}, {"body", toJson(a)}};
}

json push(httplib::Client& c, const std::string& token, const std::vector<json>& events) {
  auto r = c.Post("/api/v1/push", bearer(token), json{{"events", events}}.dump(), "application/json");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  return json::parse(r->body);
}

}  // namespace

TEST_CASE("hub: a forged or copied final, an unsigned decision or delivery: quarantined with no effect, the signed ones release the car") {
  DeskAndHub f;
  Desk& bay = f.desk;
  World w;  // builds the inspections, signed with the test shop's keys
  // wo-9 done and peer-inspected at a bay: only the final stands before delivery (R9, R10)
  REQUIRE(f.hub.server.recordAdmin(testWorkOrder("wo-9", Category::GeneralRepair, {spec("wo-9-1", Trade::Mechanical, "tech1")})));
  bay.pullAll(f.c, f.token);
  REQUIRE(bay.st.record(ClockOn{"te-9", "tech1", "wo-9-1", "bay1", T0 + 10 * MIN}, T0 + 10 * MIN));
  REQUIRE(bay.st.record(w.inspection(InspectionKind::Self, "wo-9", "wo-9-1", "tech1", true, T0 + 40 * MIN), T0 + 40 * MIN));
  REQUIRE(bay.st.record(w.inspection(InspectionKind::Peer, "wo-9", "wo-9-1", "foreman", true, T0 + 50 * MIN), T0 + 50 * MIN));
  pushEvents(f.c, f.token, bay.own());
  RunningHub& hub = f.hub;
  CHECK_FALSE(hub.store.shop().work_orders.at("wo-9").final_passed.has_value());

  // any enrolled token: a final "by" the quality inspector, without their key
  const std::string rogue = hub.enrol("kiosk-rogue");
  const RecordInspection genuine = w.inspection(InspectionKind::Final, "wo-9", std::nullopt, "qi", true, T0 + 60 * MIN);
  Action forged = RecordInspection{genuine.inspection, {}};
  std::get<RecordInspection>(forged).inspection.id = "in-forged";
  sealSignature(forged, "qi", T0 + 60 * MIN);  // the SHA-256 is right; there is no key behind it
  RecordInspection copied = genuine;            // qi's real signature, on another record
  copied.inspection.id = "in-copied";
  const json reply = push(f.c, rogue, {wireEvent("kiosk-rogue", 1, forged, T0 + 61 * MIN),
                                       wireEvent("kiosk-rogue", 2, copied, T0 + 62 * MIN)});
  CHECK(reply["applied_through"] == 2);
  REQUIRE(reply["held"].size() == 2);
  for (const json& h : reply["held"]) CHECK(h["hold"] == "quarantine");
  {
    const Shop& s = hub.store.shop();
    CHECK_FALSE(s.work_orders.at("wo-9").final_passed.has_value());  // nothing applied
    CHECK(s.inspections.count("in-forged") == 0);
    CHECK(s.inspections.count("in-copied") == 0);
    const std::vector<Refusal> blockers = deliveryBlockers(s, s.work_orders.at("wo-9"));
    CHECK(std::any_of(blockers.begin(), blockers.end(), [](const Refusal& r) { return r.reason == Reason::FinalMissing; }));
    // kept as evidence for the service manager, who can only void it (R17)
    const Id review = reply["held"][0]["review"];
    const ReviewItem& item = s.reviews.at(review);
    CHECK(item.hold == Hold::Quarantine);
    CHECK(item.for_role == Role::ServiceManager);
    CHECK(item.reason == Reason::SignatureInvalid);
    const Outcome accept = checkBeforeSigning(s, ResolveReview{review, "manager", "seen", T0 + 90 * MIN, Decision::Accept});
    REQUIRE_FALSE(accept);
    CHECK(accept.refusal->reason == Reason::CannotAccept);
  }
  // the inspector's own signature, from a bay: the final passes
  const json ok = push(f.c, f.token, {wireEvent("desk", bay.st.lastOwnSeq() + 1, genuine, T0 + 63 * MIN)});
  CHECK(ok["held"].empty());
  CHECK(hub.store.shop().work_orders.at("wo-9").final_passed.has_value());

  // a decision or a delivery "by" someone, without their signature: the
  // same (issue 11, signed decisions)
  const Id review0 = reply["held"][0]["review"], review1 = reply["held"][1]["review"];
  const json unsigned_ = push(f.c, rogue, {wireEvent("kiosk-rogue", 3, ResolveReview{review0, "manager", "seen", T0 + 64 * MIN, Decision::Void}, T0 + 64 * MIN),
                                          wireEvent("kiosk-rogue", 4, testDelivery("wo-9", "advisor", T0 + 65 * MIN), T0 + 65 * MIN)});
  REQUIRE(unsigned_["held"].size() == 2);
  for (const json& h : unsigned_["held"]) CHECK(h["hold"] == "quarantine");
  CHECK_FALSE(hub.store.shop().reviews.at(review0).resolved_by.has_value());
  CHECK_FALSE(hub.store.shop().work_orders.at("wo-9").delivered_at.has_value());
  // signed by the service manager and the advisor: the reviews close, the car goes
  std::int64_t seq = bay.st.lastOwnSeq() + 1;
  std::vector<json> decided;
  for (const Id& review : {review0, review1, Id(unsigned_["held"][0]["review"]), Id(unsigned_["held"][1]["review"])}) {
    Action v = ResolveReview{review, "manager", "review.keep_both", T0 + 70 * MIN, Decision::Void};
    signAction(v, "manager", T0 + 70 * MIN, testKey("manager"));
    decided.push_back(wireEvent("desk", ++seq, v, T0 + 70 * MIN));
  }
  Action deliver = testDelivery("wo-9", "advisor", T0 + 75 * MIN);
  signAction(deliver, "advisor", T0 + 75 * MIN, testKey("advisor"));
  decided.push_back(wireEvent("desk", ++seq, deliver, T0 + 75 * MIN));
  const json done = push(f.c, f.token, decided);
  CHECK(done["held"].empty());
  CHECK(hub.store.shop().reviews.at(review0).decision == Decision::Void);
  CHECK(hub.store.shop().work_orders.at("wo-9").delivered_at == T0 + 75 * MIN);
  CHECK(hub.store.shop().work_orders.at("wo-9").delivered_by == Id("advisor"));
  // the quarantined events are in the log whole; a replay gives the same view
  CHECK(matchesReplay(hub.store));
}

TEST_CASE("hub: scopes. A desk token pushing an inspection and a floor token on the desk API are refused (403) with nothing stored") {
  DeskAndHub f;
  World w;
  const std::int64_t before = f.hub.store.eventCount();
  const RecordInspection self = w.inspection(InspectionKind::Self, "wo-1", "wo-1-1", "tech1", true, T0 + 40 * MIN);
  auto r = f.c.Post("/api/v1/push", bearer(f.desk_token),
                    json{{"events", {wireEvent("front-desk", 1, self, T0 + 40 * MIN)}}}.dump(), "application/json");
  REQUIRE(r);
  CHECK(r->status == 403);
  CHECK(json::parse(r->body)["error"].get<std::string>().find("scope") != std::string::npos);
  for (const char* path : {"/api/v1/pull?after=0", "/api/v1/credentials"}) {
    auto g = f.c.Get(path, bearer(f.desk_token));
    REQUIRE(g);
    CHECK(g->status == 403);
  }
  // a bay's token: no work orders through the desk's API, no reading it
  r = f.c.Post("/api/v1/work-orders", bearer(f.token), json{{"wo", {{"id", "wo-x"}}}}.dump(), "application/json");
  REQUIRE(r);
  CHECK(r->status == 403);
  auto g = f.c.Get("/api/v1/floor", bearer(f.token));
  REQUIRE(g);
  CHECK(g->status == 403);
  CHECK(f.hub.store.eventCount() == before);
  CHECK(f.hub.store.lastSeqOf("front-desk") == 0);
  // the hub's log says what each client may do
  REQUIRE(f.hub.store.shop().clients.count("front-desk"));
  CHECK(f.hub.store.shop().clients.at("front-desk").scope == Scope::Desk);
  CHECK(f.hub.store.shop().clients.at("desk").scope == Scope::Floor);
  CHECK(f.desk.st.shop().clients.at("desk").scope == Scope::Floor);  // and every bay, by its pull
}

TEST_CASE("hub: scopes. A floor token enrolling a person, defining a bay or opening a work order: quarantined, no effect at the hub or any bay") {
  DeskAndHub f;
  const std::string rogue = f.hub.enrol("kiosk-rogue");
  Person boss{"boss", "老板", {Role::ServiceManager, Role::QualityInspector}, Trade::None, "999999", {}};
  const json reply = push(f.c, rogue, {wireEvent("kiosk-rogue", 1, EnrollPerson{boss}, T0 + MIN),
                                       wireEvent("kiosk-rogue", 2, DefineBay{Bay{"bay9", "假工位", Trade::Body}}, T0 + MIN),
                                       wireEvent("kiosk-rogue", 3, testWorkOrder("wo-r", Category::Maintenance,
                                                                                 {spec("wo-r-1", Trade::Mechanical, "tech1")}),
                                                 T0 + MIN)});
  CHECK(reply["applied_through"] == 3);
  REQUIRE(reply["held"].size() == 3);
  for (const json& h : reply["held"]) CHECK(h["hold"] == "quarantine");
  auto noEffect = [](const Shop& s) {
    CHECK(s.people.count("boss") == 0);
    CHECK(s.bays.count("bay9") == 0);
    CHECK(s.work_orders.count("wo-r") == 0);
    int held = 0;
    for (const auto& [id, item] : s.reviews)
      if (item.reason == Reason::OutOfScope) {
        ++held;
        CHECK(item.hold == Hold::Quarantine);
        CHECK(item.for_role == Role::ServiceManager);
      }
    CHECK(held == 3);
  };
  noEffect(f.hub.store.shop());
  // a bay learns the same from its pull: the "service manager" cannot sign in there
  f.desk.pullAll(f.c, f.token);
  noEffect(f.desk.st.shop());
  CHECK_FALSE(f.desk.st.signInBadge("999999", T0 + 2 * MIN));
  // an honest bay does not even record what is outside its scope
  const Recorded own = f.desk.st.record(EnrollPerson{boss}, T0 + 3 * MIN);
  REQUIRE_FALSE(own);
  CHECK(own.reason() == Reason::OutOfScope);
  // and a client's record is the hub's to make: pushed, it is refused as bad input
  const json forged = push(f.c, rogue, {wireEvent("kiosk-rogue", 4, EnrolClient{Client{"kiosk-rogue", Scope::Desk, "", T0}}, T0 + 4 * MIN)});
  REQUIRE(forged["refused"].size() == 1);
  CHECK(f.hub.store.shop().clients.at("kiosk-rogue").scope == Scope::Floor);
  CHECK(matchesReplay(f.hub.store));
}
