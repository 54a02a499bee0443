#pragma once
// A record's id, kept inline (issue 16). A kiosk makes ids of 35 characters
// ("wo-" and 32 hex digits; 39 at most for what is derived from them), longer
// than std::string keeps inline (15): as a std::string every id in memory was
// a heap allocation of its own, the shop's maps compared through pointers, and
// a hub's working set, its rebuilds and its swaps paid for both. An Id keeps
// up to 39 characters in its 40 bytes, copies with one memcpy and compares
// without a pointer chased; a longer one (an id typed at setup may be up to a
// field's limit) lives on the heap. It reads as text: a string_view of its
// characters, NUL-terminated, ordered as its text is.
#include <bit>
#include <compare>
#include <cstdint>
#include <cstddef>
#include <cstring>
#include <functional>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>

namespace bk {

class Id {
 public:
  static constexpr std::size_t kInline = 39;
  static constexpr std::size_t kMaxSize = std::size_t{1} << 32;

  Id() noexcept { setInline(0); }
  Id(std::string_view s) { assign(s); }  // NOLINT: ids are text
  Id(const std::string& s) { assign(s); }  // NOLINT
  Id(const char* s) { assign(std::string_view(s)); }  // NOLINT
  Id(const Id& o) {
    if (o.onHeap()) assign(o.view()); else std::memcpy(b_, o.b_, sizeof b_);
  }
  Id(Id&& o) noexcept {
    std::memcpy(b_, o.b_, sizeof b_);
    o.setInline(0);
  }
  Id& operator=(const Id& o) {
    if (this == &o) return *this;
    if (!onHeap() && !o.onHeap()) { std::memcpy(b_, o.b_, sizeof b_); return *this; }
    return *this = o.view();
  }
  Id& operator=(Id&& o) noexcept {
    if (this == &o) return *this;
    release();
    std::memcpy(b_, o.b_, sizeof b_);
    o.setInline(0);
    return *this;
  }
  Id& operator=(std::string_view s) {
    if (onHeap() && heapSize() >= s.size() && s.size() > kInline) {  // reuse a long buffer
      char* p = heapPtr();
      std::memmove(p, s.data(), s.size());
      p[s.size()] = '\0';
      setHeapSize(s.size());
      return *this;
    }
    Id fresh(s);
    return *this = std::move(fresh);
  }
  Id& operator=(const std::string& s) { return *this = std::string_view(s); }
  Id& operator=(const char* s) { return *this = std::string_view(s); }
  ~Id() { release(); }

  const char* data() const noexcept { return onHeap() ? heapPtr() : b_; }
  const char* c_str() const noexcept { return data(); }
  std::size_t size() const noexcept { return onHeap() ? heapSize() : kInline - static_cast<unsigned char>(b_[kInline]); }
  std::size_t length() const noexcept { return size(); }
  bool empty() const noexcept { return size() == 0; }
  void clear() noexcept { release(); setInline(0); }

  std::string_view view() const noexcept { return {data(), size()}; }
  operator std::string_view() const noexcept { return view(); }  // NOLINT
  std::string str() const { return std::string(view()); }
  operator std::string() const { return str(); }  // NOLINT: passes where text is taken

  // what the code asked of a std::string id
  const char* begin() const noexcept { return data(); }
  const char* end() const noexcept { return data() + size(); }
  char operator[](std::size_t i) const noexcept { return data()[i]; }
  char front() const noexcept { return data()[0]; }
  char back() const noexcept { return data()[size() - 1]; }
  std::string substr(std::size_t pos, std::size_t n = std::string_view::npos) const { return std::string(view().substr(pos, n)); }
  std::size_t find(std::string_view s, std::size_t pos = 0) const noexcept { return view().find(s, pos); }
  std::size_t find(char c, std::size_t pos = 0) const noexcept { return view().find(c, pos); }
  std::size_t rfind(std::string_view s, std::size_t pos = std::string_view::npos) const noexcept { return view().rfind(s, pos); }
  std::size_t rfind(char c, std::size_t pos = std::string_view::npos) const noexcept { return view().rfind(c, pos); }
  bool starts_with(std::string_view s) const noexcept { return view().starts_with(s); }
  bool ends_with(std::string_view s) const noexcept { return view().ends_with(s); }
  int compare(std::string_view s) const noexcept { return view().compare(s); }
  int compare(std::size_t pos, std::size_t n, std::string_view s) const { return view().compare(pos, n, s); }
  static constexpr std::size_t npos = std::string_view::npos;

