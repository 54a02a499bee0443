// Bay Kiosk micro-benchmarks (Google Benchmark). Every figure has its
// baseline measured in the same run, on the same machine (issue 5):
//   commit:  a tap's action durably committed   vs one bare durable insert
//   ingest:  8 kiosks pushing at once (hub/push) vs bare batched inserts (wall time)
//   frame:   the busiest kiosk frame, headless   vs an empty frame
//   report:  the monthly report over ≥1M events  vs one indexed GROUP BY
// bench/run.sh runs these with the whole-process figures and prints the table.
#include "domain/report.hpp"
#include "sync/wire.hpp"
#include "hub/push.hpp"
#include "demo/demo.hpp"
#include "store/bodies.hpp"
#include "tests/kiosk/harness.hpp"

#include <benchmark/benchmark.h>
#include <sodium.h>

#include <atomic>
#include <thread>

using namespace bkt;

namespace {

constexpr const char* kEventsTable =
    "CREATE TABLE events(pos INTEGER PRIMARY KEY, event_id BLOB NOT NULL UNIQUE, origin TEXT NOT NULL, "
    "origin_seq INTEGER NOT NULL, wall_ms INTEGER NOT NULL, hlc INTEGER NOT NULL, type TEXT NOT NULL, "
    "body TEXT NOT NULL, UNIQUE(origin, origin_seq))";

std::unique_ptr<sql::Db> bareDb(const std::string& path) {
  auto d = std::make_unique<sql::Db>(path);
  d->exec("PRAGMA journal_mode = WAL");
  d->exec("PRAGMA synchronous = FULL");  // the same durability as the store
  d->exec(kEventsTable);
  return d;
}

void insertRow(sql::Stmt& ins, const StoredEvent& e) {
  ins.bindBlob(1, e.id.data(), 16).bind(2, e.origin).bind(3, e.origin_seq).bind(4, e.wall_ms).bind(5, e.hlc)
      .bind(6, e.type).bind(7, e.body).run();
  ins.reset();
}

// ---- commit ----------------------------------------------------------------

const char* kInsert = "INSERT INTO events(event_id, origin, origin_seq, wall_ms, hlc, type, body) VALUES(?1,?2,?3,?4,?5,?6,?7)";

void BM_CommitBareInsert(benchmark::State& state) {
  TempDir dir;
  auto db = bareDb(dir.file("bare.db"));
  sql::Db& d = *db;
  sql::Stmt ins(d, kInsert);
  StoredEvent e;
  e.origin = "kiosk-b01";
  e.type = "clock_on";
  e.body = R"({"at":1767258000000,"bay":"bay1","entry":"te-1","op":"wo-1-1","tech":"tech1","type":"clock_on"})";
  std::int64_t n = 0;
  for (auto _ : state) {
    ++n;
    e.id[0] = static_cast<std::uint8_t>(n >> 24); e.id[1] = static_cast<std::uint8_t>(n >> 16);
    e.id[2] = static_cast<std::uint8_t>(n >> 8); e.id[3] = static_cast<std::uint8_t>(n);
    e.origin_seq = n;
    d.exec("BEGIN");
    insertRow(ins, e);
    d.exec("COMMIT");
  }
}
BENCHMARK(BM_CommitBareInsert)->Unit(benchmark::kMicrosecond)->MinTime(2);

void BM_CommitClockOnOff(benchmark::State& state) {
  StaffedStore k;  // the test shop, a real store file
  if (!k.st.record(testWorkOrder("wo-1", Category::GeneralRepair, {spec("wo-1-1", Trade::Mechanical, "tech1")}), T0))
    state.SkipWithError("work order refused");
  Millis t = T0 + MIN;
  int n = 0;
  for (auto _ : state) {
    Action a = n % 2 == 0 ? Action{ClockOn{"te-" + std::to_string(n), "tech1", "wo-1-1", "bay1", t}}
                          : Action{ClockOff{"tech1", "wo-1-1", StopReason::Break, t}};
    auto r = k.st.record(std::move(a), t);
    if (!r) state.SkipWithError("refused");
    ++n;
    t += 1000;
  }
}
BENCHMARK(BM_CommitClockOnOff)->Unit(benchmark::kMicrosecond)->MinTime(2);

// ---- hub ingest ------------------------------------------------------------

// 8 kiosks' events (each its own technician and work order), made by real
// stores, and the master data they rest on.
struct Pushes {
  std::vector<StoredEvent> master;
  std::vector<std::vector<StoredEvent>> batches;  // round robin over the kiosks, 200 each
  std::size_t events = 0;
};

const Pushes& pushes() {
  static const Pushes p = [] {
    Pushes out;
    TempDir dir;
    FixedEntropy ent(99);
    Store desk(storeOptions(dir.file("desk.db"), "desk"), ent);
    for (auto& a : staffAndBays()) (void)desk.record(a, T0);
    for (int k = 0; k < 8; ++k) {
      Person tech{"t" + std::to_string(k), "技师" + std::to_string(k), {Role::Technician}, Trade::Mechanical, "9" + std::to_string(k)};
      (void)desk.record(EnrollPerson{tech}, T0);
      (void)desk.record(testWorkOrder("wo-k" + std::to_string(k), Category::GeneralRepair,
                                      {spec("wo-k" + std::to_string(k) + "-1", Trade::Mechanical, tech.id)}), T0);
    }
    out.master = desk.events(0, 100000);
    std::vector<std::vector<StoredEvent>> own(8);
    for (int k = 0; k < 8; ++k) {
      FixedEntropy ke(static_cast<std::uint64_t>(k + 1));
      Store kiosk(storeOptions(dir.file("k" + std::to_string(k) + ".db"), "kiosk-" + std::to_string(k)), ke);
      for (auto& e : out.master) (void)kiosk.ingestRemote(e, T0);
      const Id tech = "t" + std::to_string(k), op = "wo-k" + std::to_string(k) + "-1";
      Millis t = T0 + MIN;
      kiosk.db().exec("PRAGMA synchronous = OFF");  // only making test data here
      for (int i = 0; i < 2400; ++i, t += 1000) {
        Action a = i % 2 == 0 ? Action{ClockOn{"te-" + std::to_string(k) + "-" + std::to_string(i), tech, op, "bay1", t}}
                              : Action{ClockOff{tech, op, StopReason::Break, t}};
        (void)kiosk.record(std::move(a), t);
      }
      own[static_cast<std::size_t>(k)] = kiosk.ownEventsAfter(0, 100000);
    }
    for (std::size_t from = 0; from < own[0].size(); from += 200)
      for (auto& o : own) {
        out.batches.emplace_back(o.begin() + static_cast<std::ptrdiff_t>(from),
                                 o.begin() + static_cast<std::ptrdiff_t>(std::min(o.size(), from + 200)));
        out.events += out.batches.back().size();
      }
    return out;
  }();
  return p;
}

// The same events, each kiosk's pushes exactly as its sync client sends them
// (wire JSON, 200 a batch, signed with the kiosk's device key: issue 11),
// made once before timing.
struct Wires {
  std::vector<EnrolledClient> kiosk;              // with its device key
  std::vector<std::vector<std::string>> bodies;  // per kiosk, in order
};
const Wires& wires() {
  static const Wires w = [] {
    Wires out;
    std::map<Id, std::size_t> slot;
    std::vector<KeyPair> keys;
    for (auto& b : pushes().batches) {
      const Id& k = b.front().origin;
      if (!slot.count(k)) {
        slot[k] = out.kiosk.size();
        Seed seed{};
        seed[0] = static_cast<std::uint8_t>(out.kiosk.size() + 1);
        keys.emplace_back(seed);
        out.kiosk.push_back(EnrolledClient{k, Scope::Floor, keys.back().pubHex(), T0});
        out.bodies.emplace_back();
      }
      json body{{"events", json::array()}};
      std::vector<EventHash> hashes;
      for (auto& e : b) {
        body["events"].push_back(sync::toWire(e));
        hashes.push_back(envelopeHash(e));
      }
      body["batch_sig"] = signBytes(keys[slot[k]], batchMessage(k, hashes));
      out.bodies[slot[k]].push_back(body.dump());
    }
    return out;
  }();
  return w;
}

// Baseline: the same rows, one transaction per push, as fast as SQLite takes
// them (one writer; wall time, the commits' syncs included).
void BM_IngestBareBatches(benchmark::State& state) {
  const Pushes& p = pushes();
  std::size_t done = 0;
  for (auto _ : state) {
    state.PauseTiming();
    TempDir dir;
    auto db = bareDb(dir.file("bare.db"));
    sql::Db& d = *db;
    sql::Stmt ins(d, kInsert);
    state.ResumeTiming();
    for (auto& b : p.batches) {
      d.exec("BEGIN");
      for (auto& e : b) insertRow(ins, e);
      d.exec("COMMIT");
    }
    done += p.events;
  }
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(done), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_IngestBareBatches)->Unit(benchmark::kMillisecond)->MinTime(3)->UseRealTime();

// The hub: 8 kiosks push at once, each its batches in order, through the
// hub's own push path (hub/push.cpp: strict decode outside the lock, then
// R16's ingest, chain and projections in one transaction per push). With
// `concurrent` false the same pushes arrive one at a time, round robin.
// Issue 16: a hub past its first 2,000 events has its body dictionary (it
// trains it once in its life, about 0.2 s); the hub here starts with one
// trained on these events, so what is measured is the steady state.
const bodies::Dictionary& pushDictionary() {
  static const bodies::Dictionary d = [] {
    std::vector<std::string> samples;
    for (auto& b : pushes().batches)
      for (auto& e : b)
        if (samples.size() < static_cast<std::size_t>(bodies::kTrainAt)) samples.push_back(e.body);
    return bodies::train(samples);
  }();
  return d;
}

void ingestHub(benchmark::State& state, bool concurrent) {
  const Pushes& p = pushes();
  const Wires& w = wires();
  std::size_t done = 0;
  const std::function<Millis()> clock = [] { return T0; };
  for (auto _ : state) {
    state.PauseTiming();
    TempDir dir;
    FixedEntropy ent;
    {
      Store fresh(storeOptions(dir.file("hub.db"), "hub"), ent);
      sql::Stmt add(fresh.db(), "INSERT INTO body_dicts(id, dict, made_at_pos) VALUES(?1, ?2, 0)");
      add.bind(1, std::int64_t{pushDictionary().id}).bindBlob(2, pushDictionary().bytes.data(), static_cast<int>(pushDictionary().bytes.size())).run();
    }
    Store hub(storeOptions(dir.file("hub.db"), "hub"), ent);
    (void)hub.ingestBatch(p.master, T0);
    std::mutex mu;
    std::atomic<bool> failed{false};
    auto push = [&](std::size_t k, std::size_t i) {
      const hub::PushResult r = hub::acceptPush(hub, mu, w.bodies[k][i], w.kiosk[k], clock);
      if (r.status != 200 || r.gap || r.applied != r.sent) failed = true;
    };
    state.ResumeTiming();
    if (concurrent) {
      std::vector<std::thread> kiosks;
      for (std::size_t k = 0; k < w.kiosk.size(); ++k)
        kiosks.emplace_back([&, k] { for (std::size_t i = 0; i < w.bodies[k].size(); ++i) push(k, i); });
      for (auto& t : kiosks) t.join();
    } else {
      for (std::size_t i = 0; i < w.bodies[0].size(); ++i)
        for (std::size_t k = 0; k < w.kiosk.size(); ++k) push(k, i);
    }
    state.PauseTiming();
    if (failed || hub.eventCount() != static_cast<std::int64_t>(p.master.size() + p.events)) state.SkipWithError("push refused");
    state.ResumeTiming();
    done += p.events;
  }
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(done), benchmark::Counter::kIsRate);
}
void BM_IngestHub(benchmark::State& state) { ingestHub(state, true); }
BENCHMARK(BM_IngestHub)->Unit(benchmark::kMillisecond)->MinTime(3)->UseRealTime();
void BM_IngestHubOneAtATime(benchmark::State& state) { ingestHub(state, false); }
BENCHMARK(BM_IngestHubOneAtATime)->Unit(benchmark::kMillisecond)->MinTime(3)->UseRealTime();

