#include "hub/admin_cli.hpp"

#include "hub/hub_server.hpp"
#include "platform/system.hpp"
#include "record/quality_record.hpp"
#include "store/salvage.hpp"

#include <httplib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace bk::hub::cli {

int lockDatabase(const std::string& db) {
  const int fd = ::open((db + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot open " + db + ".lock");
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;  // held until the process ends
}

void writeAdminFile(const std::string& db, int port, const std::string& token) {
  const std::string path = db + ".admin", tmp = path + ".tmp";
  {
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot write " + tmp);
    const std::string text = json{{"port", port}, {"token", token}}.dump() + "\n";
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok) throw std::runtime_error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

void removeAdminFile(const std::string& db) {
  std::error_code ec;
  std::filesystem::remove(db + ".admin", ec);
}

json forward(const std::string& db, const std::string& op, const json& args) {
  std::ifstream f(db + ".admin");
  json where = json::parse(f, nullptr, false);
  if (!where.is_object() || !where.contains("port") || !where.contains("token"))
    throw std::runtime_error("a hub serves " + db + " but its admin file " + db + ".admin is missing or unreadable");
  httplib::Client c("127.0.0.1", where["port"].get<int>());
  c.set_connection_timeout(5);
  c.set_read_timeout(600);
  const httplib::Headers h{{"Authorization", "Bearer " + where["token"].get<std::string>()}};
  auto r = c.Post(("/admin/v1/" + op).c_str(), h, args.dump(), "application/json");
  if (!r) throw std::runtime_error("the hub serving " + db + " does not answer on its admin port");
  json reply = json::parse(r->body, nullptr, false);
  if (!reply.is_object()) throw std::runtime_error("the hub's admin port answered " + std::to_string(r->status));
  return reply;
}

namespace {

std::string localTime(Millis t, int utc_offset_minutes) {
  const std::time_t s = static_cast<std::time_t>(t / 1000 + utc_offset_minutes * 60);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%d %H:%M", &tm);
  return b;
}

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + path);
  ::chmod(path.c_str(), 0600);
}

}  // namespace

int finish(const std::string& op, const json& reply, const Output& o) {
  if (reply.contains("error")) {
    std::fprintf(stderr, "bk-hub %s: %s; nothing was changed\n", op.c_str(), reply["error"].get<std::string>().c_str());
    for (const json& e : reply.value("errors", json::array())) {
      const int line = e.value("line", 0);
      const std::string col = e.value("column", std::string());
      std::fprintf(stderr, "  %s%s%s: %s\n", line ? ("line " + std::to_string(line)).c_str() : "file",
                   col.empty() ? "" : ", ", col.c_str(), e.value("what", std::string()).c_str());
    }
    return 1;
  }
  if (reply.contains("text")) {  // an export
    const std::string text = reply["text"].get<std::string>();
    if (o.out.empty()) std::fwrite(text.data(), 1, text.size(), stdout);
    else writeFile(o.out, text);
  }
  auto list = [&](const char* key) {
    std::string s;
    for (const json& v : reply.value(key, json::array())) s += (s.empty() ? "" : " ") + v.get<std::string>();
    return s;
  };
  if (op == "staff.import")
    std::printf("staff: %zu added, %lld changed (%zu retired, %zu back), %lld unchanged\n", reply["added"].size(),
                reply["changed"].get<long long>(), reply["retired"].size(), reply["reactivated"].size(),
                reply["unchanged"].get<long long>());
  if (op == "staff.import" && !reply["retired"].empty()) std::printf("retired: %s\n", list("retired").c_str());
  if (op == "bays.import")
    std::printf("bays: %zu defined or changed, %lld unchanged\n", reply["defined"].size(), reply["unchanged"].get<long long>());
  if (op == "policy.set")
    std::printf(reply["unchanged"].get<bool>() ? "policy unchanged\n" : "policy recorded: every kiosk follows it once synced\n");
  if (op == "init") std::printf("shop '%s' created\n", reply.value("shop_name", std::string()).c_str());
  const json codes = reply.value("codes", json::array());
  if (!codes.empty()) {
    if (o.slips.empty()) throw std::runtime_error("setup codes were made but there is no --slips file to write them to");
    std::string csv = "\xEF\xBB\xBF" "badge,name,setup_code,valid_until\r\n";
    std::vector<record::Slip> slips;
    for (const json& c : codes) {
      const Millis until = c["expires_at"].get<Millis>();
      csv += c["badge"].get<std::string>() + "," + c["name"].get<std::string>() + "," + c["code"].get<std::string>() + "," +
             localTime(until, reply.value("utc_offset_minutes", 480)) + "\r\n";
      slips.push_back({c["name"].get<std::string>(), c["badge"].get<std::string>(), c["code"].get<std::string>(), until});
    }
    writeFile(o.slips, csv);
    std::printf("%zu setup codes written to %s (0600): hand each person their slip; each sets their own PIN at a kiosk\n",
                codes.size(), o.slips.c_str());
    if (!o.slips_pdf.empty()) {
      record::Options ro;
      ro.font = o.font;
      ro.shop = o.shop.empty() ? reply.value("shop_name", std::string()) : o.shop;
      ro.utc_offset_minutes = reply.value("utc_offset_minutes", 480);
      const auto labels = record::Labels::load(o.assets + "/i18n");
      writeFile(o.slips_pdf, record::renderSlips(slips, labels, ro));
      std::printf("slips to print: %s\n", o.slips_pdf.c_str());
    }
  }
  return 0;
}

namespace {

std::string ago(Millis then, Millis now) {
  const Millis m = std::max<Millis>(0, now - then) / 60'000;
  if (m < 60) return std::to_string(m) + " min ago";
  if (m < 48 * 60) return std::to_string(m / 60) + " h ago";
  return std::to_string(m / (24 * 60)) + " days ago";
}

std::string gib(std::uintmax_t bytes) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
  return b;
}

}  // namespace

