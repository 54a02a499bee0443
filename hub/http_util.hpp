#pragma once
// Small helpers shared by the hub's request handlers: JSON replies, clear
// 4xx errors, strict body parsing.
#include "domain/sync.hpp"

#include <httplib.h>

#include <regex>

namespace bk::hub {

inline void reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

inline void error(httplib::Response& res, int status, const std::string& what) { reply(res, status, {{"error", what}}); }

inline bool validKioskId(const std::string& s) {
  static const std::regex re("[A-Za-z0-9._-]{1,64}");
  return std::regex_match(s, re);
}

inline std::optional<json> parseBody(const httplib::Request& req, httplib::Response& res) {
  if (req.body.size() > sync::kMaxBody) {
    error(res, 413, "request too large");
    return std::nullopt;
  }
  try {
    json j = json::parse(req.body);
    if (!j.is_object()) throw json::type_error::create(302, "not an object", nullptr);
    return j;
  } catch (const json::exception&) {
    error(res, 400, "body is not a JSON object");
    return std::nullopt;
  }
}


}  // namespace bk::hub
