#pragma once
// A believable shop for demos, screenshots and benchmarks: 20 bays, 40 staff
// in every role, months of work orders through the real rules (rework,
// add-ons approved and declined, handover defects and disputes), with the
// last day still in progress at `now`. Deterministic for a seed and a `now`.
#include "domain/catalog.hpp"
#include "store/store.hpp"

namespace bk::demo {

struct Options {
  std::uint32_t seed = 7;
  Millis now = 0;
  int days = 120;                 // history before now
  int work_orders_per_day = 3;
  int busy_today = 28;            // work orders opened in the hours before now
  int utc_offset_minutes = 480;   // the shop's local time (China Standard Time)
  std::string pin = "123456";       // every demo person's PIN (documented in the README)
  bool set_pins = true;           // issue 13: each key registered with a setup code (hashing one each)
  bool minimal = false;           // staff and bays and one fresh work order, no history
  // Issue 16's benchmark histories: technicians, inspectors and advisors
  // times this (the same 20 bays), for a shop busy enough to write a
  // million events in two years. 1: the demo's 40 people.
  int crews = 1;
  // Issue 16's benchmark histories: the ids of what is made at the bays
  // and the desk (work orders, entries, inspections, add-ons) as a kiosk
  // makes them, 35 characters (kiosk/app.cpp), not the demo's short ones.
  bool kiosk_ids = false;
};

struct Summary {
  int people = 0, bays = 0, work_orders = 0, delivered = 0, reworks = 0, addons = 0,
      addons_declined = 0, disputes = 0, running = 0;
  std::int64_t events = 0;
};

// Fills an empty store. Throws std::logic_error if the rules refuse a step
// (the generator only does what the workshop allows).
Summary generate(Store& store, const Catalog& catalog, const Options& opt);

}  // namespace bk::demo
