#pragma once
// Real processes for the fault tests: the bk-hub binary and simulated kiosks
// (bk_sim_kiosk), started, killed with SIGKILL and started again.
#include "tests/hub/hub_fixture.hpp"

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>

namespace bkt {


struct HubProcess {
  std::string db, pepper;
  int port;
  pid_t pid = -1;
  // a test that fails part-way leaves no bk-hub running (copies are made
  // only before start, with no process)
  ~HubProcess() { kill9(); }
  // The test shop in the hub's file before it starts, as the
  // administrator's own events (DECISIONS.md: master data is made on the
  // hub's machine).
  void seed() {
    FixedEntropy ent;
    Store central(storeOptions(db, "hub-central"), ent);
    seedShop(central);
    // and open work for the bays: a bay's kiosk opens none (issue 11)
    for (int i = 2; i <= 24; ++i) {
      const Id wo = "wo-" + std::to_string(i);
      expect(static_cast<bool>(central.record(testWorkOrder(wo, static_cast<Category>(i % 5),
                                                            {spec(wo + "-1", Trade::Mechanical, "tech1"),
                                                             spec(wo + "-2", i % 2 ? Trade::Body : Trade::Mechanical, i % 2 ? "body1" : "tech2")}),
                                              T0)),
             "open work");
    }
  }
  void start() {
    std::fflush(nullptr);
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      const std::string p = std::to_string(port);
      ::freopen("/dev/null", "w", stdout);
      ::freopen("/dev/null", "w", stderr);  // its log: one line per request
      ::execl(BK_HUB_BIN, BK_HUB_BIN, "serve", "--db", db.c_str(), "--pepper", pepper.c_str(), "--port", p.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    httplib::Client c("127.0.0.1", port);
    for (int i = 0; i < 200; ++i) {
      if (auto r = c.Get("/api/v1/health"); r && r->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL("hub did not start");
  }
  void kill9() {
    if (pid < 0) return;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    pid = -1;
  }
  void term() {
    if (pid < 0) return;
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
    pid = -1;
  }
  std::string enrolCode(const std::string& kiosk, const std::string& scope = "floor") {
    const std::string cmd = std::string(BK_HUB_BIN) + " enroll-code --db " + db + " --pepper " + pepper + " --kiosk " + kiosk +
                            " --scope " + scope;
    FILE* f = ::popen(cmd.c_str(), "r");
    char buf[64] = {};
    REQUIRE(std::fgets(buf, sizeof buf, f));
    ::pclose(f);
    std::string code(buf);
    while (!code.empty() && (code.back() == '\n' || code.back() == '\r')) code.pop_back();
    return code;
  }
};


// Runs a command, quietly; when it fails, what it said is printed (a rare
// failure under load says why in the test's log).
inline int runCommand(const std::string& cmd) {
  char path[] = "/tmp/bk-command-XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) return std::system((cmd + " >/dev/null 2>&1").c_str());
  ::close(fd);
  const int rc = std::system((cmd + " >" + path + " 2>&1").c_str());
  if (rc != 0) {
    std::ifstream f(path);
    const std::string said((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "command failed (%d): %s\n%s\n", rc, cmd.c_str(), said.c_str());
  }
  ::unlink(path);
  return rc;
}

// A kiosk process (bk_sim_kiosk) with its own store file and clock.
struct SimKiosk {
  std::string db, id, hub_url, code;
  int seed = 1;
  Millis skew = 0;
  pid_t pid = -1;
  int starts = 0;
  ~SimKiosk() { kill9(); }  // (as HubProcess's)
  void run(double seconds) {
    ++starts;
    std::fflush(nullptr);
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::freopen("/dev/null", "w", stdout);
      const std::string sd = std::to_string(seed), sk = std::to_string(skew), secs = std::to_string(seconds);
      ::execl(BK_SIM_KIOSK, BK_SIM_KIOSK, db.c_str(), id.c_str(), hub_url.c_str(), code.c_str(), sd.c_str(), sk.c_str(),
              "run", secs.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  bool running() {
    if (pid < 0) return false;
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == 0) return true;
    pid = -1;
    return false;
  }
  void kill9() {
    if (pid < 0) return;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    pid = -1;
  }
  void wait() {
    if (pid < 0) return;
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  // Pushes and pulls until synced; what it said (why it was not synced,
  // when it was not) is shown with the test's output.
  int drain() {
    const std::string out = db + ".drain.log";
    const std::string cmd = std::string(BK_SIM_KIOSK) + " " + db + " " + id + " " + hub_url + " " + code + " " +
                            std::to_string(seed) + " " + std::to_string(skew) + " drain >" + out + " 2>&1";
    const int rc = std::system(cmd.c_str());
    std::ifstream f(out);
    const std::string said((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (rc != 0) MESSAGE(id, " drain exited ", rc, ": ", said);
    return rc;
  }
};

}  // namespace bkt
