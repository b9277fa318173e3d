#pragma once
// Static files of the web root (the browser app), served from memory once read: a content type by extension,
// a strong ETag (the SHA-256 of the bytes) answered with 304 when the client has it, a year's cache for
// hashed file names (Vite's "name-HASH.js") and revalidation for the rest, and a precompressed "<file>.gz"
// when the client accepts gzip. A path that leaves the root (.., a symlink out) is 404.

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "needlework/server/api.hpp"

namespace needlework::server {

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path root);
  /// The answer to a GET or HEAD of `request.path` ("/" is index.html; a path without an extension that is no
  /// file is index.html too, so the app's own routes load it).
  Response serve(const Request& request);

 private:
  struct File {
    std::string body;
    std::string gzip;  ///< the precompressed body ("" when there is no .gz beside it)
    std::string etag;
    std::string content_type;
    bool immutable = false;
  };
  std::shared_ptr<const File> load(const std::string& relative);

  std::filesystem::path root_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const File>, std::less<>> cache_;  // guarded by mutex_
};

}  // namespace needlework::server
