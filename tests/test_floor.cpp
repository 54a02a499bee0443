// Issue 14: undo, a foreman's corrections of ghost timers, dispatch (派工),
// messages to a bay, and ghost hours left out of efficiency (DECISIONS.md).
#include "domain/report.hpp"
#include "domain/rules.hpp"
#include "tests/support.hpp"

#include <doctest/doctest.h>

#include <random>

using namespace bkt;

namespace {
constexpr Millis SEC = 1000;
constexpr Millis HOUR = 60 * MIN;

UndoClock undoAt(const Shop& before, const Action& a, Millis at) {
  auto u = undoFor(before, a);
  REQUIRE(u);
  u->at = at;
  return *u;
}
}  // namespace

TEST_CASE("Issue 14: undoing a clock-on cancels the entry, its length zero, the original kept in the log") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Shop before = w.s;
  const ClockOn on{"te-1", "tech1", wo + "-1", "bay1", T0};
  w.must(on);
  const UndoClock u = undoAt(before, on, T0 + 5 * SEC);
  CHECK(u.cancel == "te-1");
  CHECK(u.reopen.empty());
  w.must(u);
  const TimeEntry& e = w.s.entries.at("te-1");
  CHECK(e.end == e.start);
  CHECK(e.reason == StopReason::Cancelled);
  CHECK(w.s.openEntriesOf("tech1").empty());
  SUBCASE("once: a second undo is refused") { CHECK(w.refused(u) == Reason::UndoExpired); }
  SUBCASE("the operation may be clocked on again") { w.clockOn("tech1", wo + "-1", T0 + 10 * SEC); }
}

TEST_CASE("Issue 14: undoing a switch cancels the new entry and the previous one runs on") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1"),
                                                         spec("", Trade::Mechanical, "tech1")});
  const Id first = w.clockOn("tech1", wo + "-1", T0);
  const Shop before = w.s;
  const ClockOn sw{"te-sw", "tech1", wo + "-2", "bay1", T0 + HOUR};
  w.must(sw);
  CHECK(w.s.entries.at(first).reason == StopReason::Switched);
  const UndoClock u = undoAt(before, sw, T0 + HOUR + 3 * SEC);
  CHECK(u.cancel == "te-sw");
  CHECK(u.reopen == first);
  w.must(u);
  CHECK_FALSE(w.s.entries.at(first).end);  // runs on, as if never switched
  CHECK_FALSE(w.s.entries.at(first).reason);
  CHECK(w.s.entries.at("te-sw").end == T0 + HOUR);
  CHECK(w.s.entries.at("te-sw").reason == StopReason::Cancelled);
  const auto open = w.s.openEntriesOf("tech1");
  REQUIRE(open.size() == 1);
  CHECK(open.front()->id == first);
}

TEST_CASE("Issue 14: undoing a pause reopens the entry, and only within the window and only the last clocking") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1"),
                                                         spec("", Trade::Mechanical, "tech1")});
  const Id e1 = w.clockOn("tech1", wo + "-1", T0);
  const Shop before = w.s;
  const ClockOff off{"tech1", wo + "-1", StopReason::WaitingParts, T0 + HOUR};
  w.must(off);
  SUBCASE("within seconds: the entry runs on") {
    w.must(undoAt(before, off, T0 + HOUR + 2 * SEC));
    CHECK_FALSE(w.s.entries.at(e1).end);
  }
  SUBCASE("too late: refused, the foreman corrects instead") {
    CHECK(w.refused(undoAt(before, off, T0 + HOUR + kUndoWindow + 1)) == Reason::UndoExpired);
  }
  SUBCASE("not after another clocking") {
    w.clockOn("tech1", wo + "-2", T0 + HOUR + 1 * SEC);
    CHECK(w.refused(undoAt(before, off, T0 + HOUR + 2 * SEC)) == Reason::UndoExpired);
  }
  SUBCASE("not someone else's entry") {
    UndoClock u = undoAt(before, off, T0 + HOUR + 2 * SEC);
    u.tech = "tech2";
    CHECK(w.refused(u) == Reason::BadInput);
  }
  SUBCASE("not a close the technician did not make (a patrol's stop, a foreman's correction)") {
    World v;
    const Id wo2 = v.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
    const Id e = v.clockOn("tech1", wo2 + "-1", T0);
    v.must(v.sealed(CorrectEntry{e, T0 + HOUR, "correction.forgot_clock_off", {}}, "foreman", T0 + 6 * HOUR));
    CHECK(v.refused(UndoClock{"tech1", {}, e, T0 + 6 * HOUR + SEC}) == Reason::UndoExpired);
  }
}

