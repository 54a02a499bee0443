#include "kiosk/texts.hpp"

#include <fstream>
#include <stdexcept>

namespace bk::ui {
Texts Texts::load(const std::string& dir) { return fromJson(readJsonFile(dir + "/zh.json"), readJsonFile(dir + "/en.json")); }

Texts Texts::fromJson(const json& zh, const json& en) {
  Texts t;
  for (auto& [k, v] : zh.items()) t.zh_[k] = v.get<std::string>();
  for (auto& [k, v] : en.items()) t.en_[k] = v.get<std::string>();
  return t;
}

const std::string& Texts::in(Lang l, const std::string& key) const {
  const auto& first = l == Lang::Zh ? zh_ : en_;
  const auto& second = l == Lang::Zh ? en_ : zh_;
  if (auto it = first.find(key); it != first.end()) return it->second;
  if (auto it = second.find(key); it != second.end()) return it->second;
  return key;
}

const std::string& Texts::operator()(const std::string& key) const { return in(lang, key); }

std::string Texts::allText() const {
  std::string s;
  for (auto& [k, v] : zh_) s += v;
  for (auto& [k, v] : en_) s += v;
  return s;
}

std::string format(const std::string& pattern, std::initializer_list<std::string> args) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}' && pattern[i + 1] >= '0' &&
        pattern[i + 1] <= '9') {
      const std::size_t n = static_cast<std::size_t>(pattern[i + 1] - '0');
      if (n < args.size()) out += *(args.begin() + n);
      i += 2;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

}  // namespace bk::ui
