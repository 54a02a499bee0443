#pragma once
// The sync protocol's wire form (HTTP + JSON): events as the hub and the
// kiosks exchange them, decoded strictly. Neither side trusts the other:
// the hub decodes every push within the limits of sync/limits.hpp, and a
// kiosk decodes every reply of the hub the same way, field by field.
#include "store/store.hpp"
#include "domain/report.hpp"
#include "domain/limits.hpp"

namespace bk::sync {

using namespace bk::limits;  // the limits every reader of the wire applies

inline constexpr std::size_t kMaxBatch = 1000;  // events in one push or pull
// Issue 13: the sync protocol's version. A kiosk says which it speaks
// (X-BK-Protocol; none said: 1), and the hub takes kMinProtocol to
// kProtocol. One outside gets 426 "update needed": that kiosk works on
// offline and says so, and nothing of it is taken that it might mean
// otherwise.
inline constexpr int kProtocol = 1;
inline constexpr int kMinProtocol = 1;
// Times an event may carry: 1970 to 2100 (the HLC's wall part likewise).
inline constexpr Millis kMaxWall = 4'102'444'800'000;

// Kiosk and hub instance ids: [A-Za-z0-9._-]{1,64}.
bool validKioskId(std::string_view s);

// {"id":hex32,"origin":..,"seq":..,"wall":..,"hlc":..,"pos":..,"body":{action}}
// A tombstone has "refused": "what was wrong" in place of the body. On
// pull, an event the hub held (R16) has "held": its heldDigest.
json toWire(const StoredEvent& e);
// Throws std::invalid_argument naming what is wrong (id, types, ranges,
// strings, the body's size and schema). Reads tombstones (from the hub).
StoredEvent fromWire(const json& j);

// A push request's body, {"events":[…]}, decoded strictly and whole before
// anything is applied (DECISIONS.md, "an event the hub will not apply"):
//  - an envelope that is not well-formed, or not from `kiosk`, refuses the
//    batch: `status` is the HTTP code to answer (400, 403, 413), `error`
//    says why, and nothing is applied;
//  - a bad body (size, strings, schema) refuses that event only: it becomes
//    a tombstone (tombstone()), so the kiosk's sequence stays whole.
struct PushDecoded {
  std::vector<StoredEvent> events;
  // Issue 11: each event's envelope hash as it was sent (a tombstone's
  // too), and the device's signature over them ("batch_sig", hex; empty:
  // none sent).
  std::vector<EventHash> sent;
  std::string batch_sig;
  int status = 200;
  std::string error;
};
PushDecoded decodePush(const std::string& body, const Id& kiosk);

// The hub's replies, as a kiosk reads them. `error` set: the reply is not
// what the protocol says (wrong type, too large or deep, out of range) and
// nothing of it may be used.
struct EnrolReply { std::string token, hub, hub_key, error; };  // hub_key: hex, or empty from an older hub
struct PushReply {
  std::int64_t applied_through = 0;
  bool gap = false;
  std::string hub, error;
  std::vector<std::pair<std::int64_t, std::string>> refused;  // own sequence numbers refused as bad input, and why
};
struct PullReply {
  std::vector<StoredEvent> events;
  // Issue 16: the hub says of each event whether it held it ("held", the
  // review item's digest): Store::takeFromHub's `verdicts`.
  bool verdicts = false;
  std::int64_t last_pos = 0;
  std::string hub, error;
  std::optional<Witness> head;  // issue 11: the hub's signed chain head (not yet verified)
};
// `as_of`: the hub's log position the credentials go with (0: not said).
struct CredentialsReply { std::vector<std::pair<Id, std::string>> credentials; std::int64_t as_of = 0; std::string error; };
// Issue 16: a new kiosk's snapshot (Store::Snapshot) and the hub it is of.
struct SnapshotReply { Snapshot snap; std::string hub, error; };
// The hub writes it as text: each record's body, canonical JSON already,
// is copied into the reply, not parsed again (a snapshot is megabytes).
std::string snapshotToWire(const Snapshot& snap, const std::string& hub);
// As a kiosk reads it: at most kMaxSnapshotReply bytes, every record a
// known kind, an id and a body of strings within the limits.
SnapshotReply decodeSnapshotReply(std::string_view body);
// Issue 16: a month's report that a bay does not hold whole (its snapshot
// starts later), as the hub computed it: GET /api/v1/bay-report. As a kiosk
// reads it: the report's own form exactly (decoded and written again, it is
// the same JSON: no field missing, extra or of another type), every figure
// a number from 0 up, and the range the one asked for.
struct ReportReply { MonthlyReport report; bool provisional = false; std::string hub, error; };
json reportToWire(const MonthlyReport& r, bool provisional, const std::string& hub);
ReportReply decodeReportReply(std::string_view body, Millis from, Millis to);
// Issue 16: a car's visits from the hub (GET /api/v1/bay-history/VIN), for
// a bay that holds only its recent ones: each visit's own form exactly, the
// car asked for, each work order once, at most kMaxVisits.
inline constexpr std::size_t kMaxVisits = 2000;
struct HistoryReply { std::vector<Visit> visits; std::string hub, error; };
json historyToWire(const std::vector<Visit>& visits, const std::string& vin, const std::string& hub);
HistoryReply decodeHistoryReply(std::string_view body, const std::string& vin);
EnrolReply decodeEnrolReply(std::string_view body);
PushReply decodePushReply(std::string_view body);
PullReply decodePullReply(std::string_view body);
CredentialsReply decodeCredentialsReply(std::string_view body);

// Hex SHA-256 of a secret (tokens, one-time codes): only hashes are stored.
std::string secretHash(const std::string& secret);

}  // namespace bk::sync
