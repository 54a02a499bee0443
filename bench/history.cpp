// bk_history (issue 16): a hub's history of a given size, for the budgets of
// docs/BENCHMARKS.md, made the way a real hub's is made:
//  1. the shop's days are played by the demo generator (demo/): every step
//     a person takes goes through the rules and is recorded, signed by that
//     person's key, in one store, as at a bay;
//  2. each event is then given to the client that would have written it
//     (the desk's work orders from the desk, master data from the hub's own
//     machine, everything else from the bay kiosk of the work), numbered
//     gap-free per client, pushed in the small batches of a kiosk that is
//     online (one run of the same client at a time), each batch signed by
//     that device's key, and taken by the hub store's own ingest
//     (Store::ingestBatch: every rule, every person signature, the device
//     signature kept, the chain extended).
// The result is a hub database like a shop's after months or years. Sizes:
// about 1,370 events a day (a busy 20-bay shop: 1M events in two years).
// What the bays and the desk make (work orders, entries, inspections,
// add-ons) has a kiosk's ids, 35 characters each, as in a shop; histories
// made before 2026-12-06 had the demo's short ones (--demo-ids), which
// made every figure that reads or stores ids smaller than a shop's.
#include "demo/demo.hpp"
#include "platform/system.hpp"
#include "store/bodies.hpp"
#include "store/log_codes.hpp"
#include "store/peek.hpp"
#include "store/store.hpp"

#include <CLI/CLI.hpp>
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

using namespace bk;

namespace {

// The client whose kiosk writes an action (as in domain/actions.cpp's scopes).
Id clientOf(const StoredEvent& e, const Action& a) {
  const bool floorRefused = outOfScope(Scope::Floor, a).has_value();
  const bool deskRefused = outOfScope(Scope::Desk, a).has_value();
  if (floorRefused && deskRefused) return "hub-admin";  // master data: the hub's machine
  if (floorRefused) return "desk-1";
  // at a bay: the bay clocked at, else the kiosk of the work order's bay
  const json body = json::parse(e.body);
  auto field = [&](const char* k) -> std::string {  // at the top, or one object down
    if (body.contains(k) && body[k].is_string()) return body[k].get<std::string>();
    for (const auto& [name, v] : body.items())
      if (v.is_object() && v.contains(k) && v[k].is_string()) return v[k].get<std::string>();
    return {};
  };
  if (auto bay = field("bay"); !bay.empty()) return "kiosk-" + bay;
  std::string key = field("wo");
  if (key.empty()) key = field("op");
  if (key.empty()) key = field("id");
  if (key.empty()) key = e.type;
  std::uint32_t h = 2166136261u;  // FNV-1a: the same work order, the same bay
  for (unsigned char c : key.substr(0, key.find('-', 3))) h = (h ^ c) * 16777619u;
  char bay[16];
  std::snprintf(bay, sizeof bay, "kiosk-b%02u", h % 20 + 1);
  return bay;
}

struct Device {
  KeyPair key;
  std::int64_t seq = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Issue 16: a hub's history of a given size, made through the rules and the hub's own ingest"};
  std::string db, pepper, assets = BK_ASSETS_DIR;
  long long events = 250'000, now = 1'796'090'400'000;  // 2026-12-01 10:00 in Beijing
  int days = 0, perDay = 0, crews = 0;
  std::uint32_t seed = 7;
  bool resume = false, demoIds = false;
  app.add_option("--db", db, "the hub database to create")->required();
  app.add_option("--pepper", pepper, "pepper file (created if missing)")->required();
  app.add_option("--assets", assets, "assets folder")->capture_default_str();
  app.add_option("--events", events, "about how many events")->capture_default_str()->check(CLI::Range(1000LL, 20'000'000LL));
  app.add_option("--now", now, "the history's end, Unix ms")->capture_default_str();
  app.add_option("--seed", seed, "random seed")->capture_default_str();
  app.add_option("--days", days, "days of history (default: from --events)");
  app.add_option("--per-day", perDay, "work orders a day (default: from --events)");
  app.add_option("--crews", crews, "technicians x this (default: from --per-day)");
  app.add_flag("--resume", resume,
               "keep the days already played (--db's .src) and the events the hub already took; push the rest "
               "(a run stopped part-way: the 2.5M history takes hours)");
  app.add_flag("--demo-ids", demoIds,
               "the demo's short ids (te-1, wo-00001) for what bays and the desk make, not a kiosk's 35-character ones "
               "(histories made before 2026-12-06 have these)");
  CLI11_PARSE(app, argc, argv);

