// Assets: checklists, defects, labour operations, phrases and translations.
#include "tests/support.hpp"

#include <doctest/doctest.h>

#include <fstream>

using namespace bkt;

namespace {
json readJson(const std::string& rel) {
  std::ifstream in(std::string(BK_ASSETS_DIR) + "/" + rel);
  REQUIRE(in);
  return json::parse(in);
}
}  // namespace

TEST_CASE("checklists exist for every inspection kind and carry tolerances") {
  const Catalog& c = catalog();
  for (auto& [kind, n] : kInspectionKindNames) CHECK_FALSE(c.checklist(kind, Trade::Mechanical).empty());
  auto self = c.checklist(InspectionKind::Self, Trade::Mechanical);
  auto torque = std::find_if(self.begin(), self.end(), [](auto& t) { return t.key == "wheel_torque"; });
  REQUIRE(torque != self.end());
  CHECK(torque->measured());
  CHECK(*torque->min < *torque->max);
  // the general items come first, then the trade's
  CHECK(self.front().key == "works");
  auto blank = c.blankItems(InspectionKind::Self, Trade::Paint);
  CHECK(blank.size() == c.checklist(InspectionKind::Self, Trade::Paint).size());
}

TEST_CASE("defect lists by trade from the manual, in both languages") {
  const Catalog& c = catalog();
  auto paint = c.defects(Trade::Paint);
  CHECK(std::any_of(paint.begin(), paint.end(), [](auto& d) { return d.zh == "桔皮"; }));
  CHECK(std::any_of(paint.begin(), paint.end(), [](auto& d) { return d.trade == Trade::None; }));
  for (auto& d : c.allDefects()) {
    CHECK_FALSE(d.zh.empty());
    CHECK_FALSE(d.en.empty());
  }
  CHECK(c.text("paint.orange_peel", "en") == "Orange peel");
  CHECK(c.text("mech.brake_pads", "zh") == "更换刹车片");
  CHECK(c.text("free text", "zh") == "free text");
}

TEST_CASE("an item key means one thing wherever it is used") {
  std::ifstream in(std::string(BK_ASSETS_DIR) + "/catalog/checklists.json");
  const json lists = json::parse(in);
  std::map<std::string, std::string> seen;
  for (auto& [kind, byTrade] : lists.items()) {
    if (kind.starts_with("_")) continue;
    for (auto& [trade, items] : byTrade.items())
      for (auto& it : items) {
        auto [pos, fresh] = seen.emplace(it["key"].get<std::string>(), it["en"].get<std::string>());
        CHECK_MESSAGE(pos->second == it["en"].get<std::string>(), "key ", pos->first, " has two meanings");
      }
  }
}

TEST_CASE("a broken catalog is a clear error") {
  json lists = {{"self", {{"any", {{{"key", "x"}, {"zh", "x"}, {"en", "x"}, {"unit", "mm"}, {"min", 5}, {"max", 1}}}}}}};
  json empty = json::object();
  json ops = {{"operations", json::array()}};
  CHECK_THROWS_WITH_AS(Catalog::parse(lists, empty, ops, empty), doctest::Contains("min > max"), std::runtime_error);
  json badKind = {{"selfie", json::object()}};
  CHECK_THROWS_AS(Catalog::parse(badKind, empty, ops, empty), std::runtime_error);
}

TEST_CASE("every refusal reason and enum value has Chinese and English text") {
  const json zh = readJson("i18n/zh.json"), en = readJson("i18n/en.json");
  auto has = [&](const std::string& key) {
    INFO(key);
    CHECK((zh.contains(key) && !zh[key].get<std::string>().empty()));
    CHECK((en.contains(key) && !en[key].get<std::string>().empty()));
  };
  for (auto& [r, n] : kReasonNames) has("reason." + std::string(n));
  for (auto& [r, n] : kRoleNames) has("role." + std::string(n));
  for (auto& [r, n] : kTradeNames) has("trade." + std::string(n));
  for (auto& [r, n] : kCategoryNames) has("category." + std::string(n));
  for (auto& [r, n] : kStopReasonNames) has("stop." + std::string(n));
  for (auto& [r, n] : kInspectionKindNames) has("inspection." + std::string(n));
  for (auto& [r, n] : kVerdictNames) has("verdict." + std::string(n));
  for (auto& [r, n] : kPhaseNames) has("phase." + std::string(n));
  for (auto& [r, n] : kConsentChannelNames) has("channel." + std::string(n));
  for (WarrantyStatus w : {WarrantyStatus::Unknown, WarrantyStatus::Within, WarrantyStatus::ExpiredByDate,
                            WarrantyStatus::ExpiredByDistance})
    has("warranty_status." + std::string(name(w)));
  // and the two files hold the same keys
  for (auto& [k, v] : zh.items()) CHECK_MESSAGE(en.contains(k), k);
  for (auto& [k, v] : en.items()) CHECK_MESSAGE(zh.contains(k), k);
}
