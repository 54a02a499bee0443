#pragma once
// The durable local store of a kiosk (and, later, of the hub): SQLite in WAL
// mode with synchronous=FULL. Every action is one transaction that writes the
// records it changed and appends its event to the log; the state can always be
// rebuilt from the events alone.
#include "store/auth.hpp"
#include "store/enrolment.hpp"
#include "domain/ids.hpp"
#include "domain/limits.hpp"
#include "domain/rules.hpp"
#include "domain/signing.hpp"
#include "store/sqlite.hpp"
#include "store/working_set.hpp"

#include <atomic>
#include <functional>
#include <memory>

namespace bk {

// Random bits for event ids, supplied by the platform (tests pass fixed ones).
class Entropy {
 public:
  virtual ~Entropy() = default;
  virtual std::array<std::uint8_t, 8> random8() = 0;
};

// The type of a tombstone: an event the hub refused as bad input keeps its
// place in its kiosk's sequence (id, origin, seq, times) and why, with no
// body (DECISIONS.md). Its body is {"refused": what was wrong}.
inline constexpr std::string_view kRefusedType = "refused";

struct StoredEvent {
  std::int64_t pos = 0;         // local apply order
  Uuid id{};
  Id origin;                    // kiosk instance id
  std::int64_t origin_seq = 0;  // gap-free per origin
  Millis wall_ms = 0;
  std::int64_t hlc = 0;
  std::string type;
  std::string body;             // canonical JSON of the action
  // Set by the strict wire decoder: the action already decoded from `body`
  // (which it made canonical), so taking the event does not decode it again.
  std::shared_ptr<const Action> decoded;
  // Issue 16: as a hub sends it on pull, what the hub made of it: the
  // digest (heldDigest) of the review item it held it under; empty: it
  // applied it, or (Store::takeFromHub's `verdicts` false) it did not say.
  std::string hub_held;
  bool tombstone() const { return type == kRefusedType; }
};
// A tombstone for an event refused with `detail` (its envelope kept).
StoredEvent tombstoneOf(StoredEvent envelope, const std::string& detail);
// What a tombstone says was wrong.
std::string refusedDetail(const StoredEvent& tombstone);

// Issue 11: an event's fingerprint over its whole envelope (id, origin,
// seq, wall time, hlc, type) and body. A device signs a push batch as the
// list of these (DECISIONS.md); the chain hash covers it too.
using EventHash = std::array<std::uint8_t, 32>;
EventHash envelopeHash(const StoredEvent& e);
// Issue 16: what a store made of an event it held (R16), as the held
// event left it: the review item without its resolution, hashed (SHA-256,
// 64 hex digits). A hub and a bay that held the same event on the same
// facts have the same digest.
std::string heldDigest(const ReviewItem& r);
// What a device's batch signature signs: its id and its events' hashes.
std::string batchMessage(const Id& origin, const std::vector<EventHash>& hashes);

// A push batch as its device signed it: kept by the hub with the range of
// the device's sequence it covers, so `bk-hub verify` can check later that
// every stored event is what its device wrote.
struct DeviceBatch {
  Id origin;
  std::int64_t first_seq = 0, last_seq = 0;
  std::string device_key;          // hex public key the signature verified with
  std::vector<EventHash> hashes;   // one per event, first_seq..last_seq
  std::string sig;                 // hex Ed25519
};

// What `bk-hub verify` finds wrong with an event (issue 11).
struct Finding {
  std::int64_t pos = 0;  // 0: no single event (a batch)
  Id origin;
  std::int64_t seq = 0;
  std::string what;
};

struct [[nodiscard]] Recorded {
  Outcome outcome;
  std::optional<StoredEvent> event;  // set when the action was committed
  explicit operator bool() const { return static_cast<bool>(outcome); }
  Reason reason() const { return outcome.refusal ? outcome.refusal->reason : Reason::BadInput; }
};

struct [[nodiscard]] SignIn {
  Outcome outcome;
  Id person;
  explicit operator bool() const { return static_cast<bool>(outcome); }
};

// What happened to an event that came from another kiosk (or the hub).
struct Remote {
  enum class Status { Applied, Duplicate, Gap } status = Status::Applied;
  std::int64_t expected_seq = 0;   // Gap: the origin's next sequence number
  Ingested ingested;               // Applied: clean, or kept as a review item (R16)
  std::int64_t pos = 0;            // Applied: its place in this store's log
};

// Issue 16: what a new kiosk starts from instead of the hub's whole log:
// the hub's records of its working set as a kiosk keeps it (the reference
// data, the work in the shop, what was delivered within the comeback
// window, whatever pins a delivered work order) at one position of the
// hub's log, with each origin's sequence number and the hub's clock there.
// The kiosk then takes the hub's log from that position on. Its records,
// and every replay of its log, start from these (its base).
struct SnapshotRecord {
  RecordKind kind{};
  Id id;
  std::string body;  // canonical JSON of the record
};
struct Snapshot {
  std::int64_t hub_pos = 0;            // the hub's log position the records are at
  std::int64_t hlc = 0;                // the hub's clock there (a kiosk's next event is later)
  std::map<Id, std::int64_t> origins;  // each origin's last sequence number through hub_pos
  std::vector<SnapshotRecord> records;
};

// The event log's SQL, named (the plan tests read the same text).
namespace logsql {
// each origin's latest sequence number: one probe of the (origin,
// origin_seq) index for each origin `origins` names (schema v22; a GROUP
// BY reads every event: 0.17 s at 1M events, at every start)
inline constexpr const char* kLatestSeqOfOrigins =
    "SELECT name, last FROM (SELECT name, (SELECT MAX(origin_seq) FROM events WHERE events.origin = origins.n) AS last "
    "FROM origins) WHERE last IS NOT NULL";
// The log replayed in the hub's order: the events it placed (after a
// position: a rebase), then those it has not, each walk an index.
inline constexpr const char* kPlacedAfter =
    "SELECT event_id, wall_ms, body, type, refused, (SELECT name FROM origins WHERE n = events.origin), origin_seq, "
    "hub_pos FROM events WHERE hub_pos IS NOT NULL AND hub_pos > ?1 ORDER BY hub_pos";
inline constexpr const char* kUnplaced =
    "SELECT event_id, wall_ms, body, type, refused, (SELECT name FROM origins WHERE n = events.origin), origin_seq, "
    "hub_pos FROM events WHERE hub_pos IS NULL ORDER BY pos";
inline constexpr const char* kAnyUnplaced = "SELECT EXISTS(SELECT 1 FROM events WHERE hub_pos IS NULL)";
inline constexpr const char* kLastPlaced = "SELECT COALESCE(MAX(hub_pos), 0) FROM events WHERE hub_pos IS NOT NULL";
// (a kiosk's: its events not yet placed by the hub are few; on the hub
// every event would be one, so it has none, schema v7)
inline constexpr const char* kUnplacedIndex = "CREATE INDEX IF NOT EXISTS events_unplaced ON events(pos) WHERE hub_pos IS NULL";
}  // namespace logsql

// Issue 16: a bay kiosk's working set: the work in the shop and what was
// delivered in the last two days (today's hours, the floor), whatever the
// shop's age.
inline constexpr int kKioskKeptDays = 2;

struct StoreOptions {
  std::string path;
  Id kiosk_id;                        // used when the database is created
  Policy policy;
  AuthPolicy auth;
  std::vector<std::uint8_t> pepper;   // from outside the database (≥ 32 bytes)
  // Issue 16: a store that takes a hub's order (a kiosk) keeps what it
  // needs to rebase from where it was last in step with the hub; the hub's
  // own store does not.
  bool takes_hub_order = true;
  // Issue 16: delivered work orders stay in memory this many days after
  // their delivery (at least one), then leave it for SQLite, read when
  // asked. The hub keeps two months, so this month's report and last
  // month's are at hand; a bay kiosk keeps kKioskKeptDays, what its
  // screens show of the floor (the past it reads when someone asks: a
  // car's history, a month's report, a returning car).
  int kept_days = 62;
};

class Store;

// Issue 16: a snapshot written beside a store's own state (Store::stage):
// on a connection of its own, in a transaction not yet committed, so the
// store's screen goes on reading (and drawing) what it held. Store::adopt
// commits it and takes it as the store's. Dropped unadopted, it is rolled
// back: nothing of it was ever seen.
class StagedSnapshot {
 public:
  StagedSnapshot();
  ~StagedSnapshot();
  StagedSnapshot(StagedSnapshot&&) noexcept;
  StagedSnapshot& operator=(StagedSnapshot&&) noexcept;
  // Written in full, and the store has not written since (a write of its
  // own meanwhile, which waits on this one's transaction, gives it up).
  bool ready() const;

