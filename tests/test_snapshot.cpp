// Issue 16: a new bay starts from its hub's snapshot (the working set at one
// position of the hub's log) and takes the log from there, not the shop's
// whole history. What it holds is what the hub holds, on disk and in memory,
// and every replay of its log starts from the snapshot. Where it judges an
// event of the hub's otherwise than the hub did (the event may read history
// the snapshot lacks), it starts again from a newer snapshot as soon as it
// is in step: the hub's word, never a guess.
#include "tests/demo_shop.hpp"
#include "sync/wire.hpp"
#include "tests/support.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <chrono>
#include <memory>
#include <random>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

using namespace bkt;

namespace {

constexpr Millis kDay = 24 * 60 * MIN;

// The hub's snapshot as a bay reads it off the wire.
Snapshot snapshotOf(const Store& hub) {
  const sync::SnapshotReply r = sync::decodeSnapshotReply(sync::snapshotToWire(hub.snapshot(), "hub-1"));
  expect(r.error.empty() && r.hub == "hub-1", "the snapshot decodes: " + r.error);
  return r.snap;
}

struct NewBay {
  TempDir dir;
  FixedEntropy ent;
  StoreOptions o;
  std::unique_ptr<Store> st;
  std::int64_t through = 0, pushed = 0;
  explicit NewBay(const std::string& id = "kiosk-b07", std::uint64_t seed = 5) : ent(seed) {
    o = storeOptions(dir.file("bay.db"), id);
    o.kept_days = kKioskKeptDays;
    st = std::make_unique<Store>(o, ent);
  }
  void start(const Store& hub) {
    st->startFrom(snapshotOf(hub), "hub-1");
    through = st->cursors().get().pulled;
  }
  // As a bay pulls over the wire: with the hub's word on each event
  // (`verdicts`, as a hub of this version sends it), or without (an older
  // hub); `tamper` changes the reply first.
  Store::Placement pull(Store& hub, Millis now, bool verdicts = true,
                        const std::function<void(std::vector<StoredEvent>&)>& tamper = {}) {
    Store::Placement all;
    for (;;) {
      std::vector<StoredEvent> got = hub.events(through, 500);
      if (got.empty()) return all;
      if (verdicts) hub.markHeld(got);
      if (tamper) tamper(got);
      for (StoredEvent& e : got) e = sync::fromWire(sync::toWire(e));
      const Store::Placement p = st->takeFromHub(got, now, verdicts);
      expect(!p.gap, "no gap in the hub's log");
      through = p.through;
      all.rebased |= p.rebased;
      all.needs_snapshot |= p.needs_snapshot;
    }
  }
  void push(Store& hub, Millis now) {
    for (const StoredEvent& e : st->ownEventsAfter(pushed, 1000)) {
      expect(hub.ingestRemote(e, now).status == Remote::Status::Applied, "the hub takes the bay's event");
      pushed = e.origin_seq;
    }
  }
};

// The bay holds what the hub holds: each record it has on disk as the
// hub's, its memory the hub's working set, both a replay of its own log
// from the snapshot.
void expectSame(const Store& hub, const Store& bay) {
  const Shop hubAll = hub.loadRecords();
  const Shop bayAll = bay.loadRecords();
  CHECK(bayAll.samePartOf(hubAll));
  CHECK(bay.shop().samePartOf(hubAll));
  for (auto& [id, w] : hubAll.work_orders)
    if (!w.delivered_at) CHECK(bayAll.work_orders.count(id) == 1);
  CHECK(matchesReplay(bay));
}

}  // namespace

