// Randomized sequences of actions: the invariants hold after every step.
#include "tests/support.hpp"

#include <doctest/doctest.h>

using namespace bkt;

TEST_CASE("random action sequences keep every invariant") {
  for (unsigned seed : {1u, 2u, 3u, 4u}) {
    CAPTURE(seed);
    World w;
    std::mt19937 rng(seed);
    Millis t = T0;
    int counter = 0;
    std::map<std::string, int> allowed;
    for (int i = 0; i < 3000; ++i) {
      Action a = randomAction(w.s, rng, t, counter);
      const Shop before = w.s;
      Outcome o = w.run(a);
      if (o) {
        ++allowed[std::string(actionType(a))];
      } else {
        // a refused action never half-applies
        REQUIRE(before.sameRecords(w.s));
      }
      if (i % 50 == 0) checkInvariants(w.s);
    }
    checkInvariants(w.s);
    // the sequence reached the interesting places
    CHECK(allowed["clock_on"] > 50);
    CHECK(allowed["record_inspection"] > 50);
    CHECK(allowed["record_consent"] > 0);
    CHECK(allowed["deliver_work_order"] > 0);
  }
}
