#include "core/formats/safetensors/safetensors_file.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "core/formats/internal/string_view.h"
#include "core/runtime/status.h"
#include "nlohmann/json.hpp"

namespace ttt::formats {
namespace {

using internal::AsAbsl;
using json = nlohmann::json;

// The safetensors reference implementation refuses headers above 100 MB; so do we.
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;
// JSON nesting a real header never needs; checked before parsing so a bracket bomb cannot recurse deeply.
constexpr int kMaxJsonDepth = 64;

// Element sizes of the dtypes the format defines (so their ranges can be validated even when they
// cannot be loaded). 0 = unknown dtype.
uint64_t DtypeSize(const std::string& dtype) {
  static const std::pair<const char*, uint64_t> kSizes[] = {
      {"F64", 8},  {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8},     {"U64", 8},     {"I32", 4},
      {"U32", 4},  {"I16", 2}, {"U16", 2}, {"I8", 1},   {"U8", 1},      {"BOOL", 1},    {"F8_E4M3", 1},
      {"F8_E5M2", 1}};
  for (const auto& [name, size] : kSizes) {
    if (dtype == name) return size;
  }
  return 0;
}

bool JsonTooDeep(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SafetensorsFile>> SafetensorsFile::Open(const std::string& path) {
  TTT_ASSIGN_OR_RETURN(std::shared_ptr<MappedFile> file, MappedFile::Open(path));
  std::unique_ptr<SafetensorsFile> st(new SafetensorsFile());
  st->path_ = path;
  st->file_ = std::move(file);
  TTT_RETURN_IF_ERROR(st->ParseHeader());
  return st;
}

absl::Status SafetensorsFile::ParseHeader() {
  const uint64_t size = file_->size();
  auto error = [&](auto&&... parts) {
    return absl::DataLossError(absl::StrCat("safetensors file '", path_, "': ", parts...));
  };
  if (size < 8) {
    return error("the file is ", size, " bytes, too short for the 8-byte header length; it is truncated");
  }
  uint64_t header_len;
  std::memcpy(&header_len, file_->data(), 8);
  if (header_len > size - 8) {
    return error("the header length ", header_len, " (bytes 0..7) runs past the end of the ", size,
                 "-byte file; the file is truncated or not safetensors");
  }
  if (header_len > kMaxHeaderBytes) {
    return error("the header length ", header_len, " exceeds the format's limit of ", kMaxHeaderBytes, " bytes");
  }
  std::string_view text(reinterpret_cast<const char*>(file_->data()) + 8, header_len);
  if (JsonTooDeep(text)) return error("the JSON header nests deeper than ", kMaxJsonDepth, " levels");
  json header = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded()) return error("the header (bytes 8..", 8 + header_len, ") is not valid JSON");
  if (!header.is_object()) return error("the header is not a JSON object");

  const uint64_t data_start = 8 + header_len;
  const uint64_t data_size = size - data_start;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const json& entry = it.value();
    if (name == "__metadata__") {
      if (!entry.is_object()) return error("__metadata__ is not an object");
      for (auto m = entry.begin(); m != entry.end(); ++m) {
        metadata_[m.key()] = m.value().is_string() ? m.value().get<std::string>() : m.value().dump();
      }
      continue;
    }
    auto bad = [&](auto&&... parts) { return error("tensor '", name, "': ", parts...); };
    if (!entry.is_object()) return bad("its entry is not an object");
    auto dtype_it = entry.find("dtype");
    auto shape_it = entry.find("shape");
    auto offsets_it = entry.find("data_offsets");
    if (dtype_it == entry.end() || !dtype_it->is_string()) return bad("missing or non-string \"dtype\"");
    if (shape_it == entry.end() || !shape_it->is_array()) return bad("missing or non-array \"shape\"");
    if (offsets_it == entry.end() || !offsets_it->is_array() || offsets_it->size() != 2) {
      return bad("\"data_offsets\" must be an array [begin, end]");
    }
    SafetensorsTensorInfo info;
    info.name = name;
    info.dtype = dtype_it->get<std::string>();
    uint64_t elem = DtypeSize(info.dtype);
    if (elem == 0) return bad("unknown dtype \"", info.dtype, "\"");
    if (shape_it->size() > 8) return bad("has ", shape_it->size(), " dimensions; at most 8 are supported");
    uint64_t numel = 1;
    for (const json& d : *shape_it) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0) return bad("shape ", shape_it->dump(), " has a non-integer or negative dimension");
      uint64_t n = d.get<uint64_t>();
      if (n != 0 && numel > (uint64_t{1} << 56) / n) return bad("shape ", shape_it->dump(), " is implausibly large");
      numel *= n;
      info.shape.push_back(static_cast<int64_t>(n));
    }
    const json& b = (*offsets_it)[0];
    const json& e = (*offsets_it)[1];
    if (!b.is_number_integer() || !e.is_number_integer() || b.get<int64_t>() < 0 || e.get<int64_t>() < 0) {
      return bad("data_offsets ", offsets_it->dump(), " are not non-negative integers");
    }
    uint64_t begin = b.get<uint64_t>(), end = e.get<uint64_t>();
    if (begin > end || end > data_size) {
      return bad("data_offsets [", begin, ", ", end, "] are not inside the ", data_size,
                 "-byte data section (file offset ", data_start, "); the file is truncated or its header is wrong");
    }
    if (end - begin != numel * elem) {
      return bad("data_offsets [", begin, ", ", end, "] hold ", end - begin, " bytes but ", info.dtype, " shape ",
                 shape_it->dump(), " needs ", numel * elem);
    }
    info.offset = data_start + begin;
    info.bytes = end - begin;
    tensors_.push_back(std::move(info));
  }
  std::sort(tensors_.begin(), tensors_.end(),
            [](const SafetensorsTensorInfo& a, const SafetensorsTensorInfo& b) { return a.offset < b.offset; });
  for (size_t i = 0; i < tensors_.size(); ++i) {
    if (i > 0 && tensors_[i].bytes > 0 && tensors_[i - 1].offset + tensors_[i - 1].bytes > tensors_[i].offset) {
      return error("tensors '", tensors_[i - 1].name, "' and '", tensors_[i].name, "' overlap in the data section");
    }
    index_[tensors_[i].name] = i;
  }
  return absl::OkStatus();
}

