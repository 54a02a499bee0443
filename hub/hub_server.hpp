#pragma once
// The hub: owns the central store and serves the bays over HTTP + JSON.
// Only enrolled kiosks (a one-time code gives each its own token; only token
// hashes are stored) may push or pull. Pushes are applied in one transaction
// per batch, exactly once; pulls long-poll so another bay's action arrives
// within a second.
#include "domain/sync.hpp"

#include <httplib.h>

#include <condition_variable>
#include <functional>
#include <mutex>

namespace bk::hub {

class HubServer {
 public:
  using Clock = std::function<Millis()>;
  HubServer(Store& store, Entropy& entropy, Clock clock);
  ~HubServer();

  // Binds (port 0: any free port) and returns the port, or -1.
  int bind(const std::string& host, int port);
  void run();   // serves until stop()
  void stop();

  // Administration (also through the bk-hub command line).
  std::string newEnrolCode(Millis ttl);
  bool revoke(const Id& kiosk);
  const Id& instance() const { return store_.kioskId(); }

 private:
  std::optional<Id> authorise(const httplib::Request& req);
  void enroll(const httplib::Request& req, httplib::Response& res);
  void push(const httplib::Request& req, httplib::Response& res);
  void pull(const httplib::Request& req, httplib::Response& res);
  std::string randomSecret(std::size_t bytes);

  Store& store_;
  Entropy& entropy_;
  Clock clock_;
  httplib::Server svr_;
  std::mutex mu_;                  // one writer: the store
  std::condition_variable changed_;
};

}  // namespace bk::hub
