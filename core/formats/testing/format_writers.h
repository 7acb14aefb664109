// Test-only writers of GGUF and safetensors files, so tests can build small valid files and then break
// them on purpose. Header-only so that nothing of it ends up in the library.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"

namespace ttt::formats::testing {

inline void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A fresh directory under the system temp folder, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ttt_formats_XXXXXX").string();
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    path_ = ::mkdtemp(buf.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

template <typename T>
void AppendPod(std::string& out, T value) {
  char buf[sizeof(T)];
  std::memcpy(buf, &value, sizeof(T));
  out.append(buf, sizeof(T));
}

inline std::string FloatBytes(const std::vector<float>& values) {
  std::string out;
  for (float v : values) AppendPod(out, v);
  return out;
}

// Builds a GGUF file: metadata entries are raw typed values, tensors raw bytes.
class GgufWriter {
 public:
  static void AppendString(std::string& out, const std::string& s) {
    AppendPod<uint64_t>(out, s.size());
    out += s;
  }

  GgufWriter& AddU32(const std::string& key, uint32_t v) { return AddRaw(key, 4, Pod(v)); }
  GgufWriter& AddI32(const std::string& key, int32_t v) { return AddRaw(key, 5, Pod(v)); }
  GgufWriter& AddF32(const std::string& key, float v) { return AddRaw(key, 6, Pod(v)); }
  GgufWriter& AddBool(const std::string& key, bool v) { return AddRaw(key, 7, Pod<uint8_t>(v)); }
  GgufWriter& AddU64(const std::string& key, uint64_t v) { return AddRaw(key, 10, Pod(v)); }
  GgufWriter& AddF64(const std::string& key, double v) { return AddRaw(key, 12, Pod(v)); }
  GgufWriter& AddString(const std::string& key, const std::string& v) {
    std::string body;
    AppendString(body, v);
    return AddRaw(key, 8, body);
  }
  GgufWriter& AddStringArray(const std::string& key, const std::vector<std::string>& v) {
    std::string body;
    AppendPod<uint32_t>(body, 8);
    AppendPod<uint64_t>(body, v.size());
    for (const std::string& s : v) AppendString(body, s);
    return AddRaw(key, 9, body);
  }
  GgufWriter& AddI32Array(const std::string& key, const std::vector<int32_t>& v) {
    std::string body;
    AppendPod<uint32_t>(body, 5);
    AppendPod<uint64_t>(body, v.size());
    for (int32_t x : v) AppendPod(body, x);
    return AddRaw(key, 9, body);
  }
  // `body` is everything after the value type.
  GgufWriter& AddRaw(const std::string& key, uint32_t type, const std::string& body) {
    std::string kv;
    AppendString(kv, key);
    AppendPod(kv, type);
    kv += body;
    kvs_.push_back(kv);
    return *this;
  }
  // `ne` in GGUF order (fastest-varying first).
  GgufWriter& AddTensor(const std::string& name, std::vector<uint64_t> ne, uint32_t type, std::string data) {
    tensors_.push_back({name, std::move(ne), type, std::move(data)});
    return *this;
  }

  std::string Build(uint32_t version = 3, uint64_t alignment = 32) const {
    std::string out = "GGUF";
    AppendPod(out, version);
    AppendPod<uint64_t>(out, tensors_.size());
    AppendPod<uint64_t>(out, kvs_.size());
    for (const std::string& kv : kvs_) out += kv;
    uint64_t offset = 0;
    std::vector<uint64_t> offsets;
    for (const Tensor& t : tensors_) {
      AppendString(out, t.name);
      AppendPod<uint32_t>(out, t.ne.size());
      for (uint64_t d : t.ne) AppendPod(out, d);
      AppendPod(out, t.type);
      AppendPod(out, offset);
      offsets.push_back(offset);
      offset += (t.data.size() + alignment - 1) / alignment * alignment;
    }
    out.resize((out.size() + alignment - 1) / alignment * alignment, '\0');
    for (size_t i = 0; i < tensors_.size(); ++i) {
      out += tensors_[i].data;
      out.resize((out.size() + alignment - 1) / alignment * alignment, '\0');
    }
    return out;
  }

 private:
  struct Tensor {
    std::string name;
    std::vector<uint64_t> ne;
    uint32_t type;
    std::string data;
  };
  template <typename T>
  static std::string Pod(T v) {
    std::string s;
    AppendPod(s, v);
    return s;
  }
  std::vector<std::string> kvs_;
  std::vector<Tensor> tensors_;
};

// Builds a safetensors file: 8-byte little-endian header length, JSON header, then the data.
class SafetensorsWriter {
 public:
  SafetensorsWriter& Add(const std::string& name, const std::string& dtype, std::vector<int64_t> shape,
                         std::string data) {
    entries_.push_back({name, dtype, std::move(shape), std::move(data)});
    return *this;
  }
  SafetensorsWriter& Metadata(const std::string& key, const std::string& value) {
    metadata_[key] = value;
    return *this;
  }

  nlohmann::json Header() const {
    nlohmann::json header = nlohmann::json::object();
    if (!metadata_.empty()) header["__metadata__"] = metadata_;
    uint64_t offset = 0;
    for (const Entry& e : entries_) {
      header[e.name] = {{"dtype", e.dtype}, {"shape", e.shape}, {"data_offsets", {offset, offset + e.data.size()}}};
      offset += e.data.size();
    }
    return header;
  }

  // Pads the header with spaces to a multiple of 8 bytes, as the safetensors library does, so that the
  // data is aligned.
  std::string Build() const {
    std::string header = Header().dump();
    header.resize((header.size() + 8 + 7) / 8 * 8 - 8, ' ');
    return BuildWithHeader(header);
  }
  std::string BuildUnpadded() const { return BuildWithHeader(Header().dump()); }

  std::string BuildWithHeader(const std::string& header_json) const {
    std::string out;
    AppendPod<uint64_t>(out, header_json.size());
    out += header_json;
    for (const Entry& e : entries_) out += e.data;
    return out;
  }

 private:
  struct Entry {
    std::string name;
    std::string dtype;
    std::vector<int64_t> shape;
    std::string data;
  };
  std::vector<Entry> entries_;
  nlohmann::json metadata_ = nlohmann::json::object();
};

}  // namespace ttt::formats::testing
