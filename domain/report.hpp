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
  double ratio() const { return actual_hours > 0 ? standard_hours / actual_hours : 0.0; }
  bool operator==(const Efficiency&) const = default;
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
  std::vector<Id> ghost_entries;        // issue 14: marked in the report, in id order
  bool operator==(const MonthlyReport&) const = default;
};

MonthlyReport monthlyReport(const Shop& s, Millis from, Millis to);

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
};
std::vector<Visit> vehicleHistory(const Shop& s, const std::string& vin);
std::string addMonths(const std::string& yyyy_mm, int delta);

// The report as CSV: section,key,name,count,hours,value — one table a
// spreadsheet opens. Names come from the state (people), keys are codes.
std::string reportCsv(const Shop& s, const MonthlyReport& r);
json reportJson(const Shop& s, const MonthlyReport& r);

}  // namespace bk
