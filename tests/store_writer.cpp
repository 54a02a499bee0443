// Helper process for the crash test: records random actions into a store and
// prints "ack <seq>" after each commit returns, until killed (or `limit`).
#include "tests/support.hpp"

#include <cstdio>
#include <cstdlib>

using namespace bkt;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bk_store_writer DB SEED [LIMIT]\n");
    return 2;
  }
  const long limit = argc > 3 ? std::atol(argv[3]) : 1'000'000;
  FixedEntropy ent;
  Store st(storeOptions(argv[1], "writer"), ent);
  Millis t = T0 + st.db().scalarInt("SELECT COALESCE(MAX(wall_ms), 0) FROM events") % T0;
  if (st.shop().people.empty())
    for (auto& a : staffAndBays()) {
      auto r = st.record(a, t);
      if (!r) return 3;
      std::printf("ack %lld\n", static_cast<long long>(r.event->origin_seq));
    }
  std::fflush(stdout);
  std::mt19937 rng(static_cast<unsigned>(std::atol(argv[2])));
  int counter = static_cast<int>(st.eventCount()) * 7;
  for (long i = 0; i < limit; ++i) {
    auto r = st.record(randomAction(st.shop(), rng, t, counter), t);
    if (r) {
      std::printf("ack %lld\n", static_cast<long long>(r.event->origin_seq));
      std::fflush(stdout);
    }
  }
  return 0;
}
