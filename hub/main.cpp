// bk-hub: the central service of the shop's LAN.
//   bk-hub serve --db var/hub.db --port 8600 [--tls-cert hub.pem --tls-key hub.key] [--max-connections 2000]
//   bk-hub enroll-code --db var/hub.db --kiosk kiosk-b05 [--replace] [--scope floor|desk]  (prints a one-time code for that client)
//   bk-hub revoke --db var/hub.db --kiosk kiosk-b05
//   bk-hub verify --db var/hub.db [--witness kiosk.db]  (chain, integrity, projections, device and person signatures, witnesses)
//   bk-hub verify-record --db var/hub.db BK1.wo-42.…   (a printed quality record against the log)
//   bk-hub record --db var/hub.db --wo wo-42 --out record.pdf [--lang en]  (the quality record as a PDF)
//   bk-hub backup --db var/hub.db --to backup.db      (online, while serving)
//   bk-hub restore --db var/hub.db --from backup.db   (hub stopped; becomes a new hub instance)
// Going live (issue 13, docs/OPERATIONS.md):
//   bk-hub init --db var/hub.db --shop-name NAME --manager-name NAME --manager-badge B --slips codes.csv
//   bk-hub staff import|export|reset-pin …, bays import|export …, policy set|show|check …, catalog check DIR
#include "hub/admin_cli.hpp"
#include "hub/hub_server.hpp"
#include "domain/setup.hpp"
#include "platform/system.hpp"
#include "store/peek.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sodium.h>
#include <sstream>
#include <pthread.h>
#include <thread>


