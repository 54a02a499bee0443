#pragma once
// One kiosk's push, without the HTTP around it: the hub's push handler and
// the ingest benchmark (issue 5) run this same code.
#include "sync/wire.hpp"

#include <functional>
#include <mutex>

namespace bk::hub {

struct PushResult {
  int status = 200;          // or the refusal: 400 malformed, 403 not its own, 409 id taken, 413 too large
  std::string error;
  std::int64_t through = 0;  // the pushing kiosk's last sequence number the hub holds
  int sent = 0, applied = 0, reviews = 0;
  bool gap = false;
  // DECISIONS.md: what the kiosk must learn. Refused: bad input, only a
  // tombstone kept. Held: kept whole with no effect until a person decides
  // (a conflict, R16) or voids it (quarantine, R17).
  struct Refused { std::int64_t seq; std::string error; };
  struct Held { std::int64_t seq; Id review; Hold hold; };
  std::vector<Refused> refused;
  std::vector<Held> held;
};

// Decodes the whole batch strictly first, outside the lock, so other bays'
// pushes are applied meanwhile; a malformed envelope refuses the batch and
// changes nothing, a malformed body leaves a tombstone in that event's place. Then applies it in one transaction under `mu` (R16:
// every event re-checked, a refusal kept for review, exactly once).
// Issue 11: a client enrolled with a device key signs every batch with it
// ("batch_sig" over the events' envelope hashes); a batch it did not sign,
// or whose signature does not verify, is refused (403) and nothing of it
// stored. The signature is kept with what it covers.
PushResult acceptPush(Store& store, std::mutex& mu, const std::string& body, const EnrolledClient& client,
                      const std::function<Millis()>& clock);

}  // namespace bk::hub
