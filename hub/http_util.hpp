#pragma once
// Small helpers shared by the hub's request handlers: JSON replies, clear
// 4xx errors, strict body parsing within the limits of sync/limits.hpp.
#include "hub/http_server.hpp"
#include "sync/wire.hpp"

namespace bk::hub {

inline void reply(http::Response& res, int status, const json& body) {
  res.status = status;
  res.setContent(body.dump(), "application/json");
}

inline void error(http::Response& res, int status, const std::string& what) { reply(res, status, {{"error", what}}); }

using sync::validKioskId;

// A request body from outside: at most `max_bytes`, nested at most
// sync::kMaxDepth deep, a JSON object whose strings are all within
// sync::kMaxField and free of control characters. Otherwise a 4xx is set.
inline std::optional<json> parseBody(const http::Request& req, http::Response& res,
                                     std::size_t max_bytes = sync::kMaxDeskBody) {
  if (req.body.size() > max_bytes) {
    error(res, 413, "request too large (at most " + std::to_string(max_bytes) + " bytes)");
    return std::nullopt;
  }
  sync::Untrusted u = sync::parseUntrusted(req.body, max_bytes);
  if (!u) {
    error(res, 400, "body " + u.error);
    return std::nullopt;
  }
  if (!u.value.is_object()) {
    error(res, 400, "body is not a JSON object");
    return std::nullopt;
  }
  if (auto bad = sync::checkStrings(u.value)) {
    error(res, 400, "body: " + *bad);
    return std::nullopt;
  }
  return std::move(u.value);
}

}  // namespace bk::hub
