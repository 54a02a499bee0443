#pragma once
// The monthly quality report (DOMAIN.md 返工报表), computed from the state.
#include "domain/model.hpp"

namespace bk {

struct CountHours {
  int count = 0;
  double hours = 0;
  bool operator==(const CountHours&) const = default;
};

struct PassRate {
  int first = 0;         // first inspections of their kind on a target
  int passed_first = 0;  // ... that passed
  double rate() const { return first ? double(passed_first) / first : 0.0; }
  bool operator==(const PassRate&) const = default;
};

struct Efficiency {  // R4
  double standard_hours = 0;  // flat-rate hours credited for finished operations
  double actual_hours = 0;    // time clocked on them, rework apart
  double rework_hours = 0;    // counted apart (R4)
  // Issue 14: hours past the policy's limit on entries no foreman has
  // corrected (ghost timers): excluded from the hours above until corrected.
  double ghost_hours = 0;
  // Issue 15: time on comeback work orders, apart from all of the above
  double comeback_hours = 0;
  double ratio() const { return actual_hours > 0 ? standard_hours / actual_hours : 0.0; }
  bool operator==(const Efficiency&) const = default;
};

// Issue 15: so many of `of`.
struct Rate {
  int of = 0, count = 0;
  double rate() const { return of ? double(count) / of : 0.0; }
  bool operator==(const Rate&) const = default;
};

// Issue 15: comebacks (返修) in the month. A comeback counts in the month it
// was opened, when it came within the policy's window of its delivery and
// its cause is not "a different concern". The rates are of the work orders
// delivered in the month: each technician's of those with an operation of
// theirs (counting comebacks charged to them for workmanship, or of their
// misdiagnosis); each trade's of those with an operation of the trade
// (counting those whose cause lies in that trade's operation); each
// advisor's of theirs (counting every comeback of their work orders).
struct Comebacks {
  int delivered = 0;
  int counted = 0;          // within the window, a different concern apart
  int outside_window = 0;   // linked, but beyond the window: not counted
  int cause_pending = 0;    // counted, the cause not yet found
  std::map<ComebackCause, int> by_cause;
  std::map<Id, Rate> by_technician;
  std::map<Trade, Rate> by_trade;
  std::map<Id, Rate> by_advisor;
  // Of those delivered in the month: no rework and no comeback (counted,
  // so far) within the window.
  int first_time_fixed = 0;
  // DECISIONS.md: the rates stay provisional until the comeback window of
  // the month's last delivery has closed (0: nothing delivered); computed
  // again whenever asked, they settle then.
  Millis provisional_until = 0;
  bool provisional(Millis now) const { return now < provisional_until; }
  double rate() const { return delivered ? double(counted) / delivered : 0.0; }
  double firstTimeFixRate() const { return delivered ? double(first_time_fixed) / delivered : 0.0; }
  bool operator==(const Comebacks&) const = default;
};

// Issue 14: an uncorrected ghost timer the report marks, with what it
// shows of it (issue 16: so a report kept needs no record to be drawn).
struct GhostEntry {
  Id entry, tech;
  Millis start = 0, end = 0;
  auto operator<=>(const GhostEntry&) const = default;  // (the entry's id first)
};

struct MonthlyReport {
  Millis from = 0, to = 0;  // [from, to)
  std::map<Trade, CountHours> rework_by_trade;
  std::map<Id, CountHours> rework_by_technician;  // charged person (R8)
  std::map<std::string, CountHours> rework_by_defect;
  std::map<InspectionKind, PassRate> first_pass;
  std::map<Trade, int> incidents_by_trade;
  int addons_raised = 0, addons_approved = 0, addons_declined = 0;
  int addons_refused = 0;  // issue 14: refused inside the shop (director or manager)
  std::map<Id, Efficiency> efficiency;  // by technician
  std::vector<GhostEntry> ghost_entries;  // issue 14: marked in the report, in id order
  // Issue 15: comebacks; rework by where it was caught; the hours of rework
  // and of comebacks (started in the month) and their labour at the shop's
  // rate; comeback hours whose cause is workmanship are not billed.
  Comebacks comebacks;
  std::map<InspectionKind, CountHours> rework_by_found_in;
  double rework_hours = 0, comeback_hours = 0, comeback_hours_unbilled = 0;
  std::int64_t rework_cents = 0, comeback_cents = 0;
  bool operator==(const MonthlyReport&) const = default;
};

MonthlyReport monthlyReport(const Shop& s, Millis from, Millis to);

// Issue 16: a month's report as data, so a store can keep what it computed
// (the `reports` table) and give it again until the month's work orders
// change. Bump kReportRevision whenever monthlyReport gives other figures
// for the same shop: a store drops every report kept by another revision
// (or another version of the program) when it opens.
inline constexpr int kReportRevision = 1;
void to_json(json& j, const MonthlyReport& r);
void from_json(const json& j, MonthlyReport& r);

// A calendar month "YYYY-MM" in the shop's time zone, as [from, to) in UTC
// milliseconds; nullopt for anything else.
std::optional<std::pair<Millis, Millis>> calendarMonth(const std::string& yyyy_mm, int utc_offset_min);
// Issue 15: the calendar month ("YYYY-MM") a moment falls in, in the shop's
// time zone, and the month `delta` months from one (empty if not a month).
std::string monthOf(Millis t, int utc_offset_min);

// Issue 15: a car's history (维修档案) by its VIN (letters in either case):
// its work orders, newest first, each with its operations, its inspections
// in order, its rework, and the safety add-ons the customer declined (R13).
struct Visit {  // copies: safe to keep while the shop goes on
  WorkOrder wo;
  std::vector<Operation> ops;
  std::vector<Inspection> inspections;
  std::vector<Rework> reworks;
  std::vector<AddOn> declined;
  std::vector<Id> comebacks;  // issue 15: the comeback work orders of this one
  bool operator==(const Visit&) const = default;
};
std::vector<Visit> vehicleHistory(const Shop& s, const std::string& vin);
// Issue 16: a visit as data, every field required (a bay asks the hub for
// the visits before what it holds).
void to_json(json& j, const Visit& v);
void from_json(const json& j, Visit& v);
std::string addMonths(const std::string& yyyy_mm, int delta);

// Issue 15: a month's fault slips (过失单) as they stand (faultSlipLines),
// each line with its incident, work order, operation and rework (where it
// was caught), pointing into the shop; and as CSV for payroll, with the
// service manager's signature while the slips signed are these.
struct SlipRow {
  FaultSlipLine line;
  const Incident* incident = nullptr;
  const WorkOrder* wo = nullptr;
  const Operation* op = nullptr;
  const Rework* rework = nullptr;
};
std::vector<SlipRow> faultSlipRows(const Shop& s, const std::string& yyyy_mm);
std::string faultSlipsCsv(const Shop& s, const std::string& yyyy_mm);

// The report as CSV: section,key,name,count,hours,value — one table a
// spreadsheet opens. Names come from the state (people), keys are codes.
std::string reportCsv(const Shop& s, const MonthlyReport& r);
json reportJson(const Shop& s, const MonthlyReport& r);

}  // namespace bk
