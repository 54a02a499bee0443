// bk-demo: builds the demo shop into a store file and prints what it holds —
// the command-line face of the domain until the kiosk and hub arrive.
#include "domain/report.hpp"
#include "demo/demo.hpp"
#include "platform/system.hpp"

#include <CLI/CLI.hpp>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"Bay Kiosk demo shop: generates a believable workshop into a store and prints its board"};
  std::string db = "var/demo.db", pepper = "var/pepper.key", assets = BK_ASSETS_DIR;
  std::uint32_t seed = 7;
  int days = 120;
  long long now = 0;
  bool fresh = false, csv = false, minimal = false;
  app.add_option("--db", db, "store file to create")->capture_default_str();
  app.add_option("--pepper", pepper, "pepper file (created if missing, mode 0600)")->capture_default_str();
  app.add_option("--assets", assets, "assets folder")->capture_default_str();
  app.add_option("--seed", seed, "random seed")->capture_default_str();
  app.add_option("--days", days, "days of history")->capture_default_str()->check(CLI::Range(1, 1000));
  app.add_option("--now", now, "the demo's 'now' in Unix ms (default: the wall clock)");
  app.add_flag("--fresh", fresh, "delete an existing store file first");
  app.add_flag("--csv", csv, "print last month's quality report as CSV");
  app.add_flag("--minimal", minimal, "only staff, bays and one fresh work order (for tests)");
  CLI11_PARSE(app, argc, argv);

  try {
    if (fresh)
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
    ::umask(077);  // the shop's database and pepper: this user's only
    bk::platform::secureStateFolder(db);
    if (auto parent = std::filesystem::path(db).parent_path(); !parent.empty())
      std::filesystem::create_directories(parent);
    bk::platform::SodiumEntropy entropy;
    bk::StoreOptions so;
    so.path = db;
    so.kiosk_id = "hub-demo";  // the demo shop is the hub's own history
    so.pepper = bk::platform::loadOrCreatePepper(pepper);
    so.takes_hub_order = false;  // (the hub's)
    bk::Store store(so, entropy);
    const bk::Catalog catalog = bk::Catalog::load(assets + "/catalog");
    bk::demo::Options opt;
    opt.seed = seed;
    opt.days = days;
    opt.minimal = minimal;
    opt.now = now ? now : bk::platform::nowMillis();
    if (store.shop().work_orders.empty()) {
      auto s = bk::demo::generate(store, catalog, opt);
      std::printf("demo shop: %d people, %d bays, %d work orders (%d delivered), %d reworks, "
                  "%d add-ons (%d declined), %d disputes, %d clocked on now, %lld events\n",
                  s.people, s.bays, s.work_orders, s.delivered, s.reworks, s.addons, s.addons_declined,
                  s.disputes, s.running, static_cast<long long>(s.events));
    } else {
      std::printf("store %s already holds %zu work orders (use --fresh to rebuild)\n", db.c_str(),
                  store.shop().work_orders.size());
    }
    const bk::Shop& shop = store.shop();
    std::printf("\nOn the floor now (在修):\n");
    for (auto& id : shop.open_entries) {
      const auto& e = shop.entries.at(id);
      const auto& op = shop.operations.at(e.op);
      std::printf("  %-6s %-8s %-24s %-30s since %lld min\n", shop.bays.at(e.bay).name.c_str(),
                  shop.people.at(e.tech).name.c_str(), shop.work_orders.at(e.wo).vehicle.plate.c_str(),
                  catalog.text(op.title, "zh").c_str(), static_cast<long long>((opt.now - e.start) / 60000));
    }
    const bk::Millis monthStart = opt.now - 30LL * 24 * 3600 * 1000;
    const auto report = bk::monthlyReport(shop, monthStart, opt.now);
    if (csv) std::cout << "\n" << bk::reportCsv(shop, report);
    else std::cout << "\nLast 30 days (返工报表):\n" << bk::reportJson(shop, report).dump(2) << "\n";
    std::printf("\nintegrity: %s\n", store.integrityCheck().c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bk-demo: %s\n", e.what());
    return 1;
  }
  return 0;
}
