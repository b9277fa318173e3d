// The HTTP layer of `needlework serve` on RESTinio (over standalone Asio): the only file of the project that
// includes them, so their long compile happens once. It turns RESTinio requests into `Request`s for
// `Api::handle` and its `Response`s back, applies the connection settings (limits, timeouts, the connection
// cap, TLS), prints the address, and drains on SIGTERM/SIGINT.

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <csignal>
#include <memory>
#include <restinio/all.hpp>
#include <restinio/tls.hpp>

#include "needlework/server/server.hpp"
#include "routes.hpp"
#include "services.hpp"

namespace needlework::server {
namespace {

/// Requests being handled now: the drain waits for this to reach zero.
struct InFlight {
  std::atomic<int> count{0};
  std::atomic<bool> draining{false};
};

std::string_view reason_of(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

template <class Socket>
struct Traits
    : public restinio::traits_t<restinio::asio_timer_manager_t, restinio::null_logger_t,
                                restinio::default_request_handler_t, restinio::default_strand_t, Socket> {
  static constexpr bool use_connection_count_limiter = true;
};

using PlainTraits = Traits<restinio::asio_ns::ip::tcp::socket>;
using TlsTraits = Traits<restinio::tls_socket_t>;

Request to_request(const restinio::request_t& req) {
  Request r;
  const auto& h = req.header();
  r.method = h.method().c_str();
  r.path = std::string(h.path());
  r.query = std::string(h.query());
  h.for_each_field(
      [&](const restinio::http_header_field_t& f) { r.headers.emplace_back(f.name(), f.value()); });
  r.body = req.body();
  r.remote = req.remote_endpoint().address().to_string();
  return r;
}

/// A token (RFC 9110 5.6.2): what a field name must be.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (const unsigned char c : s) {
    const bool ok = std::isalnum(c) != 0 ||
                    std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

/// The answer to a request whose framing is ambiguous, which http_parser lets through but RFC 9112 says to
/// refuse: a field name that is not a token ("Transfer-Encoding : chunked", which a proxy in front may read
/// as chunked while this server does not: request smuggling), a value with a control character (a line folded
/// onto the next, obs-fold, or a NUL). Nothing when the request is well formed. The connection is closed
/// after it: what follows on it cannot be trusted to start where this request ended.
std::optional<Response> refuse_malformed(const restinio::request_t& req) {
  std::optional<Response> refused;
  req.header().for_each_field([&](const restinio::http_header_field_t& f) {
    if (refused) return;
    if (!is_token(f.name())) {
      refused =
          error_response(400, "parse_error", "a header field name is not a token (no spaces, no colon)");
      return;
    }
    for (const unsigned char c : f.value()) {
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        refused =
            error_response(400, "parse_error",
                           "a header field value holds a control character or is folded onto the next line");
        return;
      }
    }
  });
  if (refused) refused->headers.emplace_back("Connection", "close");
  return refused;
}

void send(const restinio::request_handle_t& req, Response res) {
  auto out = req->create_response(
      restinio::http_status_line_t{restinio::http_status_code_t{static_cast<std::uint16_t>(res.status)},
                                   std::string(reason_of(res.status))});
  if (!res.content_type.empty()) out.append_header(restinio::http_field::content_type, res.content_type);
  for (auto& [k, v] : res.headers) {
    // RESTinio writes the Connection header itself from the response's flag: a second one would say
    // "keep-alive" and "close" at once, and the connection would stay open.
    if (restinio::impl::is_equal_caseless(k, "Connection")) {
      if (restinio::impl::is_equal_caseless(v, "close")) out.connection_close();
      continue;
    }
    out.append_header(k, std::move(v));
  }
  if (req->header().method() != restinio::http_method_head()) {
    // A static file's body is shared with the file cache, not copied. (sendfile(2) of the open file was
    // measured too: dup + sendfile + close cost more CPU per 64 KiB answer on this machine than one sendmsg
    // of the cached bytes — docs/performance.md, "HTTP server".)
    if (res.shared_body) {
      out.set_body(std::move(res.shared_body));
    } else {
      out.set_body(std::move(res.body));
    }
  }
  out.done();
}

/// The connections the server may hold at once: `wanted`, or fewer when the open-file limit would not allow
/// them. Each connection is a file; `reserve` more are kept for the database connections, logs, photos and
/// Asio's own. The soft limit is raised to the hard one first. An accept that fails for want of a file
/// (EMFILE) ends RESTinio 0.6's accept loop for good — the server would never accept again — so the cap keeps
/// the server from ever reaching the limit.
std::size_t connection_cap(std::size_t wanted, int threads) {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) != 0) return wanted;
  if (files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
    getrlimit(RLIMIT_NOFILE, &files);
  }
  if (files.rlim_cur == RLIM_INFINITY) return wanted;
  const auto reserve = static_cast<rlim_t>(64 + 8 * threads);
  const auto allowed = files.rlim_cur > reserve + 1 ? files.rlim_cur - reserve : 1;
  if (wanted <= allowed) return wanted;
  spdlog::warn("max_connections {} is more than the open-file limit ({}) allows: holding at most {}", wanted,
               files.rlim_cur, allowed);
  return static_cast<std::size_t>(allowed);
}

