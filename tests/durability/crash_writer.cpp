// The writer the crash test kills: opens (and migrates) the store, makes sure its clients exist, then writes
// whole clinic sessions (crash_protocol.hpp) from several threads through one GroupCommitter and prints one
// "ack …" line per write once its transaction committed, with a single write(2) so a line is never half
// there. The test SIGKILLs it at a random point and checks that every acknowledged session is in the
// database, whole.
//
// Usage: crash_writer WHERE RUN THREADS WRITES_PER_THREAD
//   WHERE  a SQLite file or a PostgreSQL conninfo; RUN  a number unique to this process (rollers are
//   labelled with it). Exit: 0 every write acknowledged ("done N" last), 2 bad usage, 3 the store does not
//   open, 4 a write failed.

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <thread>

#include "crash_protocol.hpp"
#include "needlework/store/group_commit.hpp"

namespace {

using namespace durability;

void emit(const std::string& line) {
  std::size_t done = 0;
  while (done < line.size()) {
    const auto n = ::write(STDOUT_FILENO, line.data() + done, line.size() - done);
    if (n <= 0) std::_Exit(5);  // the reader is gone
    done += static_cast<std::size_t>(n);
  }
}

int to_int(const char* s) {
  int v = 0;
  const auto [p, ec] = std::from_chars(s, s + std::strlen(s), v);
  return ec == std::errc() && *p == '\0' ? v : -1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: crash_writer WHERE RUN THREADS WRITES_PER_THREAD\n");
    return 2;
  }
  const std::string where = argv[1];
  const int run = to_int(argv[2]), threads = to_int(argv[3]), writes = to_int(argv[4]);
  if (run < 0 || threads <= 0 || writes < 0) {
    std::fprintf(stderr, "crash_writer: RUN, THREADS and WRITES_PER_THREAD are whole numbers\n");
    return 2;
  }
  auto opened = open_where(where);
  if (!opened) {
    std::fprintf(stderr, "crash_writer: %s\n", opened.error().describe().c_str());
    return 3;
  }
  auto& store = **opened;
  ns::ClinicStore clinic(store, seed_pack(), {.regions = &skin_regions()});

  // Each client's next session: a week after its latest recorded one (whether or not that was acknowledged).
  std::map<std::string, nu::DateTime> next_at;
  for (int t = 0; t < threads; ++t) {
    for (int j = 0; j < clients_per_thread; ++j) {
      const std::string id = client_id(t, j);
      if (auto r = ensure_client(store, clinic, id); !r) {
        std::fprintf(stderr, "crash_writer: setting up %s: %s\n", id.c_str(), r.error().describe().c_str());
        return 4;
      }
      auto sessions = store.sessions_of(id);
      if (!sessions) {
        std::fprintf(stderr, "crash_writer: %s\n", sessions.error().describe().c_str());
        return 4;
      }
      next_at[id] = sessions->empty() ? first_session_at() : sessions->back().started_at + session_spacing;
    }
  }

  std::atomic<bool> failed{false};
  std::atomic<int> acked{0};
  {
    ns::GroupCommitter committer(store, clinic);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      // Each thread owns its clients, so their next times need no lock.
      std::map<std::string, nu::DateTime> mine;
      for (int j = 0; j < clients_per_thread; ++j) mine[client_id(t, j)] = next_at[client_id(t, j)];
      pool.emplace_back([&, t, mine]() mutable {
        for (int n = 0; n < writes && !failed; ++n) {
          CrashKey k{run, t, n, client_id(t, n % clients_per_thread), {}};
          k.at = mine[k.client];
          mine[k.client] += session_spacing;
          auto r = committer.submit([k](ns::ClinicStore& c) { return write_session(c, k); }).get();
          if (!r) {
            std::fprintf(stderr, "crash_writer: run %d thread %d write %d: %s\n", run, t, n,
                         r.error().describe().c_str());
            failed = true;
            return;
          }
          emit(ack_line(k, *r));  // only now: the transaction holding it has committed
          ++acked;
        }
      });
    }
    for (auto& th : pool) th.join();
  }
  if (failed) return 4;
  emit(fmt::format("done {}\n", acked.load()));
  return 0;
}
