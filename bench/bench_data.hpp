#pragma once
// Reads a file of the data directory (devices, skin regions) for the benchmarks.

#include <fstream>
#include <sstream>
#include <string>

namespace needlework::bench {

inline std::string read_data_file(const std::string& relative) {
  std::ifstream in(std::string(NEEDLEWORK_DATA_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace needlework::bench
