// Events from other kiosks taken exactly once, gaps refused, conflicts kept
// as review items (R16) — on real store files.
#include "sync/wire.hpp"
#include "tests/support.hpp"

#include <doctest/doctest.h>

using namespace bkt;

namespace {
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
  CHECK(matchesReplay(hub.st));
  CHECK(hub.st.integrityCheck() == "ok");
  // an event out of schema changes nothing
  StoredEvent bad = own[0];
  bad.origin_seq = 4;
  bad.id[15] ^= 0xFF;
  bad.body = R"({"type":"clock_on","tech":"tech1"})";
  CHECK_THROWS(hub.st.ingestRemote(bad, T0));
  CHECK(hub.st.lastSeqOf("kiosk-a") == 3);
}

TEST_CASE("the same technician clocked on at two bays while one was offline: kept, held, one review item (R16)") {
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
  CHECK(h.entries.count("te-b") == 0);  // held: in the log and the review item, with no effect
  CHECK(h.openEntriesOf("tech1").size() == 1);  // one bay on the floor, minutes counted once
  REQUIRE(h.reviews.size() == 1);
  const ReviewItem& item = h.reviews.begin()->second;
  CHECK(item.reason == Reason::ClockOverlap);
  CHECK(item.for_role == Role::Foreman);
  CHECK(item.facts["action"]["entry"] == "te-b");
  CHECK(hub.st.lastSeqOf("kiosk-b") == 1);  // kept in the log
  // the review item is rebuilt identically from the log
  CHECK(hub.st.rebuildFromEvents().sameRecords(h));
  // pushing again changes nothing
  CHECK(push(b.st, hub.st, T0 + 22 * MIN) == 0);
  CHECK(h.reviews.size() == 1);
}

namespace {
// The desk makes the shop and wo-1, wo-2; the hub takes it all.
void deskWithTwoWorkOrders(Store& desk, Store& hub) {
  for (auto& act : staffAndBays()) REQUIRE(desk.record(act, T0));
  REQUIRE(desk.record(twoOps("wo-1"), T0));
  REQUIRE(desk.record(twoOps("wo-2"), T0));
  push(desk, hub, T0);
}
// A kiosk pulls the hub's whole log, in the hub's order.
Store::Placement pull(Store& kiosk, Store& hub, Millis now) { return kiosk.takeFromHub(hub.events(0, 100000), now); }
}  // namespace

