// Events from other kiosks taken exactly once, gaps refused, conflicts kept
// as review items (R16) — on real store files.
#include "tests/support.hpp"

#include <doctest/doctest.h>

using namespace bkt;

namespace {
struct Node {
  TempDir dir;
  FixedEntropy ent;
  Store st;
  explicit Node(const Id& id) : st(storeOptions(dir.file("s.db"), id), ent) {}
};
OpenWorkOrder twoOps(const Id& id) {
  return testWorkOrder(id, Category::GeneralRepair,
                       {spec(id + "-1", Trade::Mechanical, "tech1"), spec(id + "-2", Trade::Mechanical, "tech2")});
}
// Everything `from` made, offered to `to` in order; returns how many applied.
int push(Store& from, Store& to, Millis now) {
  int applied = 0;
  for (auto& e : from.events(0, 100000)) {
    if (e.origin != from.kioskId()) continue;
    auto r = to.ingestRemote(e, now);
    applied += r.status == Remote::Status::Applied;
  }
  return applied;
}
}  // namespace

TEST_CASE("a hub takes each kiosk's events exactly once and refuses gaps") {
  Node desk("desk"), a("kiosk-a"), hub("hub");
  for (auto& act : staffAndBays()) REQUIRE(desk.st.record(act, T0));
  REQUIRE(desk.st.record(twoOps("wo-1"), T0));
  CHECK(push(desk.st, hub.st, T0) == static_cast<int>(desk.st.lastOwnSeq()));
  CHECK(push(desk.st, hub.st, T0) == 0);  // resent: acknowledged and skipped
  // kiosk a learns the master data from the hub
  for (auto& e : hub.st.events(0, 100000)) REQUIRE(a.st.ingestRemote(e, T0).status == Remote::Status::Applied);
  REQUIRE(a.st.record(ClockOn{"te-1", "tech1", "wo-1-1", "bay1", T0 + MIN}, T0 + MIN));
  REQUIRE(a.st.record(ClockOff{"tech1", "wo-1-1", StopReason::Break, T0 + 2 * MIN}, T0 + 2 * MIN));
  REQUIRE(a.st.record(ClockOn{"te-2", "tech1", "wo-1-1", "bay1", T0 + 3 * MIN}, T0 + 3 * MIN));
  auto mine = a.st.events(0, 1000);
  std::vector<StoredEvent> own;
  for (auto& e : mine) if (e.origin == "kiosk-a") own.push_back(e);
  REQUIRE(own.size() == 3);
  // a gap: the third before the second
  auto gap = hub.st.ingestRemote(own[2], T0);
  CHECK(gap.status == Remote::Status::Gap);
  CHECK(gap.expected_seq == 1);
  CHECK(hub.st.ingestRemote(own[0], T0).status == Remote::Status::Applied);
  CHECK(hub.st.ingestRemote(own[2], T0).expected_seq == 2);
  CHECK(hub.st.ingestRemote(own[1], T0).status == Remote::Status::Applied);
  CHECK(hub.st.ingestRemote(own[2], T0).status == Remote::Status::Applied);
  CHECK(hub.st.ingestRemote(own[1], T0).status == Remote::Status::Duplicate);
  CHECK(hub.st.lastSeqOf("kiosk-a") == 3);
  // the event id is a second guard: the same event under another number
  StoredEvent again = own[0];
  again.origin_seq = 4;
  CHECK(hub.st.ingestRemote(again, T0).status == Remote::Status::Duplicate);
  CHECK(hub.st.shop().entries.size() == 2);
  CHECK(hub.st.rebuildFromEvents().sameRecords(hub.st.shop()));
  CHECK(hub.st.integrityCheck() == "ok");
  // an event out of schema changes nothing
  StoredEvent bad = own[0];
  bad.origin_seq = 4;
  bad.id[15] ^= 0xFF;
  bad.body = R"({"type":"clock_on","tech":"tech1"})";
  CHECK_THROWS(hub.st.ingestRemote(bad, T0));
  CHECK(hub.st.lastSeqOf("kiosk-a") == 3);
}

TEST_CASE("the same technician clocked on at two bays while one was offline: kept, one review item (R16)") {
  Node desk("desk"), a("kiosk-a"), b("kiosk-b"), hub("hub");
  for (auto& act : staffAndBays()) REQUIRE(desk.st.record(act, T0));
  REQUIRE(desk.st.record(twoOps("wo-1"), T0));
  push(desk.st, hub.st, T0);
  for (Node* k : {&a, &b})
    for (auto& e : hub.st.events(0, 100000)) REQUIRE(k->st.ingestRemote(e, T0).status == Remote::Status::Applied);
  // both offline: tech1 at bay1 on op 1 at 10:10, and at bay2 on op 2 at 10:05
  REQUIRE(a.st.record(ClockOn{"te-a", "tech1", "wo-1-1", "bay1", T0 + 10 * MIN}, T0 + 10 * MIN));
  REQUIRE(b.st.record(ClockOn{"te-b", "tech1", "wo-1-2", "bay2", T0 + 5 * MIN}, T0 + 5 * MIN));
  CHECK(push(a.st, hub.st, T0 + 20 * MIN) == 1);
  CHECK(push(b.st, hub.st, T0 + 21 * MIN) == 1);
  const Shop& h = hub.st.shop();
  CHECK(h.entries.count("te-a") == 1);
  CHECK(h.entries.count("te-b") == 1);  // both facts kept
  REQUIRE(h.reviews.size() == 1);
  const ReviewItem& item = h.reviews.begin()->second;
  CHECK(item.reason == Reason::ClockOverlap);
  CHECK(item.for_role == Role::Foreman);
  // the review item is rebuilt identically from the log
  CHECK(hub.st.rebuildFromEvents().sameRecords(h));
  // pushing again changes nothing
  CHECK(push(b.st, hub.st, T0 + 22 * MIN) == 0);
  CHECK(h.reviews.size() == 1);
}
