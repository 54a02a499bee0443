#pragma once
// Issue 16: a month's report without reading the month's records. A work
// order that has left memory keeps, beside its records, one compact row of
// the facts of its records that monthlyReport reads (`report_rows`): who
// and what trade, the times, verdicts, kinds, causes, charges. A month's
// first report reads one such row a work order, not its every record as
// JSON (0.6 s at 1M events, where the budget is 200 ms).
//
// A row is only ever a form of its work order's records, made from them:
// - it is written as the work order leaves memory (Store::evictSettled),
//   and for one read from its records by a report that found it without;
// - any write to one of its records, and the work order's removal, deletes
//   it in the same statement (triggers, schema v23), so a row is never
//   older than its records;
// - `bk-hub verify` checks each against the log's replay.
//
// The format: a version byte, a string table (sorted, each string as the
// length it shares with the one before, or with the work order's id, and
// the rest, its hex digits two a byte), then the work order and its
// records, numbers as varints, times against the work order's opening.
// The work order's id is the row's key, not in it. A row of another version, or that cannot be read,
// is as none (the report reads the records, and writes the row again).
#include "domain/model.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace bk::reportrows {

// Bump whenever monthlyReport reads a field not written here, or an enum
// written here changes its values (a test holds one row's bytes, and
// fails when they change).
// 2: hex digits in a string (a kiosk's ids) kept two a byte.
inline constexpr std::uint8_t kFormat = 2;

// The SQL, named (schema v23).
inline constexpr const char* kGet = "SELECT body FROM report_rows WHERE wo = (SELECT n FROM work_orders WHERE id = ?1)";
inline constexpr const char* kPut =
    "INSERT OR REPLACE INTO report_rows(wo, body) SELECT n, ?2 FROM work_orders WHERE id = ?1";
// every row's work order, by id and number
inline constexpr const char* kAll = "SELECT w.id, r.body, w.n FROM report_rows r JOIN work_orders w ON w.n = r.wo";

// The rows of the work orders in `wos` that `s` holds, each with its
// records, found by the shop's indexes (`s` indexed: a working set, a
// replay, or a shop read and reindexed); a work order `s` does not hold
// has none.
std::map<Id, std::string> encode(const Shop& s, const std::set<Id>& wos);
// Adds work order `wo` as its row keeps it, with its records as far as the
// row keeps them, to `s` (not reindexed); false, and `s` unchanged, for a
// row of another format or one that cannot be read.
bool decodeInto(Shop& s, const Id& wo, std::string_view row);

}  // namespace bk::reportrows