TEST_CASE("after a conflict every kiosk's view is rebased on the hub's order (R16)") {
  Node desk("desk"), a("kiosk-a"), b("kiosk-b"), hub("hub");
  deskWithTwoWorkOrders(desk.st, hub.st);
  for (Node* k : {&a, &b}) CHECK_FALSE(pull(k->st, hub.st, T0).rebased);
  // both offline: tech1 on at bay1 (a) and at bay2 (b)
  REQUIRE(a.st.record(ClockOn{"te-a", "tech1", "wo-1-1", "bay1", T0 + 10 * MIN}, T0 + 10 * MIN));
  REQUIRE(b.st.record(ClockOn{"te-b", "tech1", "wo-1-2", "bay2", T0 + 5 * MIN}, T0 + 5 * MIN));
  // b hears of a's clock-on first: to b, tech1 moved from bay2 to bay1 at 10:10
  REQUIRE(b.st.ingestRemote(a.st.events(0, 1000).back(), T0 + 11 * MIN).status == Remote::Status::Applied);
  CHECK(b.st.shop().reviews.empty());
  CHECK(b.st.shop().entries.at("te-b").end.has_value());
  // the hub takes a's first, then b's: to the hub, b's is the conflict
  CHECK(push(a.st, hub.st, T0 + 20 * MIN) == 1);
  CHECK(push(b.st, hub.st, T0 + 21 * MIN) == 1);
  // the hub took a's first: b's clock-on at 10:05 contradicts it (R1), kept for review
  REQUIRE(hub.st.shop().reviews.size() == 1);
  CHECK_FALSE(b.st.shop().sameRecords(hub.st.shop()));
  // a took them in the hub's order already; b did not and is rebased
  const auto pa = pull(a.st, hub.st, T0 + 22 * MIN);
  const auto pb = pull(b.st, hub.st, T0 + 22 * MIN);
  CHECK_FALSE(pa.rebased);
  CHECK(pb.rebased);
  CHECK(pb.replayed == b.st.eventCount());  // (b took an event from a directly: the whole log, as before)
  for (Node* k : {&a, &b}) {
    CAPTURE(k->st.kioskId());
    CHECK(k->st.shop().sameRecords(hub.st.shop()));
    CHECK(k->st.loadRecords().sameRecords(hub.st.shop()));  // on disk too
    CHECK(matchesReplay(k->st));
    CHECK(k->st.unplacedOwn() == 0);
  }
  // and it stays rebased: pulling again changes nothing
  CHECK_FALSE(pull(b.st, hub.st, T0 + 23 * MIN).changed);
  // issue 16: what the hub sent is taken without waiting for the disk (it
  // is sent again if a power cut takes it back); a bay's own writes are
  // FULL again after it, whatever happened in it
  for (Node* k : {&a, &b}) CHECK(k->st.db().scalarInt("PRAGMA synchronous") == 2);
  StoredEvent broken = hub.st.events(0, 1).front();
  broken.pos = hub.st.lastPos() + 1;
  broken.origin = "kiosk-broken";
  broken.origin_seq = 1;
  broken.id[0] ^= 0x5A;
  broken.body = "{";  // (cannot be read: the batch rolls back)
  CHECK_THROWS(b.st.takeFromHub({broken}, T0 + 24 * MIN));
  CHECK(b.st.db().scalarInt("PRAGMA synchronous") == 2);
  REQUIRE(b.st.record(ClockOff{"tech1", "wo-1-1", StopReason::Break, T0 + 25 * MIN}, T0 + 25 * MIN));  // (te-a stood)
}

TEST_CASE("a view is rebased only once all its own events have their place, and only if order matters") {
  Node desk("desk"), a("kiosk-a"), b("kiosk-b"), hub("hub");
  deskWithTwoWorkOrders(desk.st, hub.st);
  pull(a.st, hub.st, T0);
  pull(b.st, hub.st, T0);
  // a works on wo-1, b on wo-2: nothing in common
  REQUIRE(a.st.record(ClockOn{"te-a", "tech1", "wo-1-1", "bay1", T0 + MIN}, T0 + MIN));
  REQUIRE(b.st.record(ClockOn{"te-b", "tech2", "wo-2-2", "bay2", T0 + MIN}, T0 + MIN));
  push(b.st, hub.st, T0 + 2 * MIN);
  // a hears of b's event before its own reached the hub: orders differ
  auto p1 = pull(a.st, hub.st, T0 + 3 * MIN);
  CHECK(p1.changed);
  CHECK(a.st.unplacedOwn() == 1);
  CHECK(a.st.meta("rebase_from").empty());  // no inversion seen yet
  push(a.st, hub.st, T0 + 4 * MIN);
  auto p2 = pull(a.st, hub.st, T0 + 5 * MIN);
  CHECK(a.st.unplacedOwn() == 0);
  CHECK_FALSE(p2.rebased);  // the two commute: no rebuild needed
  CHECK(a.st.meta("rebase_from").empty());
  CHECK(a.st.shop().sameRecords(hub.st.shop()));
  // a third event while a's next one is still unplaced: no rebase yet
  REQUIRE(a.st.record(ClockOff{"tech1", "wo-1-1", StopReason::Break, T0 + 6 * MIN}, T0 + 6 * MIN));
  REQUIRE(b.st.record(ClockOff{"tech2", "wo-2-2", StopReason::Break, T0 + 6 * MIN}, T0 + 6 * MIN));
  REQUIRE(b.st.record(ClockOn{"te-b2", "tech2", "wo-1-2", "bay2", T0 + 6 * MIN}, T0 + 6 * MIN));
  push(b.st, hub.st, T0 + 7 * MIN);
  CHECK_FALSE(pull(a.st, hub.st, T0 + 8 * MIN).rebased);
  push(a.st, hub.st, T0 + 9 * MIN);
  const auto p3 = pull(a.st, hub.st, T0 + 10 * MIN);
  CHECK(p3.rebased);  // both name wo-1: the hub's order is taken
  // (issue 16: only the events since a was last in step with the hub: its
  // own one and b's two it took before its own was placed)
  CHECK(p3.replayed == 3);
  CHECK(a.st.shop().sameRecords(hub.st.shop()));
  CHECK(a.st.loadRecords().sameRecords(hub.st.shop()));
}

