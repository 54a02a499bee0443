#pragma once
// Issue 16: a short text repeated across many records — a checklist item's
// key, its words in Chinese and English, its unit — held once in memory and
// shared by every record that carries it. Two months of a busy shop hold
// some 240,000 checklist items of a few hundred distinct texts; each kept
// its own copies. It reads as a const std::string and compares by value:
// what a record says, and what was signed, are unchanged.
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace bk {

class SharedText {
 public:
  SharedText();
  SharedText(std::string_view s);  // NOLINT: a text is written as a string
  SharedText(const std::string& s) : SharedText(std::string_view(s)) {}  // NOLINT
  SharedText(const char* s) : SharedText(std::string_view(s)) {}         // NOLINT

  operator const std::string&() const { return *p_; }  // NOLINT: reads as the string
  const std::string& str() const { return *p_; }
  const char* c_str() const { return p_->c_str(); }
  bool empty() const { return p_->empty(); }
  std::size_t size() const { return p_->size(); }

  friend bool operator==(const SharedText& a, const SharedText& b) { return a.p_ == b.p_ || *a.p_ == *b.p_; }
  friend bool operator==(const SharedText& a, const std::string& b) { return *a.p_ == b; }
  friend bool operator==(const SharedText& a, std::string_view b) { return *a.p_ == b; }
  friend bool operator==(const SharedText& a, const char* b) { return *a.p_ == b; }
  friend std::string operator+(const std::string& a, const SharedText& b) { return a + *b.p_; }
  friend std::string operator+(const SharedText& a, const std::string& b) { return *a.p_ + b; }
  friend std::string operator+(const char* a, const SharedText& b) { return a + *b.p_; }
  friend std::string operator+(const SharedText& a, const char* b) { return *a.p_ + b; }

  // Distinct texts the pool holds (bounded: past kPoolMax, a new text is
  // a copy of its own, freed with its last record).
  static std::size_t pooled();
  static constexpr std::size_t kPoolMax = 1 << 16;
  static constexpr std::size_t kPooledLength = 256;  // longer texts are not pooled

 private:
  std::shared_ptr<const std::string> p_;
};

inline void to_json(nlohmann::json& j, const SharedText& t) { j = t.str(); }
inline void from_json(const nlohmann::json& j, SharedText& t) { t = SharedText(j.get_ref<const std::string&>()); }

}  // namespace bk
