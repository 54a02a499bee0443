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
    for (std::size_t i = 0; i < results.size(); ++i) {
      const StoredEvent& e = decoded.events[i];
      if (results[i].status == Remote::Status::Gap) break;
      // refused: said again for a tombstone the hub already held (the
      // kiosk may have missed the first reply)
      if (e.tombstone()) out.refused.push_back({e.origin_seq, refusedDetail(e)});
      else if (results[i].status == Remote::Status::Applied && results[i].ingested.review)
        if (auto it = store.shop().reviews.find(*results[i].ingested.review); it != store.shop().reviews.end())
          out.held.push_back({e.origin_seq, it->first, it->second.hold});
    }
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
