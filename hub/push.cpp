#include "hub/push.hpp"

namespace bk::hub {

namespace {

// Issue 11: the device's signature over the batch, checked before anything
// is taken; empty: it holds (or the client has no device key, from before).
std::string deviceRefusal(const EnrolledClient& client, sync::PushDecoded& d, std::optional<DeviceBatch>& batch) {
  if (client.device_key.empty() || d.events.empty()) return {};
  if (d.batch_sig.empty()) return "an unsigned batch: this kiosk signs its pushes with its device key";
  for (std::size_t i = 1; i < d.events.size(); ++i)
    if (d.events[i].origin_seq != d.events[i - 1].origin_seq + 1) return "a signed batch is one run of sequence numbers";
  if (!verifyBytes(client.device_key, batchMessage(client.id, d.sent), d.batch_sig))
    return "the device signature does not verify";
  // what is stored is what was signed: a body the device did not send in
  // its canonical form is refused on its own (a tombstone)
  for (std::size_t i = 0; i < d.events.size(); ++i)
    if (!d.events[i].tombstone() && envelopeHash(d.events[i]) != d.sent[i])
      d.events[i] = tombstoneOf(std::move(d.events[i]), "event body: not in its canonical form");
  batch = DeviceBatch{client.id, d.events.front().origin_seq, d.events.back().origin_seq, client.device_key, d.sent, d.batch_sig};
  return {};
}

}  // namespace

PushResult acceptPush(Store& store, std::mutex& mu, const std::string& body, const EnrolledClient& client,
                      const std::function<Millis()>& clock) {
  PushResult out;
  const Id& kiosk = client.id;
  sync::PushDecoded decoded = sync::decodePush(body, kiosk);
  if (decoded.status != 200) {
    out.status = decoded.status;
    out.error = std::move(decoded.error);
    return out;
  }
  std::optional<DeviceBatch> batch;
  if (std::string why = deviceRefusal(client, decoded, batch); !why.empty()) {
    out.status = 403;
    out.error = std::move(why);
    return out;
  }
  out.sent = static_cast<int>(decoded.events.size());
  std::vector<Remote> results;
  try {
    std::lock_guard lock(mu);
    results = store.ingestBatch(decoded.events, clock(), batch ? &*batch : nullptr);
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