// ---- signatures (issue 11) -------------------------------------------------

// One person signature checked as every store checks it on ingest: the
// digest of the action made again (canonical JSON, SHA-256) and the Ed25519
// verification against the signer's key.
struct SignedSelf {
  World w;
  Action a;
  std::string pub;
  SignedSelf() {
    const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
    w.clockOn("tech1", wo + "-1", T0);
    a = w.inspection(InspectionKind::Self, wo, wo + "-1", "tech1", true, T0 + 60 * MIN);
    pub = testKey("tech1").pubHex();
  }
};
void BM_VerifyPersonSignature(benchmark::State& state) {
  static const SignedSelf f;
  const Signature& sig = *signatureOf(f.a);
  for (auto _ : state) benchmark::DoNotOptimize(signatureHolds(f.a, sig, f.pub));
}
BENCHMARK(BM_VerifyPersonSignature)->Unit(benchmark::kMicrosecond)->MinTime(1);
// The rules' whole check of that signed inspection (the signature included).
void BM_CheckSignedInspection(benchmark::State& state) {
  static const SignedSelf f;
  for (auto _ : state) benchmark::DoNotOptimize(check(f.w.s, f.a));
}
BENCHMARK(BM_CheckSignedInspection)->Unit(benchmark::kMicrosecond)->MinTime(1);
// The Ed25519 verification alone, over a 64-byte message.
void BM_Ed25519Verify(benchmark::State& state) {
  const KeyPair k = testKey("tech1");
  const std::string msg(64, 'x'), sig = signBytes(k, msg), pub = k.pubHex();
  for (auto _ : state) benchmark::DoNotOptimize(verifyBytes(pub, msg, sig));
}
BENCHMARK(BM_Ed25519Verify)->Unit(benchmark::kMicrosecond)->MinTime(1);
// One guess at a sealed key with the production Argon2id parameters (19 MiB,
// 2 passes): what each try of a brute force costs someone holding a kiosk's
// disk and the shop's pepper (docs/SECURITY.md).
void BM_PinGuess(benchmark::State& state) {
  const PinHasher h(testPepper(), AuthPolicy{});
  Seed seed{};
  const PinHasher::Sealed sealed = h.seal(seed, "246810");
  int guess = 0;
  for (auto _ : state) benchmark::DoNotOptimize(h.unseal(sealed.sealed, sealed.salt, std::to_string(100000 + guess++ % 100000), seed));
}
BENCHMARK(BM_PinGuess)->Unit(benchmark::kMillisecond)->MinTime(2);

