// A restored backup file: store::restore_sqlite, what `needlework restore` runs on a file someone hands the
// clinic ("here is last week's backup"). Raw bytes would almost never get past SQLite's header check, so the
// input changes a real backup, made once per process through ClinicStore (a staff login, clients, an intake,
// a consent, a roller, a session started and finished with its aftercare queued, and the audit chain of it
// all), and the changed file is restored:
//   - first byte even: the rest is SQL run on the backup with sqlite3's C API — changed values, types, rows,
//     triggers, indexes, tables, schema_version, the audit log — as anyone with the file and the sqlite3
//     shell could. Statements that reach outside the file (ATTACH, VACUUM INTO, loading an extension) are
//     refused.
//   - first byte odd: the rest is patches over the backup's bytes — a 4-byte offset, a length byte, that many
//     bytes — damaged headers, pages and free lists.
// Any outcome but a crash, a sanitizer report or a leak is fine: restore refuses the file (naming why) or
// restores it, and a restored database then opens, verifies and is read as the server would.

#include <sqlite3.h>

#include <cctype>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "needlework/clinic/engine.hpp"
#include "needlework/clinic/intake.hpp"
#include "needlework/store/clinic_store.hpp"
#include "needlework/store/store.hpp"
#include "needlework/units/date.hpp"
#include "support/fuzz_support.hpp"

using namespace needlework;
namespace fs = std::filesystem;