  try {
    if (resume && !std::filesystem::exists(db + ".src")) throw std::runtime_error("--resume: no " + db + ".src to go on from");
    if (!resume)
      for (const std::string& f : {db, db + ".src"})
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(f + suffix);
    // The demo: 120 days at 3 work orders a day, about 10 events each (the
    // staff and bays first). Bigger: 1,370 events a day.
    if (!days) days = events <= 10'000 ? 120 : static_cast<int>(std::max<long long>(30, events / 1370));
    if (!perDay) perDay = events <= 10'000 ? 3 : static_cast<int>(std::max<long long>(3, events / days / 10));
    if (!crews) crews = std::max(1, (perDay + 11) / 12);
    const auto t0 = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    const Catalog catalog = Catalog::load(assets + "/catalog");
    StoreOptions so;
    so.pepper = platform::loadOrCreatePepper(pepper);
    so.takes_hub_order = false;  // (a history, and the hub)
    platform::SodiumEntropy entropy;

    // 1. the days, played at one store through the rules
    demo::Summary sum;
    if (!resume) {
      so.path = db + ".src";
      so.kiosk_id = "history";
      Store src(so, entropy);
      src.db().exec("PRAGMA synchronous = OFF");  // making test data: no power cut to survive
      demo::Options o;
      o.seed = seed;
      o.now = now;
      o.days = days;
      o.work_orders_per_day = perDay;
      o.crews = crews;
      o.kiosk_ids = !demoIds;
      sum = demo::generate(src, catalog, o);
      std::fprintf(stderr, "played %d days, %d work orders a day, crews %d: %lld events, %d work orders, %.1f s\n", days,
                   perDay, crews, static_cast<long long>(sum.events), sum.work_orders, seconds());
    }

    // 2. pushed to the hub by the clients that would have written them
    so.path = db;
    so.kiosk_id = "hub";
    Store hub(so, entropy);
    hub.db().exec("PRAGMA synchronous = OFF");
    sql::Db source(db + ".src", false);
    bodies::Codec codec;  // the source's bodies, compressed past 2,000 events (issue 16)
    loadDictionaries(source, codec);
    std::map<Id, Device> devices;
    std::vector<StoredEvent> run;
    Id runOrigin;
    std::int64_t batches = 0, held = 0;
    auto flush = [&] {
      if (run.empty()) return;
      std::optional<DeviceBatch> b;  // the hub's own machine signs nothing here
      if (auto it = devices.find(runOrigin); it != devices.end()) {
        std::vector<EventHash> hashes;
        for (const StoredEvent& e : run) hashes.push_back(envelopeHash(e));
        b = DeviceBatch{runOrigin, run.front().origin_seq, run.back().origin_seq, it->second.key.pubHex(), hashes,
                        signBytes(it->second.key, batchMessage(runOrigin, hashes))};
      }
      const auto res = hub.ingestBatch(run, run.back().wall_ms, b ? &*b : nullptr);
      for (const Remote& r : res) {
        if (r.status != Remote::Status::Applied) throw std::logic_error("hub did not apply an event of " + runOrigin);
        held += !r.ingested.clean;
      }
      ++batches;
      run.clear();
    };
    // What the hub already took, when going on from a run stopped part-way:
    // each client's events are a prefix of its own, batches being atomic.
    std::map<Id, std::int64_t> taken;
    {
      sql::Stmt t(hub.db(), "SELECT o.name, MAX(e.origin_seq) FROM events e JOIN origins o ON o.n = e.origin GROUP BY e.origin");
      while (t.step()) taken[t.text(0)] = t.integer(1);
    }
    auto deviceOf = [](const Id& id) {
      Seed s{};
      const std::string label = "bk_history device " + id;
      crypto_hash_sha256(s.data(), reinterpret_cast<const unsigned char*>(label.data()), label.size());
      return Device{KeyPair(s), 0};
    };
    bool enrolled = false;
    if (resume && taken.count("desk-1")) {  // enrolled before it stopped: the same keys again
      devices.emplace("desk-1", deviceOf("desk-1"));
      for (int b = 1; b <= 20; ++b) {
        char id[16];
        std::snprintf(id, sizeof id, "kiosk-b%02d", b);
        devices.emplace(id, deviceOf(id));
      }
      enrolled = true;
    }
    std::int64_t adminSeq = 0, skipped = 0, pushed = 0;
    sql::Stmt q(source, "SELECT pos, event_id, origin_seq, wall_ms, hlc, type, body FROM events ORDER BY pos");
    while (q.step()) {
      StoredEvent e;
      auto raw = q.blob(1);
      std::copy_n(raw.begin(), std::min<std::size_t>(raw.size(), 16), e.id.begin());
      e.wall_ms = q.integer(3);
      e.hlc = q.integer(4);
      e.type = logcodes::typeAt(q, 5);
      e.body = codec.decode(q.text(6));
      const Action a = actionFromJson(json::parse(e.body));
      const Id origin = clientOf(e, a);
      if (!enrolled && origin != "hub-admin") {  // the shop set up: its kiosks enrolled, each with its device key
        flush();
        std::vector<std::pair<Id, Scope>> clients{{"desk-1", Scope::Desk}};
        for (int b = 1; b <= 20; ++b) {
          char id[16];
          std::snprintf(id, sizeof id, "kiosk-b%02d", b);
          clients.push_back({id, Scope::Floor});
        }
        for (auto& [id, scope] : clients) {
          Device d = deviceOf(id);
          if (!hub.record(EnrolClient{Client{id, scope, d.key.pubHex(), e.wall_ms}}, e.wall_ms))
            throw std::logic_error("hub refused to enrol " + id);
          devices.emplace(id, d);
        }
        enrolled = true;
      }
      if (origin != runOrigin || run.size() >= 50) {
        flush();
        runOrigin = origin;
      }
      e.origin = origin;
      e.origin_seq = origin == "hub-admin" ? ++adminSeq : ++devices.at(origin).seq;
      if (auto t = taken.find(origin); t != taken.end() && e.origin_seq <= t->second) {
        ++skipped;  // taken before the stop
        continue;
      }
      run.push_back(std::move(e));
      if (++pushed % 100'000 == 0) {  // an hours-long run says how it goes, and what the hub holds
        const Shop& m = hub.shop();
        std::fprintf(stderr,
                     "%lld pushed, %.1f s: in memory %zu work orders, %zu operations, %zu entries, %zu inspections, "
                     "%zu reviews, %zu messages, %zu superseded\n",
                     static_cast<long long>(pushed), seconds(), m.work_orders.size(), m.operations.size(),
                     m.entries.size(), m.inspections.size(), m.reviews.size(), m.messages.size(),
                     m.superseded_by.size());
      }
    }
    flush();
    if (resume) std::fprintf(stderr, "resumed: %lld events taken before, %.1f s\n", static_cast<long long>(skipped), seconds());
    hub.db().exec("PRAGMA synchronous = FULL");
    hub.db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + ".src" + suffix);
    const auto bytes = std::filesystem::file_size(db);
    if (resume) {  // the days were played by the run that stopped
      sql::Stmt w(hub.db(), "SELECT count(*) FROM work_orders");
      w.step();
      sum.work_orders = static_cast<int>(w.integer(0));
    }
    std::printf("{\"events\": %lld, \"work_orders\": %d, \"delivered\": %zu, \"days\": %d, \"batches\": %lld, "
                "\"held\": %lld, \"bytes\": %llu, \"seconds\": %.1f}\n",
                static_cast<long long>(hub.eventCount()), sum.work_orders,
                static_cast<std::size_t>(std::count_if(hub.shop().work_orders.begin(), hub.shop().work_orders.end(),
                                                       [](auto& w) { return w.second.delivered_at.has_value(); })),
                days, static_cast<long long>(batches), static_cast<long long>(held),
                static_cast<unsigned long long>(bytes), seconds());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bk_history: %s\n", e.what());
    return 1;
  }
  return 0;
}
