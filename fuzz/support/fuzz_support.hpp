#pragma once
// What every fuzz target shares: the shipped data (the seed pack, the skin regions, the resealing data, the
// device catalog) loaded once per process from NEEDLEWORK_DATA_DIR, and a scratch folder of the process's own
// for the entry points that read a file by path (a pack folder, the server's settings file).

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "needlework/knowledge/loader.hpp"
#include "needlework/physics/data_files.hpp"

namespace needlework::fuzz {

/// The fuzzer's bytes as text.
inline std::string text_of(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

/// Stops the process: the shipped data must load, or no input means anything.
[[noreturn]] inline void broken_setup(const Error& e) {
  std::fprintf(stderr, "fuzz setup: %s (%s)\n", e.message.c_str(), e.where.c_str());
  std::abort();
}

inline const std::filesystem::path& data_dir() {
  static const std::filesystem::path dir = NEEDLEWORK_DATA_DIR;
  return dir;
}

inline const knowledge::Pack& seed_pack() {
  static const knowledge::Pack pack = [] {
    auto p = knowledge::load_pack(data_dir() / "packs", "seed");
    if (!p) broken_setup(p.error());
    return std::move(*p);
  }();
  return pack;
}

inline const physics::RegionCatalog& regions() {
  static const physics::RegionCatalog r = [] {
    auto c = physics::load_regions_file(data_dir());
    if (!c) broken_setup(c.error());
    return std::move(*c);
  }();
  return r;
}

inline const physics::ResealingData& resealing() {
  static const physics::ResealingData r = [] {
    auto c = physics::load_resealing_file(data_dir());
    if (!c) broken_setup(c.error());
    return std::move(*c);
  }();
  return r;
}

inline const std::vector<physics::Device>& devices() {
  static const std::vector<physics::Device> d = [] {
    auto c = physics::load_device_catalog(data_dir());
    if (!c) broken_setup(c.error());
    return std::move(*c);
  }();
  return d;
}

/// A folder of this process's own (in /dev/shm when there is one: no disk writes per input), removed at exit.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    std::error_code ec;
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec)
                                           ? std::filesystem::path("/dev/shm")
                                           : std::filesystem::temp_directory_path();
    auto d = base / ("needlework-fuzz-" + std::to_string(::getpid()));
    std::filesystem::remove_all(d, ec);
    std::filesystem::create_directories(d);
    static const std::filesystem::path for_exit = d;
    std::atexit([] {
      std::error_code e;
      std::filesystem::remove_all(for_exit, e);
    });
    return d;
  }();
  return dir;
}

/// Writes `bytes` to `path`, replacing it.
inline void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace needlework::fuzz