namespace {

store::Actor by(const char* at, const char* who = "ana") { return {who, *units::parse_date_time(at)}; }

template <class T>
T must(Result<T> r) {
  if (!r) fuzz::broken_setup(r.error());
  return std::move(*r);
}

void must(const Result<void>& r) {
  if (!r) fuzz::broken_setup(r.error());
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// The bytes of a backup of a small clinic, written through the same rules a clinic's writes go through.
const std::string& seed_backup() {
  static const std::string bytes = [] {
    const fs::path dir = fuzz::scratch_dir() / "seed";
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directories(dir);
    auto db = must(store::open_sqlite(dir / "clinic.db"));
    const auto& pack = fuzz::seed_pack();
    store::ClinicStore clinic(*db, pack, store::ClinicPhysics{.regions = &fuzz::regions()}, dir / "photos");
    (void)must(clinic.add_user(by("2026-11-20T08:00:00Z", "admin"), "ana", "practitioner"));
    for (const char* id : {"C-1", "C-2"}) {
      store::ClientRecord c;
      c.id = id;
      c.name = std::string("Client ") + id;
      (void)must(clinic.add_client(by("2026-11-20T09:00:00Z"), c));
    }
    const nlohmann::json intake = {
        {"client", {{"id", "C-1"}, {"name", "Client C-1"}}},
        {"date", "2026-11-23"},
        {"setting", "clinic"},
        {"areas", {{{"area", "face"}, {"concerns", {"pores"}}}}},
        {"conditions", nlohmann::json::array()},
        {"dermatologist_clearance",
         {{"by", "Dr. Roe"}, {"date", "2026-11-23"}, {"reviewed", nlohmann::json::array()}}}};
    (void)must(
        clinic.record_intake(by("2026-11-23T09:00:00Z"), must(clinic::parse_intake(intake, pack)), intake));
    (void)must(clinic.record_consent(by("2026-11-23T09:10:00Z"), "C-1", "I consent to micro-needling.",
                                     "Client C-1"));
    const store::RollerSpec spec{"LOT-1",
                                 "SN-1",
                                 "(01)00000000000000",
                                 "dermaroller",
                                 192,
                                 units::millimetres(0.5),
                                 *units::parse_date("2028-01-31")};
    const auto roller = must(clinic.register_roller(by("2026-11-20T09:00:00Z"), spec));
    (void)must(clinic.assign_roller(by("2026-11-20T09:05:00Z"), roller.id, "C-1"));
    store::SessionRequest req;
    req.client_id = "C-1";
    req.area = "face";
    req.roller_id = roller.id;
    const auto guard = must(clinic::check_depth(pack, &fuzz::regions(), "face",
                                                *pack.find_device("dermaroller"), units::millimetres(0.5)));
    if (guard) {
      for (const auto* f : guard->unacknowledged()) req.acknowledged.push_back(f->rule);
    }
    const auto started = must(clinic.start_session(by("2026-11-24T10:00:00Z"), req));
    (void)must(clinic.finish_session(by("2026-11-24T10:40:00Z"), started.session.id,
                                     std::string("the seed clinic of the restore fuzz target")));
    must(db->backup_to(dir / "backup.db", {}));
    db.reset();
    std::string out = read_bytes(dir / "backup.db");
    if (out.empty()) fuzz::broken_setup(Error{ErrorCode::io_error, "the seed backup is empty", dir.string()});
    return out;
  }();
  return bytes;
}

/// The statement's first keyword, upper case, past white space and comments.
std::string first_keyword(const char* sql) {
  std::string_view s = sql != nullptr ? sql : "";
  for (;;) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
    if (s.starts_with("--")) {
      const auto eol = s.find('\n');
      s = eol == std::string_view::npos ? std::string_view() : s.substr(eol + 1);
    } else if (s.starts_with("/*")) {
      const auto end = s.find("*/");
      s = end == std::string_view::npos ? std::string_view() : s.substr(end + 2);
    } else {
      break;
    }
  }
  std::string word;
  for (char c : s) {
    if (std::isalpha(static_cast<unsigned char>(c)) == 0) break;
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return word;
}

/// Refuses what would reach outside the database file.
int authorize(void*, int action, const char* a, const char*, const char*, const char*) {
  if (action == SQLITE_ATTACH || action == SQLITE_DETACH) return SQLITE_DENY;
  if (action == SQLITE_FUNCTION && a != nullptr && std::strcmp(a, "load_extension") == 0) return SQLITE_DENY;
  return SQLITE_OK;
}

/// Runs the SQL on the database at `path`, statement by statement, each that fails skipped.
void run_sql(const fs::path& path, std::string_view sql_text) {
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(path.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    return;
  }
  sqlite3_set_authorizer(h, authorize, nullptr);
  // A statement is stopped after about a million virtual-machine steps (a cross join, a recursive CTE):
  // the input is about what the file ends up holding, not about how long SQL may run.
  long steps = 0;
  sqlite3_progress_handler(
      h, 1000, [](void* counted) { return ++*static_cast<long*>(counted) > 1000 ? 1 : 0; }, &steps);
  sqlite3_limit(h, SQLITE_LIMIT_LENGTH, 1 << 20);
  sqlite3_limit(h, SQLITE_LIMIT_ATTACHED, 0);
  const std::string sql(sql_text);  // NUL-terminated for sqlite3_prepare_v2's tail
  const char* at = sql.c_str();
  const char* end = at + sql.size();
  for (int n = 0; at < end && n < 64; ++n) {
    sqlite3_stmt* st = nullptr;
    const char* tail = nullptr;
    if (sqlite3_prepare_v2(h, at, static_cast<int>(end - at), &st, &tail) != SQLITE_OK || tail == nullptr ||
        tail <= at) {
      sqlite3_finalize(st);
      break;
    }
    at = tail;
    if (st == nullptr) continue;  // white space or a comment
    steps = 0;
    const std::string kw = first_keyword(sqlite3_sql(st));
    if (kw != "VACUUM") {
      for (int rows = 0; rows < 1000 && sqlite3_step(st) == SQLITE_ROW; ++rows) {
      }
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
}

/// Applies patches (4-byte little-endian offset, a length byte, that many bytes) to `file`'s bytes.
void patch(std::string& file, std::string_view patches) {
  while (patches.size() >= 5 && !file.empty()) {
    std::uint32_t offset = 0;
    std::memcpy(&offset, patches.data(), 4);
    const std::size_t len = static_cast<unsigned char>(patches[4]);
    patches.remove_prefix(5);
    const std::size_t n = std::min(len, patches.size());
    const std::size_t at = offset % file.size();
    file.replace(at, std::min(n, file.size() - at), patches.substr(0, n));
    patches.remove_prefix(n);
  }
}

void remove_db(const fs::path& p) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(p.string() + suffix, ec);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& seed = seed_backup();
  if (size == 0) return 0;
  const fs::path backup = fuzz::scratch_dir() / "backup.db";
  const fs::path target = fuzz::scratch_dir() / "restored.db";
  remove_db(backup);
  remove_db(target);
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1) == 0) {
    write_bytes(backup, seed);
    run_sql(backup, rest);
  } else {
    std::string file = seed;
    patch(file, rest);
    write_bytes(backup, file);
  }
  const auto restored =
      store::restore_sqlite(backup, target, false, *units::parse_date_time("2026-12-01T12:00:00Z"));
  if (restored) {
    // What a restored clinic is used for next: opened, verified, read.
    if (auto db = store::open_sqlite(target)) {
      (void)(*db)->verify_audit();
      (void)(*db)->users();
      (void)(*db)->search_clients("");
      if (auto sessions = (*db)->sessions_of("C-1")) {
        for (const auto& s : *sessions) (void)(*db)->steps_of(s.id);
      }
      (void)(*db)->audit_log();
    }
  }
  remove_db(backup);
  remove_db(target);
  return 0;
}
