#pragma once
// A kiosk store that SQLite reports as damaged (issue 10): nothing in it is
// thrown away. The file (with its WAL) is moved aside under a new name, and
// what can still be read of it is salvaged: the kiosk's sealed sync token
// and its own events, row by row, skipping what cannot be read. The kiosk
// then rebuilds its store from the hub (sync/rebuild.hpp) and keeps the
// own events the hub lacks in a file beside the store.
#include "domain/ids.hpp"

#include "domain/json_util.hpp"

#include <optional>
#include <string>
#include <vector>

namespace bk {

// SQLite's own word that a file is not a sound database.
bool damagedDatabase(int sqlite_code);
// A UTC time for file names that sort by time: "20261202-153000".
std::string fileStamp(Millis now);

struct Salvaged {
  std::string set_aside;           // the damaged file's new name
  std::string sealed_token;        // hex, as SyncCursors keeps it; empty if unreadable
  std::string sealed_device_key;   // the same for the device key (issue 11)
  std::int64_t acked = -1;         // own events the hub held, if readable (else -1)
  std::vector<nlohmann::json> own; // own events read, in sequence order, as on the wire
  int unreadable = 0;              // rows or ranges that could not be read
};

// Moves `path` (and its -wal, -shm) to `path.damaged-<stamp>` and reads
// what it can of `kiosk`'s part. Never writes to the damaged file.
Salvaged setAsideAndSalvage(const std::string& path, const Id& kiosk, Millis now);

// Writes `events` as JSON lines to a new file (0600); returns false if it
// cannot.
bool writeEvents(const std::vector<nlohmann::json>& events, const std::string& file);

}  // namespace bk
