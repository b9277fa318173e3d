#pragma once
// Talking to the test PostgreSQL server with libpq directly, as an outsider would: shared by the store tests
// (store_fixture.hpp) and the durability tests (tests/durability/scratch_db.hpp).

#include <libpq-fe.h>

#include <string>
#include <string_view>

/// The libpq conninfo `base` (a URI or key=value text) with its database replaced by `dbname`, as key=value
/// text. Empty when `base` does not parse.
inline std::string pg_conninfo_with_db(const std::string& base, const std::string& dbname) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(base.c_str(), &err);
  if (opts == nullptr) {
    PQfreemem(err);
    return {};
  }
  auto quote = [](const std::string& v) {
    std::string out = "'";
    for (char c : v) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    return out + "'";
  };
  std::string out;
  for (auto* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || std::string_view(o->keyword) == "dbname") continue;
    out += std::string(o->keyword) + "=" + quote(o->val) + " ";
  }
  PQconninfoFree(opts);
  return out + "dbname=" + quote(dbname);
}

/// Runs SQL on a PostgreSQL database over a connection of its own; false (and `error`) when it fails.
inline bool pg_exec(const std::string& conninfo, const std::string& sql, std::string& error) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
    PQfinish(conn);
    return false;
  }
  PGresult* res = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(res);
  const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  if (!ok) error = PQresultErrorMessage(res);
  PQclear(res);
  PQfinish(conn);
  return ok;
}
