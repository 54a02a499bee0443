#pragma once
// JSON helpers shared by every domain type: std::optional support (nlohmann
// 3.11.2 has none) and strict enum <-> string tables (unknown strings are an
// error, never silently the first value: the hub decodes untrusted input).
#include <nlohmann/json.hpp>

#include <array>
#include <fstream>
#include <stdexcept>
#include <optional>
#include <string_view>
#include <utility>

namespace nlohmann {
template <typename T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& v) {
    if (v) j = *v; else j = nullptr;
  }
  static void from_json(const json& j, std::optional<T>& v) {
    if (j.is_null()) v.reset(); else v = j.get<T>();
  }
};
}  // namespace nlohmann

namespace bk {

using json = nlohmann::json;

// Canonical JSON: keys sorted (nlohmann's object is a std::map), no spaces,
// UTF-8 kept as is. Used for event bodies and for what a signature hashes.
inline std::string canonical(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::strict); }

// Reads a JSON file; std::runtime_error names the file and what is wrong.
inline json readJsonFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

template <typename E, std::size_t N>
using EnumTable = std::array<std::pair<E, std::string_view>, N>;

// True when every entry has a name and the values are 0..N-1 in order, so a
// table that forgot an enumerator fails to compile.
template <typename E, std::size_t N>
constexpr bool enumTableComplete(const EnumTable<E, N>& t) {
  for (std::size_t i = 0; i < N; ++i)
    if (t[i].second.empty() || static_cast<std::size_t>(t[i].first) != i) return false;
  return true;
}

template <typename E, std::size_t N>
constexpr std::string_view enumName(const EnumTable<E, N>& t, E v) {
  for (auto& [e, s] : t) if (e == v) return s;
  return "?";
}

template <typename E, std::size_t N>
bool enumParse(const EnumTable<E, N>& t, std::string_view s, E& out) {
  for (auto& [e, n] : t) if (n == s) { out = e; return true; }
  return false;
}

}  // namespace bk

// Declares name(E) / parse and strict to_json/from_json for an enum whose
// table is `inline constexpr EnumTable<E,N> kE##Names`.
#define BK_ENUM_JSON(E)                                                          \
  static_assert(::bk::enumTableComplete(k##E##Names), "enum table of " #E " is incomplete"); \
  inline std::string_view name(E v) { return ::bk::enumName(k##E##Names, v); }   \
  inline bool parse(std::string_view s, E& out) { return ::bk::enumParse(k##E##Names, s, out); } \
  inline void to_json(::bk::json& j, E v) { j = std::string(name(v)); }         \
  inline void from_json(const ::bk::json& j, E& v) {                             \
    if (!j.is_string() || !parse(j.get_ref<const std::string&>(), v))            \
      throw ::bk::json::other_error::create(599, "unknown " #E ": " + j.dump(), &j); \
  }

// Strict to_json/from_json for a struct: every field written, every field
// required on reading (a missing key throws), so a decoder never invents a
// value an event left out. LINKAGE is empty or `static`.
#define BK_JSON_FIELDS(LINKAGE, T, ...)                                                        \
  [[maybe_unused]] LINKAGE void to_json(::bk::json& nlohmann_json_j, const T& nlohmann_json_t) { \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(NLOHMANN_JSON_TO, __VA_ARGS__))                    \
  }                                                                                             \
  [[maybe_unused]] LINKAGE void from_json(const ::bk::json& nlohmann_json_j, T& nlohmann_json_t) { \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(NLOHMANN_JSON_FROM, __VA_ARGS__))                  \
  }

