#include "domain/ids.hpp"

#include <algorithm>
#include <limits>

namespace bk {

Uuid UuidV7::next(Millis now, const std::array<std::uint8_t, 8>& random) {
  if (now < 0) now = 0;
  if (now > last_ms_) {
    last_ms_ = now;
    counter_ = static_cast<std::uint16_t>(random[0] & 0x03);  // small random start
  } else if (++counter_ > 0x0FFF) {  // counter exhausted: borrow the next millisecond
    ++last_ms_;
    counter_ = 0;
  }
  const auto ms = static_cast<std::uint64_t>(last_ms_);
  Uuid u{};
  for (int i = 0; i < 6; ++i) u[i] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
  u[6] = static_cast<std::uint8_t>(0x70 | ((counter_ >> 8) & 0x0F));
  u[7] = static_cast<std::uint8_t>(counter_ & 0xFF);
  u[8] = static_cast<std::uint8_t>(0x80 | (random[1] & 0x3F));
  for (int i = 9; i < 16; ++i) u[i] = random[static_cast<std::size_t>(i - 8) % 8];
  u[9] ^= random[0];
  return u;
}

std::string toHex(const Uuid& u) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  s.reserve(32);
  for (auto c : u) { s += hex[c >> 4]; s += hex[c & 15]; }
  return s;
}

bool fromHex(std::string_view h, Uuid& out) {
  if (h.size() != 32) return false;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < 16; ++i) {
    int hi = nib(h[2 * i]), lo = nib(h[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return true;
}

std::string toText(const Uuid& u) {
  std::string h = toHex(u);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
         h.substr(20);
}

Millis uuidTime(const Uuid& u) {
  std::uint64_t ms = 0;
  for (int i = 0; i < 6; ++i) ms = ms << 8 | u[i];
  return static_cast<Millis>(ms);
}

namespace {
// No clock reading or remote value can make the arithmetic overflow: times
// are clamped to a wall time the shift fits, counting up stops at the top.
constexpr std::int64_t kMaxHlcWall = (std::numeric_limits<std::int64_t>::max() >> 16) - 1;
std::int64_t physical(Millis now) { return std::clamp<Millis>(now, 0, kMaxHlcWall) << 16; }
std::int64_t bump(std::int64_t v) { return v < std::numeric_limits<std::int64_t>::max() ? v + 1 : v; }
}  // namespace

std::int64_t Hlc::tick(Millis now) {
  const std::int64_t phys = physical(now);
  if (phys > value) value = phys;
  else value = bump(value);  // same or earlier wall time: count up (carries into ms on overflow)
  return value;
}

std::int64_t Hlc::merge(std::int64_t remote, Millis now) {
  const std::int64_t local = value;
  const std::int64_t phys = physical(now);
  value = std::max({local, remote, phys});
  if (value == phys && phys > local && phys > remote) return value;  // fresh millisecond
  value = bump(value);
  return value;
}

}  // namespace bk
