// The monthly report reads only the month through the shop's time indexes
// (issue 5). Checked against the plain full scan it replaced, on random
// shops built by the rules, live and reloaded from the store.
#include "domain/report.hpp"
#include "tests/support.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <set>


using namespace bkt;

namespace {
constexpr double kHour = 3600'000.0;
bool in(Millis t, Millis from, Millis to) { return t >= from && t < to; }
Millis duration(const TimeEntry& e) { return e.end ? *e.end - e.start : 0; }
// issue 14: an uncorrected entry past the ghost limit counts up to the limit
Millis counted(const Shop& s, const TimeEntry& e) {
  const Millis d = duration(e);
  return e.corrected_by.empty() && d > s.policy.overlong_entry ? s.policy.overlong_entry : d;
}

// The report as it was before the indexes: every record scanned.
MonthlyReport naiveMonthlyReport(const Shop& s, Millis from, Millis to) {
  MonthlyReport r;
  r.from = from;
  r.to = to;

  // Rework: count and the rework time clocked on it, by trade, person, defect.
  for (auto& [id, rw] : s.reworks) {
    if (!in(rw.opened_at, from, to)) continue;
    double hours = 0;
    if (auto it = s.entries_of_op.find(rw.op); it != s.entries_of_op.end())
      for (auto& eid : it->second) {
        const TimeEntry& e = s.entries.at(eid);
        if (e.rework && e.start >= rw.opened_at && (!rw.closed_at || e.start < *rw.closed_at))
          hours += counted(s, e) / kHour;
      }
    const Operation* op = s.operation(rw.op);
    auto inc = s.incidents.find("inc-" + rw.inspection);
    const Id charged = inc != s.incidents.end() ? inc->second.charged_to : rw.assigned_to;
    for (CountHours* c : {&r.rework_by_trade[op ? op->trade : Trade::None],
                          &r.rework_by_technician[charged], &r.rework_by_defect[rw.defect],
                          &r.rework_by_found_in[rw.found_in]}) {
      c->count += 1;
      c->hours += hours;
    }
  }

  // Issue 15: comebacks, every work order scanned
  auto isComeback = [&](const Id& wo) { const WorkOrder* w = s.workOrder(wo); return w && w->comeback(); };
  auto counts = [&](const WorkOrder& c) {
    const Inspection* found = comebackInspection(s, c.id);
    return withinComebackWindow(s, c) && (!found || found->cause != ComebackCause::DifferentConcern);
  };
  for (auto& [id, wo] : s.work_orders) {
    if (wo.delivered_at && in(*wo.delivered_at, from, to)) {
      Comebacks& cb = r.comebacks;
      cb.delivered += 1;
      cb.provisional_until = std::max(cb.provisional_until, *wo.delivered_at + Millis{s.policy.comeback_days} * 86'400'000);
      cb.by_advisor[wo.advisor].of += 1;
      std::set<Id> techs;
      std::set<Trade> trades;
      for (auto& [oid, op] : s.operations)
        if (op.wo == id && op.phase != Phase::Declined) techs.insert(op.main_tech), trades.insert(op.trade);
      for (const Id& t : techs) cb.by_technician[t].of += 1;
      for (Trade t : trades) cb.by_trade[t].of += 1;
      bool clean = true;
      for (auto& [rid, rw] : s.reworks) clean &= rw.wo != id;
      for (auto& [cid, c] : s.work_orders) clean &= !(c.comeback_of == id && counts(c));
      cb.first_time_fixed += clean;
    }
    if (wo.comeback() && in(wo.opened_at, from, to)) {
      Comebacks& cb = r.comebacks;
      if (!withinComebackWindow(s, wo)) { cb.outside_window += 1; continue; }
      const Inspection* found = comebackInspection(s, wo.id);
      if (!counts(wo)) { cb.by_cause[ComebackCause::DifferentConcern] += 1; continue; }
      cb.counted += 1;
      cb.by_advisor[s.work_orders.at(wo.comeback_of).advisor].count += 1;
      if (!found) { cb.cause_pending += 1; continue; }
      cb.by_cause[*found->cause] += 1;
      const Operation* op = found->op ? s.operation(*found->op) : nullptr;
      if (op) cb.by_trade[op->trade].count += 1;
      Id who;
      if (found->cause == ComebackCause::Misdiagnosis && op) who = op->main_tech;
      if (auto inc = s.incidents.find("inc-" + found->id); found->cause == ComebackCause::Workmanship &&
                                                            inc != s.incidents.end() && inc->second.charged())
        who = inc->second.charged_to;
      if (!who.empty()) cb.by_technician[who].count += 1;
    }
  }
  for (auto& [id, e] : s.entries) {
    if (!e.end || !in(e.start, from, to)) continue;
    if (isComeback(e.wo)) {
      r.comeback_hours += counted(s, e) / kHour;
      r.efficiency[e.tech].comeback_hours += counted(s, e) / kHour;
      const Inspection* found = comebackInspection(s, e.wo);
      if (found && found->cause == ComebackCause::Workmanship) r.comeback_hours_unbilled += counted(s, e) / kHour;
      if (duration(e) > counted(s, e)) {
        r.efficiency[e.tech].ghost_hours += (duration(e) - counted(s, e)) / kHour;
        r.ghost_entries.push_back({e.id, e.tech, e.start, *e.end});
      }
    } else if (e.rework) {
      r.rework_hours += counted(s, e) / kHour;
    }
  }
  r.rework_cents = static_cast<std::int64_t>(std::llround(r.rework_hours * double(s.policy.labour_cents_per_hour)));
  r.comeback_cents = static_cast<std::int64_t>(std::llround(r.comeback_hours * double(s.policy.labour_cents_per_hour)));

  // First-time pass rate: the first inspection of each kind on each target.
  std::map<std::pair<InspectionKind, Id>, const Inspection*> first;
  for (auto& [id, in] : s.inspections) {
    // a correction is not a new inspection; a comeback's cause has no first-time pass
    if (in.supersedes || in.kind == InspectionKind::Comeback) continue;
    const Id target = in.kind == InspectionKind::Final ? in.wo : in.op.value_or("");
    auto& f = first[{in.kind, target}];
    if (!f || in.sig.at < f->sig.at || (in.sig.at == f->sig.at && in.id < f->id)) f = &in;
  }
  for (auto& [key, insp] : first) {
    if (!in(insp->sig.at, from, to)) continue;
    PassRate& p = r.first_pass[key.first];
    p.first += 1;
    p.passed_first += insp->result == Verdict::Pass;
  }

  for (auto& [id, inc] : s.incidents)
    if (inc.charged() && in(inc.at, from, to)) r.incidents_by_trade[inc.trade] += 1;

  for (auto& [id, a] : s.addons) {
    if (in(a.proposed_at, from, to)) r.addons_raised += 1;
    if (a.consent && in(a.consent->sig.at, from, to)) (a.consent->granted ? r.addons_approved : r.addons_declined) += 1;
    if (a.refused && in(a.refused->sig.at, from, to)) r.addons_refused += 1;
  }

  // R4: operations finished (first passing peer inspection) in the period
  // credit their standard hours to the technicians in proportion to the
  // non-rework time each clocked on them. Rework time is counted apart.
  std::map<Id, Millis> finishedAt;
  for (auto& [id, in] : s.inspections)
    if (in.kind == InspectionKind::Peer && in.result == Verdict::Pass && in.op && !in.supersedes) {
      auto [it, fresh] = finishedAt.emplace(*in.op, in.sig.at);
      if (!fresh) it->second = std::min(it->second, in.sig.at);
    }
  for (auto& [opId, at] : finishedAt) {
    if (!in(at, from, to)) continue;
    const Operation* op = s.operation(opId);
    auto eit = s.entries_of_op.find(opId);
    if (!op || eit == s.entries_of_op.end() || isComeback(op->wo)) continue;
    std::map<Id, Millis> worked;
    Millis total = 0;
    for (auto& eid : eit->second) {
      const TimeEntry& e = s.entries.at(eid);
      if (e.rework) continue;
      worked[e.tech] += counted(s, e);
      total += counted(s, e);
      if (duration(e) > counted(s, e)) {
        r.efficiency[e.tech].ghost_hours += (duration(e) - counted(s, e)) / kHour;
        r.ghost_entries.push_back({e.id, e.tech, e.start, *e.end});
      }
    }
    if (total <= 0) continue;
    for (auto& [tech, ms] : worked) {
      Efficiency& ef = r.efficiency[tech];
      ef.actual_hours += ms / kHour;
      ef.standard_hours += op->std_minutes / 60.0 * (double(ms) / double(total));
    }
  }
  for (auto& [id, e] : s.entries)
    if (e.rework && e.end && in(e.start, from, to) && !isComeback(e.wo)) {
      r.efficiency[e.tech].rework_hours += counted(s, e) / kHour;
      if (duration(e) > counted(s, e)) {
        r.efficiency[e.tech].ghost_hours += (duration(e) - counted(s, e)) / kHour;
        r.ghost_entries.push_back({e.id, e.tech, e.start, *e.end});
      }
    }
  std::sort(r.ghost_entries.begin(), r.ghost_entries.end());
  return r;
}

// Hours summed in another order may differ in the last bits of a double:
// equal to a millionth of an hour (3.6 ms) is equal.
MonthlyReport rounded(MonthlyReport r) {
  auto round = [](double& h) { h = std::round(h * 1e6) / 1e6; };
  for (auto* m : {&r.rework_by_technician}) for (auto& [k, c] : *m) round(c.hours);
  for (auto& [k, c] : r.rework_by_trade) round(c.hours);
  for (auto& [k, c] : r.rework_by_defect) round(c.hours);
  for (auto& [k, e] : r.efficiency)
    round(e.standard_hours), round(e.actual_hours), round(e.rework_hours), round(e.ghost_hours), round(e.comeback_hours);
  for (auto& [k, c] : r.rework_by_found_in) round(c.hours);
  round(r.rework_hours), round(r.comeback_hours), round(r.comeback_hours_unbilled);
  return r;
}

// 2,500 random actions by the rules on the test shop; the time they reached.
Millis playRandomly(Store& st, unsigned seed) {
  std::mt19937 rng(seed);
  Millis t = T0;
  int counter = 0;
  for (int i = 0; i < 2500; ++i) (void)st.record(randomAction(st.shop(), rng, t, counter), t);
  return t;
}

}  // namespace

