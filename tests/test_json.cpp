// Actions as canonical JSON: round trip, strict decoding of hostile input.
#include "tests/support.hpp"

#include <doctest/doctest.h>

using namespace bkt;

TEST_CASE("actions round-trip through canonical JSON") {
  World w;
  const Id wo = w.openWorkOrder(Category::BodyPaint, {spec("", Trade::Body, "body1")});
  std::vector<Action> all = {
      ClockOn{"te-1", "tech1", wo + "-1", "bay1", T0},
      ClockOff{"tech1", wo + "-1", StopReason::WaitingParts, T0 + 1},
      EndShift{"tech1", T0 + 2},
      w.inspection(InspectionKind::Peer, wo, wo + "-1", "foreman", false, T0 + 3),
      ProposeAddOn{"ad-1", "op-ad", wo, wo + "-1", "body1", Trade::Body, "addon.hidden_dent", 60, {"p1", "p2"}, true, false, T0},
      w.sealed(RecordConsent{"ad-1", false, ConsentChannel::Message, true, {}}, "advisor", T0),
      testDelivery(wo, "advisor", T0),
  };
  for (auto& a : all) {
    const std::string text = canonical(toJson(a));
    const Action back = actionFromJson(json::parse(text));
    CHECK(canonical(toJson(back)) == text);
    CHECK(actionType(back) == actionType(a));
  }
  CHECK(canonical(toJson(all[1])) ==
        R"({"at":1767225600001,"op":"wo-1-1","reason":"waiting_parts","tech":"tech1","type":"clock_off"})");
}

TEST_CASE("decoding refuses anything out of schema") {
  auto bad = [](const char* text) { CHECK_THROWS_AS(actionFromJson(json::parse(text)), json::exception); };
  bad(R"({"type":"launch_rockets"})");
  bad(R"({"type":"clock_off","tech":"t","op":"o","reason":"coffee","at":1})");   // unknown enum
  bad(R"({"type":"clock_off","tech":"t","op":"o","reason":"break"})");           // missing field
  bad(R"({"type":"clock_off","tech":1,"op":"o","reason":"break","at":1})");      // wrong type
  bad(R"([1,2,3])");
  bad(R"({"type":7})");
  bad(R"("clock_on")");
  CHECK_THROWS(json::parse("{\"type\":\"clock_on\""));  // truncated
}

TEST_CASE("signing digests change with any field") {
  Action a = ClockOn{"te-1", "tech1", "op", "bay1", T0};
  CHECK(signingDigest(a) == signingDigest(ClockOn{"te-1", "tech1", "op", "bay1", T0}));
  CHECK(signingDigest(a) != signingDigest(ClockOn{"te-1", "tech1", "op", "bay1", T0 + 1}));
}
