#pragma once
// Issue 13: how bk-hub's administrator commands reach the shop's store.
// The hub that serves a database holds a lock on `<db>.lock` and, beside it,
// `<db>.admin` (0600): its admin port on 127.0.0.1 and a token. A command
// run while it serves goes through that port (the serving hub owns the log);
// with no hub serving, the command takes the lock and opens the store
// itself. Either way the same HubServer::admin() does the work.
#include "domain/json_util.hpp"

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

}  // namespace bk::hub::cli
