#pragma once
// The sync protocol's wire form (HTTP + JSON): events as the hub and the
// kiosks exchange them, decoded strictly — a hub never trusts its input.
#include "domain/store.hpp"

namespace bk::sync {

inline constexpr std::size_t kMaxBatch = 1000;          // events in one push or pull
inline constexpr std::size_t kMaxBody = 8u << 20;       // bytes of one request

// {"id":hex32,"origin":..,"seq":..,"wall":..,"hlc":..,"pos":..,"body":{action}}
json toWire(const StoredEvent& e);
// Throws std::invalid_argument naming what is wrong (id, types, body schema).
StoredEvent fromWire(const json& j);

// A push request's body, {"events":[…]}, decoded strictly and whole before
// anything is applied: every event well-formed and from `kiosk`. On failure
// `status` is the HTTP code to answer (400, 403, 413) and `error` says why.
struct PushDecoded {
  std::vector<StoredEvent> events;
  int status = 200;
  std::string error;
};
PushDecoded decodePush(const std::string& body, const Id& kiosk);

// Hex SHA-256 of a secret (tokens, one-time codes): only hashes are stored.
std::string secretHash(const std::string& secret);

}  // namespace bk::sync
