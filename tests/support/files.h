// Small file and text helpers shared by the tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace streamapp::testing {

// The whole file; empty when it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `s` with every occurrence of `from` replaced by `to` (left to right,
// replacements are not searched again).
inline std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

}  // namespace streamapp::testing
