#include "hub/admin_cli.hpp"

#include "record/quality_record.hpp"

#include <httplib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
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

}  // namespace bk::hub::cli
