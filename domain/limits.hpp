#pragma once
// What the hub and the kiosks accept from each other, and from anyone else
// on the shop's LAN. Every input from outside is hostile until checked: its
// size first (before it is read), its nesting depth (before it is parsed),
// then its types and its strings. The same limits bind an honest kiosk, which
// checks them before it records anything, so it never makes an event the hub
// would refuse. Stated in README.md and docs/API.md.
#include "domain/json_util.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace bk::limits {

// request bodies, by route (refused before they are read when declared larger)
inline constexpr std::size_t kMaxBody = 8u << 20;         // a push: up to kMaxBatch events
inline constexpr std::size_t kMaxDeskBody = 256u << 10;   // a front-desk write
inline constexpr std::size_t kMaxEnrolBody = 1u << 10;    // an enrolment
// one event and one string in it
inline constexpr std::size_t kMaxEventBytes = 64u << 10;  // an event's canonical body
inline constexpr std::size_t kMaxField = 4u << 10;        // any string, any key
inline constexpr int kMaxDepth = 32;                      // arrays and objects inside each other
// what the hub puts in one pull reply (at least one event), and the most a
// kiosk reads of any reply before it cuts the hub off
inline constexpr std::size_t kMaxPullBytes = 16u << 20;
inline constexpr std::size_t kMaxReply = 24u << 20;
// Issue 16: a new kiosk's snapshot of its hub's working set (the open work
// and a comeback window of deliveries: a few MB in a busy shop)
inline constexpr std::size_t kMaxSnapshotReply = 128u << 20;
inline constexpr std::size_t kMaxSnapshotRecords = 1'000'000;  // (a busy shop's: about 40,000)

// The nesting depth of JSON text, without parsing it (no recursion, strings
// and escapes skipped); stops counting once past `limit`.
int jsonDepth(std::string_view text, int limit = kMaxDepth);

// Parses JSON text from outside: too large, too deep, malformed or invalid
// UTF-8 gives no value and says why. Never throws, never recurses.
struct Untrusted {
  json value;
  std::string error;  // empty: parsed
  explicit operator bool() const { return error.empty(); }
};
Untrusted parseUntrusted(std::string_view text, std::size_t max_bytes, int max_depth = kMaxDepth);

// Every key and string in `j` (already depth-limited): at most `max_field`
// bytes and no control character but tab and newline (a NUL in an id, a
// terminal escape in a name). The first fault, or nothing.
std::optional<std::string> checkStrings(const json& j, std::size_t max_field = kMaxField);

// A strict non-negative integer from a query parameter: digits only, no
// sign, exponent or trailing text, and within int64.
std::optional<std::int64_t> strictInt(std::string_view s);

}  // namespace bk::limits
