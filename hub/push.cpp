#include "hub/push.hpp"

namespace bk::hub {

PushResult acceptPush(Store& store, std::mutex& mu, const std::string& body, const Id& kiosk,
                      const std::function<Millis()>& clock) {
  PushResult out;
  sync::PushDecoded decoded = sync::decodePush(body, kiosk);
  if (decoded.status != 200) {
    out.status = decoded.status;
    out.error = std::move(decoded.error);
    return out;
  }
  out.sent = static_cast<int>(decoded.events.size());
  std::vector<Remote> results;
  try {
    std::lock_guard lock(mu);
    results = store.ingestBatch(decoded.events, clock());
    out.through = store.lastSeqOf(kiosk);
  } catch (const std::invalid_argument& e) {  // e.g. an event id another kiosk used: nothing applied
    out.status = 409;
    out.error = e.what();
    return out;
  }
  for (const Remote& r : results) {
    out.reviews += r.ingested.review.has_value();
    out.applied += r.status == Remote::Status::Applied;
    out.gap |= r.status == Remote::Status::Gap;
  }
  return out;
}

}  // namespace bk::hub
