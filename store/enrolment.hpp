#pragma once
// Two small parts of the store that share its database: the hub's register
// of enrolled kiosks (token hashes only) with their one-time codes, and a
// kiosk's typed sync cursors. Each owns its SQL; nothing outside the store
// runs SQL on the central database.
#include "domain/ids.hpp"
#include "domain/types.hpp"
#include "store/sqlite.hpp"

#include <optional>

namespace bk {

// Which kiosk may hold which token. A one-time code names the one kiosk id
// it may enrol; an id already enrolled (or revoked) is taken over only with
// a code an administrator issued to replace it.
// An enrolled client as the hub's register has it (issue 11): its scope
// and the public half of the device key it made at enrolment.
struct EnrolledClient {
  Id id;
  Scope scope = Scope::Floor;
  std::string device_key;  // hex; empty: enrolled before device keys
  Millis since = 0;
};

class Enrolment {
 public:
  explicit Enrolment(sql::Db& db);

  // A code gives the client it enrols its scope (issue 11).
  void addCode(const std::string& code_hash, const Id& kiosk, bool replace, Millis expires_at,
               Scope scope = Scope::Floor);
  enum class Use { Enrolled, BadCode, WrongKiosk, IdTaken };
  // Uses the code (once) and stores the token's hash and the client's
  // device key. One transaction.
  Use useCode(const std::string& code_hash, const Id& kiosk, const std::string& token_hash, Millis now,
              const std::string& device_key = {});
  std::optional<Id> kioskOfToken(const std::string& token_hash);
  std::optional<EnrolledClient> clientOfToken(const std::string& token_hash);
  std::optional<EnrolledClient> client(const Id& kiosk);
  // Every client enrolled and not revoked.
  std::vector<EnrolledClient> active();
  bool revoke(const Id& kiosk, Millis now);
  // Enrolled before (revoked or not).
  bool known(const Id& kiosk);

 private:
  sql::Db& db_;
  sql::Stmt byToken_;
};

// Issue 11: the hub's chain head at a position, signed with the hub's key.
// Kiosks keep the heads they pull as witnesses: a central log rewritten
// later, even with every hash recomputed, disagrees with them.
struct Witness {
  std::string hub;        // the hub instance that signed it
  std::int64_t pos = 0;   // the hub's log position
  Millis at = 0;          // when it was signed
  std::string head;       // hex chain hash at pos
  std::string key;        // hex public key of the hub
  std::string sig;        // hex Ed25519 over headMessage()
};
std::string headMessage(const std::string& hub, std::int64_t pos, const std::string& head, Millis at);

// A kiosk's place in the sync protocol, typed (kept in `meta`).
struct SyncCursor {
  std::string hub_instance;  // the hub these positions belong to
  std::int64_t acked = 0;    // own events the hub holds, by sequence number
  std::int64_t pulled = 0;   // the hub's log position fetched up to
};

class SyncCursors {
 public:
  explicit SyncCursors(sql::Db& db) : db_(db) {}
  SyncCursor get();
  void setAcked(std::int64_t seq);
  void setPulled(std::int64_t pos);
  // A new or restored hub: its positions start again.
  void resetFor(const std::string& hub_instance);
  // The hub's order as this store took it (Store::takeFromHub): the
  // highest local position placed so far, and the first local position
  // from which its order and the hub's differ (0: none pending).
  struct Placement {
    std::int64_t placed_max = 0;
    std::int64_t rebase_from = 0;
  };
  Placement placement();
  void setPlacement(const Placement& p);
  void forgetPlacement();
  std::string sealedToken();
  void setSealedToken(const std::string& hex);
  // Issue 11: the kiosk's device key (its seed), sealed like the token; it
  // never leaves the kiosk. Made at enrolment.
  std::string sealedDeviceKey();
  void setSealedDeviceKey(const std::string& hex);
  // The hub's public key, as its enrolment reply gave it.
  std::string hubKey();
  void setHubKey(const std::string& hex);
  // Keeps a head the caller has verified: each hour its first head and
  // its latest, at most kMaxWitnesses (the oldest go). True if kept.
  static constexpr int kMaxWitnesses = 10'000;
  bool keepWitness(const Witness& w);
  std::vector<Witness> witnesses();

 private:
  std::string read(const char* key);
  void write(const char* key, const std::string& value);
  sql::Db& db_;
};

}  // namespace bk
