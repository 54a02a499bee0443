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

TEST_CASE("decoding refuses a number a 32-bit field would cut down, and keeps one that fits") {
  json open = toJson(testWorkOrder("wo-big", Category::Maintenance, {spec("", Trade::Mechanical, "tech1")}));
  for (const char* path : {"/wo/odometer_km", "/wo/warranty_km", "/ops/0/std_minutes"}) {
    CAPTURE(path);
    json big = open;
    big[json::json_pointer(path)] = 4'294'967'396LL;  // 2^32 + 100: would read as 100
    CHECK_THROWS_AS(actionFromJson(big), json::exception);
    big[json::json_pointer(path)] = -3'000'000'000LL;
    CHECK_THROWS_AS(actionFromJson(big), json::exception);
    big[json::json_pointer(path)] = 2'000'000;
    CHECK_NOTHROW(actionFromJson(big));
  }
  json quote = toJson(QuoteAddOn{"ad-1", 5'000'000'000LL, 60, {}});  // cents are 64-bit: taken
  CHECK_NOTHROW(actionFromJson(quote));
  quote["minutes"] = 1LL << 40;
  CHECK_THROWS_AS(actionFromJson(quote), json::exception);
}

TEST_CASE("signing digests change with any field") {
  Action a = ClockOn{"te-1", "tech1", "op", "bay1", T0};
  CHECK(signingDigest(a) == signingDigest(ClockOn{"te-1", "tech1", "op", "bay1", T0}));
  CHECK(signingDigest(a) != signingDigest(ClockOn{"te-1", "tech1", "op", "bay1", T0 + 1}));
}

TEST_CASE("issue 16: a checklist item's texts are held once and shared, read and compared as strings, and the pool is bounded") {
  const json item = {{"key", "no_leaks"}, {"verdict", "pass"}, {"value", nullptr}, {"unit", "N·m"}, {"min", nullptr},
                     {"max", nullptr}, {"zh", "无渗漏"}, {"en", "No leaks"}};
  const ChecklistItem a = item.get<ChecklistItem>(), b = item.get<ChecklistItem>();
  CHECK(a == b);
  CHECK(&a.zh.str() == &b.zh.str());  // one copy of the text
  CHECK(&a.key.str() == &b.key.str());
  const std::string& zh = a.zh;  // reads as the string
  CHECK(zh == "无渗漏");
  CHECK(a.en == std::string("No leaks"));
  CHECK("item." + a.key == "item.no_leaks");
  CHECK(json(a) == item);  // written as it was read: what was signed is unchanged
  CHECK(canonical(json(a)) == canonical(item));
  ChecklistItem c = a;
  c.en = "No leak";
  CHECK_FALSE(c == a);
  CHECK(a.en == "No leaks");
  // a long text is a copy of its own, and the pool stops growing at its bound
  const std::string longText(SharedText::kPooledLength + 1, 'x');
  const SharedText l1(longText), l2(longText);
  CHECK(l1 == l2);
  CHECK(&l1.str() != &l2.str());
  for (std::size_t i = 0; i < SharedText::kPoolMax + 10; ++i) (void)SharedText("text-" + std::to_string(i));
  CHECK(SharedText::pooled() == SharedText::kPoolMax);
  const SharedText late("a text past the bound"), late2("a text past the bound");
  CHECK(late == late2);
  CHECK(&late.str() != &late2.str());
  CHECK(SharedText().empty());
  CHECK(SharedText("") == SharedText());
}

TEST_CASE("issue 16: a signature's digest and value are held as their bytes and read as the text that came") {
  const std::string digest(64, 'a'), value = std::string(64, '0') + std::string(64, 'f');
  const HexBytes<32> d(digest);
  const HexBytes<64> v(value);
  CHECK(d.asBytes());
  CHECK(v.asBytes());
  CHECK(d.str() == digest);
  CHECK(v.str() == value);
  CHECK(d.size() == 64);
  CHECK(d == digest);
  CHECK_FALSE(d == std::string(64, 'b'));
  CHECK(d.substr(0, 6) == "aaaaaa");
  CHECK("bay-kiosk signature v1\n" + d == "bay-kiosk signature v1\n" + digest);
  CHECK(sizeof(HexBytes<32>) < sizeof(std::string) + 32);  // in place, no heap
  // any other text is kept as it came, and never equals a byte form
  for (const std::string& odd : {std::string(64, 'A'), std::string(63, 'a'), std::string("zz") + std::string(62, 'a'),
                                std::string(66, 'a'), std::string("0x12"), std::string("ab cd"), std::string("\xe9\x87\x8d")}) {
    CAPTURE(odd);
    const HexBytes<32> h(odd);
    CHECK_FALSE(h.asBytes());
    CHECK(h.str() == odd);
    CHECK(h == odd);
    CHECK(h.size() == odd.size());
    CHECK_FALSE(h == d);
    CHECK(json(h) == json(odd));
  }
  CHECK(HexBytes<32>("ABCD") != HexBytes<32>("abcd"));  // as before: texts that differ
  CHECK(HexBytes<32>().empty());
  CHECK(HexBytes<32>("") == HexBytes<32>());
  CHECK(HexBytes<32>("").asBytes());
  // a signature's JSON comes back as the same text, whatever it held
  for (const std::string& dig : {digest, std::string("NOT-HEX"), std::string(65, '1')}) {
    CAPTURE(dig);
    const json sig = {{"signer", "p-1"}, {"at", 5}, {"meaning", "inspection.final"}, {"record", "inspection/in-1"},
                      {"digest", dig}, {"key", "0c44767489c8c856"}, {"value", value}};
    const Signature s = sig.get<Signature>();
    CHECK(json(s) == sig);
    CHECK(canonical(json(s)) == canonical(sig));
    Signature copy = s;
    CHECK(copy == s);
    copy.value = std::string(128, '1');
    CHECK_FALSE(copy == s);
    copy = s;
    CHECK(copy.digest.str() == dig);
  }
  // a digest or value that is not a string is refused, as a text was
  CHECK_THROWS(json({{"signer", "p-1"}, {"at", 5}, {"meaning", "m"}, {"record", "r"}, {"digest", 7}}).get<Signature>());
  CHECK_THROWS(json({{"signer", "p-1"}, {"at", 5}, {"meaning", "m"}, {"record", "r"}, {"digest", ""}, {"value", json::array()}})
                   .get<Signature>());
}
