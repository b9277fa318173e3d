#pragma once
// The savepoints a backend has open in its write transaction, so that nested transactions opened back to back
// share one: a savepoint opened before any statement ran in the one around it marks the same state (rolling
// back to either undoes exactly the same), so it uses that one and saves a SAVEPOINT and a RELEASE. A group
// commit's savepoint around a single write's own is the common case. The shared SQL layer (sql/sql_store.cpp)
// uses this one rule for both backends.

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

namespace needlework::store {

class SavepointStack {
 public:
  /// The savepoint a nested transaction uses.
  struct Level {
    std::string name;
    bool shared = false;  ///< the enclosing one: send neither SAVEPOINT nor RELEASE for it
  };

  /// Counts a statement sent in the open transaction; the savepoint commands themselves are not counted.
  void statement() { ++statements_; }

  /// Opens the level for a nested transaction at `depth` (1 for the first inside the transaction).
  Level push(int depth) {
    const bool shared = !open_.empty() && open_.back().opened_at == statements_;
    Level level{shared ? open_.back().name : fmt::format("nw_{}", depth), shared};
    open_.push_back({level.name, statements_});
    return level;
  }
  void pop() { open_.pop_back(); }
  /// The transaction ended.
  void clear() { open_.clear(); }

 private:
  struct Open {
    std::string name;
    std::int64_t opened_at = 0;  ///< statements sent when it was opened
  };
  std::vector<Open> open_;  ///< innermost last
  std::int64_t statements_ = 0;
};

}  // namespace needlework::store