TEST_CASE("Issue 14: a foreman closes a ghost timer at a corrected time, signed, the original kept") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id e = w.clockOn("tech1", wo + "-1", T0);
  const Millis now = T0 + 14 * HOUR;  // left running overnight
  REQUIRE(overlongEntries(w.s, now).size() == 1);
  CHECK(ghostEntry(w.s.policy, w.s.entries.at(e), now));
  const CorrectEntry c{e, T0 + 3 * HOUR, "correction.forgot_clock_off", {}};
  SUBCASE("a technician cannot") { CHECK(w.refused(w.sealed(c, "tech2", now)) == Reason::LacksRole); }
  SUBCASE("unsigned is refused") {
    Action a = c;
    sealSignature(a, "foreman", now);  // no key: the signature proves nobody
    CHECK(w.refused(a) == Reason::SignatureInvalid);
  }
  SUBCASE("a reason is required") {
    CHECK(w.refused(w.sealed(CorrectEntry{e, T0 + 3 * HOUR, "", {}}, "foreman", now)) == Reason::ReasonRequired);
  }
  SUBCASE("not before its start, not after the signature") {
    CHECK(w.refused(w.sealed(CorrectEntry{e, T0 - 1, "correction.forgot_clock_off", {}}, "foreman", now)) == Reason::BadInput);
    CHECK(w.refused(w.sealed(CorrectEntry{e, now + 1, "correction.forgot_clock_off", {}}, "foreman", now)) == Reason::BadInput);
  }
  SUBCASE("corrected: closed, marked, no longer a ghost") {
    w.must(w.sealed(c, "foreman", now));
    const TimeEntry& t = w.s.entries.at(e);
    CHECK(t.end == T0 + 3 * HOUR);
    CHECK(t.reason == StopReason::Corrected);
    CHECK(t.corrected_by == "foreman");
    CHECK(t.correction == "correction.forgot_clock_off");
    CHECK_FALSE(ghostEntry(w.s.policy, t, now));
    CHECK(overlongEntries(w.s, now).empty());
    SUBCASE("a correction shortens, never lengthens") {
      CHECK(w.refused(w.sealed(CorrectEntry{e, T0 + 4 * HOUR, "correction.forgot_clock_off", {}}, "foreman", now + 1)) ==
            Reason::BadInput);
    }
  }
  SUBCASE("stop it: a correction that ends it now") {
    w.must(w.sealed(CorrectEntry{e, now, "correction.stopped_by_foreman", {}}, "foreman", now));
    CHECK(w.s.entries.at(e).end == now);
  }
}

TEST_CASE("Issue 14: a foreman does not correct their own time, another foreman does") {
  World w;
  // "foreman" is a mechanic too (the test shop's foreman works on cars)
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "foreman")});
  const Id e = w.clockOn("foreman", wo + "-1", T0);
  const CorrectEntry c{e, T0 + HOUR, "correction.kiosk_fault", {}};
  CHECK(w.refused(w.sealed(c, "foreman", T0 + 5 * HOUR)) == Reason::OwnWork);
  w.must(w.sealed(c, "foreman2", T0 + 5 * HOUR));
}

