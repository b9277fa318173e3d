#include "context.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "needlework/clinic/json.hpp"
#include "needlework/knowledge/loader.hpp"
#include "needlework/physics/data_files.hpp"
#include "needlework/physics/device.hpp"
#include "needlework/units/number.hpp"
#include "needlework/units/refusals.hpp"
#include "needlework/units/text.hpp"

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

namespace {

/// The longest message or location an error prints: far more than any message Needlework writes, so only an
/// echoed value a caller forgot to excerpt is ever cut.
constexpr std::size_t max_error_text_bytes = 2000;

/// `text` cut to `max_error_text_bytes` at a character boundary, with "… (N bytes)" when it was cut.
std::string bounded(std::string text) {
  if (text.size() <= max_error_text_bytes) return text;
  std::size_t cut = max_error_text_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  const auto size = text.size();
  text.resize(cut);
  return text + fmt::format("… ({} bytes)", size);
}

/// True when `text` would reach a terminal as it is: valid UTF-8 without control characters (C0, DEL, C1).
bool terminal_safe(std::string_view text) {
  if (!units::is_valid_utf8(text)) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return false;
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0) return false;
  }
  return true;
}

/// The last guard of every error a person sees: the messages excerpt what they echo where they are made
/// (units::excerpt), and any text that still holds a control character or invalid UTF-8 is escaped here, so
/// an error can never forge a line or drive the terminal; an overlong message is cut.
std::string for_terminal(const std::string& text) {
  return bounded(terminal_safe(text) ? text : units::escape_for_terminal(text));
}

}  // namespace

std::string cli_hint(const Error& e) {
  if (e.code != ErrorCode::refused) return {};
  // A depth-guard warning not acknowledged (the field is the whole list, not one of its items): the rule is
  // the pack's, acknowledged on the command line.
  if (e.where == "acknowledged") return fmt::format("start the session again with --acknowledge {}", e.rule);
  namespace r = refusals;
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> hints{{
      {r::not_screened, "record an intake: `needlework intake INTAKE.json`"},
      {r::screening_not_covering, "record an intake requesting the area: `needlework intake INTAKE.json`"},
      {r::screening_unreadable, "record the intake again: `needlework intake INTAKE.json`"},
      {r::consent_missing,
       "record a consent: `needlework consent sign CLIENT --text-file FILE --signer NAME`"},
      {r::consent_withdrawn,
       "record a new consent: `needlework consent sign CLIENT --text-file FILE --signer NAME`"},
      {r::roller_not_assigned, "`needlework roller assign ROLLER CLIENT`"},
      {r::lot_recalled,
       "`needlework roller recall LOT` lists the lot's rollers; dispose of each: `needlework roller dispose "
       "ROLLER --reason \"lot recalled\"`"},
      {r::steps_unrecorded,
       "`needlework session step SESSION STEP`, or `needlework session finish SESSION --reason TEXT`"},
      {r::session_unfinished, "`needlework session finish SESSION`"},
      {r::backup_inconsistent, "`needlework audit verify --db BACKUP` lists what does not match"},
  }};
  for (const auto& [rule, hint] : hints) {
    if (rule == e.rule) return std::string(hint);
  }
  return {};
}

int report(const Context& ctx, const Error& e) { return report(ctx, e, cli_hint(e)); }

int report(const Context& ctx, const Error& e, const std::string& hint) {
  if (ctx.json) {
    // JSON escapes every character itself; only the length is bounded. A refusal names its rule.
    print_json(clinic::to_json(Error{e.code, bounded(e.message), bounded(e.where), e.rule}));
  } else {
    std::cerr << fmt::format("needlework: {}: {}\n", to_string(e.code),
                             Error{e.code, for_terminal(e.message), for_terminal(e.where)}.describe());
    if (!hint.empty()) std::cerr << fmt::format("  hint: {}\n", hint);
  }
  return exit_code_for(e);
}

namespace {

struct LimitOf {
  const char* variable;
  std::size_t default_mib;
};

/// The size limits of docs/cli.md ("Limits"): a document far larger than any intake, session or consent
/// (those are a few KiB), and a photo larger than a full-resolution camera JPEG.
LimitOf limit_of(InputKind kind) {
  return kind == InputKind::photo ? LimitOf{"NEEDLEWORK_MAX_PHOTO_MB", 64}
                                  : LimitOf{"NEEDLEWORK_MAX_INPUT_MB", 16};
}

constexpr std::size_t mib = std::size_t{1} << 20;

Error too_large(const std::string& shown, InputKind kind, std::size_t limit) {
  return Error{
      ErrorCode::out_of_range,
      fmt::format("is larger than the {} MiB limit for {} (set {} to a larger number of MiB to "
                  "raise it)",
                  limit / mib, kind == InputKind::photo ? "photos" : "input files", limit_of(kind).variable),
      shown};
}

/// Reads at most `limit + 1` bytes from `in`, in blocks, so an endless stream costs no more than the limit.
Result<std::string> read_bounded(std::istream& in, const std::string& shown, InputKind kind,
                                 std::size_t limit) {
  std::string out;
  std::array<char, 64 * 1024> block{};
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    out.append(block.data(), static_cast<std::size_t>(in.gcount()));
    if (out.size() > limit) return std::unexpected(too_large(shown, kind, limit));
  }
  if (in.bad()) return fail(ErrorCode::io_error, "the read failed", shown);
  return out;
}

}  // namespace

Result<std::size_t> input_limit(InputKind kind) {
  const auto l = limit_of(kind);
  const char* env = std::getenv(l.variable);
  if (env == nullptr || *env == '\0') return l.default_mib * mib;
  auto v = units::parse_integer(env, l.variable, 1, 4096);
  if (!v) return std::unexpected(v.error());
  return static_cast<std::size_t>(*v) * mib;
}

Result<std::string> read_input(const std::string& path, InputKind kind) {
  NW_TRY(limit, input_limit(kind));
  if (path == "-") return read_bounded(std::cin, "<stdin>", kind, limit);
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return fail(ErrorCode::not_found, "cannot open the file", path);
  if (fs::is_directory(st)) return fail(ErrorCode::invalid_value, "is a folder, not a file", path);
  if (!fs::is_regular_file(st) && !fs::is_fifo(st)) {
    return fail(ErrorCode::invalid_value, "is not a regular file (a device or socket); give a file", path);
  }
  if (fs::is_regular_file(st)) {
    const auto size = fs::file_size(path, ec);
    if (!ec && size > limit) return std::unexpected(too_large(path, kind, limit));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::not_found, "cannot open the file", path);
  // Read bounded even for a regular file: it may grow between the size check and the read.
  return read_bounded(in, path, kind, limit);
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

Result<physics::RegionCatalog> load_skin_regions(const Context& ctx) {
  return physics::load_regions_file(ctx.data_dir());
}

Result<physics::ResealingData> load_resealing(const Context& ctx) {
  return physics::load_resealing_file(ctx.data_dir());
}

Result<std::vector<physics::Device>> load_devices(const std::filesystem::path& data_dir) {
  return physics::load_device_catalog(data_dir);
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
