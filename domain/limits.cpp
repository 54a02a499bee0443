#include "domain/limits.hpp"

#include <charconv>
#include <vector>

namespace bk::limits {

int jsonDepth(std::string_view text, int limit) {
  int depth = 0, deepest = 0;
  bool inString = false, escaped = false;
  for (char c : text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') inString = false;
      continue;
    }
    switch (c) {
      case '"': inString = true; break;
      case '[': case '{':
        if (++depth > deepest && (deepest = depth) > limit) return deepest;
        break;
      case ']': case '}': --depth; break;
      default: break;
    }
  }
  return deepest;
}

Untrusted parseUntrusted(std::string_view text, std::size_t max_bytes, int max_depth) {
  Untrusted out;
  if (text.size() > max_bytes) {
    out.error = "too large (at most " + std::to_string(max_bytes) + " bytes)";
    return out;
  }
  if (jsonDepth(text, max_depth) > max_depth) {
    out.error = "nested too deeply (at most " + std::to_string(max_depth) + " levels)";
    return out;
  }
  out.value = json::parse(text, nullptr, false);  // no exceptions: discarded on bad input (incl. invalid UTF-8)
  if (out.value.is_discarded()) {
    out.value = nullptr;
    out.error = "not valid JSON (or not UTF-8)";
  }
  return out;
}

namespace {
std::optional<std::string> checkString(const std::string& s, std::size_t max_field, const char* what) {
  if (s.size() > max_field)
    return std::string(what) + " longer than " + std::to_string(max_field) + " bytes";
  for (unsigned char c : s)
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) return std::string(what) + " with a control character";
  return std::nullopt;
}
}  // namespace

std::optional<std::string> checkStrings(const json& root, std::size_t max_field) {
  std::vector<const json*> unvisited{&root};  // an explicit stack: no recursion on input
  while (!unvisited.empty()) {
    const json* j = unvisited.back();
    unvisited.pop_back();
    if (j->is_string()) {
      if (auto e = checkString(j->get_ref<const std::string&>(), max_field, "a text")) return e;
    } else if (j->is_object()) {
      for (auto it = j->begin(); it != j->end(); ++it) {
        if (auto e = checkString(it.key(), max_field, "a key")) return e;
        unvisited.push_back(&it.value());
      }
    } else if (j->is_array()) {
      for (const json& v : *j) unvisited.push_back(&v);
    }
  }
  return std::nullopt;
}

std::optional<std::int64_t> strictInt(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.front() == '-' || s.front() == '+') return std::nullopt;
  return v;
}

}  // namespace bk::limits