TEST_CASE("issue 16: a new bay starts from its hub's snapshot, holds what the hub holds, and takes the log from there") {
  DemoShop h(11, "hub", false);  // the hub
  Store& hub = *h.st;
  const std::string wire = sync::snapshotToWire(hub.snapshot(), "hub-1");
  NewBay bay;
  bay.start(hub);
  Store& st = *bay.st;
  // the working set and a comeback window of deliveries, not four months
  const std::int64_t hubRecords = hub.db().scalarInt("SELECT COUNT(*) FROM records");
  const std::int64_t bayRecords = st.db().scalarInt("SELECT COUNT(*) FROM records");
  MESSAGE("snapshot: " << wire.size() << " bytes, " << bayRecords << " records of the hub's " << hubRecords);
  CHECK(bayRecords * 2 < hubRecords);
  CHECK(st.eventCount() == 0);
  CHECK(st.basePos() == hub.lastPos());
  CHECK(st.cursors().get().pulled == hub.lastPos());
  CHECK(st.cursors().get().hub_instance == "hub-1");
  CHECK(st.lastSeqOf("hub") == hub.lastSeqOf("hub"));
  // (v24) its records get their dictionary from the snapshot before most of
  // them are packed into bundles: none is kept as JSON
  const std::int64_t bundled = st.db().scalarInt("SELECT COUNT(*) FROM bundles");
  MESSAGE(bundled << " work orders of the snapshot packed as the bay took it; records dictionaries: "
                  << st.db().scalarInt("SELECT COUNT(*) FROM body_dicts WHERE kind = 'records'"));
  if (st.db().scalarInt("SELECT COUNT(*) FROM body_dicts WHERE kind = 'records'") == 1) {
    CHECK(bundled > 0);
    CHECK(st.db().scalarInt("SELECT COUNT(*) FROM bundles WHERE typeof(body) = 'text'") == 0);
    CHECK(st.db().scalarInt("SELECT COUNT(*) FROM records WHERE typeof(body) = 'text'") == 0);
  }
  expectSame(hub, st);
  // every car the comeback rules may find is there: each delivery within the window
  for (auto& [id, w] : hub.loadRecords().work_orders)
    if (w.delivered_at && *w.delivered_at >= h.opt.now - 30 * kDay) CHECK(st.loadRecords().work_orders.count(id) == 1);

  // the shop goes on: a comeback of a car delivered three weeks ago at the
  // bay, pushed; another at the hub's desk; a clock-on at the bay, pulled
  const Shop hubShop = hub.loadRecords();
  const WorkOrder* recent = lastVisitBetween(hubShop, h.opt.now, 15, 25);
  const WorkOrder* recent2 = lastVisitBetween(hubShop, h.opt.now, 5, 14);
  REQUIRE(recent);
  REQUIRE(recent2);
  const Millis t = h.opt.now + 10 * MIN;
  REQUIRE(st.record(comebackOf(hubShop, *recent, "bay-1", t), t));
  bay.push(hub, t);
  REQUIRE(hub.record(comebackOf(hub.shop(), *recent2, "desk-1", t + MIN), t + MIN));
  const Store::Placement p = bay.pull(hub, t + 2 * MIN);
  CHECK_FALSE(p.needs_snapshot);
  CHECK_FALSE(st.wantsSnapshot());
  CHECK(st.shop().work_orders.count("wo-desk-1") == 1);
  CHECK(st.shop().work_orders.count(recent2->id) == 1);  // (an open comeback's origin, in memory)
  expectSame(hub, st);

  // opened again: its snapshot is where its replays start, its sequences
  // where they were
  const std::int64_t seq = st.lastOwnSeq();
  bay.st.reset();
  bay.st = std::make_unique<Store>(bay.o, bay.ent);
  CHECK(bay.st->lastOwnSeq() == seq);
  CHECK(bay.st->lastSeqOf("hub") == hub.lastSeqOf("hub"));
  CHECK(bay.st->basePos());
  expectSame(hub, *bay.st);
}

