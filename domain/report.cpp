#include "domain/report.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>

namespace bk {
namespace {

constexpr double kHour = 3600'000.0;

bool in(Millis t, Millis from, Millis to) { return t >= from && t < to; }

Millis duration(const TimeEntry& e) { return e.end ? *e.end - e.start : 0; }

std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) { if (c == '"') o += '"'; o += c; }
  return o + "\"";
}

}  // namespace

MonthlyReport monthlyReport(const Shop& s, Millis from, Millis to) {
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
          hours += duration(e) / kHour;
      }
    const Operation* op = s.operation(rw.op);
    auto inc = s.incidents.find("inc-" + rw.inspection);
    const Id charged = inc != s.incidents.end() ? inc->second.charged_to : rw.assigned_to;
    for (CountHours* c : {&r.rework_by_trade[op ? op->trade : Trade::None],
                          &r.rework_by_technician[charged], &r.rework_by_defect[rw.defect]}) {
      c->count += 1;
      c->hours += hours;
    }
  }

  // First-time pass rate: the first inspection of each kind on each target.
  std::map<std::pair<InspectionKind, Id>, const Inspection*> first;
  for (auto& [id, in] : s.inspections) {
    if (in.supersedes) continue;  // a correction is not a new inspection
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
    if (in(inc.at, from, to)) r.incidents_by_trade[inc.trade] += 1;

  for (auto& [id, a] : s.addons) {
    if (in(a.proposed_at, from, to)) r.addons_raised += 1;
    if (a.consent && in(a.consent->sig.at, from, to)) (a.consent->granted ? r.addons_approved : r.addons_declined) += 1;
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
    if (!op || eit == s.entries_of_op.end()) continue;
    std::map<Id, Millis> worked;
    Millis total = 0;
    for (auto& eid : eit->second) {
      const TimeEntry& e = s.entries.at(eid);
      if (e.rework) continue;
      worked[e.tech] += duration(e);
      total += duration(e);
    }
    if (total <= 0) continue;
    for (auto& [tech, ms] : worked) {
      Efficiency& ef = r.efficiency[tech];
      ef.actual_hours += ms / kHour;
      ef.standard_hours += op->std_minutes / 60.0 * (double(ms) / double(total));
    }
  }
  for (auto& [id, e] : s.entries)
    if (e.rework && e.end && in(e.start, from, to)) r.efficiency[e.tech].rework_hours += duration(e) / kHour;
  return r;
}

json reportJson(const Shop& s, const MonthlyReport& r) {
  auto personName = [&](const Id& id) { auto* p = s.person(id); return p ? p->name : id; };
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
  j["addons"] = {{"raised", r.addons_raised}, {"approved", r.addons_approved}, {"declined", r.addons_declined}};
  j["efficiency"] = json::array();
  for (auto& [id, e] : r.efficiency)
    j["efficiency"].push_back({{"technician", id}, {"name", personName(id)}, {"standard_hours", e.standard_hours},
                               {"actual_hours", e.actual_hours}, {"rework_hours", e.rework_hours}, {"ratio", e.ratio()}});
  return j;
}

std::string reportCsv(const Shop& s, const MonthlyReport& r) {
  auto personName = [&](const Id& id) { auto* p = s.person(id); return p ? p->name : id; };
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
  for (auto& [id, e] : r.efficiency)
    row("efficiency", id, personName(id), 0, e.actual_hours, fmt(e.ratio()));
  return o.str();
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
