#include "store/enrolment.hpp"

#include <charconv>

namespace bk {
namespace {

constexpr const char* kAddCode =
    "INSERT INTO enrol_codes(code_hash, expires_at, kiosk_id, replace_ok, scope) VALUES(?1, ?2, ?3, ?4, ?5)";
constexpr const char* kUseCode =
    "UPDATE enrol_codes SET used_by = ?2 WHERE code_hash = ?1 AND used_by IS NULL AND expires_at > ?3 "
    "RETURNING kiosk_id, replace_ok, scope";
constexpr const char* kKnown = "SELECT 1 FROM enrolled_kiosks WHERE kiosk_id = ?1";
constexpr const char* kEnrol =
    "INSERT INTO enrolled_kiosks(kiosk_id, token_hash, enrolled_at, scope, device_key) VALUES(?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT(kiosk_id) DO UPDATE SET token_hash = excluded.token_hash, "
    "enrolled_at = excluded.enrolled_at, revoked_at = NULL, scope = excluded.scope, device_key = excluded.device_key";
constexpr const char* kByToken =
    "SELECT kiosk_id, scope, device_key, enrolled_at FROM enrolled_kiosks WHERE token_hash = ?1 AND revoked_at IS NULL";
constexpr const char* kClient =
    "SELECT kiosk_id, scope, device_key, enrolled_at FROM enrolled_kiosks WHERE kiosk_id = ?1 AND revoked_at IS NULL";
constexpr const char* kActive =
    "SELECT kiosk_id, scope, device_key, enrolled_at FROM enrolled_kiosks WHERE revoked_at IS NULL ORDER BY kiosk_id";
constexpr const char* kRevoke = "UPDATE enrolled_kiosks SET revoked_at = ?2 WHERE kiosk_id = ?1 AND revoked_at IS NULL";
constexpr const char* kReadMeta = "SELECT value FROM meta WHERE key = ?1";
constexpr const char* kWriteMeta =
    "INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
constexpr const char* kForgetPlacement = "DELETE FROM meta WHERE key IN ('placed_max', 'rebase_from')";
// a kiosk's witnesses of its hub's signed head: each hour keeps its first
// and its latest, kMaxWitnesses in all
constexpr const char* kDropWitnessOfHour =
    "DELETE FROM witnesses WHERE hub = ?1 AND at / 3600000 = ?2 / 3600000 AND pos < ?3 AND at > "
    "(SELECT MIN(at) FROM witnesses WHERE hub = ?1 AND at / 3600000 = ?2 / 3600000)";
constexpr const char* kAddWitness = "INSERT OR IGNORE INTO witnesses(hub, pos, at, head, key, sig) VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char* kTrimWitnesses =
    "DELETE FROM witnesses WHERE (hub, pos) IN (SELECT hub, pos FROM witnesses ORDER BY at DESC LIMIT -1 OFFSET ?1)";
constexpr const char* kWitnesses = "SELECT hub, pos, at, head, key, sig FROM witnesses ORDER BY at";

std::int64_t asInt(const std::string& s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() && v >= 0 ? v : 0;  // unreadable: from the start
}

EnrolledClient clientAt(sql::Stmt& q) {
  EnrolledClient c;
  c.id = q.text(0);
  c.scope = q.text(1) == "desk" ? Scope::Desk : Scope::Floor;  // anything unknown: the narrower floor
  c.device_key = q.isNull(2) ? std::string() : q.text(2);
  c.since = q.integer(3);
  return c;
}

}  // namespace

Enrolment::Enrolment(sql::Db& db) : db_(db), byToken_(db, kByToken) {}

void Enrolment::addCode(const std::string& code_hash, const Id& kiosk, bool replace, Millis expires_at, Scope scope) {
  sql::Stmt st(db_, kAddCode);
  st.bind(1, code_hash).bind(2, expires_at).bind(3, kiosk).bind(4, replace ? 1 : 0).bind(5, std::string(name(scope))).run();
}

bool Enrolment::known(const Id& kiosk) {
  sql::Stmt q(db_, kKnown);
  q.bind(1, kiosk);
  return q.step();
}

Enrolment::Use Enrolment::useCode(const std::string& code_hash, const Id& kiosk, const std::string& token_hash,
                                  Millis now, const std::string& device_key) {
  sql::Tx tx(db_);
  sql::Stmt use(db_, kUseCode);
  use.bind(1, code_hash).bind(2, kiosk).bind(3, now);
  if (!use.step()) return Use::BadCode;  // unknown, used or expired: rolled back
  const Id allowed = use.isNull(0) ? Id() : Id(use.text(0));
  const bool replace = use.integer(1) != 0;
  const std::string scope = use.text(2);
  use.reset();
  if (allowed != kiosk) return Use::WrongKiosk;  // rolled back: the code stays usable for its own kiosk
  if (known(kiosk) && !replace) return Use::IdTaken;
  sql::Stmt add(db_, kEnrol);
  add.bind(1, kiosk).bind(2, token_hash).bind(3, now).bind(4, scope);
  if (device_key.empty()) add.bindNull(5);
  else add.bind(5, device_key);
  add.run();
  tx.commit();
  return Use::Enrolled;
}

std::optional<Id> Enrolment::kioskOfToken(const std::string& token_hash) {
  byToken_.bind(1, token_hash);
  std::optional<Id> out;
  if (byToken_.step()) out = byToken_.text(0);
  byToken_.reset();
  return out;
}

std::optional<EnrolledClient> Enrolment::clientOfToken(const std::string& token_hash) {
  byToken_.bind(1, token_hash);
  std::optional<EnrolledClient> out;
  if (byToken_.step()) out = clientAt(byToken_);
  byToken_.reset();
  return out;
}

std::optional<EnrolledClient> Enrolment::client(const Id& kiosk) {
  sql::Stmt q(db_, kClient);
  q.bind(1, kiosk);
  if (!q.step()) return std::nullopt;
  return clientAt(q);
}

std::vector<EnrolledClient> Enrolment::active() {
  sql::Stmt q(db_, kActive);
  std::vector<EnrolledClient> out;
  while (q.step()) out.push_back(clientAt(q));
  return out;
}

bool Enrolment::revoke(const Id& kiosk, Millis now) {
  sql::Stmt st(db_, kRevoke);
  st.bind(1, kiosk).bind(2, now).run();
  return db_.changes() > 0;
}

std::string SyncCursors::read(const char* key) {
  sql::Stmt q(db_, kReadMeta);
  q.bind(1, key);
  return q.step() ? q.text(0) : std::string();
}

void SyncCursors::write(const char* key, const std::string& value) {
  sql::Stmt q(db_, kWriteMeta);
  q.bind(1, key).bind(2, value).run();
}

SyncCursors::Placement SyncCursors::placement() { return Placement{asInt(read("placed_max")), asInt(read("rebase_from"))}; }
void SyncCursors::setPlacement(const Placement& p) {
  write("placed_max", std::to_string(p.placed_max));
  write("rebase_from", p.rebase_from ? std::to_string(p.rebase_from) : std::string());
}
void SyncCursors::forgetPlacement() { db_.exec(kForgetPlacement); }

SyncCursor SyncCursors::get() {
  return SyncCursor{read("hub_instance"), asInt(read("hub_acked")), asInt(read("hub_cursor"))};
}
void SyncCursors::setAcked(std::int64_t seq) { write("hub_acked", std::to_string(seq)); }
void SyncCursors::setPulled(std::int64_t pos) { write("hub_cursor", std::to_string(pos)); }
void SyncCursors::resetFor(const std::string& hub_instance) {
  write("hub_instance", hub_instance);
  setAcked(0);
  setPulled(0);
}
std::string SyncCursors::sealedToken() { return read("hub_token"); }
void SyncCursors::setSealedToken(const std::string& hex) { write("hub_token", hex); }
std::string headMessage(const std::string& hub, std::int64_t pos, const std::string& head, Millis at) {
  return "bay-kiosk head v1\n" + hub + "\n" + std::to_string(pos) + "\n" + head + "\n" + std::to_string(at);
}

std::string SyncCursors::hubKey() { return read("hub_key"); }
void SyncCursors::setHubKey(const std::string& hex) { write("hub_key", hex); }

bool SyncCursors::keepWitness(const Witness& w) {
  // each hour keeps its first head and its latest
  sql::Stmt drop(db_, kDropWitnessOfHour);
  drop.bind(1, w.hub).bind(2, w.at).bind(3, w.pos).run();
  sql::Stmt add(db_, kAddWitness);
  add.bind(1, w.hub).bind(2, w.pos).bind(3, w.at).bind(4, w.head).bind(5, w.key).bind(6, w.sig).run();
  if (db_.changes() == 0) return false;
  sql::Stmt trim(db_, kTrimWitnesses);
  trim.bind(1, kMaxWitnesses).run();
  return true;
}

std::vector<Witness> SyncCursors::witnesses() {
  sql::Stmt q(db_, kWitnesses);
  std::vector<Witness> out;
  while (q.step()) out.push_back(Witness{q.text(0), q.integer(1), q.integer(2), q.text(3), q.text(4), q.text(5)});
  return out;
}

std::string SyncCursors::sealedDeviceKey() { return read("device_key"); }
void SyncCursors::setSealedDeviceKey(const std::string& hex) { write("device_key", hex); }

}  // namespace bk