TEST_CASE("issue 16: a bay that met an event reading history its snapshot lacks starts again from a newer snapshot, and holds the hub's word") {
  DemoShop h(7, "hub", false);  // the hub
  Store& hub = *h.st;
  NewBay bay, busy("kiosk-b05", 41);
  bay.start(hub);
  busy.start(hub);
  // busy clocks someone on, not yet pushed when the next event reaches it
  const std::vector<std::array<Id, 3>> jobs = clockable(hub.shop(), h.opt.now, 1);
  REQUIRE_FALSE(jobs.empty());
  REQUIRE(busy.st->record(ClockOn{"te-busy", jobs[0][0], jobs[0][1], jobs[0][2], h.opt.now + 5 * MIN}, h.opt.now + 5 * MIN));
  // the desk links a car back to its visit of seven weeks ago: the bay's
  // snapshot has only the comeback window, so the bay cannot find it
  const Shop before = hub.loadRecords();
  const WorkOrder* old = lastVisitBetween(before, h.opt.now, 40, 60);
  REQUIRE(old);
  REQUIRE_FALSE(bay.st->loadRecords().work_orders.count(old->id));
  const Millis t = h.opt.now + 10 * MIN;
  const Recorded late = hub.record(comebackOf(before, *old, "late-1", t), t);
  if (!late && late.outcome.refusal) MESSAGE(name(late.outcome.refusal->reason) << " " << late.outcome.refusal->detail);
  REQUIRE(late);
  const Store::Placement p = bay.pull(hub, t + MIN);
  CHECK(p.needs_snapshot);
  CHECK(bay.st->wantsSnapshot());
  // the same at a bay with its own event not yet placed: a doubt until it
  // is in step; then, no rebase judging the comeback again, it stands
  CHECK_FALSE(busy.pull(hub, t + MIN).needs_snapshot);
  busy.push(hub, t + 2 * MIN);
  CHECK(busy.pull(hub, t + 2 * MIN).needs_snapshot);
  {  // persisted: a restart does not forget it
    bay.st.reset();
    bay.st = std::make_unique<Store>(bay.o, bay.ent);
    CHECK(bay.st->wantsSnapshot());
  }
  bay.start(hub);
  CHECK_FALSE(bay.st->wantsSnapshot());
  CHECK(bay.st->shop().work_orders.count("wo-late-1") == 1);
  CHECK(bay.st->shop().work_orders.count(old->id) == 1);  // the comeback's origin, whatever its age
  CHECK(bay.st->eventCount() == 1);  // (its log stays; the snapshot holds what it did)
  expectSame(hub, *bay.st);
  // and it goes on from there: the bay's own work, pushed and pulled back
  const Millis t2 = t + 5 * MIN;
  const WorkOrder* recent = lastVisitBetween(before, h.opt.now, 15, 25);
  REQUIRE(recent);
  REQUIRE(bay.st->record(comebackOf(before, *recent, "bay-2", t2), t2));
  bay.push(hub, t2);
  CHECK_FALSE(bay.pull(hub, t2 + MIN).needs_snapshot);
  expectSame(hub, *bay.st);
}

