// ClinicStore: photos, kept by content hash (file I/O, not a rule).
// Part of ClinicStore (clinic_store.hpp): each operation reads what it needs and writes inside one store
// transaction, so a rule checked is still true when the write commits.

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "clinic_detail.hpp"
#include "needlework/store/clinic_store.hpp"
#include "needlework/store/json.hpp"
#include "needlework/store/photo_type.hpp"

namespace needlework::store {

using namespace detail;
using nlohmann::json;

namespace {

Result<std::string> read_file(const std::filesystem::path& p) {
  std::FILE* f = std::fopen(p.c_str(), "rb");
  if (f == nullptr) return fail(ErrorCode::not_found, "the file is missing", p.string());
  std::string out;
  char buffer[65536];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) out.append(buffer, n);
  const bool error = std::ferror(f) != 0;
  std::fclose(f);
  if (error) return fail(ErrorCode::io_error, "cannot read the file", p.string());
  return out;
}

/// Writes bytes to `target` so that a crash leaves either no file or the whole file: a temporary file in the
/// same folder, flushed and fsync'ed, then renamed over.
Result<void> write_durably(const std::filesystem::path& target, std::string_view bytes) {
  std::error_code ec;
  std::filesystem::create_directories(target.parent_path(), ec);
  if (ec)
    return fail(ErrorCode::io_error, fmt::format("cannot create the folder: {}", ec.message()),
                target.parent_path().string());
  const auto temp = target.parent_path() / (target.filename().string() + ".part");
  std::FILE* f = std::fopen(temp.c_str(), "wb");
  if (f == nullptr) return fail(ErrorCode::io_error, "cannot write the photo file", temp.string());
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size() && std::fflush(f) == 0 &&
                  ::fsync(::fileno(f)) == 0;
  std::fclose(f);
  if (!ok) {
    std::filesystem::remove(temp, ec);
    return fail(ErrorCode::io_error, "cannot write the photo file", temp.string());
  }
  std::filesystem::rename(temp, target, ec);
  if (ec)
    return fail(ErrorCode::io_error, fmt::format("cannot rename the photo file: {}", ec.message()),
                target.string());
  return {};
}

}  // namespace

std::filesystem::path ClinicStore::photo_path(std::string_view sha256) const {
  return photo_dir_ / std::string(sha256.substr(0, 2)) / std::string(sha256);
}

Result<PhotoRecord> ClinicStore::add_photo(const Actor& by, const PhotoInput& in) {
  if (photo_dir_.empty()) {
    return fail(ErrorCode::invalid_value, "no photo folder is configured for this database", "photo_dir");
  }
  const auto kind = enum_from_string<PhotoKind>(in.kind);
  if (!kind) {
    return fail(ErrorCode::invalid_value,
                fmt::format("'{}' is not a photo kind (before, after, followup, other)", in.kind), "kind");
  }
  // The area as the pack names it, as a session's or an appointment's: a photo compared before and after
  // must name the same area the same way.
  if (!in.area.empty() && pack_.find_area(in.area) == nullptr) {
    return fail(ErrorCode::unknown_id, fmt::format("'{}' is not an area of pack {}", in.area, pack_.label()),
                "area");
  }
  const std::string media_type = photo_media_type(in.bytes);
  if (media_type.empty()) return fail(ErrorCode::invalid_value, "is not a JPEG or PNG image", "file");
  return store_.transaction_returning<PhotoRecord>([&]() -> Result<PhotoRecord> {
    NW_CHECK(require_client(in.client_id));
    if (in.session_id) {
      NW_TRY(s, require_session(*in.session_id));
      if (s.client_id != in.client_id) {
        return fail(ErrorCode::invalid_value,
                    fmt::format("session {} is of client {}, not {}", s.id, s.client_id, in.client_id),
                    "session");
      }
    }
    PhotoRecord p;
    p.client_id = in.client_id;
    p.session_id = in.session_id;
    p.sha256 = sha256_hex(in.bytes);
    p.media_type = media_type;
    p.size_bytes = static_cast<std::int64_t>(in.bytes.size());
    p.kind = *kind;
    p.taken_at = by.at;
    p.original_name = in.original_name;
    p.note = in.note;
    p.area = in.area;
    // The file first: a row never names a file that is not there. A file without a row (a failed commit) is
    // harmless and reused by the next identical photo.
    const auto path = photo_path(p.sha256);
    auto existing = read_file(path);
    if (!existing || sha256_hex(*existing) != p.sha256) NW_CHECK(write_durably(path, in.bytes));
    return store_.insert_photo(by, p);
  });
}

Result<std::vector<PhotoProblem>> ClinicStore::check_photos(std::string_view client_id) {
  NW_CHECK(require_client(client_id));
  NW_TRY(photos, store_.photos_of(client_id));
  std::vector<PhotoProblem> out;
  for (const auto& p : photos) {
    auto bytes = read_file(photo_path(p.sha256));
    if (!bytes) {
      out.push_back({p, fmt::format("the file {} is missing", photo_path(p.sha256).string())});
    } else if (sha256_hex(*bytes) != p.sha256) {
      out.push_back({p, fmt::format("the file {} was changed: its SHA-256 no longer matches",
                                    photo_path(p.sha256).string())});
    }
  }
  return out;
}

}  // namespace needlework::store
