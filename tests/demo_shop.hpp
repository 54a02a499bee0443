#pragma once
// Issue 16's test shop: four months of the demo generator's days, made
// through a store (which trims memory as the days go by), ending at `now`.
// `kiosk` names the store's file (<kiosk>.db); a hub's store takes no hub's
// order (takes_hub_order false).
#include "demo/demo.hpp"
#include "tests/support.hpp"

#include <memory>

namespace bkt {

struct DemoShop {
  TempDir dir;
  FixedEntropy ent;
  demo::Options opt;
  std::unique_ptr<Store> st;
  explicit DemoShop(std::uint32_t seed, const Id& kiosk = "demo", bool takes_hub_order = true) {
    opt.seed = seed;
    opt.now = T0 + 120 * 86'400'000LL + 14 * 60 * MIN;
    opt.set_pins = false;
    StoreOptions o = storeOptions(dir.file(kiosk + ".db"), kiosk);
    o.takes_hub_order = takes_hub_order;
    st = std::make_unique<Store>(o, ent);
    st->db().exec("PRAGMA synchronous = OFF");  // test data
    demo::generate(*st, catalog(), opt);
  }
};

}  // namespace bkt
