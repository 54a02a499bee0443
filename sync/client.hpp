#pragma once
// The kiosk's side of sync. A pusher sends this kiosk's events in order, in
// batches, until the hub has acknowledged them all (R16: nothing is lost
// while the hub is away); a puller long-polls the hub for everything else so
// another bay's action shows up within a second. Both share the store with
// the UI through one mutex and never hold it across the network.
#include "sync/wire.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace httplib { class Client; }

namespace bk::sync {

struct SyncOptions {
  std::string hub;          // "http://host:port"
  std::string enrol_code;   // used once if the kiosk holds no token yet
  int batch = 200;
  int poll_ms = 20'000;     // long-poll time
  std::string ca_cert;      // https: the hub's certificate (or its CA), PEM; verified always
  int protocol = kProtocol; // issue 13: the sync protocol this kiosk speaks (tests: another)
};

// What went wrong with the hub, for the status bar: unreachable is the
// ordinary offline; the others mean the hub (or something posing as it)
// answered wrongly, and an administrator should look.
// UpdateNeeded (issue 13): the hub speaks another protocol version; this
// kiosk works on offline until one of them is updated.
enum class SyncFault { None, Unreachable, Refused, BadReply, Unstable, UpdateNeeded };

struct SyncState {
  bool configured = false, enrolled = false, reachable = false;
  std::int64_t pending = 0;  // own events the hub has not acknowledged
  std::int64_t pulled = 0, hub_last = 0;  // catching up: where we are, where the hub is
  // Issue 16: a new kiosk loading the hub's snapshot (bytes so far, of
  // the total; 0: not said yet), before it pulls from there on
  bool loading_snapshot = false;
  std::int64_t snapshot_got = 0, snapshot_total = 0;
  Millis last_contact = 0;
  std::string hub_instance, error;
  SyncFault fault = SyncFault::None;
};

// Issue 16: a month's report asked of the hub (a month before what this
// bay holds), as it stands: still asking, or answered (a report, or why
// there is none).
struct ReportAnswer {
  Millis from = 0, to = 0;  // 0, 0: nothing asked
  bool done = false;
  std::optional<MonthlyReport> report;
  bool provisional = false;  // its comeback rates settle later (DECISIONS.md)
  std::string error;         // done without a report: what went wrong
  bool unreachable = false;  // ...the hub did not answer (offline)
};

// Issue 16: a car's visits asked of the hub (a bay holds only its recent
// ones), as it stands.
struct HistoryAnswer {
  std::string vin;  // empty: nothing asked
  bool done = false;
  std::vector<Visit> visits;  // newest first, as the hub holds them
  std::string error;
  bool unreachable = false;
};

class SyncClient {
 public:
  using Clock = std::function<Millis()>;
  SyncClient(Store& store, std::mutex& store_mu, const std::vector<std::uint8_t>& pepper, SyncOptions opt,
             Clock clock, std::function<void()> on_change = {});
  ~SyncClient();

  void start();
  void stop();
  void wake();  // a new local event: push now
  SyncState state() const;

  // One round each, synchronously (what the threads loop over).
  bool enroll();
  bool pushOnce();
  bool pullOnce(int wait_ms);
  // Issue 16: a kiosk that holds nothing yet starts from the hub's
  // snapshot; a hub without one (an older version) is pulled from 0.
  bool needsSnapshot();
  bool fetchSnapshot();
  bool fetchCredentials();
  // Issue 16: the report over [from, to) from the hub. askReport returns at
  // once: the question goes to its own thread (one at a time, the latest
  // asked; on_change when answered), and reportAnswer() says how it stands.
  // fetchReport is one round, synchronously (what that thread runs).
  void askReport(Millis from, Millis to);
  ReportAnswer reportAnswer() const;
  ReportAnswer fetchReport(Millis from, Millis to);
  // The same for a car's visits, by its VIN.
  void askHistory(const std::string& vin);
  HistoryAnswer historyAnswer() const;
  HistoryAnswer fetchHistory(const std::string& vin);

 private:
  std::string token() const;
  void saveToken(const std::string& token);
  // Issue 11: secrets at rest in the store, sealed with the pepper's key.
  std::string sealText(std::string_view plain) const;
  std::string unseal(const std::string& sealed_hex) const;
  std::optional<KeyPair> deviceKey() const;  // call with mu_ held
  bool noteHub(const std::string& instance);  // true: a new hub instance, cursors reset
  void fail(const std::string& what, SyncFault fault = SyncFault::BadReply);
  // Issue 16: one question of the past: GET `path`, its body on 200; else
  // why not (`unreachable`: the hub did not answer). Never a sync fault.
  std::string askHub(const std::string& path, const char* what, bool& unreachable, std::string& body);
  std::string hubInstance() const;
  template <typename A>
  void ask(A& slot, A question, bool& asked);  // a question to the asker thread (the latest of its kind)
  template <typename F>
  bool guarded(F&& round);
  std::chrono::milliseconds instanceBackoff();
  void noteStable();  // a good round: clear the fault, unless the hub's identity keeps changing

  Store& store_;
  std::mutex& mu_;
  std::array<std::uint8_t, 32> key_{};  // seals the token at rest
  Millis last_instance_change_ = 0, instance_backoff_ = 0;  // under mu_
  SyncOptions opt_;
  Clock clock_;
  std::function<void()> on_change_;
  mutable std::mutex state_mu_;
  SyncState state_;
  std::atomic<bool> running_{false};
  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool woken_ = false;
  std::thread pusher_, puller_, asker_;
  // issue 16: the report asked for and its answer (under state_mu_); the
  // asker waits on wake_cv_ for a question
  ReportAnswer report_;
  HistoryAnswer history_;
  bool report_asked_ = false, history_asked_ = false;  // under wake_mu_: questions the asker has not taken yet
  std::condition_variable ask_cv_;  // (with wake_mu_)
  bool snapshot_declined_ = false;  // the hub has no snapshot to give (under mu_)
  std::mutex pull_client_mu_;
  httplib::Client* pull_client_ = nullptr;  // so stop() can end a long poll
  httplib::Client* ask_client_ = nullptr;   // ...and a report being asked (under pull_client_mu_)
};

}  // namespace bk::sync
