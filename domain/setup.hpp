#pragma once
// Going live (issue 13): the shop's own master data from the files a shop's
// IT person keeps: staff and bays as CSV (UTF-8, as a spreadsheet saves it)
// and the policy as `key = value` lines. Parsed and checked here, each fault
// with its line and column, so a bad file changes nothing. Pure: no SQL, no
// clock, no randomness (the hub turns a plan into signed admin events).
#include "domain/model.hpp"

#include <string_view>

namespace bk::setup {

// A fault in a file: its line (1-based; 0: the file as a whole), the column
// or key, and what is wrong.
struct LineError {
  int line = 0;
  std::string column;
  std::string what;
  bool operator==(const LineError&) const = default;
};
std::string describe(const LineError& e);  // "line 4, roles: unknown role 'boss'"
std::string describe(const std::vector<LineError>& errors);  // one per line

// RFC 4180 CSV: fields quoted with "…" (a "" inside), LF or CRLF, a UTF-8
// byte-order mark skipped (a spreadsheet's "CSV UTF-8"), blank lines
// skipped. Each row with the line it starts on. Invalid UTF-8, a NUL or an
// unclosed quote is an error.
struct CsvRow {
  int line = 0;
  std::vector<std::string> cells;
};
std::vector<CsvRow> parseCsv(std::string_view text, std::vector<LineError>& errors);
// One field as CSV writes it (quoted when it holds a comma, quote or newline).
std::string csvField(std::string_view v);

// Roles and trades by their key or their Chinese name (技师, 机电, …).
std::optional<Role> roleNamed(std::string_view s);
std::optional<Trade> tradeNamed(std::string_view s);
// The Chinese names, for the staff export and the slips.
std::string_view roleZh(Role r);
std::string_view tradeZh(Trade t);

// ---- staff -----------------------------------------------------------------
// Columns, by the header row, in any order: badge, name, roles (split by
// `;`), trade, home_bay, active (yes/no; empty: yes), and optionally id (as
// the export writes it: that person, or a new one with that id). A row
// without an id is the person already holding that badge under the same
// name, or else a new person (id p-<badge>).
inline constexpr std::size_t kMaxStaffRows = 5000;

struct StaffPlan {
  std::vector<Person> enrol;    // new people and changed ones, in the file's order
  std::vector<Id> added;        // of them, the new
  std::vector<Id> retired;      // of them, active before and not now
  std::vector<Id> reactivated;  // inactive before and active now
  std::size_t unchanged = 0;
};
// The actions that bring the shop's people to the file: nothing when any row
// is wrong (then `errors` names every fault). Checks every row and the file
// as a whole: each column known, a name, known roles and trade, a bay the
// shop has, no badge held by two active people (in the file or beside it).
StaffPlan planStaff(std::string_view csv, const Shop& s, std::vector<LineError>& errors);
// The shop's people as that CSV (with ids), UTF-8 with a BOM.
std::string writeStaff(const Shop& s);

// ---- bays -----------------------------------------------------------------
// Columns: id, name, trade.
struct BayPlan {
  std::vector<Bay> define;  // new and changed
  std::size_t unchanged = 0;
};
BayPlan planBays(std::string_view csv, const Shop& s, std::vector<LineError>& errors);
std::string writeBays(const Shop& s);

// ---- policy ------------------------------------------------------------------
// `key = value` lines, `#` comments, UTF-8. A key left out keeps its default
// (Policy{}); an unknown or repeated key, or a value out of range, is an
// error naming its line. Keys and ranges: docs/OPERATIONS.md.
Policy parsePolicy(std::string_view text, std::vector<LineError>& errors);
// The same file for a policy (every key, with comments).
std::string writePolicy(const Policy& p);
// The policy's own consistency (the rules refuse a set_policy that fails it).
std::optional<std::string> policyProblem(const Policy& p);

}  // namespace bk::setup
