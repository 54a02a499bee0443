#include "sync/wire.hpp"

#include "domain/vin.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <stdexcept>

namespace bk::sync {

bool validKioskId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
  return true;
}

json toWire(const StoredEvent& e) {
  json j{{"id", toHex(e.id)}, {"origin", e.origin}, {"seq", e.origin_seq}, {"wall", e.wall_ms}, {"hlc", e.hlc}, {"pos", e.pos}};
  if (e.tombstone()) j["refused"] = refusedDetail(e);
  else j["body"] = json::parse(e.body);
  if (!e.hub_held.empty()) j["held"] = e.hub_held;  // issue 16: the hub held it (a pull)
  return j;
}

namespace {

// The envelope: where the event belongs (id, origin, seq) and when. Without
// it there is no place for even a tombstone, so its errors refuse a batch.
StoredEvent envelopeFromWire(const json& j) {
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
  return e;
}

// The body: the action, strictly. Its errors refuse this event only.
void bodyFromWire(const json& j, StoredEvent& e) {
  if (!j.contains("body") || !j.at("body").is_object()) throw std::invalid_argument("event: body missing or not an object");
  const json& body = j.at("body");
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
}

// What a tombstone may say: short plain text.
constexpr std::size_t kMaxRefusedDetail = 300;

std::string clippedDetail(std::string what) {
  if (what.size() <= kMaxRefusedDetail) return what;
  std::size_t n = kMaxRefusedDetail;
  while (n > 0 && (static_cast<unsigned char>(what[n]) & 0xC0) == 0x80) --n;  // whole UTF-8 characters
  what.resize(n);
  return what + "…";
}

}  // namespace