  friend bool operator==(const Id& a, const Id& b) noexcept {
    if (!a.onHeap() && !b.onHeap()) return std::memcmp(a.b_, b.b_, sizeof a.b_) == 0;  // bytes past the text are zero
    return a.view() == b.view();
  }
  friend bool operator==(const Id& a, std::string_view b) noexcept { return a.view() == b; }
  friend bool operator==(const Id& a, const std::string& b) noexcept { return a.view() == std::string_view(b); }
  friend bool operator==(const Id& a, const char* b) noexcept { return a.view() == std::string_view(b); }
  friend std::strong_ordering operator<=>(const Id& a, const Id& b) noexcept {
    // Inline, eight bytes at a time as big-endian words: the order of their
    // bytes as unsigned, as memcmp's. Bytes past the text are zero, so a
    // text that is a prefix of another sorts first, or ties and the shorter
    // is first; byte 39 (the length) is left out of the last word.
    if (a.onHeap() || b.onHeap()) return a.view() <=> b.view();
    for (std::size_t i = 0; i < 32; i += 8)
      if (const std::uint64_t x = a.word(i), y = b.word(i); x != y) return x <=> y;
    if (const std::uint64_t x = a.word(32) >> 8, y = b.word(32) >> 8; x != y) return x <=> y;
    return a.size() <=> b.size();
  }
  friend std::strong_ordering operator<=>(const Id& a, std::string_view b) noexcept { return a.view() <=> b; }
  friend std::strong_ordering operator<=>(const Id& a, const std::string& b) noexcept { return a.view() <=> std::string_view(b); }
  friend std::strong_ordering operator<=>(const Id& a, const char* b) noexcept { return a.view() <=> std::string_view(b); }

  friend std::string operator+(const Id& a, std::string_view b) { return cat(a.view(), b); }
  friend std::string operator+(std::string_view a, const Id& b) { return cat(a, b.view()); }
  friend std::string operator+(const Id& a, const Id& b) { return cat(a.view(), b.view()); }
  friend std::string operator+(const Id& a, const char* b) { return cat(a.view(), b); }
  friend std::string operator+(const char* a, const Id& b) { return cat(a, b.view()); }
  friend std::string operator+(const Id& a, const std::string& b) { return cat(a.view(), b); }
  friend std::string operator+(const std::string& a, const Id& b) { return cat(a, b.view()); }
  friend std::string operator+(const Id& a, char b) { return cat(a.view(), std::string_view(&b, 1)); }

 private:
  // b_[kInline] is kInline minus the length inline (so a full id's last byte
  // is its terminating NUL), or kHeap with a pointer and a length in front.
  static constexpr unsigned char kHeap = 0xFF;
  alignas(std::size_t) char b_[kInline + 1];

  std::uint64_t word(std::size_t at) const noexcept {
    std::uint64_t w;
    std::memcpy(&w, b_ + at, sizeof w);
    if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap64(w);
    return w;
  }
  bool onHeap() const noexcept { return static_cast<unsigned char>(b_[kInline]) == kHeap; }
  char* heapPtr() const noexcept { char* p; std::memcpy(&p, b_, sizeof p); return p; }
  std::size_t heapSize() const noexcept { std::size_t n; std::memcpy(&n, b_ + sizeof(char*), sizeof n); return n; }
  void setHeapSize(std::size_t n) noexcept { std::memcpy(b_ + sizeof(char*), &n, sizeof n); }
  void setInline(std::size_t n) noexcept {
    std::memset(b_ + n, 0, kInline - n);  // zeros past the text: equal ids are equal bytes
    b_[kInline] = static_cast<char>(kInline - n);
  }
  void assign(std::string_view s) {
    if (s.size() <= kInline) {
      std::memcpy(b_, s.data(), s.size());
      setInline(s.size());
      return;
    }
    if (s.size() > kMaxSize) throw std::length_error("an id of more than 4 GB");
    char* p = new char[s.size() + 1];
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    std::memset(b_, 0, sizeof b_);
    std::memcpy(b_, &p, sizeof p);
    setHeapSize(s.size());
    b_[kInline] = static_cast<char>(kHeap);
  }
  void release() noexcept {
    if (onHeap()) delete[] heapPtr();
  }
  static std::string cat(std::string_view a, std::string_view b) {
    std::string s;
    s.reserve(a.size() + b.size());
    s.append(a).append(b);
    return s;
  }
};
static_assert(sizeof(Id) == 40);

std::ostream& operator<<(std::ostream& os, const Id& id);

}  // namespace bk

template <>
struct std::hash<bk::Id> {
  std::size_t operator()(const bk::Id& id) const noexcept { return std::hash<std::string_view>{}(id.view()); }
};