TEST_CASE("issue 16: a conflict a bay from a snapshot holds as its hub held it is no reason for a newer snapshot, judged otherwise it is") {
  DemoShop h(7, "hub", false);  // the hub
  Store& hub = *h.st;
  NewBay a("kiosk-b01", 21), b("kiosk-b02", 22), c("kiosk-b07", 23);
  for (NewBay* x : {&a, &b, &c}) x->start(hub);
  const Snapshot before = snapshotOf(hub);
  // a technician free now, and two jobs in work at bays of their trades
  const std::vector<std::array<Id, 3>> jobs = clockable(hub.shop(), h.opt.now, 1);
  REQUIRE(jobs.size() >= 2);
  const Id tech = jobs[0][0];
  // both bays offline: the technician on at a at 10:10, and at b at 10:05
  const Millis t = h.opt.now;
  REQUIRE(a.st->record(ClockOn{"te-a", tech, jobs[0][1], jobs[0][2], t + 10 * MIN}, t + 10 * MIN));
  REQUIRE(b.st->record(ClockOn{"te-b", tech, jobs[1][1], jobs[1][2], t + 5 * MIN}, t + 5 * MIN));
  // the hub takes a's first: b's contradicts it (R1) and is held for review
  a.push(hub, t + 11 * MIN);
  b.push(hub, t + 12 * MIN);
  const StoredEvent held = hub.events(0, 1'000'000).back();
  const auto review = hub.shop().reviews.find("rv-" + toHex(held.id));
  REQUIRE(review != hub.shop().reviews.end());
  const std::string digest = heldDigest(review->second);
  // every bay holds it as the hub did, on the same facts: a and c take it
  // as it comes, b in a rebase of its own clock-on; none wants a snapshot
  const Store::Placement pc = c.pull(hub, t + 13 * MIN), pa = a.pull(hub, t + 13 * MIN), pb = b.pull(hub, t + 13 * MIN);
  CHECK(pb.rebased);
  for (auto* x : {&pa, &pb, &pc}) CHECK_FALSE(x->needs_snapshot);
  for (NewBay* x : {&a, &b, &c}) {
    CHECK_FALSE(x->st->wantsSnapshot());
    REQUIRE(x->st->shop().reviews.count(review->first) == 1);
    CHECK(heldDigest(x->st->shop().reviews.at(review->first)) == digest);
    expectSame(hub, *x->st);
  }
  // judged otherwise than the hub, or the hub's word not had: a newer
  // snapshot, each bay started where a, b and c did
  auto fromBefore = [&](const std::string& id, std::uint64_t seed, bool verdicts,
                        const std::function<void(std::vector<StoredEvent>&)>& tamper) {
    NewBay x(id, seed);
    x.st->startFrom(Snapshot(before), "hub-1");
    x.through = before.hub_pos;
    const bool wants = x.pull(hub, t + 13 * MIN, verdicts, tamper).needs_snapshot;
    CHECK(wants == x.st->wantsSnapshot());
    return wants;
  };
  auto byId = [&](std::vector<StoredEvent>& got, const Uuid& id) -> StoredEvent& {
    const auto it = std::find_if(got.begin(), got.end(), [&](const StoredEvent& e) { return e.id == id; });
    REQUIRE(it != got.end());
    return *it;
  };
  const Uuid clean = hub.events(0, 1'000'000).rbegin()[1].id;  // a's clock-on, which the hub applied
  CHECK_FALSE(fromBefore("kiosk-b08", 24, true, {}));
  CHECK(fromBefore("kiosk-b09", 25, false, {}));  // a hub that does not say: any event held is reason
  CHECK(fromBefore("kiosk-b10", 26, true, [&](std::vector<StoredEvent>& got) {  // held both, on other facts
    byId(got, held.id).hub_held[0] = digest[0] == '0' ? '1' : '0';
  }));
  CHECK(fromBefore("kiosk-b11", 27, true, [&](std::vector<StoredEvent>& got) { byId(got, held.id).hub_held.clear(); }));  // the hub applied it
  CHECK(fromBefore("kiosk-b12", 28, true, [&](std::vector<StoredEvent>& got) { byId(got, clean).hub_held = digest; }));  // the hub held what the bay applied
}

TEST_CASE("issue 16: bays from a snapshot clocking the same people offline, in random interleavings, hold every conflict as the hub does and want no newer snapshot") {
  DemoShop h(7, "hub", false);  // the hub
  Store& hub = *h.st;
  std::vector<std::unique_ptr<NewBay>> bays;
  for (int i = 0; i < 3; ++i) bays.push_back(std::make_unique<NewBay>("kiosk-b0" + std::to_string(i + 1), 31 + i));
  for (auto& b : bays) b->start(hub);
  // clock-ons and offs for three technicians at jobs in work: valid where
  // made, often contradicting what another bay did meanwhile (R1, R16)
  const std::vector<std::array<Id, 3>> pairs = clockable(hub.shop(), h.opt.now, 3);
  REQUIRE(pairs.size() > 3);
  std::mt19937 rng(20261205);
  RandomClocking random{pairs, rng};
  Millis now = h.opt.now;
  for (int round = 0; round < 40; ++round) {
    CAPTURE(round);
    NewBay& b = *bays[rng() % bays.size()];
    if (auto a = random.next(b.st->shop(), now += MIN)) REQUIRE(b.st->record(*a, now));
    if (rng() % 2) b.push(hub, now);
    if (rng() % 2) CHECK_FALSE(b.pull(hub, now).needs_snapshot);
  }
  for (auto& b : bays) b->push(hub, now += MIN);
  for (auto& b : bays) CHECK_FALSE(b->pull(hub, now).needs_snapshot);
  MESSAGE(hub.shop().reviews.size() << " held by the hub, of " << random.made);
  CHECK(hub.shop().reviews.size() >= 3);  // (else nothing was tried)
  for (auto& b : bays) {
    CHECK_FALSE(b->st->wantsSnapshot());
    expectSame(hub, *b->st);
  }
}

