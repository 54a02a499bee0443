// UUIDv7-style event ids and the hybrid logical clock.
#include "domain/ids.hpp"

#include <doctest/doctest.h>

using namespace bk;

TEST_CASE("UUIDv7: time-ordered, versioned, unique within a millisecond") {
  UuidV7 gen;
  std::array<std::uint8_t, 8> r{1, 2, 3, 4, 5, 6, 7, 8};
  const Millis t = 1'767'225'600'000;
  Uuid prev = gen.next(t, r);
  CHECK(uuidTime(prev) == t);
  CHECK((prev[6] >> 4) == 7);        // version 7
  CHECK((prev[8] & 0xC0) == 0x80);   // RFC 4122 variant
  for (int i = 0; i < 5000; ++i) {
    Uuid u = gen.next(t + i / 1000, r);  // 1000 in the same millisecond
    CHECK(toHex(prev) < toHex(u));
    prev = u;
  }
  SUBCASE("the clock going backwards does not break the order") {
    Uuid u = gen.next(t - 60'000, r);
    CHECK(toHex(prev) < toHex(u));
  }
  SUBCASE("hex round trip and refusal of junk") {
    Uuid back{};
    CHECK(fromHex(toHex(prev), back));
    CHECK(back == prev);
    CHECK_FALSE(fromHex("xyz", back));
    CHECK_FALSE(fromHex(std::string(32, 'G'), back));
    CHECK(toText(prev).size() == 36);
  }
}

TEST_CASE("HLC: monotonic, survives a wall clock minutes off, orders causally") {
  Hlc a, b;
  const Millis t = 1'767'225'600'000;
  auto x1 = a.tick(t);
  auto x2 = a.tick(t);
  CHECK(x2 > x1);
  auto x3 = a.tick(t - 5 * 60'000);  // wall clock jumped back five minutes
  CHECK(x3 > x2);
  CHECK(Hlc::wall(x3) == t);
  // b's clock is ten minutes behind; after hearing from a, its stamps are later
  auto y = b.merge(x3, t - 10 * 60'000);
  CHECK(y > x3);
  CHECK(b.tick(t - 10 * 60'000) > y);
  // a fresh wall millisecond resets the counter
  CHECK(Hlc::logical(a.tick(t + 1000)) == 0);
}
