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

// Hex SHA-256 of a secret (tokens, one-time codes): only hashes are stored.
std::string secretHash(const std::string& secret);

}  // namespace bk::sync