const SafetensorsTensorInfo* SafetensorsFile::FindTensor(std::string_view name) const {
  auto it = index_.find(AsAbsl(name));
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

absl::StatusOr<Tensor> SafetensorsFile::LoadTensor(std::string_view name) const {
  const SafetensorsTensorInfo* info = FindTensor(name);
  if (info == nullptr) {
    return absl::NotFoundError(absl::StrCat("safetensors file '", path_, "' has no tensor '", AsAbsl(name), "'"));
  }
  DType dtype;
  if (info->dtype == "F32") dtype = DType::kF32;
  else if (info->dtype == "F16") dtype = DType::kF16;
  else if (info->dtype == "BF16") dtype = DType::kBF16;
  else {
    return absl::UnimplementedError(absl::StrCat(
        "safetensors file '", path_, "' tensor '", info->name, "' has dtype ", info->dtype,
        "; weights must be F32, F16 or BF16: convert the checkpoint (e.g. save it with torch_dtype=bfloat16)"));
  }
  if (info->offset % ElementSize(dtype) != 0) {
    // Writers pad the header to 8 bytes so data is aligned; an unpadded one gets a copy rather than a
    // misaligned view the kernels could not read.
    Tensor copy = Tensor::Empty(dtype, info->shape);
    std::memcpy(copy.raw_data(), file_->data() + info->offset, info->bytes);
    return copy;
  }
  absl::StatusOr<Tensor> t = Tensor::View(file_->AsStorage(), info->offset, dtype, info->shape);
  if (!t.ok()) return Annotate(t.status(), absl::StrCat("safetensors file '", path_, "' tensor '", info->name, "'"));
  return t;
}

namespace {

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ReadIndex(const std::string& index_path) {
  TTT_ASSIGN_OR_RETURN(std::string text, ReadFileToString(index_path));
  auto error = [&](auto&&... parts) {
    return absl::InvalidArgumentError(absl::StrCat("safetensors index '", index_path, "': ", parts...));
  };
  if (JsonTooDeep(text)) return error("the JSON nests deeper than ", kMaxJsonDepth, " levels");
  json index = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (index.is_discarded()) return error("is not valid JSON");
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object()) {
    return error("has no \"weight_map\" object mapping tensor names to shard files");
  }
  std::vector<std::pair<std::string, std::string>> entries;
  for (auto it = index["weight_map"].begin(); it != index["weight_map"].end(); ++it) {
    if (!it.value().is_string()) return error("weight_map[\"", it.key(), "\"] is not a file name");
    std::string shard = it.value().get<std::string>();
    std::filesystem::path p(shard);
    bool escapes = p.is_absolute() || shard.empty();
    for (const auto& part : p) escapes |= part == "..";
    if (escapes) {
      return error("weight_map[\"", it.key(), "\"] names shard \"", shard,
                   "\", which is not a file inside the checkpoint folder");
    }
    entries.emplace_back(it.key(), std::move(shard));
  }
  if (entries.empty()) return error("weight_map is empty");
  return entries;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SafetensorsCheckpoint>> SafetensorsCheckpoint::Open(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string target = path;
  if (fs::is_directory(path, ec)) {
    fs::path dir(path);
    if (fs::exists(dir / "model.safetensors.index.json", ec)) {
      target = (dir / "model.safetensors.index.json").string();
    } else if (fs::exists(dir / "model.safetensors", ec)) {
      target = (dir / "model.safetensors").string();
    } else {
      return absl::NotFoundError(absl::StrCat("'", path, "' holds neither model.safetensors nor ",
                                              "model.safetensors.index.json; pass the checkpoint folder"));
    }
  }
  std::unique_ptr<SafetensorsCheckpoint> ckpt(new SafetensorsCheckpoint());
  ckpt->path_ = target;
  const std::string suffix = ".index.json";
  if (target.size() >= suffix.size() && target.compare(target.size() - suffix.size(), suffix.size(), suffix) == 0) {
    TTT_ASSIGN_OR_RETURN(auto entries, ReadIndex(target));
    fs::path dir = fs::path(target).parent_path();
    absl::flat_hash_map<std::string, size_t> shard_index;
    for (const auto& [name, shard] : entries) {
      auto [it, inserted] = shard_index.try_emplace(shard, ckpt->shards_.size());
      if (inserted) {
        std::string shard_path = (dir / shard).string();
        auto file = SafetensorsFile::Open(shard_path);
        if (!file.ok()) return Annotate(file.status(), absl::StrCat("shard of '", target, "'"));
        ckpt->files_.push_back(shard_path);
        ckpt->shards_.push_back(*std::move(file));
      }
      if (ckpt->shards_[it->second]->FindTensor(name) == nullptr) {
        return absl::DataLossError(absl::StrCat("safetensors index '", target, "' maps tensor '", name,
                                                "' to shard '", ckpt->files_[it->second],
                                                "', which does not contain it; the shards do not match the index"));
      }
      ckpt->shard_of_[name] = it->second;
    }
    return ckpt;
  }
  TTT_ASSIGN_OR_RETURN(auto file, SafetensorsFile::Open(target));
  for (const SafetensorsTensorInfo& t : file->tensors()) ckpt->shard_of_[t.name] = 0;
  ckpt->files_.push_back(target);
  ckpt->shards_.push_back(std::move(file));
  return ckpt;
}

std::vector<std::string> SafetensorsCheckpoint::TensorNames() const {
  std::vector<std::string> names;
  names.reserve(shard_of_.size());
  for (const auto& [name, shard] : shard_of_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

bool SafetensorsCheckpoint::Has(std::string_view name) const { return shard_of_.contains(AsAbsl(name)); }

const SafetensorsTensorInfo* SafetensorsCheckpoint::FindTensor(std::string_view name) const {
  auto it = shard_of_.find(AsAbsl(name));
  return it == shard_of_.end() ? nullptr : shards_[it->second]->FindTensor(name);
}

std::string SafetensorsCheckpoint::FileOf(std::string_view name) const {
  auto it = shard_of_.find(AsAbsl(name));
  return it == shard_of_.end() ? std::string() : files_[it->second];
}

absl::StatusOr<Tensor> SafetensorsCheckpoint::LoadTensor(std::string_view name) const {
  auto it = shard_of_.find(AsAbsl(name));
  if (it == shard_of_.end()) {
    return absl::NotFoundError(absl::StrCat("safetensors checkpoint '", files_.empty() ? "" : files_[0],
                                            "' has no tensor '", AsAbsl(name), "'"));
  }
  return shards_[it->second]->LoadTensor(name);
}

}  // namespace ttt::formats
