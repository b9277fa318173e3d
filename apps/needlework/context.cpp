#include "context.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "needlework/clinic/json.hpp"
#include "needlework/knowledge/loader.hpp"
#include "needlework/physics/device.hpp"

namespace needlework::cli {

std::filesystem::path Context::data_dir() const {
  if (!data_option.empty()) return data_option;
  if (const char* env = std::getenv("NEEDLEWORK_DATA"); env != nullptr && *env != '\0') return env;
  return NEEDLEWORK_DATA_DIR;
}

int exit_code_for(const Error& e) {
  switch (e.code) {
    case ErrorCode::parse_error:
    case ErrorCode::missing_field:
    case ErrorCode::unknown_field:
    case ErrorCode::invalid_value:
    case ErrorCode::out_of_range:
    case ErrorCode::unknown_id:
    case ErrorCode::not_found:
      return exit_input;
    case ErrorCode::pack_error:
    case ErrorCode::data_error:
    case ErrorCode::database_error:
    case ErrorCode::io_error:  // a pack, data file, database or output file the system cannot read or write
      return exit_pack;
    case ErrorCode::refused:
      return exit_attention;
  }
  return exit_internal;
}

int report(const Context& ctx, const Error& e) {
  if (ctx.json) {
    print_json(clinic::to_json(e));
  } else {
    std::cerr << fmt::format("needlework: {}: {}\n", to_string(e.code), e.describe());
  }
  return exit_code_for(e);
}

Result<std::string> read_input(const std::string& path) {
  std::ostringstream buffer;
  if (path == "-") {
    buffer << std::cin.rdbuf();
    return buffer.str();
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return fail(ErrorCode::invalid_value, "is a folder, not a file", path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::not_found, "cannot open the file", path);
  buffer << in.rdbuf();
  return buffer.str();
}

namespace {

/// "file:line:column" of a byte offset in a text, for people.
std::string text_position(const std::string& source_name, const std::string& text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < std::min(offset, text.size()); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return fmt::format("{}:{}:{}", source_name == "-" ? "<stdin>" : source_name, line, column);
}

}  // namespace

Result<nlohmann::json> parse_json(const std::string& text, const std::string& source_name) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::out_of_range& e) {
    // A number too large for a double ("1e400"): nlohmann names the token but not its place, so find it.
    const std::string what = e.what();
    const auto q1 = what.find('\'');
    const auto q2 = q1 == std::string::npos ? q1 : what.find('\'', q1 + 1);
    const auto token = q2 == std::string::npos ? std::string() : what.substr(q1 + 1, q2 - q1 - 1);
    const auto at = token.empty() ? std::string::npos : text.find(token);
    return fail(ErrorCode::out_of_range,
                fmt::format("the number {} is too large", token.empty() ? "here" : token),
                text_position(source_name, text, at == std::string::npos ? 0 : at));
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    if (auto pos = what.find("syntax error while parsing"); pos != std::string::npos) what = what.substr(pos);
    return fail(ErrorCode::parse_error, fmt::format("invalid JSON at byte {}: {}", e.byte, what),
                text_position(source_name, text, e.byte == 0 ? 0 : e.byte - 1));
  }
}

Result<knowledge::Pack> load_selected_pack(const Context& ctx) {
  return knowledge::load_pack(ctx.packs_dir(), ctx.pack_id);
}

namespace {

/// A data file that does not load is a data error (exit 4), whatever the parser's own code, which the message
/// keeps: the one place the parsers' codes are converted.
Error as_data_error(Error e) {
  e.message = fmt::format("{} [{}]", e.message, to_string(e.code));
  e.code = ErrorCode::data_error;
  return e;
}

Result<std::string> read_text(const std::filesystem::path& path, std::string_view what) {
  auto text = read_input(path.string());
  if (!text) return fail(ErrorCode::data_error, fmt::format("cannot read the {}", what), path.string());
  return text;
}

}  // namespace

Result<physics::RegionCatalog> load_skin_regions(const Context& ctx) {
  const auto path = ctx.data_dir() / "skin" / "regions.toml";
  NW_TRY(text, read_text(path, "skin regions file"));
  // (parse errors name the file, line and column)
  return map_error(physics::parse_regions(text, path.string()), as_data_error);
}

Result<physics::ResealingData> load_resealing(const Context& ctx) {
  const auto path = ctx.data_dir() / "physics" / "resealing.toml";
  NW_TRY(text, read_text(path, "resealing data file"));
  return map_error(physics::parse_resealing(text, path.string()), as_data_error);
}

Result<std::vector<physics::Device>> load_devices(const std::filesystem::path& data_dir) {
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
  std::vector<physics::Device> devices;
  for (const auto& f : files) {
    NW_TRY(text, read_text(f, "data file"));
    NW_TRY(device, map_error(physics::parse_device(text, f.string()), as_data_error));
    devices.push_back(std::move(device));
  }
  if (devices.empty()) return fail(ErrorCode::data_error, "no device files (*.toml)", dir.string());
  return devices;
}

ProgressBar::ProgressBar(bool enabled, std::string unit)
    : enabled_(enabled && isatty(STDERR_FILENO) != 0), unit_(std::move(unit)) {}

void ProgressBar::update(std::int64_t done, std::int64_t total) {
  if (!enabled_) return;
  constexpr std::int64_t width = 40;
  const std::int64_t filled = total > 0 ? std::min(width, done * width / total) : width;
  fmt::print(stderr, "\r  [{}{}] {}/{} {}", std::string(static_cast<std::size_t>(filled), '#'),
             std::string(static_cast<std::size_t>(width - filled), '.'), done, total, unit_);
  if (done >= total) fmt::print(stderr, "\n");
  std::fflush(stderr);
}

Result<std::unique_ptr<store::Store>> open_database(const std::string& where) {
  return map_error(store::open_store(where), [&](Error e) {
    // SQLite errors name the file; PostgreSQL ones the server and database without the password, which is
    // what --db is shown as then.
    if (e.where.empty() || e.where == where) {
      e.where = "--db " + where;
    } else if (store::names_postgres(where) && e.where != "--db") {
      e.where = "--db " + e.where;
    }
    return e;
  });
}

std::filesystem::path default_photo_dir(const std::string& where) {
  if (where == ":memory:") return {};
  if (store::names_postgres(where)) return std::filesystem::absolute("photos");
  return std::filesystem::absolute(where).parent_path() / "photos";
}

void print_json(const nlohmann::json& j) {
  // Input that is not UTF-8 can reach messages; replace such bytes rather than fail.
  std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace needlework::cli
