// A kiosk as a process, for the fault tests: a real store file and the real
// SyncClient, doing random work (as bays do, conflicts included) at its own
// clock, until it is killed or its time is up. `drain` mode does no work: it
// pushes and pulls until it and the hub agree, then exits 0.
//
//   bk_sim_kiosk DB KIOSK_ID HUB_URL ENROL_CODE SEED SKEW_MS run SECONDS
//   bk_sim_kiosk DB KIOSK_ID HUB_URL ENROL_CODE SEED SKEW_MS drain
#include "sync/client.hpp"
#include "platform/system.hpp"
#include "tests/support.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

using namespace bkt;

int main(int argc, char** argv) {
  if (argc < 8) {
    std::fprintf(stderr, "usage: bk_sim_kiosk DB ID HUB CODE SEED SKEW_MS run SECONDS | drain\n");
    return 2;
  }
  const std::string db = argv[1], id = argv[2], hubUrl = argv[3], code = argv[4], mode = argv[7];
  const int seed = std::atoi(argv[5]);
  const Millis skew = std::atoll(argv[6]);
  // this kiosk's clock is `skew` off the others'
  auto clock = [skew] { return bk::platform::nowMillis() + skew; };
  bk::platform::SodiumEntropy ent;
  Store st(storeOptions(db, id), ent);
  std::mutex mu;
  sync::SyncClient sync(st, mu, testPepper(), sync::SyncOptions{hubUrl, code, 50, 2000}, clock);

  if (mode == "drain") {
    // (what went wrong on the way, each kind once, said if it never syncs)
    std::vector<std::string> seen;
    auto note = [&] {
      const std::string e = sync.state().error;
      if (!e.empty() && seen.size() < 12 && std::find(seen.begin(), seen.end(), e) == seen.end()) seen.push_back(e);
    };
    // (at most 90 s: a second or two on an idle machine, longer on a loaded
    // one through the proxy's lost replies, each a 2 s timeout)
    const Millis began = bk::platform::nowMillis();
    while (bk::platform::nowMillis() - began < 90'000) {
      if (!sync.state().enrolled) sync.enroll();
      if (sync.needsSnapshot()) sync.fetchSnapshot();  // issue 16: as the sync threads do
      if (sync.pushOnce() && sync.state().pending == 0 && sync.pullOnce(0) && sync.state().pulled >= sync.state().hub_last) {
        std::lock_guard l(mu);
        std::printf("synced %lld own, %lld pulled, %lld unplaced\n", static_cast<long long>(st.lastOwnSeq()),
                    static_cast<long long>(sync.state().pulled), static_cast<long long>(st.unplacedOwn()));
        return 0;
      }
      note();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const auto s = sync.state();
    std::fprintf(stderr, "not synced after %lld ms: %s (pending %lld, pulled %lld of %lld)\n",
                 static_cast<long long>(bk::platform::nowMillis() - began), s.error.c_str(), static_cast<long long>(s.pending),
                 static_cast<long long>(s.pulled), static_cast<long long>(s.hub_last));
    for (const std::string& e : seen) std::fprintf(stderr, "  on the way: %s\n", e.c_str());
    return 1;
  }

  const double seconds = argc > 8 ? std::atof(argv[8]) : 10;
  sync.start();
  std::mt19937 rng(static_cast<unsigned>(seed * 7919 + bk::platform::nowMillis() % 100'000));
  // ids this run makes are its own: a range per kiosk and per start
  int counter = seed * 100'000'000 + static_cast<int>(bk::platform::nowMillis() / 1000 % 1000) * 50'000;
  const Millis end = bk::platform::nowMillis() + static_cast<Millis>(seconds * 1000);
  while (bk::platform::nowMillis() < end) {
    {
      std::lock_guard l(mu);
      if (st.shop().people.size() > 1) {
        Millis t = clock();
        auto r = st.record(randomAction(st.shop(), rng, t, counter, true), clock());
        if (r) std::printf("ack %lld\n", static_cast<long long>(r.event->origin_seq));
      }
    }
    std::fflush(stdout);
    sync.wake();
    std::this_thread::sleep_for(std::chrono::milliseconds(10 + rng() % 20));
  }
  sync.stop();
  return 0;
}
