//===- Files.cpp - directories and whole-file writes ----------------------===//
#include "runtime/io/Files.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace ssmrt;

namespace {
std::string errnoText() { return std::strerror(errno); }
} // namespace

Status ssmrt::createDirectories(const std::string &path) {
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/')
      continue;
    std::string prefix = path.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST)
      return Status::error("cannot create directory " + prefix + ": " + errnoText());
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Status::error(path + " is not a directory");
  return okStatus();
}

Status ssmrt::writeFileAtomically(const std::string &path, const void *data, size_t size) {
  std::string temporary = path + ".tmp.XXXXXX";
  int fd = ::mkostemp(temporary.data(), O_CLOEXEC);
  if (fd < 0)
    return Status::error("cannot write " + path + ": " + errnoText());
  const char *bytes = static_cast<const char *>(data);
  size_t done = 0;
  bool written = true;
  while (written && done < size) {
    ssize_t n = ::write(fd, bytes + done, size - done);
    if (n < 0 && errno == EINTR)
      continue;
    written = n > 0;
    if (written)
      done += size_t(n);
  }
  std::string error = written ? "" : errnoText();
  if (::close(fd) != 0 && written) {
    written = false;
    error = errnoText();
  }
  if (written && ::rename(temporary.c_str(), path.c_str()) != 0) {
    written = false;
    error = errnoText();
  }
  if (!written) {
    ::unlink(temporary.c_str());
    return Status::error("cannot write " + path + ": " + error);
  }
  return okStatus();
}

bool ssmrt::readWholeFile(const std::string &path, std::vector<uint8_t> &bytes) {
  bytes.clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  uint8_t chunk[1 << 16];
  bool ok = true;
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      ok = n == 0;
      break;
    }
    bytes.insert(bytes.end(), chunk, chunk + n);
  }
  ::close(fd);
  return ok;
}
