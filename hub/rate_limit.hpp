#pragma once
// Attempts per peer address in a fixed window (enrolment codes): a guesser
// gets a few tries a minute from one address and the whole hub a bounded
// number from all of them. Memory is bounded: at most kMaxPeers addresses
// are remembered; past that the oldest windows are forgotten.
#include "domain/ids.hpp"

#include <map>
#include <mutex>
#include <string>

namespace bk::hub {

class AttemptLimiter {
 public:
  AttemptLimiter(int per_peer, int overall, Millis window) : per_peer_(per_peer), overall_(overall), window_(window) {}

  // Counts one attempt; false: refuse it (429).
  bool allow(const std::string& peer, Millis now) {
    std::lock_guard l(mu_);
    if (now - overall_start_ >= window_) { overall_start_ = now; overall_count_ = 0; }
    if (peers_.size() >= kMaxPeers) std::erase_if(peers_, [&](const auto& p) { return now - p.second.start >= window_; });
    if (peers_.size() >= kMaxPeers) peers_.clear();
    Window& w = peers_[peer];
    if (now - w.start >= window_) w = Window{now, 0};
    if (w.count >= per_peer_ || overall_count_ >= overall_) return false;
    ++w.count;
    ++overall_count_;
    return true;
  }
  // New limits, from the next attempt (the counts so far stand).
  void setLimits(int per_peer, int overall) {
    std::lock_guard l(mu_);
    per_peer_ = per_peer;
    overall_ = overall;
  }

 private:
  static constexpr std::size_t kMaxPeers = 4096;
  struct Window { Millis start = 0; int count = 0; };
  int per_peer_, overall_;
  Millis window_;
  std::mutex mu_;
  std::map<std::string, Window> peers_;
  Millis overall_start_ = 0;
  int overall_count_ = 0;
};

}  // namespace bk::hub
