#include "io/checkpoint_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "comm/mpi_communicator.hpp"
#include "core/hash.hpp"
#include "io/h5_handle.hpp"
#include "io/h5_write.hpp"
#include "myelin/errors.hpp"

namespace myelin {

namespace {

constexpr hsize_t user_block = 512;
constexpr std::string_view seal_magic = "MYELIN-CHECKPOINT 1\n";

template <typename T>
hid_t type_of() {
  if constexpr (std::is_same_v<T, double>) return H5T_NATIVE_DOUBLE;
  if constexpr (std::is_same_v<T, std::uint64_t>) return H5T_NATIVE_UINT64;
  if constexpr (std::is_same_v<T, std::int64_t>) return H5T_NATIVE_INT64;
}

// The file space of a 1-D set of `total` elements with `runs` selected (none: empty selection).
void select_runs(hid_t space, std::span<const ElementRun> runs, const std::string& what) {
  if (runs.empty()) {
    h5_check(H5Sselect_none(space), "H5Sselect_none", what);
    return;
  }
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const hsize_t start = runs[i].start, count = runs[i].length;
    h5_check(H5Sselect_hyperslab(space, i == 0 ? H5S_SELECT_SET : H5S_SELECT_OR, &start, nullptr,
                                 &count, nullptr),
             "H5Sselect_hyperslab", what);
  }
}

std::uint64_t elements_in(std::span<const ElementRun> runs) {
  std::uint64_t n = 0;
  for (const ElementRun& r : runs) n += r.length;
  return n;
}

std::uint64_t hash_file_from(const std::string& path, std::uint64_t offset, std::uint64_t& size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read " + path + ": " + std::strerror(errno));
  in.seekg(0, std::ios::end);
  size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(static_cast<std::streamoff>(offset));
  ByteHash hash;
  std::vector<unsigned char> buffer(1 << 20);
  while (in) {
    in.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(buffer.size()));
    hash.add(std::span<const unsigned char>(buffer.data(), static_cast<std::size_t>(in.gcount())));
  }
  return hash.finish();
}

std::string seal_text(std::uint64_t size, std::uint64_t hash) {
  char text[128];
  std::snprintf(text, sizeof text, "%.*sbytes %" PRIu64 "\nhash %016" PRIx64 "\n",
                static_cast<int>(seal_magic.size()), seal_magic.data(), size, hash);
  return text;
}

void fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

}  // namespace

std::string checkpoint_seal_problem(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::strerror(errno);
  if (!S_ISREG(info.st_mode)) return "not a regular file";
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string("cannot read: ") + std::strerror(errno);
  std::array<char, user_block> block{};
  in.read(block.data(), block.size());
  if (static_cast<std::size_t>(in.gcount()) < seal_magic.size() ||
      std::string_view(block.data(), seal_magic.size()) != seal_magic)
    return "not a Myelin checkpoint (no seal: an unfinished write, or another kind of file)";
  std::uint64_t expected_size = 0;
  std::uint64_t expected_hash = 0;
  if (std::sscanf(block.data() + seal_magic.size(), "bytes %" SCNu64 "\nhash %" SCNx64,
                  &expected_size, &expected_hash) != 2)
    return "corrupt (unreadable seal)";
  std::uint64_t size = 0;
  std::uint64_t hash = 0;
  try {
    hash = hash_file_from(path, user_block, size);
  } catch (const IoError& e) {
    return e.what();
  }
  if (size < expected_size)
    return "truncated (" + std::to_string(size) + " of " + std::to_string(expected_size) +
           " bytes)";
  if (size > expected_size)
    return "corrupt (" + std::to_string(size) + " bytes, the seal says " +
           std::to_string(expected_size) + ")";
  if (hash != expected_hash) return "corrupt (content hash mismatch: the file was changed)";
  return "";
}

// ---------------------------------------------------------------------------------------------

struct CheckpointWriter::Impl {
  Communicator* comm = nullptr;
  std::string path;
  std::string tmp;
  H5Handle file;
  H5Handle transfer;
  H5Handle link_create;