// ---- frame -----------------------------------------------------------------

// The foreman's floor of a very busy day: the demo shop's 20 bays with 150
// work orders opened today (≈300 open operations), its lists in full.
Harness& busyFloor() {
  static Harness* h = [] {
    auto* hh = new Harness("zh", [](Store& st, const Catalog& cat) {
      demo::Options o;
      o.now = T0 + 9 * 60 * MIN;
      o.days = 20;
      o.busy_today = 230;
      st.db().exec("PRAGMA synchronous = OFF");
      demo::generate(st, cat, o);
    }, "b01");
    hh->type("100027");  // the foreman's badge (p27)
    hh->enter();
    hh->frames(2);
    hh->tap("nav.floor");
    hh->frames(3);
    return hh;
  }();
  return *h;
}

void BM_FrameEmpty(benchmark::State& state) {
  Harness& h = busyFloor();
  for (auto _ : state) {
    ImGui::NewFrame();
    ImGui::Render();
  }
  (void)h;
}
BENCHMARK(BM_FrameEmpty)->Unit(benchmark::kMicrosecond)->MinTime(2);

void BM_FrameBusiestFloor(benchmark::State& state) {
  Harness& h = busyFloor();
  std::size_t open = 0;
  for (auto& [id, op] : h.shop().operations)
    if (!h.shop().work_orders.at(op.wo).delivered_at && op.phase != Phase::Done) ++open;
  state.counters["open_ops"] = static_cast<double>(open);
  state.counters["bays"] = static_cast<double>(h.shop().bays.size());
  state.counters["hits"] = static_cast<double>(h.app->hits().size());
  if (std::getenv("BK_BENCH_DEBUG"))
    for (auto& hit : h.app->hits()) std::fprintf(stderr, "hit %s\n", hit.id.c_str());
  if (!h.st().session) state.SkipWithError("the foreman is not signed in");
  if (!h.exists("nav.floor")) state.SkipWithError("not on the floor screen");
  for (auto _ : state) h.frame();
}
BENCHMARK(BM_FrameBusiestFloor)->Unit(benchmark::kMicrosecond)->MinTime(3);

