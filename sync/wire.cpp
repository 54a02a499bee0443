#include "sync/wire.hpp"

#include <sodium.h>

#include <cctype>
#include <stdexcept>

namespace bk::sync {

bool validKioskId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
  return true;
}

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
  if (!validKioskId(e.origin)) throw std::invalid_argument("event: bad origin");
  e.origin_seq = need("seq", json::value_t::number_integer).get<std::int64_t>();
  if (e.origin_seq < 1) throw std::invalid_argument("event: seq must be ≥ 1");
  e.wall_ms = need("wall", json::value_t::number_integer).get<std::int64_t>();
  if (e.wall_ms < 0 || e.wall_ms > kMaxWall) throw std::invalid_argument("event: wall time out of range");
  e.hlc = need("hlc", json::value_t::number_integer).get<std::int64_t>();
  if (e.hlc < 0 || Hlc::wall(e.hlc) > kMaxWall) throw std::invalid_argument("event: hlc out of range");
  if (j.contains("pos")) {
    const json& pos = j.at("pos");
    if (!pos.is_number_integer() || pos.get<std::int64_t>() < 0) throw std::invalid_argument("event: bad pos");
    e.pos = pos.get<std::int64_t>();
  }
  const json& body = need("body", json::value_t::object);
  // bad input is refused, never kept "for review": a 7 MB name or a NUL in
  // an id stops here, as it does at the front desk
  if (auto bad = checkStrings(body)) throw std::invalid_argument("event body: " + *bad);
  try {
    auto a = std::make_shared<const Action>(actionFromJson(body));  // schema check now, not half-way through a batch
    e.type = std::string(actionType(*a));
    e.body = canonical(toJson(*a));
    e.decoded = std::move(a);
  } catch (const json::exception& ex) {
    throw std::invalid_argument(std::string("event body: ") + ex.what());
  }
  if (e.body.size() > kMaxEventBytes)
    throw std::invalid_argument("event body larger than " + std::to_string(kMaxEventBytes) + " bytes");
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
  Untrusted parsed = parseUntrusted(body, kMaxBody);
  if (!parsed) return fail(400, "body: " + parsed.error);
  const json& j = parsed.value;
  if (!j.is_object()) return fail(400, "body is not a JSON object");
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

namespace {

// A reply field of the one type the protocol gives it, or the reason why not.
template <typename F>
bool field(const json& j, const char* key, json::value_t type, std::string& error, F&& take) {
  if (!error.empty()) return false;
  auto it = j.find(key);
  const bool ok = it != j.end() && (type == json::value_t::number_integer ? it->is_number_integer() : it->type() == type);
  if (!ok) {
    error = std::string("reply: ") + key + " missing or of the wrong type";
    return false;
  }
  take(*it);
  return true;
}

// Parses a reply: size, depth, an object; the error says which.
json replyObject(std::string_view body, std::string& error) {
  Untrusted u = parseUntrusted(body, kMaxReply);
  if (!u) error = "reply " + u.error;
  else if (!u.value.is_object()) error = "reply is not a JSON object";
  return error.empty() ? std::move(u.value) : json();
}

void hubId(const json& j, std::string& out, std::string& error) {
  field(j, "hub", json::value_t::string, error, [&](const json& v) { out = v.get<std::string>(); });
  if (error.empty() && !validKioskId(out)) error = "reply: bad hub instance id";
}

}  // namespace

EnrolReply decodeEnrolReply(std::string_view body) {
  EnrolReply r;
  const json j = replyObject(body, r.error);
  field(j, "token", json::value_t::string, r.error, [&](const json& v) { r.token = v.get<std::string>(); });
  if (r.error.empty() && (r.token.size() < 32 || r.token.size() > 256 || checkStrings(r.token)))
    r.error = "reply: bad token";
  hubId(j, r.hub, r.error);
  return r;
}

PushReply decodePushReply(std::string_view body) {
  PushReply r;
  const json j = replyObject(body, r.error);
  field(j, "applied_through", json::value_t::number_integer, r.error,
        [&](const json& v) { r.applied_through = v.get<std::int64_t>(); });
  if (r.error.empty() && r.applied_through < 0) r.error = "reply: negative applied_through";
  field(j, "gap", json::value_t::boolean, r.error, [&](const json& v) { r.gap = v.get<bool>(); });
  hubId(j, r.hub, r.error);
  return r;
}

PullReply decodePullReply(std::string_view body) {
  PullReply r;
  const json j = replyObject(body, r.error);
  field(j, "last_pos", json::value_t::number_integer, r.error, [&](const json& v) { r.last_pos = v.get<std::int64_t>(); });
  if (r.error.empty() && r.last_pos < 0) r.error = "reply: negative last_pos";
  hubId(j, r.hub, r.error);
  field(j, "events", json::value_t::array, r.error, [&](const json& evs) {
    if (evs.size() > kMaxBatch) { r.error = "reply: too many events"; return; }
    try {
      for (const json& w : evs) {
        r.events.push_back(fromWire(w));
        if (r.events.back().pos < 1) throw std::invalid_argument("event without a hub position");
      }
    } catch (const std::exception& e) {
      r.error = std::string("reply: ") + e.what();
      r.events.clear();
    }
  });
  return r;
}

CredentialsReply decodeCredentialsReply(std::string_view body) {
  CredentialsReply r;
  const json j = replyObject(body, r.error);
  field(j, "credentials", json::value_t::array, r.error, [&](const json& list) {
    for (const json& c : list) {
      const bool ok = c.is_object() && c.contains("person") && c["person"].is_string() && c.contains("pin_hash") &&
                      c["pin_hash"].is_string() && !checkStrings(c, 512);
      if (!ok) { r.error = "reply: a credential of the wrong form"; r.credentials.clear(); return; }
      r.credentials.emplace_back(c["person"].get<std::string>(), c["pin_hash"].get<std::string>());
    }
  });
  return r;
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
