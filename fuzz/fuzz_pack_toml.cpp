// Knowledge packs (TOML): knowledge::load_pack, what `needlework pack validate` and every command that reads
// a pack call. The shipped seed and literature packs are copied once into a scratch packs folder; an input is
// one byte choosing a file of the two packs (literature extends seed) and the new text of that file, written
// over it before the pack that file belongs to is loaded, validated and linted, then put back.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "needlework/knowledge/loader.hpp"
#include "support/fuzz_support.hpp"

namespace {

namespace fs = std::filesystem;
using namespace needlework;

struct PackFile {
  std::string pack;  ///< the pack id the file belongs to
  fs::path path;     ///< in the scratch copy
  std::string original;
};

/// The files of the copied packs, in a fixed order (pack id, then file name): the input's first byte indexes
/// it, so a seed made for one file keeps meaning that file (fuzz/make-corpus.sh writes the seeds that way).
const std::vector<PackFile>& files() {
  static const std::vector<PackFile> all = [] {
    std::vector<PackFile> out;
    const fs::path packs = fuzz::scratch_dir() / "packs";
    for (const char* id : {"literature", "seed"}) {
      fs::create_directories(packs / id);
      std::vector<fs::path> names;
      for (const auto& e : fs::directory_iterator(fuzz::data_dir() / "packs" / id)) names.push_back(e.path());
      std::sort(names.begin(), names.end());
      for (const auto& from : names) {
        const auto to = packs / id / from.filename();
        fs::copy_file(from, to, fs::copy_options::overwrite_existing);
        std::ifstream in(from, std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        out.push_back(PackFile{id, to, std::move(text)});
      }
    }
    return out;
  }();
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto& all = files();
  const PackFile& file = all[data[0] % all.size()];
  fuzz::write_file(file.path, fuzz::text_of(data + 1, size - 1));
  auto pack = knowledge::load_pack(fuzz::scratch_dir() / "packs", file.pack);
  if (pack) (void)knowledge::lint(*pack);
  fuzz::write_file(file.path, file.original);
  return 0;
}
