#include "io/sweep_file.hpp"

#include "io/h5_handle.hpp"
#include "io/h5_write.hpp"
#include "myelin/errors.hpp"
#include "myelin/version.hpp"

namespace myelin {

namespace {

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) out += (i ? "\n" : "") + lines[i];
  return out;
}

void write_text_column(hid_t parent, const std::string& name,
                       const std::vector<std::string>& values) {
  H5Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "H5Tcopy", name);
  h5_check(H5Tset_size(type, H5T_VARIABLE), "H5Tset_size", name);
  h5_check(H5Tset_cset(type, H5T_CSET_UTF8), "H5Tset_cset", name);
  std::vector<const char*> pointers;
  for (const auto& v : values) pointers.push_back(v.c_str());
  write_replicated(parent, name, type, {values.size()}, pointers.data(), 0, H5P_DEFAULT);
}

void copy_part(hid_t runs, const std::string& name, const std::string& part) {
  H5Handle source(H5Fopen(part.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "H5Fopen", part);
  const H5Handle target = create_group(runs, name);
  struct Children {
    std::vector<std::string> names;
  } children;
  h5_check(H5Literate(
               source, H5_INDEX_NAME, H5_ITER_INC, nullptr,
               [](hid_t, const char* child, const H5L_info_t*, void* out) -> herr_t {
                 static_cast<Children*>(out)->names.emplace_back(child);
                 return 0;
               },
               &children),
           "H5Literate", part);
  for (const std::string& child : children.names)
    h5_check(H5Ocopy(source, child.c_str(), target, child.c_str(), H5P_DEFAULT, H5P_DEFAULT),
             "H5Ocopy", part + ":/" + child);
}

}  // namespace

void write_sweep_file(const std::string& path, const SweepIndex& index) {
  h5_silence_errors();
  const std::size_t n = index.names.size();
  H5Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                "H5Fcreate", path);
  {
    const H5Handle meta = create_group(file, "meta");
    write_attribute(meta, "complete", 0);
    write_attribute(meta, "kind", std::string_view("sweep"));
    write_attribute(meta, "config", index.config_text);
    write_attribute(meta, "overrides", join_lines(index.overrides));
    write_attribute(meta, "version", std::string_view(version_string));
    write_attribute(meta, "git_sha", std::string_view(git_sha));
    write_attribute(meta, "ranks", index.ranks);
    write_attribute(meta, "ranks_per_run", index.ranks_per_run);
    write_attribute(meta, "threads", index.threads);
    write_attribute(meta, "n_runs", static_cast<std::uint64_t>(n));
    std::uint64_t failed = 0;
    for (const int c : index.complete) failed += c == 1 ? 0 : 1;
    write_attribute(meta, "n_failed", failed);
  }
  {
    const H5Handle sweep = create_group(file, "sweep");
    write_text_column(sweep, "names", index.names);
    write_replicated<std::uint64_t>(sweep, "seed", index.seeds, {n}, 0, H5P_DEFAULT);
    std::vector<std::int8_t> complete(index.complete.begin(), index.complete.end());
    write_replicated(sweep, "complete", H5T_NATIVE_INT8, {n}, complete.data(), 0, H5P_DEFAULT);
    write_text_column(sweep, "error", index.errors);
    const H5Handle params = create_group(sweep, "params");
    for (std::size_t k = 0; k < index.keys.size(); ++k) {
      std::vector<double> column;
      for (const auto& row : index.values) column.push_back(row[k]);
      write_replicated<double>(params, index.keys[k], column, {n}, 0, H5P_DEFAULT);
    }
  }
  {
    const H5Handle runs = create_group(file, "runs");
    for (std::size_t i = 0; i < n; ++i) {
      if (index.part_files[i].empty()) continue;
      copy_part(runs, index.names[i], index.part_files[i]);
      const H5Handle group = open_group(runs, index.names[i]);
      write_attribute(group, "seed", index.seeds[i]);
      write_attribute(group, "complete", index.complete[i]);
      write_attribute(group, "error", index.errors[i]);
      for (std::size_t k = 0; k < index.keys.size(); ++k)
        write_attribute(group, index.keys[k], index.values[i][k]);
    }
  }
  h5_check(H5Fflush(file, H5F_SCOPE_GLOBAL), "H5Fflush", path);
  const H5Handle meta = open_group(file, "meta");
  write_attribute(meta, "complete", 1);
}

}  // namespace myelin