TEST_CASE("issue 16: a snapshot is taken only by a store that holds nothing yet, or one in step whose snapshot fell short") {
  DemoShop h(7, "hub", false);  // the hub
  NewBay bay;
  const Snapshot snap = snapshotOf(*h.st);
  // a record of the wrong shape, or a bundle's record without its work order: nothing changes
  Snapshot bad = snap;
  for (SnapshotRecord& r : bad.records)
    if (r.kind == RecordKind::Operation) {
      r.body = R"({"id":7})";
      break;
    }
  CHECK_THROWS_AS(bay.st->startFrom(bad, "hub-1"), std::invalid_argument);
  Snapshot orphan = snap;
  std::erase_if(orphan.records, [](const SnapshotRecord& r) { return r.kind == RecordKind::WorkOrder; });
  CHECK_THROWS_AS(bay.st->startFrom(orphan, "hub-1"), std::invalid_argument);
  CHECK(bay.st->db().scalarInt("SELECT COUNT(*) FROM records") == 0);
  CHECK_FALSE(bay.st->basePos());
  // a store with a log of its own keeps it; reading a snapshot (as the
  // sync thread does, outside the store's lock) touches nothing of it
  NewBay full;
  (void)full.pull(*h.st, h.opt.now);
  const std::int64_t events = full.st->eventCount(), records = full.st->db().scalarInt("SELECT COUNT(*) FROM records");
  const std::uint64_t generation = full.st->generation();
  Store::Prepared read = full.st->prepare(Snapshot(snap));
  CHECK(read.hub_pos == snap.hub_pos);
  CHECK(read.shop.work_orders.size() == static_cast<std::size_t>(std::count_if(
                                            snap.records.begin(), snap.records.end(), [](const SnapshotRecord& r) { return r.kind == RecordKind::WorkOrder; })));
  CHECK(full.st->eventCount() == events);
  CHECK(full.st->db().scalarInt("SELECT COUNT(*) FROM records") == records);
  CHECK(full.st->generation() == generation);
  CHECK_FALSE(full.st->basePos());
  CHECK_THROWS_AS(full.st->startFrom(std::move(read), "hub-1"), std::logic_error);
  CHECK_THROWS_AS(full.st->startFrom(snap, "hub-1"), std::logic_error);
  // one that started from a snapshot and has no doubt about it keeps it
  bay.start(*h.st);
  CHECK_THROWS_AS(bay.st->startFrom(snap, "hub-1"), std::logic_error);
}

namespace {
bool sameRecords(const Shop& a, const Shop& b) { return a.samePartOf(b) && b.samePartOf(a); }

// A bay from a snapshot that judged an event otherwise than its hub (as
// the pull marks it), and a hub gone on since: a clock-on at another bay.
struct BayWantingNewer {
  DemoShop h{7, "hub", false};
  NewBay bay;
  std::vector<std::array<Id, 3>> jobs;
  Shop held;  // what the bay holds on disk before a newer snapshot
  BayWantingNewer() {
    bay.start(*h.st);
    jobs = clockable(h.st->shop(), h.opt.now, 1);
    expect(jobs.size() >= 2, "two jobs to clock on");
    const Millis t = h.opt.now + 5 * MIN;
    expect(bool(h.st->record(ClockOn{"te-hub", jobs[0][0], jobs[0][1], jobs[0][2], t}, t)), "the hub's clock-on");
    bay.st->db().exec("UPDATE snapshot_base SET stale = 1");
    expect(bay.st->wantsSnapshot(), "the bay wants a newer snapshot");
    held = bay.st->loadRecords();
  }
  // The bay's own clock-on (another technician, another job).
  Recorded clockOn(const std::string& id) {
    const Millis t = h.opt.now + 6 * MIN;
    return bay.st->record(ClockOn{id, jobs[1][0], jobs[1][1], jobs[1][2], t}, t);
  }
  // As the sync thread does with a snapshot staged while the bay's screen
  // (on `screen`) clocks someone on as "te-own": waiting for the screen's
  // lock, it sees the staging give way to the screen's write, and drops it.
  // The write goes through; nothing of the snapshot is taken.
  void givesWay(StagedSnapshot& staged, std::thread& screen, const Recorded& own) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
    while (staged.ready() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    CHECK_FALSE(staged.ready());
    staged = StagedSnapshot{};
    screen.join();
    REQUIRE(own);
    CHECK(bay.st->shop().entries.count("te-own") == 1);
    CHECK(bay.st->shop().entries.count("te-hub") == 0);  // (nothing of the snapshot)
    CHECK_FALSE(bay.st->wantsSnapshot());  // (its own event, not yet placed, first)
    CHECK(matchesReplay(*bay.st));
  }
};
}  // namespace