json backup(Store& store, const std::string& db, const std::string& to, const std::string& dir, int keep, Millis now) {
  namespace fs = std::filesystem;
  std::string target = to;
  if (!dir.empty()) {
    fs::create_directories(dir);
    target = (fs::path(dir) / ("hub-" + fileStamp(now) + ".db")).string();
  }
  const std::string partial = target + ".partial";
  fs::remove(partial);
  const std::int64_t before = store.lastPos();
  store.backupTo(partial);
  ::chmod(partial.c_str(), 0600);
  // verified before it takes its name: a backup that does not hold is no backup
  std::int64_t events = 0;
  {
    sql::Db copy(partial, false);
    const std::string integrity = copy.scalarText("PRAGMA integrity_check");
    if (integrity != "ok") throw std::runtime_error("the backup " + partial + " fails its integrity check: " + integrity);
    events = copy.scalarInt("SELECT COALESCE(MAX(pos), 0) FROM events");
    if (events < before) throw std::runtime_error("the backup " + partial + " lacks events");
  }
  {
    StoreOptions so;
    so.path = partial;
    so.pepper = std::vector<std::uint8_t>(32, 0);  // the chain needs no pepper
    struct NoEntropy final : Entropy {
      std::array<std::uint8_t, 8> random8() override { return {}; }
    } none;
    Store copy(so, none);
    if (const std::int64_t broken = copy.verifyChain())
      throw std::runtime_error("the backup's hash chain breaks at position " + std::to_string(broken));
  }
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(partial + suffix);
  fs::rename(partial, target);
  // on another disk than the database? (a copy on the hub's own disk does not survive the disk)
  struct stat a {}, b {};
  const bool offDisk = ::stat(fs::absolute(db).parent_path().c_str(), &a) == 0 &&
                       ::stat(fs::absolute(target).parent_path().c_str(), &b) == 0 && a.st_dev != b.st_dev;
  int kept = 0;
  if (!dir.empty()) {
    std::vector<fs::path> all;
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string n = e.path().filename().string();
      if (n.rfind("hub-", 0) == 0 && n.size() > 3 && n.substr(n.size() - 3) == ".db") all.push_back(e.path());
    }
    std::sort(all.begin(), all.end());  // the names sort by time
    while (all.size() > static_cast<std::size_t>(keep)) {
      fs::remove(all.front());
      all.erase(all.begin());
    }
    kept = static_cast<int>(all.size());
  }
  const json done{{"at", now}, {"path", fs::absolute(target).string()}, {"events", events}, {"kept", kept}, {"off_disk", offDisk}};
  store.setMeta("last_backup", done.dump());
  if (offDisk) store.setMeta("last_backup_off_disk", done.dump());
  return done;
}

