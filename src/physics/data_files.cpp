// Loading the physics data files of a data folder (data_files.hpp).

#include "needlework/physics/data_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace needlework::physics {
namespace {

/// A parse or validation error of a data file, as the data error it is (its own code kept in the message).
Error as_data_error(Error e) {
  e.message = fmt::format("{} [{}]", e.message, to_string(e.code));
  e.code = ErrorCode::data_error;
  return e;
}

template <class T>
Result<T> as_data(Result<T> r) {
  if (!r) return std::unexpected(as_data_error(std::move(r.error())));
  return r;
}

/// A data file's text. Data files are the project's own (kilobytes), so no size limit is needed here.
Result<std::string> read_text(const std::filesystem::path& path, std::string_view what) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return fail(ErrorCode::data_error, fmt::format("cannot read the {}", what), path.string());
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  if (!in && !in.eof())
    return fail(ErrorCode::data_error, fmt::format("cannot read the {}", what), path.string());
  return out.str();
}

}  // namespace

Result<RegionCatalog> load_regions_file(const std::filesystem::path& data_dir) {
  const auto path = data_dir / "skin" / "regions.toml";
  NW_TRY(text, read_text(path, "skin regions file"));
  return as_data(parse_regions(text, path.string()));
}

Result<ResealingData> load_resealing_file(const std::filesystem::path& data_dir) {
  const auto path = data_dir / "physics" / "resealing.toml";
  NW_TRY(text, read_text(path, "resealing data file"));
  return as_data(parse_resealing(text, path.string()));
}

Result<std::vector<Device>> load_device_catalog(const std::filesystem::path& data_dir) {
  const std::filesystem::path dir = data_dir / "devices";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return fail(ErrorCode::data_error, "the device catalog directory does not exist (set --data)",
                dir.string());
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Device> devices;
  for (const auto& f : files) {
    NW_TRY(text, read_text(f, "data file"));
    NW_TRY(device, as_data(parse_device(text, f.string())));
    devices.push_back(std::move(device));
  }
  if (devices.empty()) return fail(ErrorCode::data_error, "no device files (*.toml)", dir.string());
  return devices;
}

}  // namespace needlework::physics
