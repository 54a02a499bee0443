#include "platform/system.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
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

std::vector<std::uint8_t> loadPepper(const std::string& path) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT)
      throw std::runtime_error("pepper file " + path + " is missing: install the shop's pepper file from the hub "
                               "(a new one would make every PIN fail)");
    throw std::runtime_error("cannot read pepper file " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) throw std::runtime_error("pepper file " + path + " is not a regular file");
  if (st.st_mode & 077)
    throw std::runtime_error("pepper file " + path + " can be read by other users: chmod 600 " + path);
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error("cannot read pepper file " + path + ": " + std::strerror(errno));
  std::vector<std::uint8_t> pep(32);
  const std::size_t n = std::fread(pep.data(), 1, pep.size(), f);
  std::fclose(f);
  if (n != pep.size()) throw std::runtime_error("pepper file " + path + " is shorter than 32 bytes");
  return pep;
}

void secureStateFolder(const std::string& file) {
  namespace fs = std::filesystem;
  const fs::path parent = fs::path(file).parent_path();
  if (parent.empty() || fs::exists(parent)) return;  // an existing folder is the administrator's
  fs::create_directories(parent);
  ::chmod(parent.c_str(), 0700);
}

void secureDatabaseFiles(const std::string& db) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string f = db + suffix;
    struct stat st {};
    if (::stat(f.c_str(), &st) == 0 && (st.st_mode & 077)) ::chmod(f.c_str(), st.st_mode & 0700);
  }
}

std::vector<std::uint8_t> loadOrCreatePepper(const std::string& path) {
  namespace fs = std::filesystem;
  if (fs::exists(path)) return loadPepper(path);
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::vector<std::uint8_t> pep(32);
  secureStateFolder(path);
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
