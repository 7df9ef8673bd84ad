#pragma once

// Reads the spike-time arrays of the reference files copied from ../shared/reference into
// tests/data/reference (JSON written by Python's json module). Not a JSON parser: it follows a
// path of keys and reads the number array after the last one.

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace myelin::testing {

inline std::vector<double> reference_array(const std::string& file,
                                           const std::vector<std::string>& keys) {
  const std::string path = std::string(MYELIN_SOURCE_DIR) + "/tests/data/reference/" + file;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::size_t pos = 0;
  for (const std::string& key : keys) {
    pos = text.find("\"" + key + "\"", pos);
    if (pos == std::string::npos) throw std::runtime_error(path + ": no key " + key);
    pos += key.size() + 2;
  }
  pos = text.find('[', pos);
  const std::size_t end = text.find(']', pos);
  std::vector<double> out;
  const char* p = text.c_str() + pos + 1;
  const char* stop = text.c_str() + end;
  while (p < stop) {
    char* next = nullptr;
    const double v = std::strtod(p, &next);
    if (next == p) {
      ++p;
      continue;
    }
    out.push_back(v);
    p = next;
  }
  return out;
}

}  // namespace myelin::testing
