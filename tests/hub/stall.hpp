#pragma once
// The stall attack of issue 10, against a hub listening on loopback: 200
// long polls held, 200 slowloris connections (one header byte every 2 s,
// no token) and 500 idle connections, all from 127.0.0.2 and up, while the
// shop's own traffic (health and pushes) comes from 127.0.0.1, as a kiosk
// would send it. Connections the hub closes are opened again, so the
// pressure stays for the whole run. Used by the stall test (bk_hub_tests)
// and by bk_loadgen's stall benchmark (docs/BENCHMARKS.md).
#include "tests/hub/hub_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace bkt {

struct StallResult {
  std::vector<double> health_ms, push_ms;  // every answer's latency, from 127.0.0.1
  int health_failed = 0, push_failed = 0;  // not answered 200
  int slow_closed = 0, idle_closed = 0;    // closed by the hub (deadline, idle timeout)
  double slow_first_close_s = 0;           // how long the first slowloris lasted
  int polls_closed = 0;                    // long polls the hub closed early (none expected)
  int polls_held = 0, slow_held = 0, idle_held = 0;  // open at the end
};

inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

namespace stall_detail {

// A connection to the hub at 127.0.0.1:port from the local address
// 127.0.(b).(c) (any address in 127/8 reaches loopback).
inline int connectFrom(int port, int index) {
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -1;
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr.s_addr = htonl(0x7f000000u | static_cast<std::uint32_t>(2 + index));
  ::bind(s, reinterpret_cast<sockaddr*>(&local), sizeof local);
  sockaddr_in hub{};
  hub.sin_family = AF_INET;
  hub.sin_port = htons(static_cast<std::uint16_t>(port));
  hub.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(s, reinterpret_cast<sockaddr*>(&hub), sizeof hub) != 0) {
    ::close(s);
    return -1;
  }
  return s;
}

inline void sendAll(int s, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(s, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

}  // namespace stall_detail

// Runs the shop's traffic for `seconds` (a health check every 50 ms, a push
// of `desk`'s next event every 250 ms), with the attack when `attack`.
inline StallResult stallRun(int port, const std::string& token, Desk& desk, double seconds, bool attack) {
  using namespace stall_detail;
  using Clock = std::chrono::steady_clock;
  rlimit fds{};
  if (::getrlimit(RLIMIT_NOFILE, &fds) == 0 && fds.rlim_cur < 4096) {
    fds.rlim_cur = std::min<rlim_t>(fds.rlim_max, 4096);
    ::setrlimit(RLIMIT_NOFILE, &fds);
  }
  StallResult out;
  enum Kind { Poll, Slow, Idle };
  struct Conn {
    Kind kind;
    int index, fd = -1;
    Clock::time_point opened;
  };
  std::vector<Conn> conns;
  // spread over 50 addresses: a per-address cap does not simply refuse them
  const std::string pollRequest = "GET /api/v1/pull?after=1000000000000&wait_ms=25000 HTTP/1.1\r\nHost: hub\r\n"
                                  "Authorization: Bearer " + token + "\r\n\r\n";
  auto open = [&](Conn& c) {
    c.fd = connectFrom(port, c.index % 50);
    c.opened = Clock::now();
    if (c.fd < 0) return;
    if (c.kind == Poll) sendAll(c.fd, pollRequest);
    if (c.kind == Slow) sendAll(c.fd, "GET /api/v1/health HTTP/1.1\r\nHo");
  };
  std::atomic<bool> done{false};
  std::thread attacker;
  if (attack) {
    for (int i = 0; i < 200; ++i) conns.push_back({Poll, i});
    for (int i = 0; i < 200; ++i) conns.push_back({Slow, i});
    for (int i = 0; i < 500; ++i) conns.push_back({Idle, i});
    for (Conn& c : conns) open(c);
    attacker = std::thread([&] {
      auto lastDrip = Clock::now();
      bool firstSlowClose = true;
      std::vector<pollfd> p(conns.size());
      char buf[65536];
      while (!done.load()) {
        for (std::size_t i = 0; i < conns.size(); ++i) p[i] = {conns[i].fd, POLLIN, 0};
        ::poll(p.data(), p.size(), 100);
        for (std::size_t i = 0; i < conns.size(); ++i) {
          Conn& c = conns[i];
          if (c.fd < 0) { open(c); continue; }
          if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
          const ssize_t n = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
          if (n > 0) {  // a long poll's answer (its 25 s are up): poll again on the same connection
            if (c.kind == Poll) sendAll(c.fd, pollRequest);
            continue;
          }
          if (n < 0 && errno == EAGAIN) continue;
          ::close(c.fd);
          c.fd = -1;
          if (c.kind == Slow) {
            ++out.slow_closed;
            if (firstSlowClose) out.slow_first_close_s = std::chrono::duration<double>(Clock::now() - c.opened).count();
            firstSlowClose = false;
          }
          if (c.kind == Idle) ++out.idle_closed;
          if (c.kind == Poll) ++out.polls_closed;
          open(c);
        }
        if (Clock::now() - lastDrip > std::chrono::seconds(2)) {  // one more header byte each
          lastDrip = Clock::now();
          for (Conn& c : conns)
            if (c.kind == Slow && c.fd >= 0) ::send(c.fd, "s", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
        }
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the attack in place first
  }
  // the shop's traffic, from 127.0.0.1
  httplib::Client health("127.0.0.1", port), pusher("127.0.0.1", port);
  for (auto* c : {&health, &pusher}) {
    c->set_tcp_nodelay(true);
    c->set_read_timeout(30, 0);
    c->set_connection_timeout(30, 0);
  }
  const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  auto nextPush = Clock::now();
  static int step = 0;  // across runs: the desk's clock and entry ids go on
  while (Clock::now() < end) {
    auto t0 = Clock::now();
    auto h = health.Get("/api/v1/health");
    if (h && h->status == 200) out.health_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    else ++out.health_failed;
    if (Clock::now() >= nextPush) {
      nextPush += std::chrono::milliseconds(250);
      // the technician clocks on and off, a minute apart
      const Millis at = T0 + 60 * MIN + step * MIN;
      const bool on = step % 2 == 0;
      ++step;
      Recorded r = on ? desk.st.record(ClockOn{"te-stall-" + std::to_string(step), "tech1", "wo-1-1", "bay1", at}, at)
                      : desk.st.record(ClockOff{"tech1", "wo-1-1", StopReason::Break, at}, at);
      if (!r) throw std::logic_error("the stall run's own event was refused: " + std::string(name(r.reason())) + " " + r.outcome.refusal->detail);
      json body{{"events", json::array({sync::toWire(desk.own().back())})}};
      t0 = Clock::now();
      auto p = pusher.Post("/api/v1/push", {{"Authorization", "Bearer " + token}}, body.dump(), "application/json");
      if (p && p->status == 200) out.push_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      else ++out.push_failed;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  done = true;
  if (attacker.joinable()) attacker.join();
  for (Conn& c : conns) {
    if (c.fd < 0) continue;
    out.polls_held += c.kind == Poll;
    out.slow_held += c.kind == Slow;
    out.idle_held += c.kind == Idle;
    ::close(c.fd);
  }
  return out;
}

}  // namespace bkt
