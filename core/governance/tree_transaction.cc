#include "core/governance/tree_transaction.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "core/governance/gov_io.h"

namespace ttt::gov {
namespace fs = std::filesystem;

void TreeTransaction::Snapshot(const std::string& path) {
  absl::StatusOr<std::string> old = ReadTextFile(root_ + "/" + path);
  journal_.push_back({.kind = Entry::kFile, .path = path, .to = {},
                      .previous = old.ok() ? std::optional<std::string>(*old) : std::nullopt});
}

absl::Status TreeTransaction::Write(const std::string& path, const std::string& text) {
  Snapshot(path);
  return WriteTextFile(root_ + "/" + path, text);
}

void TreeTransaction::Remove(const std::string& path) {
  Snapshot(path);
  std::error_code ec;
  fs::remove(fs::path(root_) / path, ec);
}

absl::Status TreeTransaction::Move(const std::string& from, const std::string& to) {
  std::error_code ec;
  const fs::path target = fs::path(root_) / to;
  // The directories created for the move are journalled too, so a rollback leaves no empty ones behind.
  std::vector<fs::path> created;
  for (fs::path dir = target.parent_path(); !fs::exists(dir, ec); dir = dir.parent_path()) created.push_back(dir);
  fs::create_directories(target.parent_path(), ec);
  for (auto it = created.rbegin(); it != created.rend(); ++it) {
    journal_.push_back({.kind = Entry::kCreatedDirectory, .path = it->lexically_relative(root_).generic_string(),
                        .to = {}, .previous = std::nullopt});
  }
  fs::rename(fs::path(root_) / from, target, ec);
  if (ec) return absl::InternalError(absl::StrCat("moving ", from, " to ", to, ": ", ec.message()));
  journal_.push_back({.kind = Entry::kMove, .path = from, .to = to, .previous = std::nullopt});
  return absl::OkStatus();
}

void TreeTransaction::RemoveEmptyDirectories(const std::string& dir) {
  std::error_code ec;
  for (fs::path d = fs::path(root_) / dir; fs::exists(d, ec) && fs::is_empty(d, ec) && !ec; d = d.parent_path()) {
    if (d.parent_path() == fs::path(root_)) break;  // never the tier directory itself
    fs::remove(d, ec);
    // Recreated (empty) on rollback, before the files moved out of it come back.
    journal_.push_back({.kind = Entry::kRemovedDirectory, .path = d.lexically_relative(root_).generic_string(),
                        .to = {}, .previous = std::nullopt});
  }
}

absl::Status TreeTransaction::Rollback() {
  absl::Status first = absl::OkStatus();
  auto note = [&](const absl::Status& s) {
    if (first.ok() && !s.ok()) first = s;
  };
  std::error_code ec;
  for (auto it = journal_.rbegin(); it != journal_.rend(); ++it) {
    const Entry& e = *it;
    switch (e.kind) {
      case Entry::kFile:
        if (e.previous) {
          note(WriteTextFile(root_ + "/" + e.path, *e.previous));
        } else {
          fs::remove(fs::path(root_) / e.path, ec);
        }
        break;
      case Entry::kMove:
        fs::create_directories((fs::path(root_) / e.path).parent_path(), ec);
        fs::rename(fs::path(root_) / e.to, fs::path(root_) / e.path, ec);
        if (ec) note(absl::InternalError(absl::StrCat("rolling back: moving ", e.to, " back to ", e.path, ": ", ec.message())));
        break;
      case Entry::kCreatedDirectory:
        fs::remove(fs::path(root_) / e.path, ec);  // empty again by now: remove() does not recurse
        break;
      case Entry::kRemovedDirectory:
        fs::create_directories(fs::path(root_) / e.path, ec);
        break;
    }
  }
  journal_.clear();
  return first;
}

}  // namespace ttt::gov