// ---- monthly report over two years (≥ 1M events) ---------------------------

// Two years of a 20-bay shop at ≥ 1M events: the demo shop's 120 days of
// events replayed (R16's ingest, in memory) as many times as it takes, each
// copy with its own ids, its own staff (the copies overlap in time: one
// technician clocked on in two of them is refused, R2) and its own cars (a
// car back within the comeback window must be decided first, issue 15),
// shifted in time to spread over 730 days, its signatures sealed again.
// What the rules refuse is counted: a copy refused wholesale would leave a
// shop of review items, and a report of nothing. The same rows then go
// into SQLite for the baseline, indexed for the GROUP BY.
struct BigShop {
  Shop shop;
  std::int64_t events = 0, refused = 0;
  std::pair<Millis, Millis> month;
  std::unique_ptr<sql::Db> db;
};

// `people`: the staff's ids, prefixed wherever they stand (a technician,
// a signer, an inspector, a driver...).
void rewrite(json& j, const std::string& key, const std::string& prefix, Millis shift, const std::set<std::string>& people) {
  static const std::set<std::string> kIds{"id", "wo", "op", "entry", "addon", "incident", "review", "inspection",
                                          "rework", "downstream", "defect_op", "found_on", "number", "vin", "badge", "comeback_of", "not_comeback_of", "message", "addons"};
  static const std::set<std::string> kTimes{"at", "opened_at", "promised_at", "start", "end", "delivered_at", "resolved_at"};
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) rewrite(it.value(), it.key(), prefix, shift, people);
  } else if (j.is_array()) {
    for (json& v : j) rewrite(v, key, prefix, shift, people);
  } else if (j.is_string() && key == "incident" && j.get<std::string>().starts_with("inc-")) {
    j = "inc-" + prefix + j.get<std::string>().substr(4);  // (named after its inspection)
  } else if (j.is_string() && !j.get<std::string>().empty() && (kIds.count(key) || people.count(j.get<std::string>()))) {
    j = prefix + j.get<std::string>();
  } else if (j.is_number_integer() && kTimes.count(key) && j.get<std::int64_t>() > 0) {
    j = j.get<std::int64_t>() + shift;
  }
}

