#include "domain/report.hpp"

#include "domain/rules.hpp"
#include "domain/vin.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <chrono>
#include <cstdio>
#include <sstream>

namespace bk {
namespace {

constexpr double kHour = 3600'000.0;

bool in(Millis t, Millis from, Millis to) { return t >= from && t < to; }

Millis duration(const TimeEntry& e) { return e.end ? *e.end - e.start : 0; }
// Issue 14: what of a closed entry counts: up to the policy's limit while it
// is an uncorrected ghost timer; the rest is ghost time.
Millis counted(const Policy& p, const TimeEntry& e) {
  const Millis d = duration(e);
  return e.end && ghostEntry(p, e, *e.end) ? p.overlong_entry : d;
}

std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

// "2026-03-14 09:30" in the shop's time zone
std::string localText(Millis t, int offset_min) {
  using namespace std::chrono;
  const sys_time<milliseconds> local{milliseconds{t + Millis{offset_min} * 60'000}};
  const auto day = floor<days>(local);
  const year_month_day d{day};
  const hh_mm_ss hms{duration_cast<minutes>(local - day)};
  char b[32];
  std::snprintf(b, sizeof b, "%04d-%02u-%02u %02d:%02d", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()), static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()));
  return b;
}

std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) { if (c == '"') o += '"'; o += c; }
  return o + "\"";
}

bool isComeback(const Shop& s, const Id& wo) {
  const WorkOrder* w = s.workOrder(wo);
  return w && w->comeback();
}

// Issue 15: a counted comeback's cause, if found, and the original
// operation it names.
struct Found {
  std::optional<ComebackCause> cause;
  const Operation* op = nullptr;
};
Found foundOf(const Shop& s, const WorkOrder& c) {
  Found f;
  if (const Inspection* in = comebackInspection(s, c.id)) {
    f.cause = in->cause;
    if (in->op) f.op = s.operation(*in->op);
  }
  return f;
}

// The person a counted comeback is held against: whoever is charged for
// workmanship (R8, as decided), or the technician of a misdiagnosed job.
Id heldAgainst(const Shop& s, const Inspection& in, const Found& f) {
  if (f.cause == ComebackCause::Misdiagnosis && f.op) return f.op->main_tech;
  if (f.cause != ComebackCause::Workmanship) return {};
  auto inc = s.incidents.find("inc-" + in.id);
  return inc != s.incidents.end() && inc->second.charged() ? inc->second.charged_to : Id{};
}

// Counted: within the window and not a different concern.
bool counts(const Shop& s, const WorkOrder& c) {
  if (!withinComebackWindow(s, c)) return false;
  const Inspection* in = comebackInspection(s, c.id);
  return !in || in->cause != ComebackCause::DifferentConcern;
}

void comebackFigures(const Shop& s, MonthlyReport& r) {
  Comebacks& cb = r.comebacks;
  // the month's deliveries, the denominators
  for (auto it = s.delivered_by_time.lower_bound(r.from); it != s.delivered_by_time.end() && it->first < r.to; ++it) {
    const WorkOrder& wo = s.work_orders.at(it->second);
    cb.delivered += 1;
    cb.provisional_until = it->first + Millis{s.policy.comeback_days} * 86'400'000;  // the last, in time order
    cb.by_advisor[wo.advisor].of += 1;
    std::set<Id> techs;
    std::set<Trade> trades;
    bool reworked = false;
    for (const Operation* op : s.opsOf(wo.id)) {
      if (op->phase == Phase::Declined) continue;
      techs.insert(op->main_tech);
      trades.insert(op->trade);
      reworked |= s.reworks_of_op.count(op->id) > 0;
    }
    for (const Id& t : techs) cb.by_technician[t].of += 1;
    for (Trade t : trades) cb.by_trade[t].of += 1;
    bool cameBack = false;
    if (auto c = s.comebacks_of.find(wo.id); c != s.comebacks_of.end())
      for (const Id& id : c->second) cameBack |= counts(s, s.work_orders.at(id));
    if (!reworked && !cameBack) cb.first_time_fixed += 1;
  }
  // the month's comebacks, the numerators
  for (auto it = s.comebacks_by_open.lower_bound(r.from); it != s.comebacks_by_open.end() && it->first < r.to; ++it) {
    const WorkOrder& c = s.work_orders.at(it->second);
    if (!withinComebackWindow(s, c)) { cb.outside_window += 1; continue; }
    if (!counts(s, c)) { cb.by_cause[ComebackCause::DifferentConcern] += 1; continue; }
    cb.counted += 1;
    const WorkOrder& orig = s.work_orders.at(c.comeback_of);
    cb.by_advisor[orig.advisor].count += 1;
    const Found f = foundOf(s, c);
    if (!f.cause) { cb.cause_pending += 1; continue; }
    cb.by_cause[*f.cause] += 1;
    if (f.op) cb.by_trade[f.op->trade].count += 1;
    if (const Id who = heldAgainst(s, *comebackInspection(s, c.id), f); !who.empty()) cb.by_technician[who].count += 1;
  }
}

}  // namespace

