// libFuzzer: the hub's push decoder (sync::decodePush — the bytes of a
// request body from the network) and, for whatever it accepts, the rules'
// R16 ingest against a small shop (a tombstone for an event with a bad body). Nothing may crash, leak, overflow or
// hit undefined behaviour; anything accepted re-encodes to what was decoded.
#include "sync/wire.hpp"
#include "tests/support.hpp"

#include <cstdint>

using namespace bkt;

namespace {
const Shop& seededShop() {
  static const Shop shop = [] {
    Shop s;
    for (auto& a : staffAndBays()) bk::apply(s, a);
    const Action wo = testWorkOrder("wo-1", Category::GeneralRepair,
                                    {spec("wo-1-1", Trade::Mechanical, "tech1"), spec("wo-1-2", Trade::Body, "body1", true)});
    bk::apply(s, wo);
    return s;
  }();
  return shop;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const sync::PushDecoded d = sync::decodePush(body, "kiosk-a");
  if (d.status == 200) {
    Shop s = seededShop();
    for (const StoredEvent& e : d.events) {
      if (e.tombstone()) {  // a bad body: refused, only why is kept, and it travels as it is
        if (e.decoded || e.body.size() > 1024 || refusedDetail(e).empty()) __builtin_trap();
        if (sync::fromWire(sync::toWire(e)).body != e.body) __builtin_trap();
        (void)bk::ingestRefused(s, toHex(e.id), e.origin, e.origin_seq, refusedDetail(e), e.wall_ms);
        continue;
      }
      const Action a = actionFromJson(json::parse(e.body));  // decoded once: must decode again
      if (canonical(toJson(a)) != e.body) __builtin_trap();
      (void)bk::ingest(s, a, toHex(e.id), e.wall_ms);
    }
  } else if (d.error.empty() || !d.events.empty()) {
    __builtin_trap();  // a refusal always says why and keeps nothing
  }
  return 0;
}