  // Runs `f` on every rank; when it threw on any, every rank throws IoError.
  template <typename F>
  void agreed(F&& f) {
    std::string error;
    try {
      f();
    } catch (const std::exception& e) {
      error = e.what();
    }
    const int failed = comm->first_failed_rank(!error.empty());
    if (failed >= 0) {
      const std::string message = comm->broadcast(error, failed);
      throw IoError("cannot write checkpoint " + path + ": " + message);
    }
  }
};

CheckpointWriter::CheckpointWriter(std::string path, Communicator& comm)
    : impl_(std::make_unique<Impl>()) {
  h5_silence_errors();
  Impl& w = *impl_;
  w.comm = &comm;
  w.path = std::move(path);
  w.tmp = w.path + ".tmp";
  w.agreed([&] {
    H5Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "H5Pcreate", w.tmp);
    h5_check(H5Pset_fapl_mpio(access, native_handle(comm), MPI_INFO_NULL), "H5Pset_fapl_mpio",
             w.tmp);
    H5Handle create(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "H5Pcreate", w.tmp);
    h5_check(H5Pset_userblock(create, user_block), "H5Pset_userblock", w.tmp);
    w.file = H5Handle(H5Fcreate(w.tmp.c_str(), H5F_ACC_TRUNC, create, access), H5Fclose,
                      "H5Fcreate", w.tmp);
    w.transfer = H5Handle(H5Pcreate(H5P_DATASET_XFER), H5Pclose, "H5Pcreate", w.tmp);
    h5_check(H5Pset_dxpl_mpio(w.transfer, H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio", w.tmp);
    w.link_create = H5Handle(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "H5Pcreate", w.tmp);
    h5_check(H5Pset_create_intermediate_group(w.link_create, 1), "H5Pset_create_intermediate_group",
             w.tmp);
  });
}

CheckpointWriter::~CheckpointWriter() = default;

void CheckpointWriter::attribute(const std::string& name, std::string_view value) {
  impl_->agreed([&] { write_attribute(impl_->file, name, value); });
}
void CheckpointWriter::attribute(const std::string& name, std::uint64_t value) {
  impl_->agreed([&] { write_attribute(impl_->file, name, value); });
}
void CheckpointWriter::attribute(const std::string& name, double value) {
  impl_->agreed([&] { write_attribute(impl_->file, name, value); });
}

namespace {

template <typename T>
void write_set(hid_t file, hid_t link_create, hid_t transfer, const std::string& name,
               std::uint64_t total, std::span<const ElementRun> runs, std::span<const T> data) {
  if (elements_in(runs) != data.size())
    throw std::invalid_argument("checkpoint dataset " + name + ": runs and data differ in size");
  const hsize_t n = total;
  H5Handle file_space(H5Screate_simple(1, &n, nullptr), H5Sclose, "H5Screate_simple", name);
  H5Handle set(H5Dcreate2(file, name.c_str(), type_of<T>(), file_space, link_create, H5P_DEFAULT,
                          H5P_DEFAULT),
               H5Dclose, "H5Dcreate2", name);
  if (total == 0) return;
  select_runs(file_space, runs, name);
  const hsize_t memory_n = std::max<hsize_t>(data.size(), 1);
  H5Handle memory_space(H5Screate_simple(1, &memory_n, nullptr), H5Sclose, "H5Screate_simple",
                        name);
  if (data.empty()) h5_check(H5Sselect_none(memory_space), "H5Sselect_none", name);
  h5_check(H5Dwrite(set, type_of<T>(), memory_space, file_space, transfer, data.data()), "H5Dwrite",
           name);
}

}  // namespace

void CheckpointWriter::write(const std::string& name, std::uint64_t total,
                             std::span<const ElementRun> runs, std::span<const double> data) {
  Impl& w = *impl_;
  w.agreed([&] { write_set(w.file, w.link_create, w.transfer, name, total, runs, data); });
}
void CheckpointWriter::write(const std::string& name, std::uint64_t total,
                             std::span<const ElementRun> runs,
                             std::span<const std::uint64_t> data) {
  Impl& w = *impl_;
  w.agreed([&] { write_set(w.file, w.link_create, w.transfer, name, total, runs, data); });
}
void CheckpointWriter::write(const std::string& name, std::uint64_t total,
                             std::span<const ElementRun> runs, std::span<const std::int64_t> data) {
  Impl& w = *impl_;
  w.agreed([&] { write_set(w.file, w.link_create, w.transfer, name, total, runs, data); });
}

std::uint64_t CheckpointWriter::commit() {
  Impl& w = *impl_;
  w.agreed([&] {
    w.link_create.reset();
    w.transfer.reset();
    w.file.close(w.tmp);
  });
  std::uint64_t size = 0;
  w.agreed([&] {
    if (w.comm->rank() != 0) return;
    const std::uint64_t hash = hash_file_from(w.tmp, user_block, size);
    const std::string seal = seal_text(size, hash);
    const int fd = ::open(w.tmp.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw IoError(std::string("open: ") + std::strerror(errno));
    const bool ok =
        ::pwrite(fd, seal.data(), seal.size(), 0) == static_cast<ssize_t>(seal.size()) &&
        ::fsync(fd) == 0;
    const int error = errno;
    ::close(fd);
    if (!ok) throw IoError(std::string("sealing: ") + std::strerror(error));
    if (std::rename(w.tmp.c_str(), w.path.c_str()) != 0)
      throw IoError("rename to " + w.path + ": " + std::strerror(errno));
    fsync_path(directory_of(w.path), O_RDONLY | O_DIRECTORY);
  });
  return std::stoull(w.comm->broadcast(std::to_string(size), 0));
}

// ---------------------------------------------------------------------------------------------

struct CheckpointReader::Impl {
  Communicator* comm = nullptr;
  std::string path;
  H5Handle file;
  H5Handle transfer;

  InputError refused(const std::string& reason) const {
    return input_error("checkpoint", path, reason);
  }
  // Runs `f` on every rank; when it threw on any, every rank throws the first one's message.
  template <typename F>
  void agreed(F&& f) const {
    std::string error;
    try {
      f();
    } catch (const std::exception& e) {
      error = e.what();
    }
    const int failed = comm->first_failed_rank(!error.empty());
    if (failed >= 0) throw refused(comm->broadcast(error, failed));
  }
};

CheckpointReader::CheckpointReader(std::string path, Communicator& comm)
    : impl_(std::make_unique<Impl>()) {
  h5_silence_errors();
  Impl& r = *impl_;
  r.comm = &comm;
  r.path = std::move(path);
  const std::string problem =
      comm.broadcast(comm.rank() == 0 ? checkpoint_seal_problem(r.path) : std::string(), 0);
  if (!problem.empty()) throw r.refused(problem);
  r.agreed([&] {
    H5Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "H5Pcreate", r.path);
    h5_check(H5Pset_fapl_mpio(access, native_handle(comm), MPI_INFO_NULL), "H5Pset_fapl_mpio",
             r.path);
    r.file = H5Handle(H5Fopen(r.path.c_str(), H5F_ACC_RDONLY, access), H5Fclose, "H5Fopen", r.path);
    r.transfer = H5Handle(H5Pcreate(H5P_DATASET_XFER), H5Pclose, "H5Pcreate", r.path);
    h5_check(H5Pset_dxpl_mpio(r.transfer, H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio", r.path);
  });
}

CheckpointReader::~CheckpointReader() = default;

const std::string& CheckpointReader::path() const {
  return impl_->path;
}

bool CheckpointReader::has_attribute(const std::string& name) const {
  return H5Aexists(impl_->file, name.c_str()) > 0;
}

namespace {

H5Handle open_attribute(hid_t file, const std::string& name) {
  if (H5Aexists(file, name.c_str()) <= 0)
    throw std::runtime_error("attribute " + name + " missing");
  return H5Handle(H5Aopen(file, name.c_str(), H5P_DEFAULT), H5Aclose, "H5Aopen", name);
}

template <typename T>
T scalar_attribute(hid_t file, const std::string& name) {
  const H5Handle attribute = open_attribute(file, name);
  T value{};
  h5_check(H5Aread(attribute, type_of<T>(), &value), "H5Aread", name);
  return value;
}

}  // namespace

std::string CheckpointReader::string_attribute(const std::string& name) const {
  std::string out;
  impl_->agreed([&] {
    const H5Handle attribute = open_attribute(impl_->file, name);
    H5Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "H5Tcopy", name);
    h5_check(H5Tset_size(type, H5T_VARIABLE), "H5Tset_size", name);
    h5_check(H5Tset_cset(type, H5T_CSET_UTF8), "H5Tset_cset", name);
    char* text = nullptr;
    h5_check(H5Aread(attribute, type, &text), "H5Aread", name);
    out = text != nullptr ? text : "";
    H5free_memory(text);
  });
  return out;
}

std::uint64_t CheckpointReader::uint_attribute(const std::string& name) const {
  std::uint64_t out = 0;
  impl_->agreed([&] { out = scalar_attribute<std::uint64_t>(impl_->file, name); });
  return out;
}

double CheckpointReader::real_attribute(const std::string& name) const {
  double out = 0;
  impl_->agreed([&] { out = scalar_attribute<double>(impl_->file, name); });
  return out;
}

bool CheckpointReader::has(const std::string& name) const {
  // Every level must exist before H5Lexists may look at the next.
  std::size_t at = 0;
  while (true) {
    at = name.find('/', at + 1);
    const std::string prefix = name.substr(0, at);
    if (H5Lexists(impl_->file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (at == std::string::npos) return true;
  }
}

std::uint64_t CheckpointReader::size(const std::string& name) const {
  std::uint64_t n = 0;
  impl_->agreed([&] {
    if (!has(name)) throw std::runtime_error("dataset " + name + " missing");
    H5Handle set(H5Dopen2(impl_->file, name.c_str(), H5P_DEFAULT), H5Dclose, "H5Dopen2", name);
    H5Handle space(H5Dget_space(set), H5Sclose, "H5Dget_space", name);
    if (H5Sget_simple_extent_ndims(space) != 1)
      throw std::runtime_error("dataset " + name + " is not 1-D");
    hsize_t dims = 0;
    H5Sget_simple_extent_dims(space, &dims, nullptr);
    n = dims;
  });
  return n;
}

namespace {

template <typename T>
void read_set(const CheckpointReader& reader, hid_t file, hid_t transfer, const std::string& name,
              std::uint64_t total, std::span<const ElementRun> runs, std::span<T> out) {
  const std::uint64_t n = reader.size(name);
  if (n != total)
    throw std::runtime_error("dataset " + name + " has " + std::to_string(n) +
                             " elements, this network needs " + std::to_string(total) +
                             " (another config?)");
  if (elements_in(runs) != out.size())
    throw std::invalid_argument("checkpoint dataset " + name + ": runs and buffer differ in size");
  if (total == 0) return;
  H5Handle set(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose, "H5Dopen2", name);
  H5Handle file_space(H5Dget_space(set), H5Sclose, "H5Dget_space", name);
  select_runs(file_space, runs, name);
  const hsize_t memory_n = std::max<hsize_t>(out.size(), 1);
  H5Handle memory_space(H5Screate_simple(1, &memory_n, nullptr), H5Sclose, "H5Screate_simple",
                        name);
  if (out.empty()) h5_check(H5Sselect_none(memory_space), "H5Sselect_none", name);
  h5_check(H5Dread(set, type_of<T>(), memory_space, file_space, transfer, out.data()), "H5Dread",
           name);
}

}  // namespace

void CheckpointReader::read(const std::string& name, std::uint64_t total,
                            std::span<const ElementRun> runs, std::span<double> out) {
  impl_->agreed([&] { read_set(*this, impl_->file, impl_->transfer, name, total, runs, out); });
}
void CheckpointReader::read(const std::string& name, std::uint64_t total,
                            std::span<const ElementRun> runs, std::span<std::uint64_t> out) {
  impl_->agreed([&] { read_set(*this, impl_->file, impl_->transfer, name, total, runs, out); });
}
void CheckpointReader::read(const std::string& name, std::uint64_t total,
                            std::span<const ElementRun> runs, std::span<std::int64_t> out) {
  impl_->agreed([&] { read_set(*this, impl_->file, impl_->transfer, name, total, runs, out); });
}

}  // namespace myelin
