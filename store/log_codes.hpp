#pragma once
// Issue 16 (schema v22): how the log keeps each event's type and origin.
// A type is a number fixed for good (its name is in the body too, except a
// tombstone's); an origin is a number in `origins`, where its name is kept
// once. An event's envelope, its chain hash and its signature are of the
// names: the numbers are only how the rows store them.
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "store/sqlite.hpp"

namespace bk::logcodes {

// The number of each type is its place here: append only, never reorder.
inline constexpr std::array<std::string_view, 32> kTypes{
    "refused",            "enroll_person",    "define_bay",         "open_work_order",  "update_work_order",
    "add_operations",     "clock_on",         "clock_off",          "end_shift",        "record_inspection",
    "propose_addon",      "decide_warranty",  "quote_addon",        "sign_addon_technical", "sign_addon_cost",
    "return_addon",       "record_consent",   "dispute_charge",     "decide_dispute",   "enrol_client",
    "pin_failed",         "resolve_review",   "deliver_work_order", "register_key",     "set_policy",
    "issue_setup_code",   "undo_clock",       "correct_entry",      "reassign_operation", "send_message",
    "read_message",       "sign_fault_slips"};
// (the SQL that passes tombstones over says `type IS NOT 0`)
static_assert(kTypes[0] == "refused");

std::optional<int> typeCode(std::string_view type);
// binds a type as stored: its number, or its name when it has none (a type
// of a newer program, which this one keeps as it came)
void bindType(sql::Stmt& q, int i, std::string_view type);
// a type column as read: the name of its number, or the name kept
std::string typeAt(const sql::Stmt& q, int col);

// SQL: the origin number of a name bound at ?N is "(SELECT n FROM origins
// WHERE name = ?N)"; a name is added by kAddOrigin before its first event.
inline constexpr const char* kAddOrigin = "INSERT INTO origins(name) VALUES(?1) ON CONFLICT(name) DO NOTHING";

}  // namespace bk::logcodes
