#pragma once
// The real world: wall clock, random bits, the pepper file.
#include "store/store.hpp"

#include <string>

namespace bk::platform {

Millis nowMillis();

// Random bits from libsodium (the OS's CSPRNG).
class SodiumEntropy final : public Entropy {
 public:
  SodiumEntropy();
  std::array<std::uint8_t, 8> random8() override;
};

// Reads the shop's 32-byte pepper at `path`. A kiosk never makes one: a
// missing file, one it may not read, one other users can read, or a short
// one is refused with a message that says which (std::runtime_error).
std::vector<std::uint8_t> loadPepper(const std::string& path);
// The same, creating it (mode 0600, in a new 0700 folder) when it does not
// exist: for the hub and the demo, which make the shop's pepper.
std::vector<std::uint8_t> loadOrCreatePepper(const std::string& path);
// A state folder made for `file` is 0700 (an existing one is left alone);
// a database and its -wal/-shm are 0600 (SQLite copies the main file's mode).
void secureStateFolder(const std::string& file);
void secureDatabaseFiles(const std::string& db);

}  // namespace bk::platform
