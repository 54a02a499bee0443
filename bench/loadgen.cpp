// The hub under many kiosks, on loopback, with the real HubServer and real
// SyncClients (each kiosk its own store file): prints one JSON line per
// figure for bench/run.sh.
//   bk_loadgen visibility [KIOSKS=20] [EVENTS=150]  an event made at one kiosk, seen at every other
//   bk_loadgen drain [EVENTS=10000]                 events queued offline, drained after reconnect
//   bk_loadgen soak [KIOSKS=50] [SECONDS=120] [PER_MIN=10]  push latency under load, long polls held
//   bk_loadgen stall [SECONDS=30]  health and push latency with 200 long polls, 200 slowloris and 500
//                                  idle connections held (issue 10), beside the same run without them
#include "hub/hub_server.hpp"
#include "sync/client.hpp"
#include "platform/system.hpp"
#include "tests/support.hpp"
#include "tests/hub/stall.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <fstream>
#include <thread>

using namespace bkt;
using Clock = std::chrono::steady_clock;

namespace {

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

Millis wall() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The hub with the shop: the test staff plus one technician and one work
// order per kiosk, so each bay's work is its own.
struct Hub {
  TempDir dir;
  platform::SodiumEntropy ent;
  Store store;
  hub::HubServer server;
  int port;
  std::thread thread;
  explicit Hub(int kiosks) : store(storeOptions(dir.file("hub.db"), "hub-bench"), ent), server(store, ent, wall) {
    for (auto& a : staffAndBays()) (void)store.record(a, T0);
    for (int k = 0; k < kiosks; ++k) {
      const std::string n = std::to_string(k);
      (void)store.record(EnrollPerson{Person{"t" + n, "技师" + n, {Role::Technician}, Trade::Mechanical, "8" + n}}, T0);
      (void)store.record(testWorkOrder("wo-k" + n, Category::GeneralRepair, {spec("wo-k" + n + "-1", Trade::Mechanical, "t" + n)}), T0);
    }
    // every kiosk enrols at once from 127.0.0.1 (on a shop's LAN each bay
    // has its own address, and is set up one at a time)
    server.setEnrolLimits(kiosks + 10, kiosks + 120);
    port = server.bind("127.0.0.1", 0);
    thread = std::thread([this] { server.run(); });
  }
  ~Hub() {
    server.stop();
    thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

struct Kiosk {
  TempDir dir;
  FixedEntropy ent;
  Store st;
  std::mutex mu;
  std::unique_ptr<sync::SyncClient> sync;
  int index;
  int n = 0;
  Kiosk(int i, Hub& h, bool threads)
      : ent(static_cast<std::uint64_t>(i + 100)), st(storeOptions(dir.file("k.db"), "kiosk-" + std::to_string(i)), ent), index(i) {
    sync = std::make_unique<sync::SyncClient>(st, mu, testPepper(), sync::SyncOptions{h.url(), h.server.newEnrolCode(st.kioskId(), 600'000)}, wall);
    if (threads) sync->start();
  }
  // the next clock on or off of this bay's technician; its sequence number
  std::int64_t work() {
    std::lock_guard l(mu);
    const std::string k = std::to_string(index);
    const Millis t = T0 + MIN + n * 1000;
    Action a = n % 2 == 0 ? Action{ClockOn{"te-" + k + "-" + std::to_string(n), "t" + k, "wo-k" + k + "-1", "bay1", t}}
                          : Action{ClockOff{"t" + k, "wo-k" + k + "-1", StopReason::Break, t}};
    ++n;
    auto r = st.record(std::move(a), t);
    return r ? r.event->origin_seq : -1;
  }
  bool knows(const Id& origin, std::int64_t seq) {
    std::lock_guard l(mu);
    return st.lastSeqOf(origin) >= seq;
  }
};

bool waitUntil(const std::function<bool()>& pred, int timeout_ms) {
  const auto end = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  return pred();
}

int visibility(int kiosks, int events) {
  Hub hub(kiosks);
  std::vector<std::unique_ptr<Kiosk>> ks;
  for (int i = 0; i < kiosks; ++i) ks.push_back(std::make_unique<Kiosk>(i, hub, true));
  // everyone has the shop before the clock starts (a new kiosk starts from
  // the hub's snapshot: its own log holds none of what that covers, its
  // pull cursor says how far it has the hub's)
  const auto last = hub.store.lastPos();
  for (auto& k : ks)
    if (!waitUntil([&] { std::lock_guard l(k->mu); return k->st.cursors().get().pulled >= last; }, 30'000)) {
      std::fprintf(stderr, "kiosk %d never got the shop\n", k->index);
      return 1;
    }
  std::vector<double> samples;
  std::mt19937 rng(1);
  int missed = 0;
  for (int e = 0; e < events; ++e) {
    Kiosk& from = *ks[rng() % ks.size()];
    const auto t0 = Clock::now();
    const std::int64_t seq = from.work();
    from.sync->wake();  // what the kiosk's UI does after a tap
    const Id origin = from.st.kioskId();
    std::vector<bool> seen(ks.size(), false);
    seen[static_cast<std::size_t>(from.index)] = true;
    const bool all = waitUntil([&] {
      bool done = true;
      for (std::size_t i = 0; i < ks.size(); ++i) {
        if (seen[i]) continue;
        if (ks[i]->knows(origin, seq)) {
          seen[i] = true;
          samples.push_back(ms(Clock::now() - t0));
        } else {
          done = false;
        }
      }
      return done;
    }, 5000);
    missed += !all;
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 40));
  }
  for (auto& k : ks) k->sync->stop();
  std::printf("{\"figure\":\"visibility\",\"kiosks\":%d,\"events\":%d,\"samples\":%zu,\"missed\":%d,"
              "\"p50_ms\":%.1f,\"p95_ms\":%.1f,\"max_ms\":%.1f}\n",
              kiosks, events, samples.size(), missed, pct(samples, 0.5), pct(samples, 0.95), pct(samples, 1.0));
  return missed ? 1 : 0;
}

int drain(int events) {
  Hub hub(1);
  Kiosk k(0, hub, false);
  if (!k.sync->enroll() || !k.sync->pullOnce(0)) return 1;  // enrolled and has the shop, then the network goes
  for (int i = 0; i < events; ++i)
    if (k.work() < 0) return 1;
  const std::int64_t own = k.st.lastOwnSeq();
  const auto t0 = Clock::now();
  k.sync->start();  // the network is back
  // done when the hub has acknowledged every one of them
  const bool ok = waitUntil([&] { std::lock_guard l(k.mu); return k.st.meta("hub_acked") == std::to_string(own); }, 120'000);
  const double took = ms(Clock::now() - t0);
  k.sync->stop();
  std::printf("{\"figure\":\"drain\",\"events\":%lld,\"seconds\":%.2f,\"ok\":%s}\n", static_cast<long long>(own), took / 1000,
              ok ? "true" : "false");
  return ok ? 0 : 1;
}

// resident set of this process (the hub and every kiosk), MB
double rssMb() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

int soak(int kiosks, int seconds, int perMin) {
  Hub hub(kiosks);
  std::vector<std::unique_ptr<Kiosk>> ks;
  for (int i = 0; i < kiosks; ++i) {
    ks.push_back(std::make_unique<Kiosk>(i, hub, false));
    if (!ks.back()->sync->enroll() || !ks.back()->sync->pullOnce(0)) return 1;
  }
  const double rssStart = rssMb();
  std::atomic<bool> running{true};
  std::mutex smu;
  std::vector<double> push;
  int errors = 0;
  std::map<std::string, int> why;
  std::vector<std::thread> threads;
  for (auto& kp : ks) {
    Kiosk* k = kp.get();
    threads.emplace_back([&, k] {  // the kiosk's long poll, held the whole time
      while (running) {
        if (!k->sync->pullOnce(2000) && running) {
          std::lock_guard l(smu);
          ++errors;
          ++why["pull: " + k->sync->state().error];
        }
      }
    });
    threads.emplace_back([&, k] {  // its work, pushed at once, timed
      std::mt19937 rng(static_cast<unsigned>(k->index));
      const int gap = 60'000 / perMin;
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % gap));
      while (running) {
        k->work();
        const auto t0 = Clock::now();
        const bool ok = k->sync->pushOnce() && k->sync->state().pending == 0;
        const double took = ms(Clock::now() - t0);
        {
          std::lock_guard l(smu);
          push.push_back(took);
          if (!ok) {
            ++errors;
            ++why["push: " + k->sync->state().error];
          }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(gap / 2 + rng() % gap));
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  running = false;
  for (auto& t : threads) t.join();
  for (auto& [w, n] : why) std::fprintf(stderr, "soak error x%d: %s\n", n, w.c_str());
  // no drift over the run: the first and the last half compared, and the
  // process (hub + every kiosk) no bigger at the end than the work explains
  const auto half = static_cast<std::ptrdiff_t>(push.size() / 2);
  const std::vector<double> first(push.begin(), push.begin() + half), last(push.begin() + half, push.end());
  std::printf("{\"figure\":\"soak\",\"kiosks\":%d,\"seconds\":%d,\"per_kiosk_per_min\":%d,\"pushes\":%zu,\"errors\":%d,"
              "\"p50_ms\":%.1f,\"p99_ms\":%.1f,\"max_ms\":%.1f,\"p99_first_half_ms\":%.1f,\"p99_last_half_ms\":%.1f,"
              "\"rss_start_mb\":%.1f,\"rss_end_mb\":%.1f,\"hub_events\":%lld,\"integrity\":\"%s\"}\n",
              kiosks, seconds, perMin, push.size(), errors, pct(push, 0.5), pct(push, 0.99), pct(push, 1.0),
              pct(first, 0.99), pct(last, 0.99), rssStart, rssMb(),
              static_cast<long long>(hub.store.eventCount()), hub.store.integrityCheck().c_str());
  return errors ? 1 : 0;
}

// The stall attack (tests/hub/stall.hpp) on the real HubServer: first the
// shop's traffic alone (the baseline), then the same with the attack held.
int stall(int seconds) {
  RunningHub hub;
  hub.seedShop();
  Desk desk("desk");
  const std::string token = hub.enrol("desk");
  auto c = hub.client();
  desk.pullAll(c, token);
  const StallResult base = stallRun(hub.port, token, desk, seconds, false);
  const StallResult held = stallRun(hub.port, token, desk, seconds, true);
  for (auto [name, r] : {std::pair{"alone", &base}, {"attacked", &held}})
    std::printf("{\"figure\":\"stall\",\"run\":\"%s\",\"seconds\":%d,\"health\":%zu,\"health_p50_ms\":%.2f,"
                "\"health_p99_ms\":%.2f,\"health_max_ms\":%.2f,\"pushes\":%zu,\"push_p50_ms\":%.2f,\"push_p99_ms\":%.2f,"
                "\"push_max_ms\":%.2f,\"failed\":%d,\"slowloris_closed\":%d,\"idle_closed\":%d,\"polls_held\":%d}\n",
                name, seconds, r->health_ms.size(), percentile(r->health_ms, 0.5), percentile(r->health_ms, 0.99),
                percentile(r->health_ms, 1.0), r->push_ms.size(), percentile(r->push_ms, 0.5), percentile(r->push_ms, 0.99),
                percentile(r->push_ms, 1.0), r->health_failed + r->push_failed, r->slow_closed, r->idle_closed, r->polls_held);
  return held.health_failed + held.push_failed > 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);  // the hub's per-push lines would drown the figures
  const std::string what = argc > 1 ? argv[1] : "";
  auto arg = [&](int i, int def) { return argc > i ? std::atoi(argv[i]) : def; };
  if (what == "visibility") return visibility(arg(2, 20), arg(3, 150));
  if (what == "drain") return drain(arg(2, 10'000));
  if (what == "soak") return soak(arg(2, 50), arg(3, 120), arg(4, 10));
  if (what == "stall") return stall(arg(2, 30));
  std::fprintf(stderr, "usage: bk_loadgen visibility|drain|soak|stall [...]\n");
  return 2;
}