/// An io_context that can be shut down (its pending operations destroyed) before it is destroyed.
struct IoContext : restinio::asio_ns::io_context {
  using restinio::asio_ns::io_context::shutdown;
};

/// Serves until SIGTERM/SIGINT. `stop_writes` runs once the io threads have returned and before the
/// io_context goes: it must stop every thread that may still post an answer into it (the group committer's).
template <class T>
Result<void> run_server(const ServerConfig& config, Api& api, std::ostream& out,
                        std::function<void(restinio::server_settings_t<T>&)> extra,
                        const std::function<void()>& stop_writes) {
  IoContext io;
  InFlight in_flight;
  const auto colon = config.listen.rfind(':');
  std::string host = config.listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const auto port = static_cast<std::uint16_t>(std::stoi(config.listen.substr(colon + 1)));

  std::string listening;  // the "listening on" line, once bound
  const std::size_t max_connections = connection_cap(config.max_connections, config.threads);
  restinio::server_settings_t<T> settings;
  settings.address(host)
      .port(port)
      .read_next_http_message_timelimit(config.idle_timeout)
      .write_http_response_timelimit(config.request_timeout)
      .handle_request_timeout(config.request_timeout)
      .max_parallel_connections(max_connections)
      .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                    .max_url_size(config.max_header_bytes)
                                    .max_field_name_size(config.max_header_bytes)
                                    .max_field_value_size(config.max_header_bytes)
                                    .max_field_count(200)
                                    // One byte over the API's own limit reaches Api::handle, which answers
                                    // 413; anything far beyond is cut off here while it is read.
                                    .max_body_size(config.max_body_bytes + (1u << 20)))
      // Every answer is sent after the handler has returned, never from inside it (`answer_later`): RESTinio
      // 0.6.16 restarts reading a connection twice when a pipelined request is answered inside its handler
      // (once as the handler returns, once as the answer's write ends), and the second read finds no room for
      // the next request — "response_context_table is full" — and drops the connection with the pipelined
      // requests unanswered. Writes already answer from the group committer's thread.
      .request_handler([&api, &in_flight, &io](const restinio::request_handle_t& req) {
        auto answer_later = [&io, req](Response r) {
          restinio::asio_ns::post(io, [req, r = std::move(r)]() mutable { send(req, std::move(r)); });
        };
        if (in_flight.draining.load()) {
          auto r = error_response(503, "unavailable", "the server is shutting down; try again shortly");
          r.headers.emplace_back("Connection", "close");
          answer_later(std::move(r));
          return restinio::request_accepted();
        }
        if (auto refused = refuse_malformed(*req)) {
          answer_later(std::move(*refused));
          return restinio::request_accepted();
        }
        ++in_flight.count;
        api.handle(to_request(*req), [&io, req, &in_flight](Response r) {
          // Counted out once the answer is handed to its connection, so a drain waits for it.
          restinio::asio_ns::post(io, [req, r = std::move(r), &in_flight]() mutable {
            send(req, std::move(r));
            --in_flight.count;
          });
        });
        return restinio::request_accepted();
      })
      // The hook runs between bind() and listen(): it only learns the address (and the port 0 picked); the
      // line is printed once the acceptor listens (open_async's success), so whoever reads it can connect.
      .acceptor_post_bind_hook(
          [&listening, tls = static_cast<bool>(extra)](restinio::asio_ns::ip::tcp::acceptor& a) {
            const auto ep = a.local_endpoint();
            const auto address = ep.address().is_v6() ? fmt::format("[{}]", ep.address().to_string())
                                                      : ep.address().to_string();
            listening = fmt::format("needlework serve: listening on {}://{}:{}\n", tls ? "https" : "http",
                                    address, ep.port());
          });
  if (extra) extra(settings);

  restinio::http_server_t<T> server{restinio::external_io_context(io), std::move(settings)};
  std::optional<Error> open_error;
  server.open_async([&] { out << listening << std::flush; },
                    [&](std::exception_ptr e) {
                      try {
                        std::rethrow_exception(e);
                      } catch (const std::exception& x) {
                        open_error = Error{ErrorCode::io_error, x.what(), "listen " + config.listen};
                      }
                      io.stop();
                    });

  // SIGTERM / SIGINT: stop taking requests (new ones get 503 and a closed connection), wait for those in
  // flight up to drain_timeout, then stop the io threads; the listening socket is closed once they are done.
  restinio::asio_ns::signal_set signals(io, SIGINT, SIGTERM);
  restinio::asio_ns::steady_timer drain_timer(io);
  std::chrono::steady_clock::time_point deadline;
  std::function<void()> wait_drain = [&] {
    if (in_flight.count.load() == 0 || std::chrono::steady_clock::now() >= deadline) {
      // The listening socket is closed below, once every io thread has returned — not here by close_async:
      // RESTinio 0.6.16 runs a close on a strand of its own, apart from the strand its accepts run on, so a
      // client connecting during the close had two threads on the acceptor at once (a data race
      // ThreadSanitizer reported in CI, async_accept against close).
      io.stop();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(10));
    drain_timer.async_wait([&](const std::error_code&) { wait_drain(); });
  };
  signals.async_wait([&](const std::error_code& ec, int) {
    if (ec) return;
    spdlog::info("stopping: draining requests in flight");
    in_flight.draining = true;
    deadline = std::chrono::steady_clock::now() + config.drain_timeout;
    wait_drain();
  });

  std::vector<std::thread> threads;
  for (int i = 1; i < config.threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  // No io thread runs now: closing the acceptor here races with nothing (see wait_drain). An accept it
  // cancels is queued and never run; io.shutdown() below destroys it.
  try {
    server.close_sync();
  } catch (const std::exception& e) {
    spdlog::warn("closing the listening socket: {}", e.what());
  }
  // A write acknowledged now posts its answer from the group committer's thread into `io`: that thread must
  // be done before `io` is destroyed (ThreadSanitizer caught the post racing the io_context's destructor).
  // Posted and never run, the answers are destroyed with the connections below.
  stop_writes();
  // Connections still open (kept alive, idle) sit in pending operations that point into the server's
  // connection counter: destroy them now, while the server object lives, not when `io` goes after it.
  io.shutdown();
  if (open_error) return std::unexpected(*open_error);
  return {};
}

