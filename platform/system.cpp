#include "platform/system.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace bk::platform {

Millis nowMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

SodiumEntropy::SodiumEntropy() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::array<std::uint8_t, 8> SodiumEntropy::random8() {
  std::array<std::uint8_t, 8> b;
  randombytes_buf(b.data(), b.size());
  return b;
}

std::vector<std::uint8_t> loadOrCreatePepper(const std::string& path) {
  namespace fs = std::filesystem;
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::vector<std::uint8_t> pep(32);
  if (fs::exists(path)) {
    std::ifstream in(path, std::ios::binary);
    in.read(reinterpret_cast<char*>(pep.data()), static_cast<std::streamsize>(pep.size()));
    if (in.gcount() != static_cast<std::streamsize>(pep.size()))
      throw std::runtime_error("pepper file " + path + " is shorter than 32 bytes");
    return pep;
  }
  if (auto parent = fs::path(path).parent_path(); !parent.empty()) fs::create_directories(parent);
  randombytes_buf(pep.data(), pep.size());
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot create pepper file " + path);
    ::chmod(tmp.c_str(), 0600);
    out.write(reinterpret_cast<const char*>(pep.data()), static_cast<std::streamsize>(pep.size()));
    out.flush();
    if (!out) throw std::runtime_error("cannot write pepper file " + path);
  }
  fs::rename(tmp, path);
  return pep;
}

}  // namespace bk::platform