MonthlyReport monthlyReport(const Shop& s, Millis from, Millis to) {
  MonthlyReport r;
  r.from = from;
  r.to = to;

  // Rework: count and the rework time clocked on it, by trade, person, defect.
  // Only the month is read, through the shop's time indexes: two years of
  // history cost no more than one month (issue 5: ≥ 1M events in ≤ 200 ms).
  for (auto rit = s.reworks_by_open.lower_bound(from); rit != s.reworks_by_open.end() && rit->first < to; ++rit) {
    const Rework& rw = s.reworks.at(rit->second);
    double hours = 0;
    if (auto it = s.entries_of_op.find(rw.op); it != s.entries_of_op.end())
      for (auto& eid : it->second) {
        const TimeEntry& e = s.entries.at(eid);
        if (e.rework && e.start >= rw.opened_at && (!rw.closed_at || e.start < *rw.closed_at))
          hours += counted(s.policy, e) / kHour;
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

  // First-time pass rate: the first inspection of each kind on each target
  // (corrections apart), counted in the month it was signed. R4: an
  // operation finished (first passing peer inspection) in the month.
  std::map<Id, const Operation*> finished;  // in id order, as the sums have always been made
  for (auto it = s.inspections_by_time.lower_bound(from); it != s.inspections_by_time.end() && it->first < to; ++it) {
    const Inspection& insp = s.inspections.at(it->second);
    // a correction is not a new inspection; a comeback's cause has no first-time pass
    if (insp.supersedes || insp.kind == InspectionKind::Comeback) continue;
    const Id target = inspectionTarget(insp);
    if (auto f = s.first_inspection.find({insp.kind, target}); f != s.first_inspection.end() && f->second == insp.id) {
      PassRate& p = r.first_pass[insp.kind];
      p.first += 1;
      p.passed_first += insp.result == Verdict::Pass;
    }
    if (insp.kind == InspectionKind::Peer && insp.result == Verdict::Pass && insp.op) {
      auto fin = s.op_finished_at.find(*insp.op);
      const Operation* op = s.operation(*insp.op);
      if (fin != s.op_finished_at.end() && fin->second == insp.sig.at && op) finished.emplace(op->id, op);
    }
  }

  for (auto& [id, inc] : s.incidents)  // issue 15: only what is charged (not held for a decision, not voided)
    if (inc.charged() && in(inc.at, from, to)) r.incidents_by_trade[inc.trade] += 1;

  for (auto& [id, a] : s.addons) {
    if (in(a.proposed_at, from, to)) r.addons_raised += 1;
    if (a.consent && in(a.consent->sig.at, from, to)) (a.consent->granted ? r.addons_approved : r.addons_declined) += 1;
    if (a.refused && in(a.refused->sig.at, from, to)) r.addons_refused += 1;
  }

  comebackFigures(s, r);

  // R4: operations finished (first passing peer inspection) in the period
  // credit their standard hours to the technicians in proportion to the
  // non-rework time each clocked on them. Rework time is counted apart.
  for (auto& [opId, op] : finished) {
    if (isComeback(s, op->wo)) continue;  // issue 15: counted apart, below
    auto eit = s.entries_of_op.find(op->id);
    if (eit == s.entries_of_op.end()) continue;
    std::map<Id, Millis> worked;
    Millis total = 0;
    for (auto& eid : eit->second) {
      const TimeEntry& e = s.entries.at(eid);
      if (e.rework) continue;
      worked[e.tech] += counted(s.policy, e);
      total += counted(s.policy, e);
      if (Millis ghost = duration(e) - counted(s.policy, e); ghost > 0) {
        r.efficiency[e.tech].ghost_hours += ghost / kHour;
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
  std::vector<const TimeEntry*> rework;  // summed in id order, so the hours never differ in the last digit
  for (auto it = s.rework_entries_by_start.lower_bound(from); it != s.rework_entries_by_start.end() && it->first < to; ++it)
    if (const TimeEntry& e = s.entries.at(it->second); e.end && !isComeback(s, e.wo)) rework.push_back(&e);
  std::sort(rework.begin(), rework.end(), [](const TimeEntry* a, const TimeEntry* b) { return a->id < b->id; });
  for (const TimeEntry* e : rework) {
    r.efficiency[e->tech].rework_hours += counted(s.policy, *e) / kHour;
    if (Millis ghost = duration(*e) - counted(s.policy, *e); ghost > 0) {
      r.efficiency[e->tech].ghost_hours += ghost / kHour;
      r.ghost_entries.push_back({e->id, e->tech, e->start, *e->end});
    }
  }
  // issue 15: time on comebacks, apart (rework there included), and not
  // billed when the cause is the shop's workmanship
  std::vector<const TimeEntry*> back;
  for (auto it = s.entries_by_start.lower_bound(from); it != s.entries_by_start.end() && it->first < to; ++it)
    if (const TimeEntry& e = s.entries.at(it->second); e.end && isComeback(s, e.wo)) back.push_back(&e);
  std::sort(back.begin(), back.end(), [](const TimeEntry* a, const TimeEntry* b) { return a->id < b->id; });
  for (const TimeEntry* e : back) {
    const double h = counted(s.policy, *e) / kHour;
    r.efficiency[e->tech].comeback_hours += h;
    r.comeback_hours += h;
    const Inspection* cause = comebackInspection(s, e->wo);
    if (cause && cause->cause == ComebackCause::Workmanship) r.comeback_hours_unbilled += h;
    if (Millis ghost = duration(*e) - counted(s.policy, *e); ghost > 0) {
      r.efficiency[e->tech].ghost_hours += ghost / kHour;
      r.ghost_entries.push_back({e->id, e->tech, e->start, *e->end});
    }
  }
  for (const TimeEntry* e : rework) r.rework_hours += counted(s.policy, *e) / kHour;
  auto cents = [&](double h) { return static_cast<std::int64_t>(std::llround(h * double(s.policy.labour_cents_per_hour))); };
  r.rework_cents = cents(r.rework_hours);
  r.comeback_cents = cents(r.comeback_hours);
  std::sort(r.ghost_entries.begin(), r.ghost_entries.end());
  return r;
}

// (field by field; a map keyed by a code is kept as [key, value] pairs)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CountHours, count, hours)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PassRate, first, passed_first)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Efficiency, standard_hours, actual_hours, rework_hours, ghost_hours, comeback_hours)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Rate, of, count)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GhostEntry, entry, tech, start, end)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Comebacks, delivered, counted, outside_window, cause_pending, by_cause, by_technician,
                                   by_trade, by_advisor, first_time_fixed, provisional_until)

BK_JSON_FIELDS(, Visit, wo, ops, inspections, reworks, declined, comebacks)

void to_json(json& j, const MonthlyReport& r) {
  j = {{"from", r.from}, {"to", r.to}, {"rework_by_trade", r.rework_by_trade},
       {"rework_by_technician", r.rework_by_technician}, {"rework_by_defect", r.rework_by_defect},
       {"first_pass", r.first_pass}, {"incidents_by_trade", r.incidents_by_trade},
       {"addons", {r.addons_raised, r.addons_approved, r.addons_declined, r.addons_refused}},
       {"efficiency", r.efficiency}, {"ghost_entries", r.ghost_entries}, {"comebacks", r.comebacks},
       {"rework_by_found_in", r.rework_by_found_in},
       {"hours", {r.rework_hours, r.comeback_hours, r.comeback_hours_unbilled}},
       {"cents", {r.rework_cents, r.comeback_cents}}};
}

void from_json(const json& j, MonthlyReport& r) {
  j.at("from").get_to(r.from);
  j.at("to").get_to(r.to);
  j.at("rework_by_trade").get_to(r.rework_by_trade);
  j.at("rework_by_technician").get_to(r.rework_by_technician);
  j.at("rework_by_defect").get_to(r.rework_by_defect);
  j.at("first_pass").get_to(r.first_pass);
  j.at("incidents_by_trade").get_to(r.incidents_by_trade);
  const json& a = j.at("addons");
  a.at(0).get_to(r.addons_raised);
  a.at(1).get_to(r.addons_approved);
  a.at(2).get_to(r.addons_declined);
  a.at(3).get_to(r.addons_refused);
  j.at("efficiency").get_to(r.efficiency);
  j.at("ghost_entries").get_to(r.ghost_entries);
  j.at("comebacks").get_to(r.comebacks);
  j.at("rework_by_found_in").get_to(r.rework_by_found_in);
  const json& h = j.at("hours");
  h.at(0).get_to(r.rework_hours);
  h.at(1).get_to(r.comeback_hours);
  h.at(2).get_to(r.comeback_hours_unbilled);
  j.at("cents").at(0).get_to(r.rework_cents);
  j.at("cents").at(1).get_to(r.comeback_cents);
}

json reportJson(const Shop& s, const MonthlyReport& r) {
  auto personName = [&](const Id& id) { auto* p = s.person(id); return p ? p->name : id.str(); };
  json j{{"from", r.from}, {"to", r.to}};
  auto rows = [](const auto& m, auto key) {
    json a = json::array();
    for (auto& [k, v] : m) a.push_back({{"key", key(k)}, {"count", v.count}, {"hours", v.hours}});
    return a;
  };
  j["rework_by_trade"] = rows(r.rework_by_trade, [](Trade t) { return std::string(name(t)); });
  j["rework_by_technician"] = json::array();
  for (auto& [id, v] : r.rework_by_technician)
    j["rework_by_technician"].push_back({{"key", id}, {"name", personName(id)}, {"count", v.count}, {"hours", v.hours}});
  j["rework_by_defect"] = rows(r.rework_by_defect, [](const std::string& d) { return d; });
  j["first_pass"] = json::array();
  for (auto& [k, p] : r.first_pass)
    j["first_pass"].push_back({{"kind", k}, {"first", p.first}, {"passed_first", p.passed_first}, {"rate", p.rate()}});
  j["incidents_by_trade"] = json::object();
  for (auto& [t, n] : r.incidents_by_trade) j["incidents_by_trade"][std::string(name(t))] = n;
  j["addons"] = {{"raised", r.addons_raised}, {"approved", r.addons_approved}, {"declined", r.addons_declined}, {"refused", r.addons_refused}};
  j["efficiency"] = json::array();
  for (auto& [id, e] : r.efficiency)
    j["efficiency"].push_back({{"technician", id}, {"name", personName(id)}, {"standard_hours", e.standard_hours},
                               {"actual_hours", e.actual_hours}, {"rework_hours", e.rework_hours},
                               {"ghost_hours", e.ghost_hours}, {"comeback_hours", e.comeback_hours},
                               {"ratio", e.ratio()}});
  // issue 15
  j["rework_by_found_in"] = rows(r.rework_by_found_in, [](InspectionKind k) { return std::string(name(k)); });
  const Comebacks& cb = r.comebacks;
  json c{{"delivered", cb.delivered}, {"counted", cb.counted}, {"rate", cb.rate()},
         {"outside_window", cb.outside_window}, {"cause_pending", cb.cause_pending},
         {"first_time_fixed", cb.first_time_fixed}, {"first_time_fix_rate", cb.firstTimeFixRate()},
         {"window_days", s.policy.comeback_days}, {"provisional_until", cb.provisional_until},
         {"by_cause", json::object()}};
  for (auto& [k, n] : cb.by_cause) c["by_cause"][std::string(name(k))] = n;
  auto rates = [](const auto& m, auto key, auto nm) {
    json a = json::array();
    for (auto& [k, v] : m) {
      json row{{"key", key(k)}, {"delivered", v.of}, {"comebacks", v.count}, {"rate", v.rate()}};
      if (std::string n = nm(k); !n.empty()) row["name"] = n;
      a.push_back(row);
    }
    return a;
  };
  auto noName = [](auto&&) { return std::string(); };
  auto asId = [](const Id& id) { return id; };
  c["by_technician"] = rates(cb.by_technician, asId, personName);
  c["by_trade"] = rates(cb.by_trade, [](Trade t) { return std::string(name(t)); }, noName);
  c["by_advisor"] = rates(cb.by_advisor, asId, personName);
  j["comebacks"] = c;
  j["labour"] = {{"rework_hours", r.rework_hours}, {"rework_cents", r.rework_cents},
                 {"comeback_hours", r.comeback_hours}, {"comeback_cents", r.comeback_cents},
                 {"comeback_hours_unbilled", r.comeback_hours_unbilled},
                 {"cents_per_hour", s.policy.labour_cents_per_hour}};
  j["ghost_entries"] = json::array();
  for (const GhostEntry& g : r.ghost_entries)
    j["ghost_entries"].push_back({{"entry", g.entry}, {"technician", g.tech}, {"name", personName(g.tech)},
                                  {"start", g.start}, {"end", g.end}, {"hours", (g.end - g.start) / kHour}});
  return j;
}

std::string reportCsv(const Shop& s, const MonthlyReport& r) {
  auto personName = [&](const Id& id) { auto* p = s.person(id); return p ? p->name : id.str(); };
  std::ostringstream o;
  o << "section,key,name,count,hours,value\n";
  auto row = [&](const std::string& sec, const std::string& key, const std::string& nm, int count,
                 double hours, const std::string& value) {
    o << sec << ',' << csvField(key) << ',' << csvField(nm) << ',' << count << ',' << fmt(hours) << ','
      << value << '\n';
  };
  for (auto& [t, v] : r.rework_by_trade) row("rework_by_trade", std::string(name(t)), "", v.count, v.hours, "");
  for (auto& [id, v] : r.rework_by_technician) row("rework_by_technician", id, personName(id), v.count, v.hours, "");
  for (auto& [d, v] : r.rework_by_defect) row("rework_by_defect", d, "", v.count, v.hours, "");
  for (auto& [k, p] : r.first_pass) row("first_pass_rate", std::string(name(k)), "", p.first, 0, fmt(p.rate()));
  for (auto& [t, n] : r.incidents_by_trade) row("incidents_by_trade", std::string(name(t)), "", n, 0, "");
  row("addons", "raised", "", r.addons_raised, 0, "");
  row("addons", "approved", "", r.addons_approved, 0, "");
  row("addons", "declined", "", r.addons_declined, 0, "");
  row("addons", "refused", "", r.addons_refused, 0, "");
  for (auto& [id, e] : r.efficiency)
    row("efficiency", id, personName(id), 0, e.actual_hours, fmt(e.ratio()));
  // issue 14: ghost timers no foreman has corrected, and their hours left out
  for (auto& [id, e] : r.efficiency)
    if (e.ghost_hours > 0) row("ghost_hours_excluded", id, personName(id), 0, e.ghost_hours, "");
  for (const GhostEntry& g : r.ghost_entries)
    row("ghost_entry", g.entry, personName(g.tech), 1, (g.end - g.start) / kHour, "uncorrected");
  // issue 15: a rate's count is what it is of (like first_pass_rate)
  for (auto& [k, v] : r.rework_by_found_in) row("rework_by_found_in", std::string(name(k)), "", v.count, v.hours, "");
  const Comebacks& cb = r.comebacks;
  row("comebacks", "delivered", "", cb.delivered, 0, "");
  row("comebacks", "counted", "", cb.counted, 0, "");
  row("comebacks", "rate", "", cb.delivered, 0, fmt(cb.rate()));
  row("comebacks", "outside_window", "", cb.outside_window, 0, "");
  row("comebacks", "cause_pending", "", cb.cause_pending, 0, "");
  row("comebacks", "first_time_fix_rate", "", cb.delivered, 0, fmt(cb.firstTimeFixRate()));
  // provisional until then (the shop's time): a car of the month may still come back
  row("comebacks", "provisional_until", "", 0, 0, cb.provisional_until ? localText(cb.provisional_until, s.policy.utc_offset_minutes) : "");
  for (auto& [k, n] : cb.by_cause) row("comeback_cause", std::string(name(k)), "", n, 0, "");
  for (auto& [id, v] : cb.by_technician) row("comeback_rate_by_technician", id, personName(id), v.of, 0, fmt(v.rate()));
  for (auto& [t, v] : cb.by_trade) row("comeback_rate_by_trade", std::string(name(t)), "", v.of, 0, fmt(v.rate()));
  for (auto& [id, v] : cb.by_advisor) row("comeback_rate_by_advisor", id, personName(id), v.of, 0, fmt(v.rate()));
  auto yuan = [](std::int64_t c) { return fmt(double(c) / 100.0); };
  row("labour", "rework", "", 0, r.rework_hours, yuan(r.rework_cents));
  row("labour", "comeback", "", 0, r.comeback_hours, yuan(r.comeback_cents));
  row("labour", "comeback_unbilled", "", 0, r.comeback_hours_unbilled, "");
  return o.str();
}


std::vector<SlipRow> faultSlipRows(const Shop& s, const std::string& month) {
  std::vector<SlipRow> out;
  const auto m = calendarMonth(month, s.policy.utc_offset_minutes);
  if (!m) return out;
  for (const FaultSlipLine& l : faultSlipLines(s, m->first, m->second)) {
    const Incident& inc = s.incidents.at(l.incident);
    SlipRow r{l, &inc, s.workOrder(inc.wo), s.operation(inc.op), nullptr};
    if (auto rw = s.reworks.find(inc.rework); rw != s.reworks.end()) r.rework = &rw->second;
    out.push_back(r);
  }
  return out;
}

std::string faultSlipsCsv(const Shop& s, const std::string& month) {
  auto personName = [&](const Id& id) { auto* p = s.person(id); return p ? p->name : id.str(); };
  const auto it = s.fault_slips.find(month);
  const FaultSlips* signedSlips = it == s.fault_slips.end() ? nullptr : &it->second;
  std::ostringstream o;
  o << "month,technician,name,incident,found_at,work_order,plate,operation,trade,defect,found_in,state,signed_by,signed_at\n";
  const auto rows = faultSlipRows(s, month);
  const bool current = signedSlips && [&] {
    std::vector<FaultSlipLine> lines;
    for (auto& r : rows) lines.push_back(r.line);
    return lines == signedSlips->lines;
  }();
  for (const SlipRow& r : rows) {
    o << month << ',' << csvField(r.line.charged_to) << ',' << csvField(personName(r.line.charged_to)) << ','
      << csvField(r.line.incident) << ',' << localText(r.incident->at, s.policy.utc_offset_minutes) << ','
      << csvField(r.wo ? r.wo->number : r.incident->wo.str()) << ',' << csvField(r.wo ? r.wo->vehicle.plate : "") << ','
      << csvField(r.op ? r.op->title : r.incident->op.str()) << ',' << name(r.incident->trade) << ','
      << csvField(r.incident->defect) << ',' << (r.rework ? name(r.rework->found_in) : "") << ',' << r.line.state << ',';
    // the signature, only while the slips signed are these
    if (current) o << csvField(personName(signedSlips->sig.signer)) << ',' << localText(signedSlips->sig.at, s.policy.utc_offset_minutes);
    else o << ',';
    o << '\n';
  }
  return o.str();
}

std::vector<Visit> vehicleHistory(const Shop& s, const std::string& vin) {
  const std::string want = vinKey(vin);
  std::vector<Visit> out;
  if (want.empty()) return out;
  auto byVin = s.wos_of_vin.find(want);
  if (byVin == s.wos_of_vin.end()) return out;
  for (const Id& id : byVin->second) {
    const WorkOrder& w = s.work_orders.at(id);
    Visit v;
    v.wo = w;
    for (const Operation* op : s.opsOf(id)) v.ops.push_back(*op);
    // issue 16: by the work order's own indexes, not a scan of the shop
    if (auto ins = s.inspections_of_wo.find(id); ins != s.inspections_of_wo.end())
      for (const Id& iid : ins->second) v.inspections.push_back(s.inspections.at(iid));
    std::sort(v.inspections.begin(), v.inspections.end(), [](auto& a, auto& b) { return a.sig.at < b.sig.at; });
    for (const Operation* op : s.opsOf(id))
      if (auto rws = s.reworks_of_op.find(op->id); rws != s.reworks_of_op.end())
        for (const Id& rid : rws->second)
          if (const Rework& rw = s.reworks.at(rid); rw.wo == id) v.reworks.push_back(rw);
    std::sort(v.reworks.begin(), v.reworks.end(), [](auto& a, auto& b) { return a.id < b.id; });  // as the scan gave them
    for (const Id& a : declinedSafety(s, id)) v.declined.push_back(s.addons.at(a));
    if (auto c = s.comebacks_of.find(id); c != s.comebacks_of.end()) v.comebacks = c->second;
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(), [](const Visit& a, const Visit& b) { return a.wo.opened_at > b.wo.opened_at; });
  return out;
}

std::string monthOf(Millis t, int utc_offset_min) {
  using namespace std::chrono;
  const Millis local = t + Millis{utc_offset_min} * 60'000;
  const year_month_day d{floor<days>(sys_time<milliseconds>{milliseconds{local}})};
  char b[16];
  std::snprintf(b, sizeof b, "%04d-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()));
  return b;
}

std::string addMonths(const std::string& ym, int delta) {
  using namespace std::chrono;
  if (!calendarMonth(ym, 0)) return {};
  const year_month m = year{std::stoi(ym.substr(0, 4))} / month{static_cast<unsigned>(std::stoi(ym.substr(5, 2)))} + months{delta};
  char b[16];
  std::snprintf(b, sizeof b, "%04d-%02u", static_cast<int>(m.year()), static_cast<unsigned>(m.month()));
  return b;
}

std::optional<std::pair<Millis, Millis>> calendarMonth(const std::string& ym, int utc_offset_min) {
  using namespace std::chrono;
  if (ym.size() != 7 || ym[4] != '-') return std::nullopt;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u})
    if (ym[i] < '0' || ym[i] > '9') return std::nullopt;
  const int y = std::stoi(ym.substr(0, 4));
  const unsigned m = static_cast<unsigned>(std::stoi(ym.substr(5, 2)));
  if (y < 2000 || y > 2200 || m < 1 || m > 12) return std::nullopt;
  const year_month first = year{y} / month{m};
  auto startOf = [&](year_month ym1) {
    const Millis local = duration_cast<milliseconds>(sys_days{ym1 / 1}.time_since_epoch()).count();
    return local - Millis{utc_offset_min} * 60'000;
  };
  return std::make_pair(startOf(first), startOf(first + months{1}));
}

}  // namespace bk
