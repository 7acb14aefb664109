// A set of file writes and moves in a source tree that can be taken back: each change is journalled before it
// is made, and Rollback() undoes them newest first, so a tier move that fails its verification leaves the tree
// byte for byte as it was (`ttt-gov promote`).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace ttt::gov {

class TreeTransaction {
 public:
  explicit TreeTransaction(std::string root) : root_(std::move(root)) {}

  // Writes root/`path` (through a temporary file), remembering what it held, or that it did not exist.
  absl::Status Write(const std::string& path, const std::string& text);
  // Removes root/`path`, remembering what it held.
  void Remove(const std::string& path);
  // Renames root/`from` to root/`to`, creating `to`'s parent directories.
  absl::Status Move(const std::string& from, const std::string& to);
  // Removes `dir` and its empty parents up to (not including) the tier directory, if they are empty.
  void RemoveEmptyDirectories(const std::string& dir);
  // Remembers root/`path` as it is now, for a file another function rewrites (the module index).
  void Snapshot(const std::string& path);

  // Undoes every change, newest first. Returns the first failure (the tree is then partly restored: the
  // message names the file).
  absl::Status Rollback();

 private:
  struct Entry {
    enum Kind { kFile, kMove, kCreatedDirectory, kRemovedDirectory } kind;
    std::string path, to;                 // kMove: path -> to
    std::optional<std::string> previous;  // kFile: the old content, nullopt when the file did not exist
  };
  std::string root_;
  std::vector<Entry> journal_;
};

}  // namespace ttt::gov