TEST_CASE_FIXTURE(BayWantingNewer, "issue 16: a newer snapshot is written beside a working bay's state, which it reads until the swap") {
  Store& st = *bay.st;
  const std::uint64_t generation = st.generation();
  StagedSnapshot staged = st.stage(st.prepare(snapshotOf(*h.st)), "hub-1");
  REQUIRE(staged.ready());
  // written, not yet swapped in: the bay's screen reads what it held, in
  // memory and on disk (its own connection does not see the staged writes)
  CHECK(st.generation() == generation);
  CHECK(st.shop().entries.count("te-hub") == 0);
  CHECK(sameRecords(st.loadRecords(), held));
  CHECK(st.wantsSnapshot());
  SUBCASE("swapped in") {
    CHECK(st.adopt(staged));
    CHECK(st.generation() != generation);
    CHECK(st.shop().entries.count("te-hub") == 1);
    CHECK_FALSE(st.wantsSnapshot());
    CHECK(st.basePos() == h.st->lastPos());
    expectSame(*h.st, st);
    CHECK_FALSE(st.adopt(staged));  // (once)
    staged = StagedSnapshot{};
    bay.st = std::make_unique<Store>(bay.o, bay.ent);  // opened again: the same
    expectSame(*h.st, *bay.st);
    CHECK_FALSE(bay.st->wantsSnapshot());
  }
  SUBCASE("dropped before the swap: nothing of it stays") {
    staged = StagedSnapshot{};
    CHECK(sameRecords(st.loadRecords(), held));
    bay.st = std::make_unique<Store>(bay.o, bay.ent);
    CHECK(sameRecords(bay.st->loadRecords(), held));
    CHECK(bay.st->wantsSnapshot());
    bay.start(*h.st);  // and it is taken the next time
    expectSame(*h.st, *bay.st);
  }
}

TEST_CASE_FIXTURE(BayWantingNewer, "issue 16: a bay killed while a newer snapshot is staged beside its state opens as it was") {
  Snapshot snap = snapshotOf(*h.st);
  bay.st.reset();  // (no connection carried across the fork)
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {  // the bay: the snapshot staged, then killed before the swap
    ::close(fds[0]);
    Store st(bay.o, bay.ent);
    StagedSnapshot staged = st.stage(st.prepare(std::move(snap)), "hub-1");
    const char said = staged.ready() ? 'y' : 'n';
    if (::write(fds[1], &said, 1) != 1) ::_exit(2);
    for (;;) ::pause();
  }
  ::close(fds[1]);
  char said = 0;
  REQUIRE(::read(fds[0], &said, 1) == 1);
  ::close(fds[0]);
  CHECK(said == 'y');
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status));
  bay.st = std::make_unique<Store>(bay.o, bay.ent);
  CHECK(sameRecords(bay.st->loadRecords(), held));
  CHECK(bay.st->shop().entries.count("te-hub") == 0);
  CHECK(bay.st->wantsSnapshot());
  CHECK(bay.st->integrityCheck() == "ok");
  bay.start(*h.st);
  expectSame(*h.st, *bay.st);
}

