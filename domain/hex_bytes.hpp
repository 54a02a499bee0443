#pragma once
// Issue 16: a hex text — a SHA-256 digest, an Ed25519 signature — held as
// the bytes it spells. Every inspection, add-on step and fault slip a hub
// keeps in memory carries both in its signature: as text they were 96
// characters on the heap beside two string headers, as bytes they are half
// that and in place. It reads and compares as its text: what a record says,
// and what was signed, are unchanged. A text that is not lower-case hex of
// whole bytes, or is longer than N bytes (a forged or broken record, kept as
// evidence), is kept as it came.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace bk {

template <std::size_t N>
class HexBytes {
  static_assert(N > 0 && N < 256);

 public:
  HexBytes() noexcept = default;
  HexBytes(std::string_view s) { assign(s); }  // NOLINT: a hex text is written as a string
  HexBytes(const std::string& s) : HexBytes(std::string_view(s)) {}  // NOLINT
  HexBytes(const char* s) : HexBytes(std::string_view(s)) {}         // NOLINT
  HexBytes(const HexBytes& o) : b_(o.b_), n_(o.n_), text_(o.text_ ? std::make_unique<std::string>(*o.text_) : nullptr) {}
  HexBytes(HexBytes&& o) noexcept = default;
  HexBytes& operator=(const HexBytes& o) {
    if (this != &o) *this = HexBytes(o);
    return *this;
  }
  HexBytes& operator=(HexBytes&& o) noexcept = default;
  ~HexBytes() = default;

  std::string str() const {
    if (text_) return *text_;
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(2 * n_, '0');
    for (std::size_t i = 0; i < n_; ++i) {
      out[2 * i] = kDigits[b_[i] >> 4];
      out[2 * i + 1] = kDigits[b_[i] & 15];
    }
    return out;
  }
  operator std::string() const { return str(); }  // NOLINT: reads as the text
  bool empty() const { return text_ ? text_->empty() : n_ == 0; }
  std::size_t size() const { return text_ ? text_->size() : 2 * std::size_t{n_}; }  // in characters
  void clear() { *this = HexBytes(); }
  std::string substr(std::size_t pos, std::size_t n = std::string::npos) const { return str().substr(pos, n); }
  // true when it is held as bytes (a text that is not hex is kept as it came)
  bool asBytes() const { return !text_; }

  // (a lower-case hex text of at most N bytes is always held as bytes, any
  // other as text: two that read the same are held the same way)
  friend bool operator==(const HexBytes& a, const HexBytes& b) {
    if (a.text_ || b.text_) return a.text_ && b.text_ && *a.text_ == *b.text_;
    return a.n_ == b.n_ && std::equal(a.b_.begin(), a.b_.begin() + a.n_, b.b_.begin());
  }
  friend bool operator==(const HexBytes& a, std::string_view b) { return a == HexBytes(b); }
  friend bool operator==(const HexBytes& a, const std::string& b) { return a == std::string_view(b); }
  friend bool operator==(const HexBytes& a, const char* b) { return a == std::string_view(b); }
  friend std::string operator+(const std::string& a, const HexBytes& b) { return a + b.str(); }
  friend std::string operator+(const HexBytes& a, const std::string& b) { return a.str() + b; }
  friend std::string operator+(const char* a, const HexBytes& b) { return a + b.str(); }
  friend std::string operator+(const HexBytes& a, const char* b) { return a.str() + b; }

 private:
  std::array<std::uint8_t, N> b_{};
  std::uint8_t n_ = 0;                 // the bytes held
  std::unique_ptr<std::string> text_;  // a text that is not such hex, as it came

  static int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  }
  void assign(std::string_view s) {
    if (s.size() % 2 == 0 && s.size() / 2 <= N) {
      std::size_t i = 0;
      for (; i < s.size() / 2; ++i) {
        const int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);
        if (hi < 0 || lo < 0) break;
        b_[i] = static_cast<std::uint8_t>(hi << 4 | lo);
      }
      if (i == s.size() / 2) {
        n_ = static_cast<std::uint8_t>(i);
        return;
      }
    }
    b_ = {};
    n_ = 0;
    text_ = std::make_unique<std::string>(s);
  }
};

template <std::size_t N>
void to_json(nlohmann::json& j, const HexBytes<N>& h) {
  j = h.str();
}
template <std::size_t N>
void from_json(const nlohmann::json& j, HexBytes<N>& h) {
  h = HexBytes<N>(j.get_ref<const std::string&>());
}

}  // namespace bk
