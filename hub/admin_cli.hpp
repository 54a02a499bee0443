#pragma once
// Issue 13: how bk-hub's administrator commands reach the shop's store.
// The hub that serves a database holds a lock on `<db>.lock` and, beside it,
// `<db>.admin` (0600): its admin port on 127.0.0.1 and a token. A command
// run while it serves goes through that port (the serving hub owns the log);
// with no hub serving, the command takes the lock and opens the store
// itself. Either way the same HubServer::admin() does the work.
#include "store/store.hpp"

#include <string>

namespace bk::hub::cli {

// The lock on the database (held until the process ends): its descriptor,
// or -1 when another process (a serving hub) holds it.
int lockDatabase(const std::string& db);
// The serving hub's admin port and token, written 0600 beside the database
// (and removed when it stops).
void writeAdminFile(const std::string& db, int port, const std::string& token);
void removeAdminFile(const std::string& db);
// A command through the serving hub's admin port; throws when it cannot be
// reached.
json forward(const std::string& db, const std::string& op, const json& args);

// What the command line does with admin()'s reply: errors to stderr (each
// with its line), exports to `out` (or stdout), setup codes to the slips
// file (CSV, 0600). The exit status.
struct Output {
  std::string out;        // an export's file ("" : stdout)
  std::string slips;      // setup codes as CSV
  std::string slips_pdf;  // and as slips to print (PDF), one per person
  std::string font;       // the CJK font for the PDF
  std::string shop;       // the shop's name on the slips (default: the policy's)
  std::string assets;     // the translations (assets/)
};
int finish(const std::string& op, const json& reply, const Output& o);

// A backup of the live store (SQLite's online backup) to `to`, or to
// `dir`/hub-<UTC time>.db keeping the newest `keep`; written beside as
// .partial, then checked (integrity, hash chain, every event there) before
// it takes its name. Noted in the store's meta ("last_backup": when, where,
// whether on another disk than the database) for `bk-hub status`.
// {"path", "events", "kept", "off_disk"}; throws when the copy does not hold.
json backup(Store& store, const std::string& db, const std::string& to, const std::string& dir, int keep, Millis now);

// Where in a catalog folder's files (file:line) the first item named in
// `message` is written; empty when none is found.
std::string locateInCatalog(const std::string& dir, const std::string& message);

// `bk-hub status`: what the serving hub answers (HubServer::admin
// "status"), or what the files alone say when no hub serves.
json offlineStatus(const std::string& db, const std::string& pepper);
// Printed as one page with its warnings (no hub serving, no backup off
// the hub's disk within a day, little disk space, a kiosk silent or behind).
// 0: nothing to warn about; 4: warnings.
int printStatus(const json& status, Millis now);

}  // namespace bk::hub::cli
