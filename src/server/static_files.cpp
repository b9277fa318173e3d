// Static files from memory (static_files.hpp).

#include "static_files.hpp"

#include <fstream>
#include <regex>
#include <sstream>

#include "needlework/store/store.hpp"

namespace needlework::server {
namespace {

/// The media type of a file the app may serve; nothing for any other kind (a backup, an editor's swap file,
/// an archive left in the web root is not served: ASVS 4.0.3 V12.5.1).
std::optional<std::string> content_type_of(const std::filesystem::path& p) {
  static const std::map<std::string, std::string, std::less<>> types = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
      {".map", "application/json"}};
  auto it = types.find(p.extension().string());
  if (it == types.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> read_file(const std::filesystem::path& p) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool accepts_gzip(const Request& r) {
  auto h = r.header("Accept-Encoding");
  return h && h->find("gzip") != std::string_view::npos;
}

}  // namespace

StaticFiles::StaticFiles(std::filesystem::path root) : root_(std::filesystem::weakly_canonical(root)) {}

std::shared_ptr<const StaticFiles::File> StaticFiles::load(const std::string& relative) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(relative); it != cache_.end()) return it->second;
  }
  std::error_code ec;
  const auto path = std::filesystem::weakly_canonical(root_ / relative, ec);
  // Only inside the root: ".." or a symlink that leads out is not a file of the app.
  const auto rel = path.lexically_relative(root_);
  if (ec || rel.empty() || rel.native().starts_with("..")) return nullptr;
  // No hidden file or folder (.git, .env, .DS_Store): nothing the app ships starts with a dot (V4.3.2).
  for (const auto& part : rel) {
    if (part.native().starts_with('.')) return nullptr;
  }
  auto type = content_type_of(path);
  if (!type) return nullptr;
  auto body = read_file(path);
  if (!body) return nullptr;
  auto f = std::make_shared<File>();
  f->body = std::move(*body);
  f->gzip = read_file(path.string() + ".gz").value_or("");
  f->etag = "\"" + store::sha256_hex(f->body) + "\"";
  f->content_type = std::move(*type);
  // Vite names built assets "name-<8+ hash chars>.ext": their content never changes under that name.
  static const std::regex hashed(R"(-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$)");
  f->immutable = std::regex_search(path.filename().string(), hashed);
  std::lock_guard lock(mutex_);
  return cache_.emplace(relative, std::move(f)).first->second;
}

Response StaticFiles::serve(const Request& request) {
  std::string relative = request.path.substr(1);
  if (relative.empty() || relative.back() == '/') relative += "index.html";
  auto f = load(relative);
  if (!f && std::filesystem::path(relative).extension().empty()) f = load("index.html");
  if (!f) return error_response(404, "not_found", "no such file", "path");
  Response r;
  r.content_type = f->content_type;
  r.headers.emplace_back("ETag", f->etag);
  r.headers.emplace_back("Cache-Control", f->immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("Vary", "Accept-Encoding");
  if (auto inm = request.header("If-None-Match"); inm && *inm == f->etag) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  // The body is the cached file itself, shared with the answer rather than copied into it (the cache keeps
  // every file it read for the server's life).
  const bool gzip = !f->gzip.empty() && accepts_gzip(request);
  if (gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  if (request.method != "HEAD")
    r.shared_body = std::shared_ptr<const std::string>(f, gzip ? &f->gzip : &f->body);
  return r;
}

}  // namespace needlework::server
