// open_store: the one place that decides, from what --db (or $NEEDLEWORK_DB) says, which backend holds the
// clinic records. It sits beside the PostgreSQL backend because that is the backend it has to recognise.

#include <cctype>

#include "needlework/store/store.hpp"

namespace needlework::store {

bool names_postgres(std::string_view where) {
  if (where.starts_with("postgresql://") || where.starts_with("postgres://")) return true;
  // A libpq key=value string: the first word is one of the keywords a connection string starts with.
  for (const std::string_view key : {"host", "hostaddr", "port", "dbname", "user", "service"}) {
    if (!where.starts_with(key)) continue;
    auto rest = where.substr(key.size());
    while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front())) != 0)
      rest.remove_prefix(1);
    if (rest.starts_with('=')) return true;
  }
  return false;
}

Result<std::unique_ptr<Store>> open_store(std::string_view where) {
  if (names_postgres(where)) return open_postgres(std::string(where));
  return open_sqlite(std::filesystem::path(std::string(where)));
}

}  // namespace needlework::store
