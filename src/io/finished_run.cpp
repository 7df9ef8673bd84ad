#include "io/finished_run.hpp"

#include <sys/stat.h>

#include "io/h5_handle.hpp"

namespace myelin {

namespace {

std::string string_attribute(hid_t object, const char* name) {
  if (H5Aexists(object, name) <= 0) return {};
  H5Handle attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose, "H5Aopen", name);
  H5Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "H5Tcopy", name);
  h5_check(H5Tset_size(type, H5T_VARIABLE), "H5Tset_size", name);
  h5_check(H5Tset_cset(type, H5T_CSET_UTF8), "H5Tset_cset", name);
  char* text = nullptr;
  h5_check(H5Aread(attribute, type, &text), "H5Aread", name);
  std::string out = text != nullptr ? text : "";
  H5free_memory(text);
  return out;
}

}  // namespace

bool is_finished_run(const std::string& path, const std::string& config_text,
                     const std::vector<std::string>& overrides) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return false;
  try {
    h5_silence_errors();
    H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "H5Fopen", path);
    H5Handle meta(H5Gopen2(file, "meta", H5P_DEFAULT), H5Gclose, "H5Gopen2", path);
    if (H5Aexists(meta, "complete") <= 0) return false;
    H5Handle complete(H5Aopen(meta, "complete", H5P_DEFAULT), H5Aclose, "H5Aopen", path);
    int flag = 0;
    h5_check(H5Aread(complete, H5T_NATIVE_INT, &flag), "H5Aread", path);
    std::string joined;
    for (std::size_t i = 0; i < overrides.size(); ++i)
      joined += (i == 0 ? "" : "\n") + overrides[i];
    return flag == 1 && string_attribute(meta, "config") == config_text &&
           string_attribute(meta, "overrides") == joined;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace myelin