TEST_CASE("Issue 14: ghost hours past the limit count for nobody's efficiency until a foreman corrects the entry") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1", false, 120)});
  const Id e = w.clockOn("tech1", wo + "-1", T0);
  w.must(ClockOff{"tech1", wo + "-1", StopReason::Break, T0 + 10 * HOUR});  // ten hours: six of them ghost
  w.finish(wo + "-1", T0 + 11 * HOUR);
  const Millis to = T0 + 30 * 24 * HOUR;
  MonthlyReport r = monthlyReport(w.s, T0, to);
  REQUIRE(r.efficiency.count("tech1"));
  const double limit = double(w.s.policy.overlong_entry) / HOUR;
  CHECK(r.efficiency["tech1"].ghost_hours == doctest::Approx(10 - limit));
  CHECK(std::count_if(r.ghost_entries.begin(), r.ghost_entries.end(), [&](const GhostEntry& g) { return g.entry == e; }) == 1);
  const std::string csv = reportCsv(w.s, r);
  CHECK(csv.find("ghost_entry," + e) != std::string::npos);
  CHECK(reportJson(w.s, r)["ghost_entries"].size() == 1);
  const double before = r.efficiency["tech1"].actual_hours;

  w.must(w.sealed(CorrectEntry{e, T0 + 2 * HOUR, "correction.forgot_clock_off", {}}, "foreman", T0 + 12 * HOUR));
  r = monthlyReport(w.s, T0, to);
  CHECK(r.efficiency["tech1"].ghost_hours == 0);
  CHECK(r.ghost_entries.empty());
  CHECK(r.efficiency["tech1"].actual_hours < before);
}

TEST_CASE("Issue 14: dispatch gives an operation to another technician of its trade, clocking off whoever is on it") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  const Id e = w.clockOn("tech1", op, T0);
  SUBCASE("to a technician of another trade: refused") {
    CHECK(w.refused(w.sealed(ReassignOperation{op, "body1", "", {}}, "foreman", T0 + HOUR)) == Reason::WrongTrade);
  }
  SUBCASE("by a technician: refused") {
    CHECK(w.refused(w.sealed(ReassignOperation{op, "tech2", "", {}}, "tech2", T0 + HOUR)) == Reason::LacksRole);
  }
  SUBCASE("nothing changes: refused") {
    CHECK(w.refused(w.sealed(ReassignOperation{op, "tech1", "", {}}, "foreman", T0 + HOUR)) == Reason::BadInput);
  }
  SUBCASE("to tech2 and bay2") {
    w.must(w.sealed(ReassignOperation{op, "tech2", "bay2", {}}, "foreman", T0 + HOUR));
    const Operation& o = w.s.operations.at(op);
    CHECK(o.main_tech == "tech2");
    CHECK(o.bay == "bay2");
    CHECK(o.reassigned_from == "tech1");
    CHECK(o.reassigned_at == T0 + HOUR);
    CHECK(w.s.entries.at(e).end == T0 + HOUR);
    CHECK(w.s.entries.at(e).reason == StopReason::Reassigned);
    // the hour already worked stays tech1's; tech2 clocks on from here
    w.clockOn("tech2", op, T0 + HOUR + MIN, "bay2");
    w.must(ClockOff{"tech2", op, StopReason::Break, T0 + 2 * HOUR});
    // the reassigned close is not the technician's to undo
    CHECK(w.refused(UndoClock{"tech1", {}, e, T0 + HOUR + 2 * SEC}) == Reason::UndoExpired);
  }
}

TEST_CASE("Issue 14: a foreman's message reaches one technician, who marks it read") {
  World w;
  w.must(SendMessage{"msg-1", "foreman", "tech1", "message.check_timer", "", T0});
  CHECK(w.s.messages.at("msg-1").to == "tech1");
  CHECK_FALSE(w.s.messages.at("msg-1").read_at);
  CHECK(w.refused(SendMessage{"msg-1", "foreman", "tech1", "message.check_timer", "", T0}) == Reason::DuplicateId);
  CHECK(w.refused(SendMessage{"msg-2", "tech2", "tech1", "message.check_timer", "", T0}) == Reason::LacksRole);
  CHECK(w.refused(SendMessage{"msg-3", "foreman", "tech1", "", "", T0}) == Reason::BadInput);
  CHECK(w.refused(ReadMessage{"msg-1", "tech2", T0 + MIN}) == Reason::BadInput);
  w.must(ReadMessage{"msg-1", "tech1", T0 + MIN});
  CHECK(w.s.messages.at("msg-1").read_at == T0 + MIN);
}

