// Hostile input, below the HTTP layer: the limits every reader of the wire
// applies (depth before parsing, sizes, strings, strict integers), the
// decoders of a push and of every hub reply, and HLC arithmetic at the top.
#include "sync/wire.hpp"
#include "tests/support.hpp"

#include <doctest/doctest.h>

#include <limits>

using namespace bkt;

namespace {
std::string nested(int depth, const std::string& inner = "1") {
  return std::string(static_cast<std::size_t>(depth), '[') + inner + std::string(static_cast<std::size_t>(depth), ']');
}
json wireEvent(const Id& origin, std::int64_t seq, const json& body) {
  return {{"id", "019b7700000070008000" + std::string(10 - std::to_string(seq).size(), '0') + std::to_string(seq) + "00"},
          {"origin", origin}, {"seq", seq}, {"wall", T0}, {"hlc", T0 << 16}, {"body", body}};
}
json endShift(const std::string& tech = "tech1") { return {{"type", "end_shift"}, {"tech", tech}, {"at", T0}}; }
}  // namespace

TEST_CASE("depth is measured without parsing: strings and escapes do not count") {
  CHECK(limits::jsonDepth("{}") == 1);
  CHECK(limits::jsonDepth(R"({"a":[1,{"b":[]}]})") == 4);
  CHECK(limits::jsonDepth(R"({"a":"[[[[[[\"[[[["})") == 1);
  CHECK(limits::jsonDepth(nested(50'000)) > limits::kMaxDepth);  // stops counting early
  CHECK(limits::jsonDepth(nested(32)) == 32);
}

TEST_CASE("untrusted JSON: too large, too deep, malformed, invalid UTF-8 are refused with a reason") {
  CHECK(limits::parseUntrusted(nested(32), 1 << 20));
  const auto deep = limits::parseUntrusted(nested(50'000), 1 << 20);  // 100 KB: used to overflow the stack
  CHECK_FALSE(deep);
  CHECK(deep.error.find("nested") != std::string::npos);
  CHECK_FALSE(limits::parseUntrusted(std::string(2000, ' ') + "{}", 1000));
  CHECK_FALSE(limits::parseUntrusted(R"({"a":)", 1000));
  CHECK_FALSE(limits::parseUntrusted("{\"a\":\"\xff\xfe\"}", 1000));
  CHECK_FALSE(limits::parseUntrusted("{\"a\":\"\xc3\"}", 1000));  // truncated sequence
  CHECK(limits::parseUntrusted("{\"a\":\"王建国\"}", 1000));
}

TEST_CASE("strings: a NUL, a control character or an oversized text anywhere is found") {
  CHECK_FALSE(limits::checkStrings(json{{"name", "王建国"}, {"note", "line\nnext\ttab"}}));
  CHECK(limits::checkStrings(json{{"id", std::string("wo\0-1", 5)}}));
  CHECK(limits::checkStrings(json{{"a", json::array({json{{"b", "\x1b[2J"}}})}}));
  CHECK(limits::checkStrings(json{{std::string(5000, 'k'), 1}}));
  CHECK(limits::checkStrings(json{{"customer", std::string(7u << 20, 'x')}}));
}

TEST_CASE("query integers are strict") {
  CHECK(limits::strictInt("0") == 0);
  CHECK(limits::strictInt("9223372036854775807") == std::numeric_limits<std::int64_t>::max());
  for (const char* bad : {"", "1e3", "5x", "-1", "+1", " 1", "0x10", "9223372036854775808", "1.0"}) {
    CAPTURE(bad);
    CHECK_FALSE(limits::strictInt(bad));
  }
}

TEST_CASE("a push: a huge field or a NUL refuses that event (a tombstone in its place), a deep request or a bad envelope refuses the batch") {
  const auto ok = sync::decodePush(json{{"events", {wireEvent("kiosk-a", 1, endShift())}}}.dump(), "kiosk-a");
  CHECK(ok.status == 200);
  CHECK_FALSE(ok.events.at(0).tombstone());
  auto decoded = [](const json& body) { return sync::decodePush(body.dump(), "kiosk-a"); };
  // a bad body: the event is refused, its place in the kiosk's sequence kept
  // (DECISIONS.md), and the batch around it goes on
  auto tombstoned = [&](const json& body, const char* says) {
    CAPTURE(says);
    const auto d = decoded(json{{"events", {wireEvent("kiosk-a", 1, endShift()), wireEvent("kiosk-a", 2, body),
                                             wireEvent("kiosk-a", 3, endShift())}}});
    REQUIRE(d.status == 200);
    REQUIRE(d.events.size() == 3);
    CHECK_FALSE(d.events[0].tombstone());
    CHECK_FALSE(d.events[2].tombstone());
    const StoredEvent& t = d.events[1];
    CHECK(t.tombstone());
    CHECK(t.origin_seq == 2);
    CHECK(t.decoded == nullptr);
    CHECK(refusedDetail(t).find(says) != std::string::npos);
    CHECK(refusedDetail(t).size() < 400);  // what was wrong, never the bad input itself
    CHECK(t.body.size() < 500);
  };
  tombstoned(endShift(std::string(7u << 20, 'x')), "long");
  tombstoned(endShift(std::string("te\0ch1", 6)), "control");
  json wo = json::parse(R"({"type":"update_work_order","wo":"wo-1","by":"advisor","promised_at":null,
                           "road_test_required":false,"customer":"x","bay":"bay1"})");
  wo["customer"] = std::string(5000, 'x');
  tombstoned(wo, "long");
  tombstoned(json{{"type", "launch_rockets"}}, "event body");
  tombstoned(json::array({1, 2}), "not an object");
  // a tombstone sent by a kiosk is no tombstone: its own words are not kept
  {
    json forged = wireEvent("kiosk-a", 2, endShift());
    forged.erase("body");
    forged["refused"] = "the hub said so";
    const auto d = decoded(json{{"events", {forged}}});
    REQUIRE(d.status == 200);
    CHECK(d.events.at(0).tombstone());
    CHECK(refusedDetail(d.events[0]).find("body missing") != std::string::npos);
  }
  // deep nesting anywhere: in the body, in a field, around the batch
  const std::string deepBody = R"({"events":[{"id":"019b7700000070008000000000000100","origin":"kiosk-a","seq":1,"wall":1,"hlc":1,"body":{"type":"end_shift","tech":)" +
                               nested(50'000, "\"x\"") + R"(,"at":1}}]})";
  const auto d = sync::decodePush(deepBody, "kiosk-a");
  CHECK(d.status == 400);
  CHECK(d.error.find("nested") != std::string::npos);
  CHECK(sync::decodePush(nested(50'000), "kiosk-a").status == 400);
  // an envelope out of range: no place for a tombstone, the batch is refused
  for (const char* key : {"hlc", "wall", "origin", "seq", "id"}) {
    CAPTURE(key);
    json e = wireEvent("kiosk-a", 1, endShift());
    if (std::string(key) == "hlc") e["hlc"] = std::numeric_limits<std::int64_t>::max();
    if (std::string(key) == "wall") e["wall"] = -5;
    if (std::string(key) == "origin") e["origin"] = "kiosk a";
    if (std::string(key) == "seq") e["seq"] = 0;
    if (std::string(key) == "id") e["id"] = "019b77";
    const auto r = decoded(json{{"events", {wireEvent("kiosk-a", 1, endShift()), e}}});
    CHECK(r.status == 400);
    CHECK(r.events.empty());
  }
}

TEST_CASE("HLC arithmetic does not overflow") {
  Hlc h;
  h.value = std::numeric_limits<std::int64_t>::max() - 1;
  CHECK(h.tick(T0) == std::numeric_limits<std::int64_t>::max());
  CHECK(h.tick(T0) == std::numeric_limits<std::int64_t>::max());
  Hlc g;
  CHECK(g.merge(std::numeric_limits<std::int64_t>::max(), T0) == std::numeric_limits<std::int64_t>::max());
  Hlc f;
  CHECK(f.tick(std::numeric_limits<std::int64_t>::max()) > 0);  // a wild clock is clamped, not shifted into the sign
  CHECK(f.tick(-1) > 0);
}

TEST_CASE("a push reply names the events refused as bad input, strictly") {
  const auto r = sync::decodePushReply(R"({"applied_through":3,"gap":false,"hub":"hub-1","refused":[{"seq":2,"error":"event body: x"}]})");
  REQUIRE(r.error.empty());
  REQUIRE(r.refused.size() == 1);
  CHECK(r.refused[0] == std::pair<std::int64_t, std::string>{2, "event body: x"});
  CHECK(sync::decodePushReply(R"({"applied_through":3,"gap":false,"hub":"hub-1"})").refused.empty());
  for (const char* bad : {R"("2")", R"([2])", R"([{"seq":0,"error":"x"}])", R"([{"seq":2}])", R"([{"seq":2,"error":7}])"}) {
    CAPTURE(bad);
    CHECK_FALSE(sync::decodePushReply(std::string(R"({"applied_through":3,"gap":false,"hub":"hub-1","refused":)") + bad + "}").error.empty());
  }
}

TEST_CASE("hub replies: every field of the type the protocol gives it, or nothing is used") {
  // the kiosk-killers of issue 10
  CHECK_FALSE(sync::decodePushReply(R"({"applied_through":3,"gap":false,"hub":7})").error.empty());
  CHECK_FALSE(sync::decodePullReply(R"({"events":[],"last_pos":[[1]],"hub":"hub-1"})").error.empty());
  CHECK_FALSE(sync::decodePullReply(nested(50'000)).error.empty());
  CHECK_FALSE(sync::decodePullReply(R"({"events":{},"last_pos":1,"hub":"hub-1"})").error.empty());
  CHECK_FALSE(sync::decodePullReply(R"({"events":[],"last_pos":-1,"hub":"hub-1"})").error.empty());
  CHECK_FALSE(sync::decodePullReply(R"({"events":[],"last_pos":1,"hub":"hub 1; rm"})").error.empty());
  CHECK_FALSE(sync::decodePullReply(R"({"events":[{"id":1}],"last_pos":1,"hub":"hub-1"})").error.empty());
  CHECK_FALSE(sync::decodeEnrolReply(R"({"token":12,"hub":"hub-1"})").error.empty());
  CHECK_FALSE(sync::decodeEnrolReply(R"({"token":"short","hub":"hub-1"})").error.empty());
  CHECK_FALSE(sync::decodeCredentialsReply(R"({"credentials":[{"person":"p","pin_hash":5}]})").error.empty());
  CHECK_FALSE(sync::decodePushReply("").error.empty());
  CHECK_FALSE(sync::decodePushReply("[]").error.empty());
  // and the real thing
  const auto push = sync::decodePushReply(R"({"applied_through":3,"gap":false,"reviews":0,"hub":"hub-1"})");
  CHECK(push.error.empty());
  CHECK(push.applied_through == 3);
  json ev = wireEvent("kiosk-b", 1, endShift());
  ev["pos"] = 5;
  const auto pull = sync::decodePullReply(json{{"events", {ev}}, {"last_pos", 5}, {"hub", "hub-1"}}.dump());
  REQUIRE(pull.error.empty());
  CHECK(pull.events.size() == 1);
  CHECK(pull.events[0].pos == 5);
  CHECK_FALSE(pull.verdicts);  // (a hub that does not say what it held)
  // issue 16: what the hub held, said of each event: a digest, nothing else
  const std::string digest(64, 'a');
  ev["held"] = digest;
  const auto held = sync::decodePullReply(json{{"events", {ev}}, {"last_pos", 5}, {"hub", "hub-1"}, {"verdicts", true}}.dump());
  REQUIRE(held.error.empty());
  CHECK(held.verdicts);
  CHECK(held.events[0].hub_held == digest);
  for (json bad : {json(digest.substr(1)), json(std::string(64, 'A')), json(std::string(64, 'g')), json(7), json(nullptr), json::array({digest})}) {
    CAPTURE(bad.dump());
    ev["held"] = bad;
    CHECK_FALSE(sync::decodePullReply(json{{"events", {ev}}, {"last_pos", 5}, {"hub", "hub-1"}, {"verdicts", true}}.dump()).error.empty());
  }
  ev.erase("held");
  for (json bad : {json(1), json("true"), json(nullptr)})
    CHECK_FALSE(sync::decodePullReply(json{{"events", {ev}}, {"last_pos", 5}, {"hub", "hub-1"}, {"verdicts", bad}}.dump()).error.empty());
  ev.erase("pos");  // a pulled event without its place in the hub's log
  CHECK_FALSE(sync::decodePullReply(json{{"events", {ev}}, {"last_pos", 5}, {"hub", "hub-1"}}.dump()).error.empty());
}

TEST_CASE("a PIN hash with other Argon2 parameters than the product's is never verified or stored") {
  PinHasher h(testPepper(), fastAuth());
  const std::string own = h.hash("123456");
  CHECK(h.ownParameters(own));
  CHECK(h.verify(own, "123456"));
  std::string absurd = own;
  const auto t = absurd.find("t=1");
  REQUIRE(t != std::string::npos);
  absurd.replace(t, 3, "t=4294967295");
  CHECK_FALSE(h.ownParameters(absurd));
  CHECK_FALSE(h.verify(absurd, "123456"));  // returns at once: would hash for hours
  StaffedStore s;
  s.st.putPinHash("tech1", absurd);
  CHECK(s.st.pinHashes().end() ==
        std::find_if(s.st.pinHashes().begin(), s.st.pinHashes().end(), [&](auto& p) { return p.second == absurd; }));
}

TEST_CASE("the store refuses to record what the hub would refuse") {
  StaffedStore s;
  const auto r = s.st.record(EndShift{std::string("tech\0" "1", 6), T0}, T0);
  CHECK_FALSE(r);
  CHECK(r.reason() == Reason::BadInput);
  CHECK(s.st.lastOwnSeq() == static_cast<std::int64_t>(staffAndBays().size()));
}

TEST_CASE("an event at a sequence number already used, with another id, is refused, not dropped") {
  StaffedStore hub;
  StoredEvent e = sync::fromWire(wireEvent("kiosk-x", 1, endShift()));
  auto first = hub.st.ingestBatch({e}, T0);
  REQUIRE(first.size() == 1);
  CHECK(first[0].status == Remote::Status::Applied);
  CHECK(hub.st.ingestBatch({e}, T0)[0].status == Remote::Status::Duplicate);  // the same event again: fine
  StoredEvent other = sync::fromWire(wireEvent("kiosk-x", 2, endShift("tech2")));
  other.origin_seq = 1;  // another event at seq 1
  CHECK_THROWS_AS(hub.st.ingestBatch({other}, T0), std::invalid_argument);
  CHECK(hub.st.lastSeqOf("kiosk-x") == 1);
}

// Issue 16: a month's report a bay asks of the hub: its own form exactly,
// every figure from 0 up, the range asked for, or nothing of it is used.
TEST_CASE("a month's report from the hub: the report's form exactly, figures in range, the range asked, or refused") {
  MonthlyReport r;
  r.from = T0;
  r.to = T0 + 30 * 86'400'000LL;
  r.rework_by_trade[Trade::Mechanical] = {3, 2.5};
  r.rework_by_technician["tech1"] = {2, 1.5};
  r.rework_by_defect["漏油"] = {1, 0.5};
  r.first_pass[InspectionKind::Final] = {10, 9};
  r.incidents_by_trade[Trade::Body] = 4;
  r.addons_raised = 5;
  r.efficiency["tech1"] = {8, 7.5, 1.5, 0, 0.25};
  r.ghost_entries.push_back({"e1", "tech1", T0 + 1000, T0 + 90'000'000});
  r.comebacks.delivered = 40;
  r.comebacks.counted = 2;
  r.comebacks.by_cause[ComebackCause::Workmanship] = 1;
  r.comebacks.by_trade[Trade::Mechanical] = {40, 2};
  r.comebacks.provisional_until = r.to + 86'400'000;
  r.rework_hours = 2.5;
  r.rework_cents = 12'345;
  const json good = sync::reportToWire(r, true, "hub-1");
  const auto ok = sync::decodeReportReply(good.dump(), r.from, r.to);
  REQUIRE(ok.error.empty());
  CHECK(ok.report == r);
  CHECK(ok.provisional);
  CHECK(ok.hub == "hub-1");
  // another range than asked
  CHECK_FALSE(sync::decodeReportReply(good.dump(), r.from, r.to + 1).error.empty());
  CHECK_FALSE(sync::decodeReportReply(good.dump(), r.from - 1, r.to).error.empty());
  // each change below is refused, with a reason, and nothing of the report kept
  auto refused = [&](std::function<void(json&)> change) {
    json j = good;
    change(j);
    const auto d = sync::decodeReportReply(j.dump(), r.from, r.to);
    MESSAGE(d.error);
    return !d.error.empty() && d.report == MonthlyReport{};
  };
  CHECK(refused([](json& j) { j["report"]["extra"] = 1; }));                      // a field it does not have
  CHECK(refused([](json& j) { j["report"].erase("efficiency"); }));                // one missing
  CHECK(refused([](json& j) { j["report"]["addons"][0] = -1; }));                  // a count below 0
  CHECK(refused([](json& j) { j["report"]["hours"][0] = -0.5; }));                 // hours below 0
  CHECK(refused([](json& j) { j["report"]["addons"][0] = 1LL << 40; }));           // past an int: not the same number
  CHECK(refused([](json& j) { j["report"]["addons"][0] = "5"; }));                 // a string for a number
  CHECK(refused([](json& j) { j["report"]["rework_by_trade"][0][0] = "spaceship"; }));  // no such trade
  CHECK(refused([](json& j) { j["report"]["rework_by_technician"]["te\x01" "ch"] = {{"count", 1}, {"hours", 1.0}}; }));  // a control character
  CHECK(refused([](json& j) { j["report"]["rework_by_defect"][std::string(5000, 'x')] = {{"count", 1}, {"hours", 1.0}}; }));
  CHECK(refused([](json& j) { j["report"] = json::array(); }));
  CHECK(refused([](json& j) { j.erase("report"); }));
  CHECK(refused([](json& j) { j["revision"] = kReportRevision + 1; }));            // reckoned otherwise: update
  CHECK(refused([](json& j) { j["hub"] = "hub 1; rm"; }));
  CHECK(refused([](json& j) { j["provisional"] = 1; }));
  const auto inf = sync::decodeReportReply(R"({"hub":"hub-1","revision":1,"provisional":false,"report":{"hours":[1e400,0,0]}})", r.from, r.to);
  CHECK_FALSE(inf.error.empty());
  CHECK_FALSE(sync::decodeReportReply(nested(50'000), r.from, r.to).error.empty());
  CHECK_FALSE(sync::decodeReportReply("", r.from, r.to).error.empty());
}

// Issue 16: a car's visits a bay asks of the hub: each a visit's own form
// exactly, all of the car asked for, each work order once, or refused.
TEST_CASE("a car's visits from the hub: each visit's form exactly, the car asked, each work order once, or refused") {
  const std::string vin = "LVGBE40K8GG123456";
  Visit v;
  v.wo.id = "wo-1";
  v.wo.number = "RO-1";
  v.wo.vehicle = {"粤B·12345", vin, "丰田凯美瑞"};
  v.wo.opened_at = T0;
  v.wo.delivered_at = T0 + 86'400'000;
  v.ops.push_back(Operation{"wo-1-1", "wo-1", 1, Trade::Mechanical, "换机油", 30});
  v.comebacks = {"wo-2"};
  Visit older = v;
  older.wo.id = "wo-0";
  older.wo.opened_at = T0 - 86'400'000;
  older.wo.vehicle.vin = "lvgbe40k8gg123456";  // (letters in either case: the same car)
  older.comebacks.clear();
  const json good = sync::historyToWire({v, older}, vin, "hub-1");
  const auto ok = sync::decodeHistoryReply(good.dump(), vin);
  REQUIRE(ok.error.empty());
  CHECK(ok.visits == std::vector<Visit>{v, older});
  CHECK(ok.hub == "hub-1");
  CHECK(sync::decodeHistoryReply(good.dump(), "lvgbe40k8gg123456").error.empty());
  CHECK_FALSE(sync::decodeHistoryReply(good.dump(), "LVGBE40K8GG000000").error.empty());  // another car asked
  auto refused = [&](std::function<void(json&)> change) {
    json j = good;
    change(j);
    const auto d = sync::decodeHistoryReply(j.dump(), vin);
    MESSAGE(d.error);
    return !d.error.empty() && d.visits.empty();
  };
  CHECK(refused([](json& j) { j["visits"][1]["wo"]["vehicle"]["vin"] = "LVGBE40K8GG000000"; }));  // a visit of another car
  CHECK(refused([](json& j) { j["visits"][1]["wo"]["id"] = "wo-1"; }));                          // a work order twice
  CHECK(refused([](json& j) { j["visits"][0]["extra"] = 1; }));
  CHECK(refused([](json& j) { j["visits"][0].erase("declined"); }));
  CHECK(refused([](json& j) { j["visits"][0]["ops"][0]["trade"] = "spaceship"; }));
  CHECK(refused([](json& j) { j["visits"][0]["wo"]["number"] = 7; }));
  CHECK(refused([](json& j) { j["visits"][0]["wo"]["customer"] = std::string("a\0b", 3); }));
  CHECK(refused([](json& j) { j["visits"] = json::object(); }));
  CHECK(refused([](json& j) { j["vin"] = 5; }));
  CHECK(refused([&](json& j) { j["visits"] = json::array(); for (std::size_t i = 0; i <= sync::kMaxVisits; ++i) j["visits"].push_back(json::object()); }));
  CHECK_FALSE(sync::decodeHistoryReply(nested(50'000), vin).error.empty());
}
