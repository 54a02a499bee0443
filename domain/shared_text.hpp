#pragma once
// Issue 16: a short text repeated across many records — a checklist item's
// key, its words in Chinese and English, its unit — held once in memory and
// shared by every record that carries it. Two months of a busy shop hold
// some 240,000 checklist items of a few hundred distinct texts; each kept
// its own copies. It reads as a const std::string and compares by value:
// what a record says, and what was signed, are unchanged.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <utility>
#include <string>
#include <string_view>

namespace bk {

class SharedText {
 public:
  SharedText() noexcept;
  SharedText(std::string_view s);  // NOLINT: a text is written as a string
  SharedText(const std::string& s) : SharedText(std::string_view(s)) {}  // NOLINT
  SharedText(const char* s) : SharedText(std::string_view(s)) {}         // NOLINT
  SharedText(const SharedText& o) : p_(o.owned() ? own(o.str()) : o.p_) {}
  SharedText(SharedText&& o) noexcept : p_(o.p_) { o.p_ = SharedText().p_; }
  SharedText& operator=(const SharedText& o) {
    if (this != &o) {
      SharedText copy(o);
      std::swap(p_, copy.p_);
    }
    return *this;
  }
  SharedText& operator=(SharedText&& o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~SharedText() { if (owned()) delete &str(); }

  operator const std::string&() const { return str(); }  // NOLINT: reads as the string
  const std::string& str() const { return *reinterpret_cast<const std::string*>(p_ & ~kOwned); }
  const char* c_str() const { return str().c_str(); }
  bool empty() const { return str().empty(); }
  std::size_t size() const { return str().size(); }
  void clear() { *this = SharedText(); }

  friend bool operator==(const SharedText& a, const SharedText& b) { return a.p_ == b.p_ || a.str() == b.str(); }
  friend bool operator==(const SharedText& a, const std::string& b) { return a.str() == b; }
  friend bool operator==(const SharedText& a, std::string_view b) { return a.str() == b; }
  friend bool operator==(const SharedText& a, const char* b) { return a.str() == b; }
  friend std::string operator+(const std::string& a, const SharedText& b) { return a + b.str(); }
  friend std::string operator+(const SharedText& a, const std::string& b) { return a.str() + b; }
  friend std::string operator+(const char* a, const SharedText& b) { return a + b.str(); }
  friend std::string operator+(const SharedText& a, const char* b) { return a.str() + b; }

  // Distinct texts the pool holds (bounded: past kPoolMax, a new text is
  // a copy of its own, freed with its record).
  static std::size_t pooled();
  static constexpr std::size_t kPoolMax = 1 << 16;
  static constexpr std::size_t kPooledLength = 256;  // longer texts are not pooled

 private:
  // A pooled text's address (it lives as long as the process: the pool never
  // lets a text go), or a copy of its own with the low bit set. One word:
  // a checklist item holds five.
  static constexpr std::uintptr_t kOwned = 1;
  std::uintptr_t p_;
  bool owned() const { return p_ & kOwned; }
  static std::uintptr_t own(std::string_view s) { return reinterpret_cast<std::uintptr_t>(new std::string(s)) | kOwned; }
};
static_assert(sizeof(SharedText) == sizeof(void*));

inline void to_json(nlohmann::json& j, const SharedText& t) { j = t.str(); }
inline void from_json(const nlohmann::json& j, SharedText& t) { t = SharedText(j.get_ref<const std::string&>()); }

}  // namespace bk
