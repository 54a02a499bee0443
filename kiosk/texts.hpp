#pragma once
// Every string the kiosk shows comes from assets/i18n (zh, en) or, for data
// codes (labour operations, defects, phrases, checklist items), from the
// catalog. Switchable at any time.
#include "domain/catalog.hpp"

#include <string>
#include <unordered_map>

namespace bk::ui {

enum class Lang { Zh, En };

class Texts {
 public:
  // Throws std::runtime_error when a file is missing or malformed.
  static Texts load(const std::string& i18n_dir);
  static Texts fromJson(const json& zh, const json& en);

  Lang lang = Lang::Zh;
  const char* code() const { return lang == Lang::Zh ? "zh" : "en"; }

  // The text for a key in the current language; the other language, then the
  // key itself, if missing (a test keeps the files complete).
  const std::string& operator()(const std::string& key) const;
  const std::string& in(Lang l, const std::string& key) const;
  // "role.foreman", "reason.own_work", … from enum values.
  template <typename E> const std::string& of(const char* prefix, E v) const {
    return (*this)(std::string(prefix) + "." + std::string(name(v)));
  }
  // Every string of both languages, for the font's glyph set.
  std::string allText() const;

 private:
  std::unordered_map<std::string, std::string> zh_, en_;
};

// Replaces {0}, {1}, … in a translated pattern.
std::string format(const std::string& pattern, std::initializer_list<std::string> args);

}  // namespace bk::ui