 private:
  friend class Store;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Store {
 public:
  Store(StoreOptions opts, Entropy& entropy);
  ~Store();

  // The working set (issue 16): people, bays, the reference data, and the
  // work orders in work or delivered within the kept window, whole. Older
  // work orders are read with past…(); a store brings in what an action
  // names before checking it, so the rules see all they read.
  const Shop& shop() const { return shop_; }
  // Changes whenever the shop in memory may have changed (for caches).
  std::uint64_t generation() const { return generation_; }
  const Id& kioskId() const { return kiosk_id_; }
  const std::string& path() const { return opts_.path; }

  // Checks and, if allowed, commits one action (one transaction, one event).
  Recorded record(Action a, Millis now);
  // R15: signing asks for the PIN again; the signature is sealed over exactly
  // what is recorded. A wrong PIN counts towards the lock-out.
  Recorded sign(Action a, const Id& signer, const std::string& pin, Millis now);

  // Sign-in. Failures are counted per person; too many lock them out.
  SignIn signInPin(const Id& person, const std::string& pin, Millis now);
  SignIn signInBadge(const std::string& badge, Millis now);
  // Issue 11: PINs and signing keys. The administrator sets a PIN (the
  // hub's machine, or a shop's set-up): the sign-in credential and, for a
  // person without a signing key, their first key sealed under it (a
  // register_key event). A person who has a key keeps it: their PIN is
  // changed with the old one (the key re-sealed) or reset with a service
  // manager's approval (a new key; old signatures keep verifying with the
  // old one). setPin is refused for them unless their key opens with `pin`.
  Outcome setPin(const Id& person, const std::string& pin, Millis now);
  Outcome changePin(const Id& person, const std::string& old_pin, const std::string& new_pin, Millis now);
  Outcome resetPin(const Id& person, const std::string& new_pin, const Id& approver, const std::string& approver_pin,
                   Millis now);
  // A seed sealed under `pin` with this shop's pepper (the demo generator
  // makes its people's keys with it).
  PinHasher::Sealed sealSeed(const Seed& seed, const std::string& pin, const std::array<std::uint8_t, 40>& salt_and_nonce) const {
    return hasher_.sealWith(seed, pin, salt_and_nonce);
  }
  // Issue 13: a person chooses their own PIN with a setup code (from the
  // staff import's slip, or a service manager's reset): the code is checked
  // against its hash (a wrong one counts towards the lock-out, like a wrong
  // PIN), then a new signing key is made, sealed under the PIN and
  // registered with the code, which is then used up.
  Outcome setupPin(const Id& person, const std::string& code, const std::string& pin, Millis now);
  // Issue 13: may this person set up a PIN now (a setup code of theirs,
  // unused and unexpired)?
  bool setupPending(const Id& person, Millis now) const;
  // Issue 13: a fresh setup code for `person` (8 random digits, shown once)
  // and the action that records only its hash; `by` a service manager (to
  // sign it) or empty for the administrator. Valid for the policy's days.
  std::pair<std::string, IssueSetupCode> makeSetupCode(const Id& person, const Id& by, Millis now);
  // `signing`: the PIN asked again to sign (else at sign-in). A wrong one
  // is recorded (pin_failed, issue 11); wrong PINs anywhere in the shop
  // lock the person out (the policy's count within its period).
  Outcome checkPin(const Id& person, const std::string& pin, Millis now, bool signing = false);
  // Issue 11: may a person choose this PIN? The policy's length (6 digits
  // by default, never fewer than 5) to 8. A PIN set before still works.
  Outcome newPinAllowed(const std::string& pin) const;
  // PIN hashes (useless without the shop's pepper), for the hub to hand to
  // enrolled kiosks; a kiosk keeps its own failure counts.
  std::vector<std::pair<Id, std::string>> pinHashes() const;
  void putPinHash(const Id& person, const std::string& hash);

  // Issue 16: the hub's side: its records as a new kiosk needs them (see
  // Snapshot), consistent with its log at lastPos().
  Snapshot snapshot() const;
  // The kiosk's side: a store that holds nothing yet (no event, no record
  // but what enrolment wrote) takes `snap` as its base, and its sync
  // cursors are set to take `hub_instance`'s log from `snap.hub_pos` on.
  // One transaction: a snapshot that does not decode (a record of the wrong
  // shape) changes nothing and throws std::invalid_argument.
  void startFrom(const Snapshot& snap, const std::string& hub_instance) { startFrom(prepare(Snapshot(snap)), hub_instance); }
  // The same in two steps. prepare() reads and checks the snapshot (its
  // records parsed into a shop and indexed, its base text made) and touches
  // nothing of the store, so the sync thread runs it outside the store's
  // lock: a working bay's screen, taking a newer snapshot, is held only
  // while it is written. It takes each record's body out of `snap` as it
  // goes (a snapshot is tens of megabytes: not held twice). Throws
  // std::invalid_argument as above.
  struct Prepared {
    Shop shop;
    std::string records;  // the base as text, each body as it came
    std::set<std::pair<RecordKind, Id>> all;
    std::int64_t hub_pos = 0, hlc = 0;
    std::map<Id, std::int64_t> origins;
  };
  Prepared prepare(Snapshot&& snap) const;
  void startFrom(Prepared snap, const std::string& hub_instance);
  // The same, the writing also outside the store's lock: stage() writes
  // `snap` beside the store's state (see StagedSnapshot) and touches
  // nothing of the store (the sync thread runs it while the screen draws);
  // adopt(), under the lock, commits it and takes it: a working bay's
  // screen is held only for the swap. stage() gives up (not ready) as soon
  // as the store writes meanwhile (its write waits on the staged
  // transaction, so it is not made to wait long), and returns not ready if
  // the store does not want this snapshot (neither new nor wantsSnapshot).
  // adopt() takes nothing and returns false if the staged snapshot is not
  // ready, or the store no longer wants it; it throws what a commit may.
  StagedSnapshot stage(Prepared snap, const std::string& hub_instance) const;
  bool adopt(StagedSnapshot& staged);
  // Did this store start from a snapshot (and at which hub position)?
  std::optional<std::int64_t> basePos() const { return base_pos_; }
  // Issue 16: a store that started from a snapshot judged an event of its
  // hub's otherwise than clean (a conflict, or an event that reads history
  // the snapshot lacks: a car linked back to a visit older than the
  // comeback window, a month's fault slips), and it is in step with the
  // hub now: it starts again from a newer snapshot, which holds the hub's
  // judgement. Its log stays whole (its own events are its to resend to a
  // hub restored from a backup); every replay skips what the snapshot holds.
  bool wantsSnapshot() const;
  // Issue 16: a store from a snapshot holds every work order with anything
  // since this time (the snapshot's, less its window); before it, only
  // those the snapshot had for another reason. None: it holds the shop's
  // whole history. A month's report, or a car's history, reaching further
  // back is the hub's to give (the kiosk says so rather than show part).
  std::optional<Millis> holdsEverySince() const;

  // Takes an event made elsewhere, exactly once: by origin and gap-free
  // sequence (the event id is a second guard); a gap is refused so the
  // sender resends from the right place. The event is re-checked against
  // this state with the same rules; what no longer holds is kept and becomes
  // a review item (R16). One transaction, like record().
  Remote ingestRemote(const StoredEvent& e, Millis now);
  // A batch in one transaction: applied in order until a gap (left in
  // `results` as the last entry). Any throw rolls the whole batch back.
  // `batch`: the device's signature over it, kept in the same transaction
  // when anything of it is new.
  std::vector<Remote> ingestBatch(const std::vector<StoredEvent>& events, Millis now, const DeviceBatch* batch = nullptr);
  std::int64_t lastSeqOf(const Id& origin) const;

  // A kiosk takes the hub's log in the hub's order (each event's pos is its
  // place in the hub's log): events it lacks are ingested, the rest (its own
  // included) get their place noted. Where this store took events in another
  // order than the hub did (it worked offline, or its own event crossed
  // another bay's on the wire), the view is rebuilt in the hub's order as
  // soon as all its own events are placed, if the order could matter: the
  // hub is the authority (R16), so after the network heals every kiosk shows
  // what the hub shows. One transaction.
  struct Placement {
    std::int64_t through = 0;  // the hub position taken up to
    bool changed = false;      // the view changed
    bool gap = false;          // stopped early: fetch again from `through`
    bool rebased = false;      // the view was rebuilt in the hub's order
    std::int64_t replayed = 0; // events the rebase replayed (issue 16: those since the store was last in step, if it can)
    // Issue 16: a store that started from a snapshot judged an event of the
    // hub's otherwise than the hub did: it may read history the snapshot
    // lacks, so the store asks for a newer snapshot (wantsSnapshot).
    bool needs_snapshot = false;
  };
  // `verdicts`: each event's hub_held is the hub's word on it (a hub that
  // says so on pull). Then a store from a snapshot wants a newer one only
  // when it judges an event otherwise than the hub: a conflict both held
  // alike is no reason. Without them, any event it holds is.
  Placement takeFromHub(const std::vector<StoredEvent>& events, Millis now, bool verdicts = false);
  // Issue 16, the hub: each event's hub_held set from the review item this
  // store holds it under (none: it applied it), for a pull.
  void markHeld(std::vector<StoredEvent>& events) const;
  // A new or restored hub: its positions start again.
  void forgetHubOrder();
  // Own events the hub has not yet placed in its log.
  std::int64_t unplacedOwn() const;
  // The hub refused this kiosk's own event `seq` as bad input (its push
  // reply, or the tombstone pulled in its place): the event is marked, kept
  // as recorded, and the view is rebuilt without its effect; the foreman is
  // shown it (a review item). False: no such event, or marked already.
  bool markRefused(std::int64_t seq, const std::string& detail);

  std::vector<StoredEvent> events(std::int64_t after_pos, int limit) const;
  // This kiosk's own events after a sequence number, in order (to push).
  std::vector<StoredEvent> ownEventsAfter(std::int64_t seq, int limit) const;
  // Small settings kept with the store (sync cursors, the sealed hub token).
  std::string meta(const std::string& key) const;
  void setMeta(const std::string& key, const std::string& value);
  std::int64_t lastPos() const;
  std::int64_t lastOwnSeq() const;
  std::int64_t eventCount() const;

  // Replays every event into an empty state (R16's ingest): in the hub's
  // order where it is known, then the rest in this store's order.
  Shop rebuildFromEvents() const;
  // Issue 16: where the records on disk differ from a replay of the log
  // (at most `max` lines; empty: they are the same), read one at a time,
  // so that `bk-hub verify` holds no second copy of the shop.
  std::vector<std::string> recordsDiffer(const Shop& replay, std::size_t max = 10) const;
  // Issue 16: `bk-hub verify` in bounded memory. The log is replayed as
  // rebuildFromEvents does, held the way a working set holds the shop: a
  // delivered work order leaves the replay two days (of the log's time)
  // after its delivery, its records checked against those on disk as it
  // leaves, and comes back, from disk, where a later event reads it (it
  // was the same as it left). One that differs stays, and is checked at the
  // end with all the replay holds then: the reference data, the open work
  // and `keep`. Memory holds the working set, not the shop's history.
  struct LogCheck {
    std::vector<std::string> differ;  // at most `max` lines; empty: the records are what the log makes
    std::vector<Finding> people;      // person signatures that do not verify (as verifyPersonSignatures)
    Shop held;                        // what the replay holds at the end, `keep` with it
    std::int64_t events = 0;
    std::int64_t left = 0;            // work orders that left the replay as it went
  };
  LogCheck checkLog(const std::set<Id>& keep = {}, std::size_t max = 10) const;
  // Reads the whole state back from the records tables (every work order,
  // not only the working set: for tests, and `bk-hub verify`).
  Shop loadRecords() const;
  // Issue 16: the past, read from SQLite for reports and histories (the
  // rules and reports take it as data): the reference data of the shop
  // with these work orders, whole; or, for a month's report, with every
  // inspection read from SQLite without its checklist items (the report
  // reads none, and they are most of a month's bytes); or, for the report
  // the store gives (Facts), each work order as its report row keeps it
  // (store/report_rows.hpp), from its records where it has none (those
  // are added to `without_row`). For a report, only the policy and its
  // inspections' supersedes of what memory always holds: not the people,
  // bays, clients, reviews and fault slips, which grow with the shop's age.
  enum class Detail { Whole, Report, Facts };
  Shop pastOf(const std::vector<Id>& work_orders, Detail detail = Detail::Whole, std::vector<Id>* without_row = nullptr) const;
  // The work orders with anything in [from, to), and the work orders they
  // are comebacks of or came back as (a month's report and fault slips).
  Shop pastOfMonth(Millis from, Millis to) const;
  // The same, as shopWith: the working set when it holds all of them (this
  // month, last month on the hub), else `scratch`, read from SQLite (as
  // `detail` says).
  const Shop& shopOfMonth(Millis from, Millis to, Shop& scratch, Detail detail = Detail::Whole) const;
  // The same, brought into the working set (which holds this month and
  // last month already): the shop itself, to read, until the store next
  // trims what it holds.
  // They stay there while it is looked at (view): until another view, or
  // stopViewing().
  const Shop& shopForMonth(Millis from, Millis to);
  // Every work order of a car (vinKey) brought into the working set, and
  // looked at (a bay's history screen: its comeback form reads the visits'
  // operations and the rules, the car's last delivery).
  const Shop& shopForVehicle(const std::string& vin);
  const Shop& view(std::set<Id> work_orders);
  void stopViewing();
  // The latest `limit` work orders delivered at or after `since`, newest
  // first (from memory where it holds them, else their own records).
  std::vector<WorkOrder> deliveredSince(Millis since, int limit) const;
  // Issue 16: the report for [from, to) (domain monthlyReport), as kept
  // when a calendar month wholly past was computed before and nothing it
  // read has changed since; else computed on the working set when it holds
  // the month, or on pastOfMonth (memory does not grow), and kept.
  MonthlyReport report(Millis from, Millis to);
  // The newest calendar month wholly past whose report is not kept (none:
  // every one is), for the hub to compute while it is idle, so that a
  // report asked for is a read.
  std::optional<std::pair<Millis, Millis>> monthToKeep();
  // Each report kept, and whether it equals the one the replay of the log
  // gives (`bk-hub verify`).
  struct KeptReport { Millis from = 0, to = 0; bool equal = false; };
  // (against the month read from the records: `bk-hub verify` checks those
  // against the log first)
  std::vector<KeptReport> checkKeptReports();
  // Every work order of a car (vinKey) and its comebacks.
  Shop pastOfVehicle(const std::string& vin) const;
  // A shop in which work order `wo` is whole (with the one it is a
  // comeback of, and its comebacks): the working set when it holds it,
  // else `scratch`, read from SQLite.
  const Shop& shopWith(const Id& wo, Shop& scratch) const;
  // Work orders the store holds (in memory or not), and how many of them
  // were delivered.
  struct WorkOrderCount { std::int64_t all = 0, delivered = 0; };
  WorkOrderCount workOrderCount() const;
  // Issue 16: delivered work orders whose window has passed leave memory
  // (done by the store itself at most hourly; public for tests).
  void trim(Millis now);
  std::string integrityCheck() const;
  // The first log position whose chain hash does not match (0: the whole
  // chain holds). Editing, removing or reordering any event shows here;
  // events cut from the end show as the position after the last one left.
  std::int64_t verifyChain() const;
  // Issue 11: every kept device signature against the device keys the log
  // holds for its origin, and every stored event of a signing device
  // against the hash its device signed. Empty: every one holds.
  // `more`: keys known otherwise, by origin (the hub's own key).
  std::vector<Finding> verifyDevices(const std::map<Id, std::string>& more = {}) const;
  // Issue 11: a store that signs each event it makes itself as it records
  // it (the hub, with its own key: front-desk writes, enrolments, master
  // data), kept like a device's batch signature.
  void signOwnEvents(const KeyPair& k) { own_signer_.emplace(k); }
  // Issue 11: events whose person signature does not verify, from a replay
  // of the log. Evidence the hub kept (quarantined) shows here too.
  std::vector<Finding> verifyPersonSignatures() const;
  // Issue 11: the chain hash at a log position (hex; empty: no such event),
  // and the head (the hash at lastPos()).
  std::string chainAt(std::int64_t pos) const;
  std::string chainHead() const;
  // Issue 11: heads a kiosk kept (its witnesses) against this log: each
  // signed with `hub_key` must hold and agree with the hash at its
  // position. A rewritten log disagrees even with every hash recomputed.
  std::vector<Finding> verifyWitnesses(const std::vector<Witness>& heads, const std::string& hub_key) const;
  // Writes a consistent copy of the live database (SQLite's online backup).
  void backupTo(const std::string& path) const;
  // The parts that share this database (issue 16: the store split).
  Enrolment& enrolment() { return *enrolment_; }
  SyncCursors& cursors() { return *cursors_; }
  // The raw connection, for tests and migrations only.
  sql::Db& db() { return *db_; }

 private:
  void writeDirty();
  void replaceRecords(Shop next);  // inside a transaction
  // What every replay of the log starts from: the snapshot the store
  // started from (issue 16), or an empty shop with the store's policy.
  Shop replayStart() const;
  // Replays every event into `s` (R16's ingest) in rebuildFromEvents'
  // order; `before` (if set) sees each action first (null: refused at the
  // hub) with its wall time.
  // `after_hub`: only the events the hub placed after that position, then
  // those it has not placed (the rebase journal's replay).
  // Returns how many events it judged otherwise than the hub did (where
  // the hub did not say: otherwise than clean), not those refused at the
  // hub.
  std::int64_t replayInto(Shop& s, const std::function<void(const Action*, Millis)>& before,
                          std::optional<std::int64_t> after_hub = std::nullopt) const;
  // Where `wo`'s records on disk differ from `replay`'s (empty: the same);
  // `records` is how many the replay holds of it; `bundle`: wsql::kBundle,
  // prepared once by the caller.
  std::string bundleDiffers(sql::Stmt& bundle, const Shop& replay, const Id& wo, std::int64_t records) const;
  // Issue 16: where the report rows of these work orders (those that have
  // one, of this format) are not what `replay`'s records make.
  std::vector<std::string> reportRowsDiffer(const Shop& replay, const std::set<Id>& work_orders, std::size_t max) const;
  std::vector<Finding> signatureFindings(const Shop& replay) const;
  // recordsDiffer, the records of the work orders numbered in `left`
  // skipped (there should be `left_records` of them).
  std::vector<std::string> differFrom(const Shop& replay, std::size_t max, const std::set<std::int64_t>& left,
                                      std::int64_t left_records) const;
  static void releaseFreed();
  // Issue 16: the working set (store/working_set.hpp).
  Millis keptWindow() const;
  Shop loadWorkingSet();
  void bringInWhole(const std::set<Id>& work_orders);  // into memory (those not there), indexed
  void loadBundles(Shop& s, const std::vector<Id>& work_orders, Detail detail = Detail::Whole) const;  // adds their records
  void loadWorkOrders(Shop& s, const std::vector<Id>& work_orders) const;  // their own records only
  void putRows(Shop& s, sql::Stmt& q) const;
  std::int64_t latestHlc();  // each (kind, id, body) row of q, into s
  void makeWorkOrderRows();  // once, after the v18 migration
  void bringIn(const Action& a);  // what the action names, before it is checked
  void evictSettled(Millis horizon);
  // Issue 16 (v24): the records of work orders leaving memory packed into
  // their bundles (in a transaction of their own when none is under way;
  // a failure leaves them rows), one unpacked before its records are
  // written, and once after the upgrade every one out of memory packed.
  void pack(const std::set<Id>& work_orders);
  void unpack(const Id& work_order);
  void packOnce();
  bool packOne(std::int64_t work_order_number);
  void compressPlainBundles() noexcept;
  // Issue 16: the report rows of these work orders, as `s` holds them
  // (within the transaction under way, or in one of their own: then a
  // failure leaves them without, and the report reads their records).
  void writeReportRows(const Shop& s, const std::set<Id>& work_orders);
  static void putReportRows(sql::Db& db, const Shop& s, const std::set<Id>& work_orders);  // (on any connection)
  void maybeTrim(Millis now);
  bool orderMatters(std::int64_t from_pos) const;
  // Runs `body` in one transaction; on a throw the disk rolls back and so
  // does memory (clock, sequences, chain head, state), then it rethrows.
  template <typename F>
  void atomically(F&& body);
  Remote ingestOne(const StoredEvent& e, Millis now);  // inside an open transaction
  // The person's key, unsealed with `pin` (checked already); a person
  // without one gets their first, registered now. Empty: it does not open.
  std::optional<KeyPair> unlockKey(const Id& person, const std::string& pin, Millis now, Outcome& why);
  void putCredential(const Id& person, const std::string& pin);
  StoredEvent appendEvent(const Action& a, Millis now);
  void keepDeviceBatch(const DeviceBatch& batch);  // in the open transaction
  void keepOwnSignature(const StoredEvent& e);     // in the open transaction
  std::array<std::uint8_t, 32> insertEvent(sql::Stmt& insert, const StoredEvent& e);  // bound and run with its chain hash
  void fillChain();  // events written before the chain existed
  std::array<std::uint8_t, 32> chainThrough(std::int64_t pos) const;  // the chain hash at pos, made from the events
  void noteChainHead(const std::array<std::uint8_t, 32>& before);  // in the same transaction

  std::unique_ptr<sql::Db> db_;
  Entropy& entropy_;
  StoreOptions opts_;
  PinHasher hasher_;
  Id kiosk_id_;
  Shop shop_;
  std::uint64_t generation_ = 0;
  Hlc hlc_;
  UuidV7 uuid_;
  std::int64_t own_seq_ = 0;
  std::map<Id, std::int64_t> seq_of_origin_;
  std::array<std::uint8_t, 32> chain_head_{};
  struct Statements;
  std::unique_ptr<Statements> st_;
  std::optional<KeyPair> own_signer_;
  // Issue 16: an incremental rebase. From the last moment this store held
  // only events the hub had placed, applied in the hub's order (clean: a
  // kiosk in step with its hub), each record a write changes is kept as it
  // was then. A rebase puts those back, and replays only the events since,
  // in the hub's order (R16): its cost is what the bay did since it was
  // last in step, not the shop's age. Memory, in a store that takes the
  // hub's order; past its limit (a bay offline for months) a rebase
  // replays the whole log as before.
  struct Journal {
    bool on = false;
    std::int64_t clean_hub = 0;  // the hub's position it was clean at
    struct Before {
      Id wo;                              // the work order it belongs to (bundle kinds)
      std::optional<std::string> body;    // as it was (decoded); none: it did not exist
      std::optional<std::int64_t> number; // its `wo` column then
    };
    std::map<std::pair<RecordKind, Id>, Before> before;
    std::size_t bytes = 0;
  };
  Journal journal_;
  std::vector<std::pair<RecordKind, Id>> journal_added_;  // in the open transaction (taken out if it rolls back)
  static constexpr std::size_t kJournalBytes = 32u << 20;
  void journalRollback();
  void noteIfClean();       // in a transaction: clean now? the journal starts again here
  std::optional<std::int64_t> rebaseSinceClean();  // in a transaction: the events replayed (none: no journal to do it with)
  std::int64_t rebase_otherwise_ = 0;  // events the last rebase judged otherwise than the hub (or, not said, than clean)
  // Issue 16: the digests of the events the hub held (by hub position),
  // from verdicts_from_ on, for a rebase since the store was last in step
  // (those before that point are let go as it notes itself in step).
  std::map<std::int64_t, std::string> hub_held_;
  std::optional<std::int64_t> verdicts_from_;  // every event from this hub position was pulled with the hub's word
  // Did `s` (after taking the event at `hub_pos`; none: not placed) judge
  // it otherwise than the hub did? Where the hub did not say: held at all.
  bool judgedOtherwise(const Shop& s, const Ingested& mine, std::optional<std::int64_t> hub_pos) const;
  // In a transaction: a store from a snapshot judged a hub's event
  // otherwise than the hub (or, not said, than clean). `provisional`: with
  // own events the hub has not yet placed, so a rebase in the hub's order
  // may judge it again (rejudged).
  void doubtBase(bool provisional = false);
  bool stale_provisional_ = false;  // the doubt stands only on such verdicts
  // A rebase judged every event since the store was last in step again:
  // `otherwise` of them otherwise than the hub. None: a provisional doubt
  // is withdrawn.
  void rejudged(std::int64_t otherwise);
  std::unique_ptr<Enrolment> enrolment_;
  std::unique_ptr<SyncCursors> cursors_;
  std::unique_ptr<WorkOrderIndex> work_orders_;
  std::unique_ptr<KeptReports> reports_;
  std::unique_ptr<Bundles> bundles_;
  bool partial_ = false;   // some work order on disk is not in memory
  std::optional<std::int64_t> base_pos_;  // started from a snapshot at this hub position (issue 16)
  std::map<Id, std::int64_t> base_origins_;  // what of each origin's sequence that snapshot holds
  std::int64_t base_hlc_ = 0;                // the hub's clock at that snapshot
  std::set<Id> viewed_;    // work orders a screen looks at (not trimmed)
  // Issue 16: a write of this store's waited on another connection's
  // transaction (a snapshot staged beside it, which gives up for it).
  mutable std::atomic<bool> yielded_{false};
  static int onBusy(void* store, int tries);
  Millis held_since_ = 0;  // memory holds every work order with anything since
  Millis trimmed_at_ = 0;
  std::size_t trimmed_size_ = 0;  // work orders in memory after the last trim
};

json recordJson(const Shop& s, RecordKind kind, const Id& id, Id& wo_out, bool& found);

}  // namespace bk
