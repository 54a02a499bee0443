#pragma once
// Rebuilding a kiosk's store from the hub when SQLite reports the file
// damaged (issue 10). Nothing is thrown away:
//   1. the damaged file (with its WAL) is moved aside, and what can be read
//      of it is salvaged: the sealed token and the kiosk's own events;
//   2. a fresh store is made at the same path and given the token back (or
//      enrolled again with a code an administrator issued with --replace);
//   3. the hub's snapshot is taken (issue 16; a hub without one: its
//      whole log), then everything since is pulled: the kiosk's own
//      sequence is where the hub holds it, so its next event continues it;
//   4. own events the hub lacks (made offline, never pushed) are written to
//      `<db>.unsynced-<stamp>.jsonl` beside the store, for a person to see.
// Every own event read is in `<db>.salvaged-<stamp>.jsonl` from step 1 until
// step 4 is done, so a rebuild cut short loses nothing either.
// Until step 3 is complete the kiosk records nothing: a new event would
// take a sequence number the hub already holds.
#include "store/salvage.hpp"
#include "sync/client.hpp"

#include <atomic>

namespace bk::sync {

struct RebuildResult {
  bool ok = false;
  std::string error;              // why not (shown on the screen)
  bool needs_code = false;        // no readable token: an administrator's replace code is needed
  std::string set_aside;          // the damaged file, moved aside
  std::string unsynced_file;      // own events the hub lacks (empty: none)
  std::size_t unsynced = 0;
  std::int64_t events = 0;        // events the rebuilt store holds
  int unreadable = 0;             // rows of the damaged file that could not be read
};

// A rebuild was begun on this store and is not complete: the kiosk goes on
// with it before it records anything.
bool rebuildPending(const Store& store);

class Rebuild {
 public:
  using Progress = std::function<void(std::int64_t pulled, std::int64_t hub_last)>;
  Rebuild(StoreOptions store, Entropy& entropy, SyncOptions sync, SyncClient::Clock clock);
  // Runs the steps above; run again after a failure, or in a later process,
  // it goes on from where it stopped (the file is set aside only once).
  // Blocking: run it off the frame loop.
  RebuildResult run(const Progress& progress, const std::atomic<bool>& cancel);

 private:
  StoreOptions so_;
  Entropy& entropy_;
  SyncOptions opt_;
  SyncClient::Clock clock_;
  std::unique_ptr<Store> openOrSetAside();
};

}  // namespace bk::sync
