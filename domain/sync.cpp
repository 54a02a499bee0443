#include "domain/sync.hpp"

#include <sodium.h>

#include <stdexcept>

namespace bk::sync {

json toWire(const StoredEvent& e) {
  return json{{"id", toHex(e.id)}, {"origin", e.origin}, {"seq", e.origin_seq}, {"wall", e.wall_ms},
              {"hlc", e.hlc},      {"pos", e.pos},       {"body", json::parse(e.body)}};
}

StoredEvent fromWire(const json& j) {
  auto need = [&](const char* key, json::value_t type) -> const json& {
    if (!j.is_object() || !j.contains(key)) throw std::invalid_argument(std::string("event: missing ") + key);
    const json& v = j.at(key);
    const bool ok = type == json::value_t::number_integer ? v.is_number_integer() : v.type() == type;
    if (!ok) throw std::invalid_argument(std::string("event: wrong type for ") + key);
    return v;
  };
  StoredEvent e;
  if (!fromHex(need("id", json::value_t::string).get<std::string>(), e.id))
    throw std::invalid_argument("event: id is not 32 hex digits");
  e.origin = need("origin", json::value_t::string).get<std::string>();
  if (e.origin.empty() || e.origin.size() > 64) throw std::invalid_argument("event: bad origin");
  e.origin_seq = need("seq", json::value_t::number_integer).get<std::int64_t>();
  if (e.origin_seq < 1) throw std::invalid_argument("event: seq must be ≥ 1");
  e.wall_ms = need("wall", json::value_t::number_integer).get<std::int64_t>();
  e.hlc = need("hlc", json::value_t::number_integer).get<std::int64_t>();
  if (j.contains("pos") && j.at("pos").is_number_integer()) e.pos = j.at("pos").get<std::int64_t>();
  const json& body = need("body", json::value_t::object);
  try {
    auto a = std::make_shared<const Action>(actionFromJson(body));  // schema check now, not half-way through a batch
    e.type = std::string(actionType(*a));
    e.body = canonical(toJson(*a));
    e.decoded = std::move(a);
  } catch (const json::exception& ex) {
    throw std::invalid_argument(std::string("event body: ") + ex.what());
  }
  return e;
}

PushDecoded decodePush(const std::string& body, const Id& kiosk) {
  PushDecoded out;
  auto fail = [&](int status, std::string what) {
    out.events.clear();
    out.status = status;
    out.error = std::move(what);
    return out;
  };
  if (body.size() > kMaxBody) return fail(413, "request too large");
  const json j = json::parse(body, nullptr, false);  // no exceptions: a discarded value on bad input
  if (j.is_discarded() || !j.is_object()) return fail(400, "body is not a JSON object");
  if (!j.contains("events") || !j["events"].is_array()) return fail(400, "need events: []");
  const json& evs = j["events"];
  if (evs.size() > kMaxBatch) return fail(413, "too many events in one batch");
  out.events.reserve(evs.size());
  try {
    for (const json& e : evs) {
      out.events.push_back(fromWire(e));
      if (out.events.back().origin != kiosk) return fail(403, "events must come from the pushing kiosk");
    }
  } catch (const std::invalid_argument& e) {
    return fail(400, e.what());
  }
  return out;
}

std::string secretHash(const std::string& secret) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  for (unsigned char c : out) { s += hex[c >> 4]; s += hex[c & 15]; }
  return s;
}

}  // namespace bk::sync