TEST_CASE("a new hub's positions replace the old ones") {
  Node desk("desk"), a("kiosk-a"), hub("hub");
  for (auto& act : staffAndBays()) REQUIRE(desk.st.record(act, T0));
  push(desk.st, hub.st, T0);
  pull(a.st, hub.st, T0);
  CHECK(a.st.db().scalarInt("SELECT COUNT(*) FROM events WHERE hub_pos IS NOT NULL") == a.st.eventCount());
  a.st.forgetHubOrder();
  CHECK(a.st.db().scalarInt("SELECT COUNT(*) FROM events WHERE hub_pos IS NOT NULL") == 0);
  auto p = pull(a.st, hub.st, T0);
  CHECK_FALSE(p.changed);
  CHECK(p.through == hub.st.lastPos());
  CHECK(a.st.db().scalarInt("SELECT COUNT(*) FROM events WHERE hub_pos IS NOT NULL") == a.st.eventCount());
}

TEST_CASE("the wire decoder refuses fractions and huge numbers where integers belong (found by the fuzzer)") {
  json ev = {{"id", "019fa86f75e07000b58d4688dbb54680"}, {"origin", "kiosk-a"}, {"seq", 1}, {"wall", T0}, {"hlc", 1},
             {"body", {{"type", "clock_off"}, {"tech", "tech1"}, {"op", "wo-1-1"}, {"reason", "waiting_parts"}, {"at", T0}}}};
  CHECK_NOTHROW(sync::fromWire(ev));
  for (json bad : {json(1.78523730333e38), json(1.5), json(18446744073709551615ULL)}) {
    ev["body"]["at"] = bad;
    CAPTURE(bad.dump());
    CHECK_THROWS_AS(sync::fromWire(ev), std::invalid_argument);
  }
  const auto d = sync::decodePush(R"({"events":[{"id":"019fa86f75e07000b58d4688dbb54680","origin":"kiosk-a","seq":1,"wall":1,"hlc":1,"body":{"at":178523730333333333333333333333333334800,"op":"o","reason":"waiting_parts","tech":"t","type":"clock_off"}}]})", "kiosk-a");
  // a bad body refuses that event, not the batch: a tombstone in its place
  CHECK(d.status == 200);
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].tombstone());
}

