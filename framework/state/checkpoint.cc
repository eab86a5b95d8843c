// Local state files: wiping a task's state, and checkpoint files.
//
// A checkpoint has one line per changelog partition: "<topic> <partition>
// <offset>\n" (topic names never contain spaces). It is written to
// "<path>.tmp", fsynced, renamed over <path>, and the directory fsynced, so a
// reader sees the old file or the new one, never a torn one.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "state/stores.h"

namespace streamapp::state {
namespace {

Status Errno(const std::string& what) {
  return Status::IoError(what + ": " + std::strerror(errno));
}

Status WriteAll(int fd, const std::string& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("writing " + path);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status SyncDirectory(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("opening " + dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Errno("syncing " + dir);
}

template <typename T>
bool ParseInt(std::string_view text, T* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Status WipeDirectory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (ec) return Status::IoError("removing " + dir + ": " + ec.message());
  return Status::Ok();
}

Status WriteCheckpoint(const std::string& path, const CheckpointOffsets& offsets) {
  std::string data;
  for (const auto& [tp, offset] : offsets) {
    const std::string& topic = tp.first;
    if (topic.empty() || topic.find_first_of(" \t\r\n") != std::string::npos) {
      return Status::InvalidArgument("checkpoint " + path + ": bad topic name '" + topic + "'");
    }
    data += topic + " " + std::to_string(tp.second) + " " + std::to_string(offset) + "\n";
  }
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return Status::IoError("creating " + parent.string() + ": " + ec.message());

  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("opening " + tmp);
  Status status = WriteAll(fd, data, tmp);
  if (status.ok() && ::fsync(fd) != 0) status = Errno("syncing " + tmp);
  if (::close(fd) != 0 && status.ok()) status = Errno("closing " + tmp);
  if (status.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) status = Errno("renaming " + tmp);
  if (!status.ok()) {
    ::unlink(tmp.c_str());
    return status;
  }
  return SyncDirectory(path);
}

Result<CheckpointOffsets> ReadCheckpoint(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return Status::NotFound("no checkpoint " + path);
    return Status::IoError("cannot read checkpoint " + path);
  }
  CheckpointOffsets offsets;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::istringstream fields(line);
    std::string topic, partition_text, offset_text, extra;
    int32_t partition = 0;
    int64_t offset = 0;
    if (!(fields >> topic >> partition_text >> offset_text) || (fields >> extra) ||
        !ParseInt(partition_text, &partition) || !ParseInt(offset_text, &offset)) {
      return Status::InvalidArgument("checkpoint " + path + " line " + std::to_string(number) +
                                     ": expected 'topic partition offset', got '" + line + "'");
    }
    offsets[{topic, partition}] = offset;
  }
  if (in.bad()) return Status::IoError("reading checkpoint " + path);
  return offsets;
}

}  // namespace streamapp::state
