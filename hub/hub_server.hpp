#pragma once
// The hub: owns the central store and serves the bays over HTTP + JSON.
// Only enrolled kiosks (a one-time code gives each its own token; only token
// hashes are stored) may push or pull. Pushes are applied in one transaction
// per batch, exactly once; pulls long-poll so another bay's action arrives
// within a second. The HTTP side (limits, deadlines, parked long polls) is
// hub/http_server.hpp.
#include "hub/http_server.hpp"
#include "hub/rate_limit.hpp"
#include "record/quality_record.hpp"
#include "sync/wire.hpp"

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace bk::hub {

// TLS (GnuTLS through libmicrohttpd): a PEM certificate and its key. Empty:
// plain HTTP, for loopback or behind a TLS-terminating proxy.
struct TlsFiles {
  std::string cert, key;
  bool enabled() const { return !cert.empty(); }
};

// Issue 12: what the hub needs to draw quality records (PDF).
struct RecordConfig {
  Catalog catalog;
  record::Labels labels;
  std::string font = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";
  std::string shop;  // the shop's name, in the heading
};

// Issue 13: what `bk-hub status` shows that the store itself holds: the
// hub, its log's head, every active client, the last backups, the disk.
json statusJson(Store& store, Millis now);

class HubServer {
 public:
  using Clock = std::function<Millis()>;
  // `utc_offset_min` is no longer read: the shop's time zone is its policy's
  // (issue 13; `bk-hub serve --utc-offset-minutes` sets the default policy).
  HubServer(Store& store, Entropy& entropy, Clock clock, int utc_offset_min = 480, const TlsFiles& tls = {},
            const http::Limits& limits = {});
  ~HubServer();

  // Binds (port 0: any free port) and returns the port, or -1. First logs
  // any enrolled client the log lacks (one enrolled by a hub killed before
  // it logged it, or before clients were logged).
  int bind(const std::string& host, int port);
  void run();   // serves until stop()
  void stop();
  // Issue 16: from now until stop(), every `every` ms one calendar month
  // wholly past whose report is not kept is computed and kept
  // (Store::monthToKeep, newest first), so a report asked for is a read;
  // 0: never. Once.
  void keepReports(Millis every);

  // Administration (also through the bk-hub command line).
  // A one-time code that enrols exactly `kiosk`. An id enrolled before
  // (revoked or not) needs `replace`: an administrator's explicit choice.
  // The code gives the client its scope (issue 11): a bay kiosk works the
  // floor, the front desk writes work orders.
  std::string newEnrolCode(const Id& kiosk, Millis ttl, bool replace = false, Scope scope = Scope::Floor);
  bool revoke(const Id& kiosk);
  // Enrolment attempts a minute, from one address and from all (10 and
  // 120: a guesser of codes gets a few tries). A benchmark's kiosks, all on
  // one machine, raise them; so could a shop setting up many bays at once
  // from behind one address.
  void setEnrolLimits(int per_address, int overall) { enrol_attempts_.setLimits(per_address, overall); }
  // An administrator's change made on the hub's own machine (DECISIONS.md:
  // master data, policy): recorded as the hub's own event, and every bay
  // hears of it by its next pull.
  Recorded recordAdmin(const Action& a);
  // Issue 13: the administrator's commands (hub_admin.cpp): init,
  // staff.import/export/reset_pin, bays.import/export, policy.set/show.
  // `args`: "text" (the file), and the command's own. The reply has
  // "error" (and "errors", each with its line) when nothing changed.
  json admin(const std::string& op, const json& args);
  // Issue 13: while this hub serves, the command line reaches admin()
  // through a second listener on 127.0.0.1 (any free port), each request
  // carrying `token` (the secret bk-hub keeps in a 0600 file beside the
  // database): POST /admin/v1/{command}. Returns the port, or -1.
  int serveAdmin(const std::string& token);
  // Issue 11: the hub's own Ed25519 key (its secret in a 0600 file beside
  // the pepper, `bk-hub --hub-key`). It signs the chain head at most once a
  // minute; every pull carries the latest signed head, and kiosks keep
  // them as witnesses. Without one, the hub makes a key for this run.
  void setSigningKey(const Seed& seed);
  std::string signingKey();  // hex public key
  const Id& instance() const { return store_.kioskId(); }
  // Issue 12: GET /api/v1/work-orders/{id}/record.pdf draws with these.
  void setRecordConfig(RecordConfig c) {
    std::lock_guard lock(mu_);
    record_ = std::make_unique<RecordConfig>(std::move(c));
  }

 private:
  std::optional<EnrolledClient> authorise(const http::Request& req);
  // Issue 11: every enrolled client is in the hub's log with its scope and
  // device key (an EnrolClient event), so every store knows what each
  // origin may do. Clients enrolled before are recorded when the hub starts.
  void recordClient(const EnrolledClient& c);
  void reconcileClients();
  void enroll(const http::Request& req, http::Response& res);
  void push(const http::Request& req, http::Response& res);
  void pull(const http::Request& req, http::Response& res);
  // The front desk (hub_desk.cpp): work orders in, floor and report out.
  void routeDesk();
  void recordDesk(const Action& a, int created_status, http::Response& res);
  // Issue 11: names the desk client a write came through in its body
  // ("via"); false: refused (the reply is made).
  bool setVia(const http::Request& req, json& body, http::Response& res);
  std::string randomSecret(std::size_t bytes);

  Store& store_;
  std::unique_ptr<RecordConfig> record_;  // issue 12: nil until configured
  Entropy& entropy_;
  Clock clock_;
  http::Server http_;
  std::mutex mu_;  // one writer: the store
  std::optional<KeyPair> key_;  // under mu_
  json signedHead();            // under mu_
  json head_;                   // the last head signed (under mu_)
  Millis head_at_ = 0;
  AttemptLimiter enrol_attempts_{10, 120, 60'000};  // per address, overall, per minute
  // Issue 16: snapshots, per client and overall, per minute (a bay needs one
  // as it starts, or when its snapshot fell short; each is megabytes)
  AttemptLimiter snapshot_requests_{6, 60, 60'000};
  // Issue 16: a bay's questions of the past (a month's report, a car's
  // visits), per client and overall, per minute (a person paging back
  // through the months, a few bays at once)
  AttemptLimiter past_requests_{30, 180, 60'000};
  bool pastAllowed(const http::Request& req, http::Response& res);  // under mu_: enrolled still, within the rate (else the reply made)
  // Issue 13: each client's last request, for `bk-hub status`: when, from
  // where, its version, its own events not yet pushed (-1: not said), and
  // how far it has pulled the log (-1: not yet).
  struct Contact {
    Millis at = 0;
    std::string address, version;
    std::int64_t pending = -1, pulled_through = -1;
  };
  void noteContact(const Id& client, const http::Request& req);
  std::mutex contacts_mu_;
  std::map<Id, Contact> contacts_;
  std::unique_ptr<http::Server> admin_http_;  // issue 13: loopback, for bk-hub's own commands
  std::thread admin_thread_;
  std::string admin_token_;
  void keepReportsLoop();
  Millis keep_every_ = 0;
  std::thread keeper_;
  std::mutex keeper_mu_;
  std::condition_variable keeper_cv_;
  bool stopping_ = false;  // under keeper_mu_
};

}  // namespace bk::hub