TEST_CASE("the indexed monthly report equals a full scan, on random shops, live and reloaded") {
  for (unsigned seed : {3u, 17u, 2026u}) {
    CAPTURE(seed);
    StaffedStore k;
    const Millis t = playRandomly(k.st, seed);
    const Shop reloaded = k.st.loadRecords();
    const Shop rebuilt = k.st.rebuildFromEvents();
    int nonEmpty = 0;
    for (Millis from = T0 - 86'400'000; from < t; from += 7 * 86'400'000LL) {
      const Millis to = from + 10 * 86'400'000LL;
      const MonthlyReport want = rounded(naiveMonthlyReport(k.st.shop(), from, to));
      CHECK(rounded(monthlyReport(k.st.shop(), from, to)) == want);
      CHECK(rounded(monthlyReport(reloaded, from, to)) == want);
      CHECK(rounded(monthlyReport(rebuilt, from, to)) == want);
      nonEmpty += !want.rework_by_trade.empty() && !want.first_pass.empty() && !want.efficiency.empty();
    }
    CHECK(nonEmpty > 0);
  }
}

TEST_CASE("issue 16: a car's history read through its work orders' indexes equals a scan of the whole shop, on random shops, live, reloaded and rebuilt") {
  for (unsigned seed : {5u, 29u}) {
    CAPTURE(seed);
    StaffedStore k;
    playRandomly(k.st, seed);
    const Shop reloaded = k.st.loadRecords();
    const Shop rebuilt = k.st.rebuildFromEvents();
    for (const Shop* s : {&k.st.shop(), &reloaded, &rebuilt}) {
      int withInspections = 0, withReworks = 0;
      for (const auto& [vin, wos] : s->wos_of_vin) {
        const std::vector<Visit> got = vehicleHistory(*s, vin);
        REQUIRE(got.size() == wos.size());
        for (const Visit& v : got) {
          std::set<Id> wantIns, gotIns, wantRw, gotRw;
          for (const auto& [id, in] : s->inspections) if (in.wo == v.wo.id) wantIns.insert(id);
          for (const auto& [id, rw] : s->reworks) if (rw.wo == v.wo.id) wantRw.insert(id);
          for (const Inspection& in : v.inspections) gotIns.insert(in.id);
          for (const Rework& rw : v.reworks) gotRw.insert(rw.id);
          CHECK(gotIns == wantIns);
          CHECK(gotIns.size() == v.inspections.size());
          CHECK(gotRw == wantRw);
          CHECK(std::is_sorted(v.inspections.begin(), v.inspections.end(), [](auto& a, auto& b) { return a.sig.at < b.sig.at; }));
          withInspections += !wantIns.empty();
          withReworks += !wantRw.empty();
        }
      }
      CHECK(withInspections > 10);
      CHECK(withReworks > 0);
    }
  }
}
