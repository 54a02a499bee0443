// A record's id kept inline (domain/id.hpp): it must read, order, hash and
// round-trip exactly as the text it holds, inline or on the heap.
#include "domain/types.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <unordered_set>
#include <vector>

using namespace bk;

namespace {
std::string randomText(std::mt19937_64& rng) {
  // lengths around the inline limit, and letters that make long shared prefixes
  static constexpr std::size_t kLengths[] = {0, 1, 3, 15, 16, 34, 35, 38, 39, 40, 41, 64, 300};
  std::string s(kLengths[rng() % std::size(kLengths)], 'a');
  for (char& c : s) c = "ab-0f"[rng() % 5];
  if (rng() % 4 == 0 && !s.empty()) s[rng() % s.size()] = static_cast<char>(0xC3);  // a byte above 0x7F sorts last
  return s;
}
}  // namespace

TEST_CASE("an id reads as the text it holds, inline to 39 characters and on the heap past them") {
  for (std::size_t n : {0u, 1u, 35u, 38u, 39u, 40u, 4096u}) {
    const std::string text(n, 'x');
    const Id id(text);
    CHECK(id.size() == n);
    CHECK(id.view() == text);
    CHECK(std::string(id.c_str()) == text);  // NUL-terminated in either form
    CHECK(id.c_str()[n] == '\0');
    CHECK(id.str() == text);
    CHECK(id.empty() == (n == 0));
  }
  CHECK(sizeof(Id) == 40);
  CHECK(Id().empty());
  CHECK(Id("wo-01a0ef763a9070948c2c31a898eb8c43").size() == 35);
}

TEST_CASE("copying, moving and assigning an id keep its text across both forms") {
  const std::string shortText = "te-1", longText(200, 'q'), full(39, 'z');
  Id a(shortText), b(longText), c(full);
  Id a2 = a, b2 = b, c2 = c;
  CHECK(a2 == a);
  CHECK(b2 == b);
  CHECK(c2 == c);
  b2 = a;  // heap to inline
  CHECK(b2 == shortText);
  a2 = b;  // inline to heap
  CHECK(a2 == longText);
  a2 = std::string(100, 'r');  // heap to a shorter heap text
  CHECK(a2 == std::string(100, 'r'));
  a2 = std::string(300, 's');  // heap to a longer heap text
  CHECK(a2 == std::string(300, 's'));
  a2 = a2.view().substr(10);  // from its own characters
  CHECK(a2 == std::string(290, 's'));
  Id moved = std::move(b);
  CHECK(moved == longText);
  CHECK(b.empty());  // NOLINT: a moved-from id is empty, not dangling
  b = std::move(moved);
  CHECK(b == longText);
  Id& self = b;
  b = self;
  CHECK(b == longText);
  c.clear();
  CHECK(c.empty());
  CHECK(c == Id());
}

TEST_CASE("ids order, compare and hash as their text does, on random ids of every length") {
  std::mt19937_64 rng(20261206);
  std::vector<std::string> texts;
  for (int i = 0; i < 2000; ++i) texts.push_back(randomText(rng));
  std::vector<Id> ids(texts.begin(), texts.end());
  for (int k = 0; k < 20000; ++k) {
    const std::size_t i = rng() % texts.size(), j = rng() % texts.size();
    CHECK((ids[i] <=> ids[j]) == (texts[i] <=> texts[j]));
    CHECK((ids[i] == ids[j]) == (texts[i] == texts[j]));
    CHECK((ids[i] == texts[j]) == (texts[i] == texts[j]));
    CHECK((texts[i] < ids[j]) == (texts[i] < texts[j]));
    CHECK((ids[i] < std::string_view(texts[j])) == (texts[i] < texts[j]));
  }
  const std::string withNul("ab\0", 3), withNulAfter("ab\0c", 4);  // (never an id from outside: the order holds anyway)
  CHECK((Id("ab") <=> Id(withNul)) == std::strong_ordering::less);
  CHECK((Id(withNul) <=> Id(withNulAfter)) == std::strong_ordering::less);
  CHECK(Id(withNul) != Id("ab"));
  std::map<Id, int> byId;
  std::map<std::string, int> byText;
  for (std::size_t i = 0; i < texts.size(); ++i) byId[ids[i]] = byText[texts[i]] = static_cast<int>(i);
  REQUIRE(byId.size() == byText.size());
  CHECK(std::equal(byId.begin(), byId.end(), byText.begin(), [](auto& x, auto& y) { return x.first == y.first && x.second == y.second; }));
  std::unordered_set<Id> hashed(ids.begin(), ids.end());
  CHECK(hashed.size() == byText.size());
  for (const Id& id : ids) CHECK(std::hash<Id>{}(id) == std::hash<std::string_view>{}(id.view()));
}

TEST_CASE("an id is JSON text: written as a string, read back the same, anything else refused") {
  const Id shortId = "p-7", longId = std::string(50, 'L');
  const json j{{"a", shortId}, {"b", longId}};
  CHECK(j.dump() == R"({"a":"p-7","b":")" + std::string(50, 'L') + "\"}");
  CHECK(j.at("a").get<Id>() == shortId);
  CHECK(j.at("b").get<Id>() == longId);
  CHECK_THROWS_AS(json(7).get<Id>(), json::type_error);
  CHECK_THROWS_AS(json(nullptr).get<Id>(), json::type_error);
  CHECK_THROWS_AS(json::array().get<Id>(), json::type_error);
  std::ostringstream o;
  o << Id("bay-3") << '|' << longId;
  CHECK(o.str() == "bay-3|" + std::string(50, 'L'));
  CHECK("rv-" + Id("x") + "-" + std::string("y") == "rv-x-y");
}