TEST_CASE_FIXTURE(BayWantingNewer, "issue 16: a write of a working bay's meanwhile comes before a newer snapshot staged beside it") {
  Store& st = *bay.st;
  StagedSnapshot staged = st.stage(st.prepare(snapshotOf(*h.st)), "hub-1");
  REQUIRE(staged.ready());
  // the bay clocks someone on: its write waits on the staged transaction,
  // which gives way
  Recorded own;
  std::thread screen([&] { own = clockOn("te-own"); });
  givesWay(staged, screen, own);
  CHECK_FALSE(st.adopt(staged));
}

TEST_CASE("issue 16: a write of a working bay's at any moment of a newer snapshot's staging comes first, and nothing of the snapshot is taken") {
  std::mt19937 rng(1605);
  for (int round = 0; round < 8; ++round) {
    CAPTURE(round);
    BayWantingNewer x;
    Store& st = *x.bay.st;
    Store::Prepared prepared = st.prepare(snapshotOf(*x.h.st));
    StagedSnapshot staged;
    // the sync thread stages it while the screen, after a random pause,
    // clocks someone on (before, during or after the staging)
    const int pause = std::uniform_int_distribution<int>(0, 40)(rng);
    std::thread sync([&] { staged = st.stage(std::move(prepared), "hub-1"); });
    std::this_thread::sleep_for(std::chrono::milliseconds(pause));
    Recorded own;
    std::thread screen([&] { own = x.clockOn("te-own"); });
    sync.join();
    x.givesWay(staged, screen, own);
    CHECK(st.basePos() == x.bay.through);
    x.bay.st = std::make_unique<Store>(x.bay.o, x.bay.ent);
    CHECK(x.bay.st->shop().entries.count("te-own") == 1);
    CHECK(x.bay.st->shop().entries.count("te-hub") == 0);
  }
}

TEST_CASE("issue 16: the snapshot's wire form is read strictly") {
  auto error = [](const std::string& body) { return sync::decodeSnapshotReply(body).error; };
  const std::string head = R"({"hub":"hub-1","hub_pos":3,"hlc":5,"origins":{"bay-1":2},"records":)";
  CHECK(error(head + R"([["person","p1",{"id":"p1"}]]})").empty());
  CHECK_FALSE(error(head + R"([["nonsense","p1",{}]]})").empty());               // a kind it does not know
  CHECK_FALSE(error(head + R"([["person","p1",{}], 7]})").empty());               // not a record at all
  CHECK_FALSE(error(head + R"({"a":["person","p1",{}]}})").empty());              // records not a list
  CHECK_FALSE(error(head + R"([["person","",{}]]})").empty());                    // no id
  CHECK_FALSE(error(head + R"([["person","p1",7]]})").empty());                   // a body that is no record
  CHECK_FALSE(error(head + R"([["person","p1",{"id":"p1"},1]]})").empty());       // more than three
  CHECK_FALSE(error(head + R"([["policy","other",{}]]})").empty());               // the policy is the shop's
  CHECK_FALSE(error(head + "[[\"person\",\"p\\u0000\",{}]]}").empty());           // a control character
  CHECK_FALSE(error(head + "[[\"person\",\"p1\",{\"name\":\"" + std::string(5000, 'x') + "\"}]]}").empty());  // too long
  CHECK_FALSE(error(R"({"hub":"hub 1","hub_pos":3,"hlc":5,"origins":{},"records":[]})").empty());
  CHECK_FALSE(error(R"({"hub":"hub-1","hub_pos":-3,"hlc":5,"origins":{},"records":[]})").empty());
  CHECK_FALSE(error(R"({"hub":"hub-1","hub_pos":3,"hlc":5,"origins":{"bay 1":2},"records":[]})").empty());
  CHECK_FALSE(error(R"({"hub":"hub-1","hub_pos":3,"hlc":5,"origins":{"bay-1":-2},"records":[]})").empty());
  CHECK_FALSE(error(R"({"hub":"hub-1","hub_pos":3.5,"hlc":5,"origins":{},"records":[]})").empty());
  CHECK_FALSE(error(std::string(200, '[')).empty());
  CHECK_FALSE(error("not json").empty());
}