void set_up_access_log(const ServerConfig& config) {
  std::shared_ptr<spdlog::logger> logger;
  if (config.access_log.empty()) {
    logger = std::make_shared<spdlog::logger>("access", std::make_shared<spdlog::sinks::stdout_sink_mt>());
  } else {
    // A new log file is the server user's alone (0600; ASVS V7.3.3): its lines name users and routes. An
    // existing file keeps the mode its operator gave it.
    const int fd = ::open(config.access_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
    logger = std::make_shared<spdlog::logger>(
        "access", std::make_shared<spdlog::sinks::basic_file_sink_mt>(config.access_log.string()));
  }
  logger->set_pattern("%v");
  // Lines are written in batches (spdlog's flusher, every second, and at exit), not one write(2) per request:
  // a line per request flushed at once cost a system call per answer.
  logger->flush_on(spdlog::level::warn);
  spdlog::flush_every(std::chrono::seconds(1));
  spdlog::drop("access");
  spdlog::register_logger(logger);
}

}  // namespace

Result<void> serve(const ServerConfig& config, std::ostream& out) {
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return fail(ErrorCode::invalid_value, "give both tls_cert and tls_key, or neither", "tls_cert");
  }
  try {
    set_up_access_log(config);
  } catch (const spdlog::spdlog_ex& e) {
    return fail(ErrorCode::io_error, e.what(), "access_log");
  }
  NW_TRY(services, Services::open(config));
  NW_CHECK(make_first_admin(*services, out));
  Api api(services, api_routes());
  Result<void> ran;
  // Everything acknowledged is already committed; this writes what is queued and stops the writer.
  const std::function<void()> stop_writes = [&services] { services->close_writer(); };
  if (config.tls_cert.empty()) {
    ran = run_server<PlainTraits>(config, api, out, nullptr, stop_writes);
  } else {
    restinio::asio_ns::ssl::context tls{restinio::asio_ns::ssl::context::tls_server};
    try {
      tls.set_options(restinio::asio_ns::ssl::context::default_workarounds |
                      restinio::asio_ns::ssl::context::no_sslv2 | restinio::asio_ns::ssl::context::no_sslv3 |
                      restinio::asio_ns::ssl::context::no_tlsv1 |
                      restinio::asio_ns::ssl::context::no_tlsv1_1);
      // Under TLS 1.2 only forward-secret AEAD suites, in the server's order (OWASP ASVS 4.0.3 V9.1.2: no
      // CBC, no SHA-1 MAC, no static RSA key exchange); TLS 1.3's suites are all of that kind already.
      if (SSL_CTX_set_cipher_list(tls.native_handle(), "ECDHE+AESGCM:ECDHE+CHACHA20") != 1) {
        return fail(ErrorCode::io_error, "OpenSSL refused the TLS 1.2 cipher list", "tls_cert");
      }
      SSL_CTX_set_options(tls.native_handle(), SSL_OP_CIPHER_SERVER_PREFERENCE);
      tls.use_certificate_chain_file(config.tls_cert.string());
      tls.use_private_key_file(config.tls_key.string(), restinio::asio_ns::ssl::context::pem);
    } catch (const std::exception& e) {
      return fail(ErrorCode::io_error, fmt::format("cannot load the certificate or key: {}", e.what()),
                  "tls_cert");
    }
    auto shared = std::make_shared<restinio::asio_ns::ssl::context>(std::move(tls));
    ran = run_server<TlsTraits>(
        config, api, out,
        [shared](restinio::server_settings_t<TlsTraits>& s) { s.tls_context(std::move(*shared)); },
        stop_writes);
  }
  services->close_writer();  // run_server did already; idempotent
  if (auto access = spdlog::get("access")) access->flush();
  return ran;
}

}  // namespace needlework::server