TEST_CASE("Issue 14: the new events round-trip through JSON exactly") {
  World w;
  const std::vector<Action> all{
      UndoClock{"tech1", "te-1", "te-0", T0},
      CorrectEntry{"te-1", T0, "correction.kiosk_fault", Signature{}},
      ReassignOperation{"op-1", "tech2", "bay2", Signature{}},
      SendMessage{"msg-1", "foreman", "tech1", "message.check_timer", "te-1", T0},
      ReadMessage{"msg-1", "tech1", T0},
  };
  for (const Action& a : all) {
    const json j = toJson(a);
    CHECK(toJson(actionFromJson(j)) == j);
  }
}

TEST_CASE("Issue 14: undo, correction and dispatch in random interleavings keep one open entry per technician and no negative time") {
  std::mt19937 rng(1414);
  for (int round = 0; round < 40; ++round) {
    World w;
    const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1"),
                                                           spec("", Trade::Mechanical, "tech1"),
                                                           spec("", Trade::Mechanical, "tech2")});
    Millis t = T0;
    std::optional<UndoClock> last;
    for (int step = 0; step < 30; ++step) {
      t += std::uniform_int_distribution<Millis>(1 * SEC, 90 * SEC)(rng);
      const Id tech = rng() % 2 ? "tech1" : "tech2";
      const Id op = wo + "-" + std::to_string(1 + rng() % 3);
      Action a = ClockOn{"te-" + std::to_string(round) + "-" + std::to_string(step), tech, op, "bay1", t};
      switch (rng() % 5) {
        case 0: break;
        case 1: a = ClockOff{tech, op, StopReason::Break, t}; break;
        case 2: if (last) { last->at = t; a = *last; } break;
        case 3: {
          auto open = w.s.openEntriesOf(tech);
          if (!open.empty()) a = w.sealed(CorrectEntry{open.front()->id, t - SEC, "correction.kiosk_fault", {}}, "foreman", t);
          break;
        }
        case 4: a = w.sealed(ReassignOperation{op, tech == "tech1" ? "tech2" : "tech1", "", {}}, "foreman", t); break;
      }
      const Shop before = w.s;
      if (w.run(a)) last = undoFor(before, a);
      checkInvariants(w.s);
      for (const Id tk : {"tech1", "tech2"}) CHECK(w.s.openEntriesOf(tk).size() <= 1);
      for (auto& [id, e] : w.s.entries) if (e.end) CHECK(*e.end >= e.start);
    }
  }
}

TEST_CASE("Issue 14 (R16, R17): a forged, unsigned or out-of-role correction or dispatch, in any order, is held with no effect") {
  std::mt19937 rng(1417);
  for (int round = 0; round < 30; ++round) {
    World w;
    const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
    const Id op = wo + "-1";
    const Id e = w.clockOn("tech1", op, T0);
    Action unsigned_ = CorrectEntry{e, T0 + HOUR, "correction.kiosk_fault", {}};
    sealSignature(unsigned_, "foreman", T0 + 5 * HOUR);  // no key: proves nobody
    Action forged = w.sealed(ReassignOperation{op, "tech2", "", {}}, "foreman", T0 + 5 * HOUR);
    std::get<ReassignOperation>(forged).to = "foreman";  // changed after signing
    std::vector<Action> bad{unsigned_, forged,
                            w.sealed(CorrectEntry{e, T0 + HOUR, "correction.kiosk_fault", {}}, "tech2", T0 + 5 * HOUR),
                            w.sealed(ReassignOperation{op, "tech2", "", {}}, "tech2", T0 + 5 * HOUR)};
    std::shuffle(bad.begin(), bad.end(), rng);
    int n = 0;
    for (const Action& a : bad) {
      const auto r = ingest(w.s, a, "ev-" + std::to_string(n++), T0 + 5 * HOUR);
      REQUIRE(r.review);
      CHECK(w.s.reviews.at(*r.review).hold == Hold::Quarantine);
    }
    // nothing changed: the entry runs, the job is tech1's, still clocked on (R10's gate stays shut)
    CHECK_FALSE(w.s.entries.at(e).end);
    CHECK(w.s.entries.at(e).corrected_by.empty());
    CHECK(w.s.operations.at(op).main_tech == "tech1");
    CHECK_FALSE(deliveryBlockers(w.s, w.s.work_orders.at(wo)).empty());
  }
}