TEST_CASE("a bay that missed the push reply learns of its refused event from the tombstone it pulls") {
  Node desk("desk"), a("kiosk-a"), b("kiosk-b"), hub("hub");
  deskWithTwoWorkOrders(desk.st, hub.st);
  for (Node* k : {&a, &b}) (void)pull(k->st, hub.st, T0);
  REQUIRE(a.st.record(ClockOn{"te-a", "tech1", "wo-1-1", "bay1", T0 + MIN}, T0 + MIN));
  REQUIRE(a.st.record(ClockOn{"te-b", "tech2", "wo-2-1", "bay2", T0 + 2 * MIN}, T0 + 2 * MIN));
  // bay A's first event as a faulty build sent it: a control character in a field
  json wire{{"events", json::array()}};
  for (auto& e : a.st.ownEventsAfter(0, 10)) wire["events"].push_back(sync::toWire(e));
  wire["events"][0]["body"]["bay"] = "bay\x01";
  const sync::PushDecoded d = sync::decodePush(wire.dump(), "kiosk-a");
  REQUIRE(d.status == 200);
  REQUIRE(d.events.at(0).tombstone());
  for (const Remote& r : hub.st.ingestBatch(d.events, T0 + 3 * MIN)) CHECK(r.status == Remote::Status::Applied);
  CHECK(hub.st.shop().entries.count("te-a") == 0);
  CHECK(hub.st.shop().entries.count("te-b") == 1);
  // the reply is lost; the pull brings the tombstone in its place
  const auto placed = pull(a.st, hub.st, T0 + 4 * MIN);
  CHECK(placed.changed);
  CHECK(a.st.shop().entries.count("te-a") == 0);
  CHECK(a.st.db().scalarInt("SELECT COUNT(*) FROM events WHERE refused IS NOT NULL AND origin_seq = 1") == 1);
  CHECK(a.st.shop().sameRecords(hub.st.shop()));
  CHECK(matchesReplay(a.st));
  CHECK(a.st.lastOwnSeq() == 2);
  CHECK(a.st.verifyChain() == 0);  // the bay's own log is as it was written
  // taken again, nothing changes; the reply, if it comes late, changes nothing either
  CHECK_FALSE(pull(a.st, hub.st, T0 + 5 * MIN).changed);
  CHECK_FALSE(a.st.markRefused(1, "late reply"));
  // another bay: the tombstone through the wire, no gap, the same view
  {  // through the wire, as a pull reply
    json page{{"events", json::array()}, {"last_pos", hub.st.lastPos()}, {"hub", "hub"}};
    for (auto& e : hub.st.events(0, 1000)) page["events"].push_back(sync::toWire(e));
    const sync::PullReply r = sync::decodePullReply(page.dump());
    REQUIRE(r.error.empty());
    (void)b.st.takeFromHub(r.events, T0 + 6 * MIN);
  }
  CHECK(b.st.lastSeqOf("kiosk-a") == 2);
  CHECK(b.st.shop().sameRecords(hub.st.shop()));
  CHECK(matchesReplay(b.st));
  // and on the hub's side, the log replays to the same view
  CHECK(matchesReplay(hub.st));
  CHECK(hub.st.verifyChain() == 0);
}

TEST_CASE("v22: an origin is kept by its number, and one taken back with a batch that failed is given again") {
  Node desk("desk-new"), b("kiosk-b");
  for (auto& act : staffAndBays()) REQUIRE(desk.st.record(act, T0));
  REQUIRE(desk.st.record(twoOps("wo-1"), T0));
  std::vector<StoredEvent> sent = desk.st.events(0, 1000);
  REQUIRE(sent.size() >= 2);
  for (std::size_t i = 0; i < sent.size(); ++i) sent[i].pos = static_cast<std::int64_t>(i) + 1;  // the hub's places
  // a batch of the new origin's first event and one that cannot be read:
  // it rolls back, the origin's row with it
  StoredEvent broken = sent[1];
  broken.id[0] ^= 0x5A;
  broken.body = "{";
  const std::int64_t before = b.st.eventCount();
  CHECK_THROWS(b.st.takeFromHub({sent[0], broken}, T0));
  CHECK(b.st.eventCount() == before);
  CHECK(b.st.db().scalarInt("SELECT COUNT(*) FROM origins WHERE name = 'desk-new'") == 0);
  // taken again: its events name it
  b.st.takeFromHub(sent, T0);
  CHECK(b.st.lastSeqOf("desk-new") == desk.st.lastOwnSeq());
  CHECK(b.st.db().scalarInt("SELECT COUNT(*) FROM origins WHERE name = 'desk-new'") == 1);
  CHECK(b.st.db().scalarInt("SELECT COUNT(*) FROM events WHERE typeof(origin) <> 'integer' OR typeof(type) <> 'integer'") == 0);
  std::size_t taken = 0;
  for (const StoredEvent& e : b.st.events(0, 1000)) {
    if (e.origin != "desk-new") continue;
    CHECK(e.type == sent[taken].type);
    ++taken;
  }
  CHECK(taken == sent.size());
  CHECK(b.st.shop().sameRecords(desk.st.shop()));
  CHECK(matchesReplay(b.st));
  CHECK(b.st.verifyChain() == 0);
}