StoredEvent fromWire(const json& j) {
  StoredEvent e = envelopeFromWire(j);
  if (j.contains("held")) {  // issue 16: the hub's digest of the review item it held it under
    const json& h = j.at("held");
    if (!h.is_string() || h.get<std::string>().size() != 64 ||
        !std::all_of(h.get_ref<const std::string&>().begin(), h.get_ref<const std::string&>().end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
      throw std::invalid_argument("event: held is not 64 lowercase hex digits");
    e.hub_held = h.get<std::string>();
  }
  if (j.contains("refused") && !j.contains("body")) {  // a tombstone, as the hub sends it on pull
    const json& why = j.at("refused");
    if (!why.is_string() || why.get<std::string>().size() > kMaxRefusedDetail + 4 || checkStrings(why))
      throw std::invalid_argument("event: bad tombstone");
    return tombstoneOf(std::move(e), why.get<std::string>());
  }
  bodyFromWire(j, e);
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
  if (j.contains("batch_sig")) {
    const json& sig = j["batch_sig"];
    if (!sig.is_string() || sig.get<std::string>().size() != 128) return fail(400, "batch_sig: 128 hex digits");
    out.batch_sig = sig.get<std::string>();
  }
  out.events.reserve(evs.size());
  out.sent.reserve(evs.size());
  try {
    for (const json& w : evs) {
      StoredEvent e = envelopeFromWire(w);
      if (e.origin != kiosk) return fail(403, "events must come from the pushing kiosk");
      {  // what the device signed: the event as sent
        StoredEvent sent = e;
        if (w.contains("body")) {
          const json& body = w.at("body");
          try {
            sent.body = canonical(body);
          } catch (const json::exception&) {  // not text a device could have signed: its hash matches nothing
            sent.body.clear();
          }
          if (body.is_object() && body.contains("type") && body.at("type").is_string()) sent.type = body.at("type").get<std::string>();
        }
        out.sent.push_back(envelopeHash(sent));
      }
      // a bad body refuses this event, not the batch: its tombstone keeps
      // the kiosk's sequence whole, so sync never stalls behind it
      try {
        bodyFromWire(w, e);
        if (hubOnly(e.type)) throw std::invalid_argument("event body: " + e.type + " is made by the hub only");
      } catch (const std::invalid_argument& bad) {
        e = tombstoneOf(std::move(e), clippedDetail(bad.what()));
      }
      out.events.push_back(std::move(e));
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
  if (r.error.empty() && j.contains("hub_key")) {
    std::array<std::uint8_t, 32> pub{};
    if (!j["hub_key"].is_string() || !fromHexBytes(j["hub_key"].get<std::string>(), pub.data(), pub.size()))
      r.error = "reply: bad hub_key";
    else
      r.hub_key = j["hub_key"].get<std::string>();
  }
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
  // the events the hub refused as bad input (only their tombstones kept)
  if (r.error.empty() && j.contains("refused")) {
    const json& list = j["refused"];
    const bool ok = list.is_array() && list.size() <= kMaxBatch &&
                    std::all_of(list.begin(), list.end(), [](const json& x) {
                      return x.is_object() && x.contains("seq") && x["seq"].is_number_integer() && x["seq"].get<std::int64_t>() >= 1 &&
                             x.contains("error") && x["error"].is_string() && !checkStrings(x["error"], 1000);
                    });
    if (!ok) r.error = "reply: refused is not a list of {seq, error}";
    else
      for (const json& x : list) r.refused.emplace_back(x["seq"].get<std::int64_t>(), x["error"].get<std::string>());
  }
  return r;
}

PullReply decodePullReply(std::string_view body) {
  PullReply r;
  const json j = replyObject(body, r.error);
  field(j, "last_pos", json::value_t::number_integer, r.error, [&](const json& v) { r.last_pos = v.get<std::int64_t>(); });
  if (r.error.empty() && r.last_pos < 0) r.error = "reply: negative last_pos";
  hubId(j, r.hub, r.error);
  if (r.error.empty() && j.contains("verdicts")) {  // issue 16: each event says whether the hub held it
    if (!j["verdicts"].is_boolean()) r.error = "reply: verdicts is not true or false";
    else r.verdicts = j["verdicts"].get<bool>();
  }
  if (r.error.empty() && j.contains("head")) {  // issue 11: the hub's signed head
    const json& h = j["head"];
    const bool ok = h.is_object() && h.contains("pos") && h["pos"].is_number_integer() && h["pos"].get<std::int64_t>() >= 1 &&
                    h.contains("at") && h["at"].is_number_integer() && h.contains("head") && h["head"].is_string() &&
                    h["head"].get<std::string>().size() == 64 && h.contains("key") && h["key"].is_string() &&
                    h["key"].get<std::string>().size() == 64 && h.contains("sig") && h["sig"].is_string() &&
                    h["sig"].get<std::string>().size() == 128;
    if (!ok) r.error = "reply: head is not {pos, at, head, key, sig}";
    else
      r.head = Witness{r.hub, h["pos"].get<std::int64_t>(), h["at"].get<std::int64_t>(), h["head"].get<std::string>(),
                       h["key"].get<std::string>(), h["sig"].get<std::string>()};
  }
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

std::string snapshotToWire(const Snapshot& snap, const std::string& hub) {
  std::size_t size = 256;
  for (const SnapshotRecord& r : snap.records) size += r.id.size() + r.body.size() + 32;
  std::string out;
  out.reserve(size);
  out += "{\"hub\":" + json(hub).dump() + ",\"hub_pos\":" + std::to_string(snap.hub_pos) + ",\"hlc\":" + std::to_string(snap.hlc) +
         ",\"origins\":";
  json origins = json::object();
  for (auto& [origin, seq] : snap.origins) origins[origin] = seq;
  out += origins.dump();
  out += ",\"records\":[";
  bool first = true;
  for (const SnapshotRecord& r : snap.records) {
    if (!first) out += ',';
    first = false;
    out += "[\"";
    out += enumName(kRecordKindNames, r.kind);
    out += "\",";
    out += json(r.id).dump();
    out += ',';
    out += r.body;  // (canonical JSON, as the hub's store keeps it)
    out += ']';
  }
  out += "]}";
  return out;
}

SnapshotReply decodeSnapshotReply(std::string_view body) {
  SnapshotReply r;
  if (body.size() > kMaxSnapshotReply) {
    r.error = "reply too large (at most " + std::to_string(kMaxSnapshotReply) + " bytes)";
    return r;
  }
  if (jsonDepth(body, kMaxDepth) > kMaxDepth) {
    r.error = "reply nested too deeply (at most " + std::to_string(kMaxDepth) + " levels)";
    return r;
  }
  // each record is checked and taken as the parser finishes it, and not
  // kept in the tree: a tree of the whole snapshot would be ten times it
  auto take = [&](const json& x) {
    RecordKind kind{};
    const bool ok = x.is_array() && x.size() == 3 && x[0].is_string() && enumParse(kRecordKindNames, x[0].get<std::string>(), kind) &&
                    x[1].is_string() && !x[1].get<std::string>().empty() && (x[2].is_object() || x[2].is_string()) &&
                    !checkStrings(x) && (kind != RecordKind::Policy || x[1].get<std::string>() == "shop") &&
                    r.snap.records.size() < kMaxSnapshotRecords;
    if (ok) r.snap.records.push_back({kind, x[1].get<std::string>(), canonical(x[2])});
    return ok;
  };
  std::string key;
  bool bad = false;
  const json j = json::parse(
      body,
      [&](int depth, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::key && depth == 1) key = parsed.get<std::string>();
        if (event != json::parse_event_t::array_end || depth != 2 || key != "records") return true;
        if (!bad && !take(parsed)) bad = true;
        return false;
      },
      false);  // no exceptions: discarded on bad input (incl. invalid UTF-8)
  if (j.is_discarded()) r.error = "reply not valid JSON (or not UTF-8)";
  else if (!j.is_object()) r.error = "reply is not a JSON object";
  hubId(j, r.hub, r.error);
  field(j, "hub_pos", json::value_t::number_integer, r.error, [&](const json& v) { r.snap.hub_pos = v.get<std::int64_t>(); });
  field(j, "hlc", json::value_t::number_integer, r.error, [&](const json& v) { r.snap.hlc = v.get<std::int64_t>(); });
  if (r.error.empty() && (r.snap.hub_pos < 0 || r.snap.hlc < 0 || Hlc::wall(r.snap.hlc) > kMaxWall)) r.error = "reply: hub_pos or hlc out of range";
  field(j, "origins", json::value_t::object, r.error, [&](const json& o) {
    for (auto& [origin, seq] : o.items()) {
      if (!validKioskId(origin) || !seq.is_number_integer() || seq.get<std::int64_t>() < 0) {
        r.error = "reply: origins is not {kiosk id: sequence number}";
        return;
      }
      r.snap.origins[origin] = seq.get<std::int64_t>();
    }
  });
  // (every record taken above; anything left in the list was no record)
  field(j, "records", json::value_t::array, r.error, [&](const json& rest) {
    if (bad || !rest.empty()) r.error = "reply: a record is not [known kind, id, body] within the limits";
  });
  if (!r.error.empty()) r.snap = Snapshot{};
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
  if (r.error.empty() && j.contains("as_of")) {
    if (!j["as_of"].is_number_integer() || j["as_of"].get<std::int64_t>() < 0) r.error = "reply: bad as_of";
    else r.as_of = j["as_of"].get<std::int64_t>();
  }
  return r;
}

json reportToWire(const MonthlyReport& r, bool provisional, const std::string& hub) {
  return {{"hub", hub}, {"revision", kReportRevision}, {"provisional", provisional}, {"report", r}};
}

namespace {

// Every number in a report is a count, hours, money or a time: none is
// below 0, and a double is finite (JSON has no NaN, but a huge exponent
// parses as infinity).
bool figuresInRange(const json& j) {
  switch (j.type()) {
    case json::value_t::object:
    case json::value_t::array:
      return std::all_of(j.begin(), j.end(), [](const json& x) { return figuresInRange(x); });
    case json::value_t::number_integer: return j.get<std::int64_t>() >= 0;
    case json::value_t::number_float: return std::isfinite(j.get<double>()) && j.get<double>() >= 0;
    default: return true;
  }
}

}  // namespace

ReportReply decodeReportReply(std::string_view body, Millis from, Millis to) {
  ReportReply r;
  const json j = replyObject(body, r.error);
  hubId(j, r.hub, r.error);
  field(j, "revision", json::value_t::number_integer, r.error, [&](const json& v) {
    if (v.get<std::int64_t>() != kReportRevision)
      r.error = "reply: the hub computes reports otherwise (revision " + v.dump() + ", this kiosk " +
                std::to_string(kReportRevision) + "): update";
  });
  field(j, "provisional", json::value_t::boolean, r.error, [&](const json& v) { r.provisional = v.get<bool>(); });
  field(j, "report", json::value_t::object, r.error, [&](const json& v) {
    if (auto bad = checkStrings(v)) { r.error = "reply: report " + *bad; return; }
    if (!figuresInRange(v)) { r.error = "reply: a figure of the report out of range"; return; }
    try {
      v.get_to(r.report);
    } catch (const json::exception& e) {
      r.error = std::string("reply: report of the wrong form: ") + e.what();
      return;
    }
    if (json(r.report) != v) r.error = "reply: report of the wrong form (a field extra or of another type)";
    else if (r.report.from != from || r.report.to != to) r.error = "reply: a report of another range than asked";
  });
  if (!r.error.empty()) r.report = {};
  return r;
}

json historyToWire(const std::vector<Visit>& visits, const std::string& vin, const std::string& hub) {
  return {{"hub", hub}, {"vin", vin}, {"visits", visits}};
}

HistoryReply decodeHistoryReply(std::string_view body, const std::string& vin) {
  HistoryReply r;
  const json j = replyObject(body, r.error);
  hubId(j, r.hub, r.error);
  field(j, "vin", json::value_t::string, r.error, [&](const json& v) {
    if (vinKey(v.get<std::string>()) != vinKey(vin)) r.error = "reply: the history of another car than asked";
  });
  field(j, "visits", json::value_t::array, r.error, [&](const json& list) {
    if (list.size() > kMaxVisits) { r.error = "reply: more visits than a car has"; return; }
    if (auto bad = checkStrings(list)) { r.error = "reply: visits " + *bad; return; }
    std::set<Id> seen;
    for (const json& x : list) {
      Visit v;
      try {
        x.get_to(v);
      } catch (const json::exception& e) {
        r.error = std::string("reply: a visit of the wrong form: ") + e.what();
        return;
      }
      if (json(v) != x) { r.error = "reply: a visit of the wrong form (a field extra or of another type)"; return; }
      if (vinKey(v.wo.vehicle.vin) != vinKey(vin)) { r.error = "reply: a visit of another car than asked"; return; }
      if (v.wo.id.empty() || !seen.insert(v.wo.id).second) { r.error = "reply: a work order twice, or without an id"; return; }
      r.visits.push_back(std::move(v));
    }
  });
  if (!r.error.empty()) r.visits.clear();
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