const BigShop& bigShop() {
  static const BigShop b = [] {
    BigShop out;
    TempDir dir;
    FixedEntropy ent;
    Store demo(storeOptions(dir.file("demo.db"), "hub-demo"), ent);
    demo.db().exec("PRAGMA synchronous = OFF");
    demo::Options o;
    o.now = T0 + 120LL * 24 * 3600'000;
    o.days = 120;
    o.set_pins = false;
    demo::generate(demo, catalog(), o);
    const auto log = demo.events(0, 10'000'000);
    std::vector<json> bodies;
    for (auto& e : log) bodies.push_back(json::parse(e.body));
    std::int64_t perCopy = 0;  // events each further copy adds (the bays come once)
    std::set<std::string> people;
    for (std::size_t i = 0; i < log.size(); ++i) {
      perCopy += log[i].type != "define_bay";
      if (log[i].type == "enroll_person") people.insert(bodies[i].at("person").at("id").get<std::string>());
    }
    // every signature made again with a key the bench holds (the demo keeps
    // its people's keys to itself): the copies are signed as the originals
    std::map<Id, KeyPair> keys;
    auto keyOf = [&](const Id& person) -> const KeyPair& {
      auto it = keys.find(person);
      if (it != keys.end()) return it->second;
      Seed seed{};
      const std::string label = "bench key " + person;
      crypto_hash_sha256(seed.data(), reinterpret_cast<const unsigned char*>(label.data()), label.size());
      return keys.emplace(person, KeyPair(seed)).first->second;
    };
    const std::int64_t copies = 1'000'000 / perCopy + 1;
    const Millis span = 730LL * 24 * 3600'000 - 120LL * 24 * 3600'000;
    out.shop.policy = demo.shop().policy;
    for (std::int64_t c = 0; c < copies; ++c) {
      const std::string prefix = c == 0 ? "" : "c" + std::to_string(c) + ".";
      const Millis shift = span * c / copies;
      for (std::size_t i = 0; i < log.size(); ++i) {
        if (c > 0 && log[i].type == "define_bay") continue;  // the same bays
        json body = bodies[i];
        if (c > 0) rewrite(body, "", prefix, shift, people);
        Action a = actionFromJson(body);
        if (auto* r = std::get_if<RegisterKey>(&a))
          a = registration(r->person, keyOf(r->person), std::string(144, '0'), std::string(32, '0'), r->at);
        if (const Signature* sig = signatureOf(a)) signAction(a, sig->signer, sig->at + (c > 0 ? shift : 0), keyOf(sig->signer));
        out.refused += !ingest(out.shop, a, prefix + toHex(log[i].id), log[i].wall_ms + shift).clean;
        ++out.events;
      }
    }
    out.shop.dirty.clear();
    // the month: one in the middle of the two years, in Beijing time
    out.month = *calendarMonth("2026-10", 480);
    // the baseline's rows: the same time entries, inspections and reworks
    out.db = std::make_unique<sql::Db>(":memory:");
    out.db->exec("CREATE TABLE rows(kind TEXT NOT NULL, at INTEGER NOT NULL, trade TEXT, who TEXT, "
                 "result TEXT, minutes INTEGER)");
    sql::Tx tx(*out.db);
    sql::Stmt ins(*out.db, "INSERT INTO rows VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    auto tradeOf = [&](const Id& op) { auto* o = out.shop.operation(op); return std::string(o ? name(o->trade) : "none"); };
    for (auto& [id, e] : out.shop.entries) {
      ins.bind(1, e.rework ? "rework_time" : "time").bind(2, e.start).bind(3, tradeOf(e.op)).bind(4, e.tech)
          .bind(5, "").bind(6, ((e.end ? *e.end : e.start) - e.start) / 60'000).run();
    }
    for (auto& [id, in] : out.shop.inspections) {
      ins.bind(1, std::string("inspection.") + std::string(name(in.kind))).bind(2, in.sig.at).bind(3, in.op ? tradeOf(*in.op) : "none")
          .bind(4, in.inspector).bind(5, std::string(name(in.result))).bind(6, 0).run();
    }
    for (auto& [id, r] : out.shop.reworks) {
      ins.bind(1, "rework").bind(2, r.opened_at).bind(3, tradeOf(r.op)).bind(4, r.assigned_to).bind(5, r.defect).bind(6, 0).run();
    }
    tx.commit();
    out.db->exec("CREATE INDEX rows_by_kind_at ON rows(kind, at)");
    out.db->exec("ANALYZE");
    return out;
  }();
  return b;
}

void BM_ReportGroupBy(benchmark::State& state) {
  const BigShop& b = bigShop();
  sql::Stmt q(*b.db, "SELECT kind, trade, COUNT(*), SUM(minutes) FROM rows WHERE kind IN "
                     "('rework', 'rework_time', 'time', 'inspection.self', 'inspection.peer', 'inspection.final') "
                     "AND at >= ?1 AND at < ?2 GROUP BY kind, trade");
  std::int64_t groups = 0;
  for (auto _ : state) {
    q.bind(1, b.month.first).bind(2, b.month.second);
    groups = 0;
    while (q.step()) ++groups;
    q.reset();
  }
  state.counters["rows"] = static_cast<double>(b.db->scalarInt("SELECT COUNT(*) FROM rows"));
  state.counters["groups"] = static_cast<double>(groups);
}
BENCHMARK(BM_ReportGroupBy)->Unit(benchmark::kMillisecond)->MinTime(2);

void BM_ReportMonthly(benchmark::State& state) {
  const BigShop& b = bigShop();
  std::size_t techs = 0;
  for (auto _ : state) {
    const MonthlyReport r = monthlyReport(b.shop, b.month.first, b.month.second);
    techs = r.efficiency.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["events"] = static_cast<double>(b.events);
  state.counters["work_orders"] = static_cast<double>(b.shop.work_orders.size());
  state.counters["technicians_in_month"] = static_cast<double>(techs);
  state.counters["refused"] = static_cast<double>(b.refused);
}
BENCHMARK(BM_ReportMonthly)->Unit(benchmark::kMillisecond)->MinTime(2);

}  // namespace

BENCHMARK_MAIN();