int main(int argc, char** argv) {
  CLI::App app{"Bay Kiosk hub (车间中心): the central database and sync service"};
  app.set_config("--config", "", "configuration file (key = value: db, pepper, host, port)");
  app.require_subcommand(1);
  std::string db = "var/hub.db", pepper = "var/hub-pepper.key", host = "127.0.0.1", kiosk, to, from;
  int port = 8600;
  long long ttlHours = 24;
  std::string hubKey;  // default: hub-signing.key beside the database
  auto addDb = [&](CLI::App* c) {
    c->add_option("--db", db, "the central store file")->capture_default_str();
    c->add_option("--pepper", pepper, "PIN pepper file")->capture_default_str();
    c->add_option("--hub-key", hubKey,
                  "the hub's signing key (0600; made on first serve; default: hub-signing.key beside --db): it signs the chain head");
  };
  auto* serve = app.add_subcommand("serve", "serve the bays");
  addDb(serve);
  serve->add_option("--host", host, "address to listen on")->capture_default_str();
  serve->add_option("--port", port, "port (0: any free port, printed)")->capture_default_str();
  bk::hub::TlsFiles tls;
  serve->add_option("--tls-cert", tls.cert, "TLS certificate (PEM); with --tls-key the hub speaks https only")
      ->check(CLI::ExistingFile);
  serve->add_option("--tls-key", tls.key, "TLS private key (PEM)")->check(CLI::ExistingFile);
  int utcOffset = 480;
  serve->add_option("--utc-offset-minutes", utcOffset, "the shop's time zone, for calendar months in reports")
      ->capture_default_str();
  bool insecureHttp = false;
  serve->add_flag("--insecure-http", insecureHttp,
                  "serve plain HTTP on an address other than loopback (without TLS, tokens cross the LAN in clear)");
  bk::hub::http::Limits limits;
  serve->add_option("--max-connections", limits.connections, "connections open at once, in all")->capture_default_str()
      ->check(CLI::Range(16u, 60000u));
  serve->add_option("--max-per-address", limits.per_address, "connections open at once from one address")
      ->capture_default_str()->check(CLI::Range(4u, 60000u));
  serve->add_option("--threads", limits.threads, "threads serving every connection")->capture_default_str()
      ->check(CLI::Range(1u, 64u));
  std::string logLevel = "info";
  int keepReportsEvery = 30;  // issue 16
  std::string servePolicy;
  serve->add_option("--policy", servePolicy,
                    "the shop's policy file, checked at start (a fault stops the hub, naming its line); recorded when it differs")
      ->check(CLI::ExistingFile);
  serve->add_option("--keep-reports-every", keepReportsEvery,
                    "seconds between reports of past months computed and kept while idle (0: only when asked for)")
      ->capture_default_str()->check(CLI::Range(0, 86400));
  serve->add_option("--log-level", logLevel, "debug (every request), info (pushes, refusals, 4xx), warn")
      ->capture_default_str()->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  auto* code = app.add_subcommand("enroll-code", "print a one-time enrolment code for one kiosk id");
  addDb(code);
  bool replace = false;
  code->add_option("--kiosk", kiosk, "the kiosk id the code may enrol (e.g. kiosk-b05)")->required();
  code->add_flag("--replace", replace, "the id was enrolled before (a replaced panel PC): the code takes it over");
  code->add_option("--ttl-hours", ttlHours, "how long the code is valid")->capture_default_str();
  std::string scope = "floor";
  code->add_option("--scope", scope, "floor: a bay kiosk (sync); desk: the front desk (the work-order API only)")
      ->capture_default_str()->check(CLI::IsMember({"floor", "desk"}));
  auto* revoke = app.add_subcommand("revoke", "revoke a kiosk's token");
  addDb(revoke);
  revoke->add_option("--kiosk", kiosk, "kiosk id")->required();
  auto* verify = app.add_subcommand(
      "verify", "check the hash chain, the file, the projections rebuilt from the log, device and person signatures");
  addDb(verify);
  std::vector<std::string> witnessFiles;
  verify->add_option("--witness", witnessFiles,
                     "a kiosk's store (copy): the hub's signed heads it kept must agree with this log")
      ->check(CLI::ExistingFile);
  // issue 12: the quality record
  std::string recordId, wo, out, lang = "zh", assets = BK_ASSETS_DIR, font = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
              shopName;
  auto* verifyRecord = app.add_subcommand(
      "verify-record", "check a printed quality record's verification id (its QR code) against the log rebuilt from the events");
  addDb(verifyRecord);
  verifyRecord->add_option("id", recordId, "the verification id, BK1.<work order>.<24 hex>")->required();
  auto* record = app.add_subcommand("record", "write a work order's quality record (维修质量检验单) as a PDF");
  addDb(record);
  record->add_option("--wo", wo, "the work order's id")->required();
  record->add_option("--out", out, "the PDF file to write")->required();
  record->add_option("--lang", lang, "zh or en")->capture_default_str()->check(CLI::IsMember({"zh", "en"}));
  for (CLI::App* c : {serve, record}) {
    c->add_option("--assets", assets, "the catalog and translations (assets/)")->capture_default_str();
    c->add_option("--font", font, "the CJK font for quality records")->capture_default_str();
    c->add_option("--shop-name", shopName, "the shop's name, in the heading of quality records");
  }
  auto* backup = app.add_subcommand("backup", "write a consistent copy of the live database, verified after writing");
  addDb(backup);
  std::string toDir;
  int keep = 14;
  auto* toOpt = backup->add_option("--to", to, "backup file to write");
  auto* dirOpt = backup->add_option("--to-dir", toDir,
                                    "a folder (another disk, a mounted share): hub-<time>.db in it, the oldest beyond --keep removed");
  toOpt->excludes(dirOpt);
  backup->add_option("--keep", keep, "backups kept in --to-dir")->capture_default_str()->check(CLI::Range(1, 3650));
  auto* status = app.add_subcommand("status", "the shop's health on one page: every kiosk, the last backup, disk space");
  addDb(status);
  auto* restore = app.add_subcommand("restore", "replace the database with a backup (stop the hub first)");
  addDb(restore);
  restore->add_option("--from", from, "backup file")->required()->check(CLI::ExistingFile);
  // issue 13: going live and running the shop (the administrator's, on this machine)
  std::string file, outFile, slips, slipsPdf, managerName, managerBadge, person;
  auto* init = app.add_subcommand("init", "create an empty shop: its policy, its first service manager and their setup code");
  addDb(init);
  init->add_option("--shop-name", shopName, "the shop's name")->required();
  init->add_option("--utc-offset-minutes", utcOffset, "the shop's time zone, minutes east of UTC")->capture_default_str();
  init->add_option("--policy", file, "a policy file (bk-hub policy show writes one); default: the defaults")
      ->check(CLI::ExistingFile);
  init->add_option("--manager-name", managerName, "the first service manager's name")->required();
  init->add_option("--manager-badge", managerBadge, "their badge number")->required();
  auto* staff = app.add_subcommand("staff", "the shop's people: import and export the staff CSV, reset a PIN");
  staff->require_subcommand(1);
  auto* staffImport = staff->add_subcommand("import", "bring the shop's people to a CSV (badge,name,roles,trade,home_bay,active)");
  staffImport->add_option("file", file, "the CSV (UTF-8)")->required()->check(CLI::ExistingFile);
  auto* staffExport = staff->add_subcommand("export", "write the shop's people as that CSV");
  auto* resetPin = staff->add_subcommand("reset-pin", "a forgotten PIN: a new setup code for the person");
  resetPin->add_option("person", person, "their badge or id")->required();
  auto* bays = app.add_subcommand("bays", "the shop's bays: import and export the bays CSV (id,name,trade)");
  bays->require_subcommand(1);
  auto* baysImport = bays->add_subcommand("import", "define or change bays from a CSV");
  baysImport->add_option("file", file, "the CSV (UTF-8)")->required()->check(CLI::ExistingFile);
  auto* baysExport = bays->add_subcommand("export", "write the shop's bays as that CSV");
  auto* policy = app.add_subcommand("policy", "the shop's policy");
  policy->require_subcommand(1);
  auto* policySet = policy->add_subcommand("set", "record a policy file: every kiosk follows it once synced");
  policySet->add_option("file", file, "the policy file")->required()->check(CLI::ExistingFile);
  auto* policyShow = policy->add_subcommand("show", "write the shop's policy as a policy file");
  auto* policyCheck = policy->add_subcommand("check", "check a policy file without recording it");
  policyCheck->add_option("file", file, "the policy file")->required()->check(CLI::ExistingFile);
  // issue 16: the records are kept compressed; this shows them
  std::string recordKind;
  bool recordsAsSql = false;
  auto* records = app.add_subcommand(
      "records", "print a store's records (the hub's, or a copy of a bay's) as JSON lines: kind, id, record; reads only");
  records->add_option("--db", db, "the store file")->capture_default_str();
  records->add_option("--kind", recordKind, "only this kind: work_order, operation, time_entry, inspection, person…");
  records->add_flag("--sql", recordsAsSql,
                    "as SQL for sqlite3 on the same file instead: a TEMP table records(kind, id, body), each body JSON "
                    "text, that stands for the stored one in that session (json_extract works on it)");
  auto* catalog = app.add_subcommand("catalog", "the shop's catalog");
  catalog->require_subcommand(1);
  auto* catalogCheck = catalog->add_subcommand("check", "check a catalog folder without using it");
  catalogCheck->add_option("dir", file, "the folder (operations.json, checklists.json, defects.json, phrases.json)")
      ->required()->check(CLI::ExistingDirectory);
  for (CLI::App* c : {staffImport, staffExport, resetPin, baysImport, baysExport, policySet, policyShow}) addDb(c);
  for (CLI::App* c : {staffExport, baysExport, policyShow}) c->add_option("--out", outFile, "the file to write (default: standard output)");
  for (CLI::App* c : {init, staffImport, resetPin}) {
    c->add_option("--slips", slips, "where the setup codes go: a CSV (0600) to hand out or print");
    c->add_option("--slips-pdf", slipsPdf, "the same as slips to print, one per person (PDF)");
    c->add_option("--font", font, "the CJK font for the slips")->capture_default_str();
  }
  CLI11_PARSE(app, argc, argv);
  if (hubKey.empty()) hubKey = (std::filesystem::path(db).parent_path() / "hub-signing.key").string();
  ::umask(077);  // the central database, its WAL, backups, the pepper: this user's only
  // logs go to stderr (the journal under systemd): stdout carries what a
  // command prints for scripts, such as an enrolment code
  spdlog::set_default_logger(spdlog::stderr_logger_mt("bk-hub"));

  try {
    // issue 13: checks that need no shop
    auto readText = [](const std::string& path) {
      std::ifstream f(path, std::ios::binary);
      std::stringstream ss;
      ss << f.rdbuf();
      if (!f && !f.eof()) throw std::runtime_error("cannot read " + path);
      return ss.str();
    };
    if (*policyCheck) {
      std::vector<bk::setup::LineError> errors;
      const bk::Policy p = bk::setup::parsePolicy(readText(file), errors);
      if (!errors.empty()) {
        std::fprintf(stderr, "%s", bk::setup::describe(errors).c_str());
        return 1;
      }
      std::printf("%s: a good policy\n%s", file.c_str(), bk::setup::writePolicy(p).c_str());
      return 0;
    }
    if (*catalogCheck) {
      try {
        const bk::Catalog c = bk::Catalog::load(file);
        std::printf("%s: a good catalog, version %s (%zu operations)\n", file.c_str(), c.version().c_str(), c.laborOps().size());
        return 0;
      } catch (const std::runtime_error& e) {
        // a syntax error names its file, line and column; a fault in what
        // the catalog says names the item: shown where it is written
        const std::string where = bk::hub::cli::locateInCatalog(file, e.what());
        std::fprintf(stderr, "%s%s\nnot a good catalog: nothing was used\n", where.empty() ? "" : (where + ": ").c_str(), e.what());
        return 1;
      }
    }
    if (*records) {  // read as the file is: no migration, nothing written
      if (!std::filesystem::exists(db)) throw std::runtime_error("no store at " + db);
      bk::sql::Db d(db, false);
      auto quoted = [](const std::string& v) {
        std::string q = "'";
        for (char c : v) q += c == '\'' ? std::string("''") : std::string(1, c);
        return q + "'";
      };
      if (recordsAsSql) std::printf("CREATE TEMP TABLE records(kind TEXT, id TEXT, body TEXT);\nBEGIN;\n");
      bk::forEachRecord(d, recordKind, [&](const std::string& kind, const std::string& id, const std::string& body) {
        if (recordsAsSql)
          std::printf("INSERT INTO records VALUES(%s, %s, %s);\n", quoted(kind).c_str(), quoted(id).c_str(), quoted(body).c_str());
        else
          std::printf("{\"kind\":%s,\"id\":%s,\"record\":%s}\n", bk::json(kind).dump().c_str(), bk::json(id).dump().c_str(),
                      body.c_str());
      });
      if (recordsAsSql) std::printf("COMMIT;\n");
      return 0;
    }
    // issue 13: the administrator's commands, through the serving hub if one
    // serves this database, else here with the database locked
    std::string adminOp;
    bk::json adminArgs = bk::json::object();
    if (*status) {  // issue 13: through the serving hub (what it saw of each kiosk), or from the file alone
      const int fd = bk::hub::cli::lockDatabase(db);
      return bk::hub::cli::printStatus(fd < 0 ? bk::hub::cli::forward(db, "status", adminArgs)
                                              : bk::hub::cli::offlineStatus(db, pepper), bk::platform::nowMillis());
    }
    if (*init) {
      adminOp = "init";
      adminArgs = {{"shop_name", shopName}, {"utc_offset_minutes", utcOffset}, {"manager_name", managerName},
                   {"manager_badge", managerBadge}};
      if (!file.empty()) adminArgs["text"] = readText(file);
    } else if (*staffImport) adminOp = "staff.import", adminArgs["text"] = readText(file);
    else if (*staffExport) adminOp = "staff.export";
    else if (*resetPin) adminOp = "staff.reset_pin", adminArgs["person"] = person;
    else if (*baysImport) adminOp = "bays.import", adminArgs["text"] = readText(file);
    else if (*baysExport) adminOp = "bays.export";
    else if (*policySet) adminOp = "policy.set", adminArgs["text"] = readText(file);
    else if (*policyShow) adminOp = "policy.show";
    adminArgs["slips"] = !slips.empty();
    const bk::hub::cli::Output adminOut{outFile, slips, slipsPdf, font, shopName, assets};
    if (*init && std::filesystem::exists(db)) throw std::runtime_error(db + " exists already: init makes a new shop");
    if (!adminOp.empty() || *serve || *restore) {
      if (auto parent = std::filesystem::path(db).parent_path(); !parent.empty()) std::filesystem::create_directories(parent);
      if (bk::hub::cli::lockDatabase(db) < 0) {
        if (*serve) throw std::runtime_error("another bk-hub serves " + db);
        if (*restore) throw std::runtime_error("a hub serves " + db + ": stop it first (systemctl stop bk-hub)");
        return bk::hub::cli::finish(adminOp, bk::hub::cli::forward(db, adminOp, adminArgs), adminOut);
      }
    }
    if (*restore) {
      // a restored hub is a new instance: kiosks then resend everything it
      // lacks (it skips what it has) and refetch from the start
      for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(db + suffix);
      std::filesystem::copy_file(from, db, std::filesystem::copy_options::overwrite_existing);
      bk::sql::Db d(db, false);
      bk::platform::SodiumEntropy e;
      bk::UuidV7 u;
      const std::string instance = "hub-" + bk::toHex(u.next(bk::platform::nowMillis(), e.random8())).substr(0, 16);
      bk::sql::Stmt st(d, "UPDATE meta SET value = ?1 WHERE key = 'kiosk_id'");
      st.bind(1, instance).run();
      std::printf("restored %s from %s as hub instance %s\n", db.c_str(), from.c_str(), instance.c_str());
      return 0;
    }
    bk::platform::secureStateFolder(db);
    if (auto parent = std::filesystem::path(db).parent_path(); !parent.empty()) std::filesystem::create_directories(parent);
    bk::platform::SodiumEntropy entropy;
    bk::UuidV7 ids;
    bk::StoreOptions so;
    so.path = db;
    so.kiosk_id = "hub-" + bk::toHex(ids.next(bk::platform::nowMillis(), entropy.random8())).substr(0, 16);
    so.pepper = bk::platform::loadOrCreatePepper(pepper);
    so.policy.utc_offset_minutes = utcOffset;  // until the shop sets its policy (issue 13)
    // issue 16: a check of the log holds no more of the shop than it must
    if (*verify || *verifyRecord) so.kept_days = 1;
    so.takes_hub_order = false;  // (the hub is the order)
    bk::Store store(so, entropy);
    bk::platform::secureDatabaseFiles(db);  // files of older versions were 0644
    if (tls.cert.empty() != tls.key.empty()) throw std::runtime_error("TLS needs both --tls-cert and --tls-key");
    spdlog::set_level(spdlog::level::from_str(logLevel));
    bk::hub::HubServer hub(store, entropy, [] { return bk::platform::nowMillis(); }, utcOffset, tls, limits);
    // issue 11: the hub's own key (a 32-byte secret made like the pepper)
    auto keyOf = [](const std::vector<std::uint8_t>& bytes) {
      bk::Seed seed{};
      std::copy_n(bytes.begin(), seed.size(), seed.begin());
      return seed;
    };
    if (*serve || !adminOp.empty()) hub.setSigningKey(keyOf(bk::platform::loadOrCreatePepper(hubKey)));
    if (!adminOp.empty()) return bk::hub::cli::finish(adminOp, hub.admin(adminOp, adminArgs), adminOut);
    else if (std::filesystem::exists(hubKey)) hub.setSigningKey(keyOf(bk::platform::loadPepper(hubKey)));
    if (*code) {
      std::printf("%s\n", hub.newEnrolCode(kiosk, ttlHours * 3600 * 1000, replace,
                                                    scope == "desk" ? bk::Scope::Desk : bk::Scope::Floor).c_str());
      return 0;
    }
    if (*verify) {
      const std::string integrity = store.integrityCheck();
      const std::int64_t broken = store.verifyChain();
      // issue 16: the log replayed in bounded memory, each delivered work
      // order checked against its records as it leaves the replay; the
      // replay keeps what the store's memory holds, to check that too
      std::set<bk::Id> held;
      for (const auto& [id, w] : store.shop().work_orders) held.insert(id);
      const bk::Store::LogCheck replay = store.checkLog(held);
      for (const std::string& d : replay.differ) std::fprintf(stderr, "  record %s\n", d.c_str());
      const bool projections = replay.differ.empty() && store.shop().samePartOf(replay.held);
      // issue 16: each month's report kept, against the month's records
      // (which are the log's when the projections are)
      std::size_t keptDiffer = 0;
      const std::vector<bk::Store::KeptReport> kept = store.checkKeptReports();
      for (const auto& k : kept)
        if (!k.equal) {
          ++keptDiffer;
          std::fprintf(stderr, "  report kept for [%lld, %lld) differs from the log's\n", static_cast<long long>(k.from),
                       static_cast<long long>(k.to));
        }
      // issue 11: what each device signed, and each person's signature
      // the hub's own events are checked with its key, when it is at hand
      std::map<bk::Id, std::string> hubKeys;
      if (std::filesystem::exists(hubKey)) hubKeys[store.kioskId()] = hub.signingKey();
      const std::vector<bk::Finding> devices = store.verifyDevices(hubKeys);
      const std::vector<bk::Finding>& people = replay.people;
      std::printf("integrity: %s\nchain: %s\nprojections rebuilt from the log: %s\ndevice signatures: %s\n"
                  "person signatures: %s\nreports kept: %zu, %s\nevents: %lld\n",
                  integrity.c_str(), broken ? ("broken at position " + std::to_string(broken)).c_str() : "ok",
                  projections ? "equal" : "DIFFERENT",
                  devices.empty() ? "ok" : (std::to_string(devices.size()) + " do not hold").c_str(),
                  people.empty() ? "ok" : (std::to_string(people.size()) + " do not verify").c_str(), kept.size(),
                  keptDiffer ? (std::to_string(keptDiffer) + " DIFFERENT").c_str() : "equal to the log's",
                  static_cast<long long>(store.eventCount()));
      auto say = [](const char* what, const bk::Finding& f) {
        std::printf("  %s: event at position %lld (%s #%lld): %s\n", what, static_cast<long long>(f.pos), f.origin.c_str(),
                    static_cast<long long>(f.seq), f.what.c_str());
      };
      for (const auto& f : devices) say("device", f);
      // a forged signature the hub quarantined is kept as evidence: listed,
      // not a fault of the log; one the log applies is (projections differ)
      for (const auto& f : people) say("person", f);
      // issue 11: what kiosks witnessed of this log
      std::size_t disagree = 0;
      for (const std::string& file : witnessFiles) {
        std::vector<bk::Witness> heads;
        {
          bk::sql::Db k(file, false);
          bk::sql::Stmt q(k, "SELECT hub, pos, at, head, key, sig FROM witnesses ORDER BY at");
          while (q.step()) heads.push_back(bk::Witness{q.text(0), q.integer(1), q.integer(2), q.text(3), q.text(4), q.text(5)});
        }
        if (!std::filesystem::exists(hubKey)) {
          std::printf("witness %s: no hub key at %s to check its heads with\n", file.c_str(), hubKey.c_str());
          ++disagree;
          continue;
        }
        const std::vector<bk::Finding> found = store.verifyWitnesses(heads, hub.signingKey());
        std::printf("witness %s: %zu heads, %s\n", file.c_str(), heads.size(),
                    found.empty() ? "all agree" : (std::to_string(found.size()) + " disagree").c_str());
        for (const auto& f : found)
          std::printf("  witness: position %lld: %s\n", static_cast<long long>(f.pos), f.what.c_str());
        disagree += found.size();
      }
      return integrity == "ok" && broken == 0 && projections && keptDiffer == 0 && devices.empty() && disagree == 0 ? 0 : 3;
    }
    if (*verifyRecord) {
      // from the log itself, not from the projections: a record holds only
      // if the signed events still make it
      // (in bounded memory: the replay keeps this work order, the one it
      // came back for and its comebacks, issue 16)
      std::set<bk::Id> keep;
      if (const auto dot = recordId.rfind('.'); recordId.starts_with("BK1.") && dot != std::string::npos && dot > 4) {
        const bk::Id wo = recordId.substr(4, dot - 4);
        bk::Shop scratch;
        const bk::Shop& around = store.shopWith(wo, scratch);
        keep.insert(wo);
        if (const bk::WorkOrder* w = around.workOrder(wo); w && w->comeback()) keep.insert(w->comeback_of);
        for (const auto& [id, w] : around.work_orders)
          if (w.comeback_of == wo) keep.insert(id);
      }
      const bk::Store::LogCheck replay = store.checkLog(keep);
      const bk::Shop& rebuilt = replay.held;
      const std::int64_t broken = store.verifyChain();
      const std::string why = bk::record::checkVerificationId(rebuilt, recordId);
      const std::vector<bk::Finding>& people = replay.people;
      if (broken) std::printf("the log's hash chain is broken at position %lld\n", static_cast<long long>(broken));
      if (!people.empty()) std::printf("%zu person signatures in the log do not verify (bk-hub verify lists them)\n", people.size());
      if (!why.empty()) {
        std::printf("does not hold: %s\n", why.c_str());
        return 3;
      }
      const auto dot = recordId.rfind('.');
      const bk::WorkOrder& w = rebuilt.work_orders.at(recordId.substr(4, dot - 4));
      std::size_t inspections = 0;
      for (auto& [id, in] : rebuilt.inspections) inspections += in.wo == w.id;
      std::printf("holds: the quality record of %s (%s), %zu inspections, %s\n", w.number.c_str(), w.vehicle.plate.c_str(),
                  inspections, w.delivered_at ? ("delivered, gate pass " + w.gate_pass).c_str() : "not delivered");
      return broken == 0 ? 0 : 3;
    }
    const auto recordConfig = [&] {
      return bk::hub::RecordConfig{bk::Catalog::load(assets + "/catalog"), bk::record::Labels::load(assets + "/i18n"), font,
                                   shopName};
    };
    if (*record) {
      const auto cfg = recordConfig();
      bk::Shop past;
      const bk::Shop& shop = store.shopWith(wo, past);  // issue 16: a car delivered long ago is read from the store
      const bk::WorkOrder* w = shop.workOrder(wo);
      if (!w) throw std::runtime_error("no work order " + wo);
      bk::record::Options o;
      o.lang = lang;
      o.font = cfg.font;
      o.shop = cfg.shop;
      o.printed_at = bk::platform::nowMillis();
      const std::string pdf = bk::record::renderPdf(shop, cfg.catalog, cfg.labels, *w, o);
      std::ofstream f(out, std::ios::binary);
      f << pdf;
      if (!f) throw std::runtime_error("cannot write " + out);
      std::printf("%s: quality record of %s, %s\n", out.c_str(), w->number.c_str(), bk::record::verificationId(shop, *w).c_str());
      return 0;
    }
    if (*backup) {
      if (to.empty() && toDir.empty()) throw std::runtime_error("backup: --to FILE or --to-dir FOLDER");
      const bk::json done = bk::hub::cli::backup(store, db, to, toDir, keep, bk::platform::nowMillis());
      std::printf("backup written to %s (%lld events; verified: integrity ok, hash chain holds)%s\n",
                  done["path"].get<std::string>().c_str(), done["events"].get<long long>(),
                  toDir.empty() ? "" : (", " + std::to_string(done["kept"].get<int>()) + " kept in " + toDir).c_str());
      if (!done["off_disk"].get<bool>())
        std::printf("warning: the backup is on the hub's own disk; keep one on another disk or a network share\n");
      return 0;
    }
    if (*revoke) {
      const bool done = hub.revoke(kiosk);
      std::fprintf(stderr, done ? "revoked %s\n" : "no active kiosk %s\n", kiosk.c_str());
      return done ? 0 : 1;
    }
    // plain HTTP only on loopback, unless the administrator says otherwise
    const bool loopback = host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
    if (!tls.enabled() && !loopback && !insecureHttp)
      throw std::runtime_error("serving " + host + " without TLS: give --tls-cert and --tls-key (docs/API.md#tls), "
                               "or --insecure-http to accept tokens in clear on the LAN");
    hub.setRecordConfig(recordConfig());  // issue 12: quality records
    if (!servePolicy.empty()) {  // issue 13: the policy file, validated at start
      const bk::json done = hub.admin("policy.set", {{"text", readText(servePolicy)}});
      if (done.contains("error")) {
        std::string why = servePolicy + ": " + done["error"].get<std::string>();
        for (const bk::json& e : done.value("errors", bk::json::array()))
          why += "\n  line " + std::to_string(e.value("line", 0)) + ", " + e.value("column", std::string()) + ": " +
                 e.value("what", std::string());
        throw std::runtime_error(why + "\nthe hub does not start with a bad policy");
      }
      if (!done.value("unchanged", true)) spdlog::info("policy {} recorded: every kiosk follows it once synced", servePolicy);
    }
    hub.keepReports(bk::Millis{keepReportsEvery} * 1000);  // issue 16
    const int bound = hub.bind(host, port);
    if (bound < 0) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port));
    std::printf("bk-hub %s listening on %s://%s:%d (%lld events)\n", hub.instance().c_str(),
                tls.enabled() ? "https" : "http", host.c_str(), bound, static_cast<long long>(store.eventCount()));
    std::fflush(stdout);
    // SIGINT/SIGTERM are taken by a thread of their own (sigwait), not in a
    // signal handler: stopping the server is not async-signal-safe. Graceful:
    // in-flight requests finish and the store closes cleanly.
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, nullptr);  // before any server thread exists
    // issue 13: the administrator's commands reach this hub on loopback
    const std::string adminToken = [&] {
      std::array<unsigned char, 32> b{};
      randombytes_buf(b.data(), b.size());
      std::string hex(64, '0');
      sodium_bin2hex(hex.data(), hex.size() + 1, b.data(), b.size());
      return hex;
    }();
    const int adminPort = hub.serveAdmin(adminToken);
    if (adminPort < 0) throw std::runtime_error("cannot open the admin port on 127.0.0.1");
    bk::hub::cli::writeAdminFile(db, adminPort, adminToken);
    std::thread waiter([&] {
      int sig = 0;
      sigwait(&sigs, &sig);
      if (sig != 0) hub.stop();
    });
    hub.run();
    pthread_kill(waiter.native_handle(), SIGTERM);  // stopped otherwise: release the waiter
    waiter.join();
    bk::hub::cli::removeAdminFile(db);
    std::printf("bk-hub stopped\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bk-hub: %s\n", e.what());
    return 1;
  }
  return 0;
}