std::string locateInCatalog(const std::string& dir, const std::string& message) {
  // the words of the message that look like an item's code or key
  std::vector<std::string> names;
  std::string word;
  for (char ch : message + " ") {
    if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '-') {
      word += ch;
      continue;
    }
    while (!word.empty() && word.back() == '.') word.pop_back();
    if (word.size() >= 3 && word.find_first_of("._") != std::string::npos) names.push_back(word);
    if (!word.empty()) names.push_back("\x01" + word);  // the last word, whatever it is, tried last
    word.clear();
  }
  if (!names.empty() && names.back()[0] == '\x01') names.back().erase(0, 1);
  names.erase(std::remove_if(names.begin(), names.end(), [](const std::string& n) { return n[0] == '\x01'; }), names.end());
  for (const std::string& n : names)
    for (const char* f : {"operations.json", "checklists.json", "defects.json", "phrases.json"}) {
      std::ifstream in(std::filesystem::path(dir) / f);
      std::string line;
      for (int no = 1; std::getline(in, line); ++no)
        if (line.find("\"" + n + "\"") != std::string::npos) return (std::filesystem::path(dir) / f).string() + ":" + std::to_string(no);
    }
  return {};
}

json offlineStatus(const std::string& db, const std::string& pepper) {
  StoreOptions so;
  so.path = db;
  so.pepper = platform::loadPepper(pepper);
  struct NoEntropy final : Entropy {
    std::array<std::uint8_t, 8> random8() override { return {}; }
  } none;
  if (!std::filesystem::exists(db)) throw std::runtime_error("no database " + db);
  Store store(so, none);
  json out = statusJson(store, platform::nowMillis());
  out["serving"] = false;
  return out;
}

int printStatus(const json& st, Millis now) {
  std::vector<std::string> warn;
  std::printf("hub %s, version %s: %s, %lld events in the log\n", st.value("hub", std::string()).c_str(),
              st.value("version", std::string()).c_str(), st.value("serving", false) ? "serving" : "NOT SERVING",
              st.value("events", 0LL));
  if (!st.value("serving", false)) warn.push_back("the hub is not serving: bays work offline and nothing syncs");
  std::printf("\n%-16s %-6s %-18s %-10s %-8s %-8s %s\n", "client", "scope", "last contact", "version", "to push", "to pull",
              "address");
  for (const json& c : st.value("clients", json::array())) {
    const std::string id = c.value("id", std::string());
    const bool seen = c.contains("last_contact");
    const Millis at = seen ? c["last_contact"].get<Millis>() : 0;
    std::printf("%-16s %-6s %-18s %-10s %-8s %-8s %s\n", id.c_str(), c.value("scope", std::string()).c_str(),
                seen ? ago(at, now).c_str() : "-", c.value("version", std::string("-")).c_str(),
                c.contains("pending") ? std::to_string(c["pending"].get<long long>()).c_str() : "-",
                c.contains("behind") ? std::to_string(c["behind"].get<long long>()).c_str() : "-",
                c.value("address", std::string()).c_str());
    if (st.value("serving", false) && c.value("scope", std::string()) == "floor") {
      if (!seen) warn.push_back(id + ": not heard from since the hub started");
      else if (now - at > 3'600'000) warn.push_back(id + ": silent for " + ago(at, now).substr(0, ago(at, now).size() - 4));
      if (c.value("pending", 0LL) > 0 && seen && now - at > 600'000) warn.push_back(id + ": has events not yet pushed");
    }
    if (!c.value("version", std::string()).empty() && c.value("version", std::string()) != st.value("version", std::string()))
      warn.push_back(id + ": version " + c.value("version", std::string()) + ", the hub's is " + st.value("version", std::string()));
  }
  const json last = st.value("last_backup", json()), off = st.value("last_backup_off_disk", json());
  if (last.is_object())
    std::printf("\nlast backup: %s, %s (%s)\n", ago(last["at"].get<Millis>(), now).c_str(), last["path"].get<std::string>().c_str(),
                last.value("off_disk", false) ? "another disk" : "the hub's own disk");
  else
    std::printf("\nlast backup: none\n");
  if (!off.is_object() || now - off["at"].get<Millis>() > 24 * 3'600'000)
    warn.push_back("no backup on another disk or share within a day (bk-hub backup --to-dir; the bk-hub-backup timer)");
  if (st.contains("disk")) {
    const auto free = st["disk"]["free"].get<std::uintmax_t>(), total = st["disk"]["total"].get<std::uintmax_t>();
    std::printf("disk: %s free of %s\n", gib(free).c_str(), gib(total).c_str());
    if (total > 0 && (free < total / 10 || free < (1ull << 30))) warn.push_back("little disk space left on the hub");
  }
  if (warn.empty()) {
    std::printf("\nall well\n");
    return 0;
  }
  std::printf("\n");
  for (const std::string& w : warn) std::printf("warning: %s\n", w.c_str());
  return 4;
}

}  // namespace bk::hub::cli
