#include "core/formats/gguf/gguf_file.h"

#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "core/runtime/dtype.h"
#include "core/runtime/status.h"

namespace ttt::formats {
namespace {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" read as a little-endian u32
constexpr uint64_t kDefaultAlignment = 32;
// ggml allows 4 dimensions; a little slack costs nothing and still bounds the directory parse.
constexpr uint32_t kMaxDims = 8;
// Real files never nest arrays; the bound keeps a hostile file from exhausting the stack.
constexpr int kMaxArrayDepth = 8;

// Block geometry of the ggml types whose sizes this reader knows (block elements, bytes per block).
struct GgmlTypeTraits {
  const char* name;
  uint32_t block_size;
  uint32_t type_size;
};

const GgmlTypeTraits* TraitsOf(uint32_t type) {
  static const GgmlTypeTraits kTable[] = {
      {"F32", 1, 4},      {"F16", 1, 2},      {"Q4_0", 32, 18},   {"Q4_1", 32, 20},
      {nullptr, 0, 0},    {nullptr, 0, 0},    {"Q5_0", 32, 22},   {"Q5_1", 32, 24},
      {"Q8_0", 32, 34},   {"Q8_1", 32, 36},   {"Q2_K", 256, 84},  {"Q3_K", 256, 110},
      {"Q4_K", 256, 144}, {"Q5_K", 256, 176}, {"Q6_K", 256, 210}, {"Q8_K", 256, 292},
      {"IQ2_XXS", 0, 0},  {"IQ2_XS", 0, 0},   {"IQ3_XXS", 0, 0},  {"IQ1_S", 0, 0},
      {"IQ4_NL", 32, 18},   {"IQ3_S", 0, 0},    {"IQ2_S", 0, 0},    {"IQ4_XS", 0, 0},
      {"I8", 1, 1},       {"I16", 1, 2},      {"I32", 1, 4},      {"I64", 1, 8},
      {"F64", 1, 8},      {"IQ1_M", 0, 0},    {"BF16", 1, 2},
  };
  if (type >= sizeof(kTable) / sizeof(kTable[0]) || kTable[type].name == nullptr) return nullptr;
  return &kTable[type];
}

std::string GgmlTypeName(uint32_t type) {
  const GgmlTypeTraits* traits = TraitsOf(type);
  return traits ? traits->name : absl::StrCat("unknown type ", type);
}

const char* GgufTypeName(GgufType type) {
  switch (type) {
    case GgufType::kU8: return "u8";
    case GgufType::kI8: return "i8";
    case GgufType::kU16: return "u16";
    case GgufType::kI16: return "i16";
    case GgufType::kU32: return "u32";
    case GgufType::kI32: return "i32";
    case GgufType::kF32: return "f32";
    case GgufType::kBool: return "bool";
    case GgufType::kString: return "string";
    case GgufType::kArray: return "array";
    case GgufType::kU64: return "u64";
    case GgufType::kI64: return "i64";
    case GgufType::kF64: return "f64";
  }
  return "invalid";
}

// Bytes of one scalar value; 0 for strings and arrays (variable size) and for invalid types.
uint64_t ScalarSize(GgufType type) {
  switch (type) {
    case GgufType::kU8: case GgufType::kI8: case GgufType::kBool: return 1;
    case GgufType::kU16: case GgufType::kI16: return 2;
    case GgufType::kU32: case GgufType::kI32: case GgufType::kF32: return 4;
    case GgufType::kU64: case GgufType::kI64: case GgufType::kF64: return 8;
    default: return 0;
  }
}

bool IsValidType(uint32_t raw) { return raw <= static_cast<uint32_t>(GgufType::kF64); }
bool IsIntegerType(GgufType t) {
  return t == GgufType::kU8 || t == GgufType::kI8 || t == GgufType::kU16 || t == GgufType::kI16 ||
         t == GgufType::kU32 || t == GgufType::kI32 || t == GgufType::kU64 || t == GgufType::kI64 ||
         t == GgufType::kBool;
}
bool IsNumericType(GgufType t) {
  return IsIntegerType(t) || t == GgufType::kF32 || t == GgufType::kF64;
}

// Bounds-checked little-endian reader over the mapped bytes. Every failure names the byte offset.
class Cursor {
 public:
  Cursor(const unsigned char* data, uint64_t size, const std::string& path)
      : data_(data), size_(size), path_(path) {}

  uint64_t pos() const { return pos_; }
  void Seek(uint64_t pos) { pos_ = pos; }
  uint64_t remaining() const { return size_ - pos_; }

  absl::Status Need(uint64_t bytes, absl::string_view what) const {
    if (bytes > size_ - pos_) {
      return absl::DataLossError(absl::StrCat(
          "GGUF file '", path_, "': ", what, " needs ", bytes, " bytes at offset ", pos_, " but only ",
          size_ - pos_, " remain of ", size_, "; the file is truncated or corrupt, re-download or re-convert it"));
    }
    return absl::OkStatus();
  }

  template <typename T>
  absl::StatusOr<T> Read(absl::string_view what) {
    TTT_RETURN_IF_ERROR(Need(sizeof(T), what));
    T value;
    std::memcpy(&value, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }

  absl::Status Skip(uint64_t bytes, absl::string_view what) {
    TTT_RETURN_IF_ERROR(Need(bytes, what));
    pos_ += bytes;
    return absl::OkStatus();
  }

  absl::StatusOr<absl::string_view> ReadString(absl::string_view what) {
    TTT_ASSIGN_OR_RETURN(uint64_t length, Read<uint64_t>(what));
    TTT_RETURN_IF_ERROR(Need(length, what));
    absl::string_view s(reinterpret_cast<const char*>(data_ + pos_), length);
    pos_ += length;
    return s;
  }

  absl::Status Error(absl::string_view message) const {
    return absl::DataLossError(absl::StrCat("GGUF file '", path_, "' at offset ", pos_, ": ", message));
  }

 private:
  const unsigned char* data_;
  uint64_t size_;
  const std::string& path_;
  uint64_t pos_ = 0;
};

// Walks over one value of `type`, checking every length against the file; arrays recurse.
absl::Status SkipValue(Cursor& cursor, GgufType type, int depth);

absl::Status SkipArrayBody(Cursor& cursor, GgufType elem, uint64_t count, int depth) {
  uint64_t scalar = ScalarSize(elem);
  if (scalar != 0) {
    if (count > cursor.remaining() / scalar) {
      return cursor.Error(absl::StrCat("array of ", count, " ", GgufTypeName(elem),
                                       " values runs past the end of the file"));
    }
    return cursor.Skip(count * scalar, "array");
  }
  // Each string or nested array takes at least 8 bytes, so a count the file cannot hold fails here
  // instead of looping for a very long time.
  if (count > cursor.remaining() / 8) {
    return cursor.Error(absl::StrCat("array of ", count, " ", GgufTypeName(elem),
                                     " values cannot fit in the rest of the file"));
  }
  for (uint64_t i = 0; i < count; ++i) TTT_RETURN_IF_ERROR(SkipValue(cursor, elem, depth));
  return absl::OkStatus();
}

absl::Status SkipValue(Cursor& cursor, GgufType type, int depth) {
  if (type == GgufType::kString) return cursor.ReadString("string value").status();
  if (type == GgufType::kArray) {
    if (depth >= kMaxArrayDepth) {
      return cursor.Error(absl::StrCat("arrays nested more than ", kMaxArrayDepth, " deep"));
    }
    TTT_ASSIGN_OR_RETURN(uint32_t raw_elem, cursor.Read<uint32_t>("array element type"));
    if (!IsValidType(raw_elem)) return cursor.Error(absl::StrCat("invalid array element type ", raw_elem));
    TTT_ASSIGN_OR_RETURN(uint64_t count, cursor.Read<uint64_t>("array length"));
    return SkipArrayBody(cursor, static_cast<GgufType>(raw_elem), count, depth + 1);
  }
  return cursor.Skip(ScalarSize(type), GgufTypeName(type));
}

// Reads a scalar of type T at the cursor, widened to R.
template <typename T, typename R>
absl::StatusOr<R> ReadAs(Cursor& c, absl::string_view key) {
  TTT_ASSIGN_OR_RETURN(T v, c.template Read<T>(key));
  return static_cast<R>(v);
}

// Reads a scalar at the cursor as int64 (integers and bool) or double (any number).
absl::StatusOr<int64_t> ReadIntScalar(Cursor& c, GgufType t, absl::string_view key) {
  switch (t) {
    case GgufType::kU8: return ReadAs<uint8_t, int64_t>(c, key);
    case GgufType::kI8: return ReadAs<int8_t, int64_t>(c, key);
    case GgufType::kBool: {
      TTT_ASSIGN_OR_RETURN(uint8_t b, c.Read<uint8_t>(key));
      return static_cast<int64_t>(b != 0);
    }
    case GgufType::kU16: return ReadAs<uint16_t, int64_t>(c, key);
    case GgufType::kI16: return ReadAs<int16_t, int64_t>(c, key);
    case GgufType::kU32: return ReadAs<uint32_t, int64_t>(c, key);
    case GgufType::kI32: return ReadAs<int32_t, int64_t>(c, key);
    case GgufType::kI64: return ReadAs<int64_t, int64_t>(c, key);
    case GgufType::kU64: {
      TTT_ASSIGN_OR_RETURN(uint64_t v, c.Read<uint64_t>(key));
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return absl::OutOfRangeError(absl::StrCat("GGUF key '", key, "': u64 value ", v, " exceeds int64"));
      }
      return static_cast<int64_t>(v);
    }
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("GGUF key '", key, "' holds ", GgufTypeName(t), ", not an integer"));
  }
}

absl::StatusOr<double> ReadFloatScalar(Cursor& c, GgufType t, absl::string_view key) {
  if (t == GgufType::kF32) return ReadAs<float, double>(c, key);
  if (t == GgufType::kF64) return ReadAs<double, double>(c, key);
  if (t == GgufType::kU64) return ReadAs<uint64_t, double>(c, key);
  TTT_ASSIGN_OR_RETURN(int64_t v, ReadIntScalar(c, t, key));
  return static_cast<double>(v);
}

// This Abseil build's string_view is its own type, so hashed lookups take one explicitly.
absl::string_view AsAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

struct GgufFile::Impl {
  struct Value {
    GgufType type;
    uint64_t offset;  // of the value (for arrays: of the first element)
    GgufType elem_type = GgufType::kU8;
    uint64_t count = 0;
  };

  std::shared_ptr<MappedFile> file;
  std::string path;
  uint32_t version = 0;
  std::vector<std::string> keys;
  absl::flat_hash_map<std::string, Value> values;
  std::vector<GgufTensorInfo> tensors;
  absl::flat_hash_map<std::string, size_t> tensor_index;

  Cursor CursorAt(uint64_t offset) const {
    Cursor c(file->data(), file->size(), path);
    c.Seek(offset);
    return c;
  }

  absl::StatusOr<const Value*> Find(absl::string_view key) const {
    auto it = values.find(key);
    if (it == values.end()) {
      return absl::NotFoundError(absl::StrCat("GGUF file '", path, "' has no metadata key '", key, "'"));
    }
    return &it->second;
  }

  absl::Status WrongType(absl::string_view key, const Value& v, absl::string_view wanted) const {
    std::string type = GgufTypeName(v.type);
    if (v.type == GgufType::kArray) type = absl::StrCat("array of ", GgufTypeName(v.elem_type));
    return absl::InvalidArgumentError(
        absl::StrCat("GGUF file '", path, "': key '", key, "' holds ", type, ", expected ", wanted));
  }

  absl::StatusOr<const Value*> FindArray(absl::string_view key, absl::string_view wanted,
                                         bool (*elem_ok)(GgufType)) const {
    TTT_ASSIGN_OR_RETURN(const Value* v, Find(key));
    if (v->type != GgufType::kArray || !elem_ok(v->elem_type)) return WrongType(key, *v, wanted);
    return v;
  }

  absl::Status Parse();
  absl::Status ParseTensorInfo(Cursor& c, uint64_t index);
};

absl::Status GgufFile::Impl::Parse() {
  Cursor c = CursorAt(0);
  TTT_ASSIGN_OR_RETURN(uint32_t magic, c.Read<uint32_t>("magic"));
  if (magic != kMagic) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", path, "' is not a GGUF file (its first 4 bytes are not \"GGUF\"); pass a .gguf model"));
  }
  TTT_ASSIGN_OR_RETURN(version, c.Read<uint32_t>("version"));
  if (version != 2 && version != 3) {
    std::string hint = (version & 0xFFFF) == 0 ? " (a big-endian file? only little-endian is supported)"
                       : version == 1     ? " (version 1 predates GGUF v2; re-convert with a current llama.cpp)"
                                          : "";
    return absl::UnimplementedError(
        absl::StrCat("GGUF file '", path, "' has version ", version, "; versions 2 and 3 are supported", hint));
  }
  TTT_ASSIGN_OR_RETURN(uint64_t tensor_count, c.Read<uint64_t>("tensor count"));
  TTT_ASSIGN_OR_RETURN(uint64_t kv_count, c.Read<uint64_t>("metadata count"));

  for (uint64_t i = 0; i < kv_count; ++i) {
    // A key/value takes at least 8 (key length) + 4 (type) + 1 bytes; checked before each one, so a
    // huge count ends at the end of the file rather than allocating or spinning.
    TTT_RETURN_IF_ERROR(c.Need(13, absl::StrCat("metadata entry ", i, " of ", kv_count)));
    TTT_ASSIGN_OR_RETURN(absl::string_view key, c.ReadString("metadata key"));
    TTT_ASSIGN_OR_RETURN(uint32_t raw_type, c.Read<uint32_t>("metadata value type"));
    if (!IsValidType(raw_type)) {
      return c.Error(absl::StrCat("key '", key, "' has invalid value type ", raw_type));
    }
    Value value{static_cast<GgufType>(raw_type), c.pos()};
    if (value.type == GgufType::kArray) {
      TTT_ASSIGN_OR_RETURN(uint32_t raw_elem, c.Read<uint32_t>("array element type"));
      if (!IsValidType(raw_elem)) {
        return c.Error(absl::StrCat("key '", key, "' has invalid array element type ", raw_elem));
      }
      value.elem_type = static_cast<GgufType>(raw_elem);
      TTT_ASSIGN_OR_RETURN(value.count, c.Read<uint64_t>("array length"));
      value.offset = c.pos();
      absl::Status s = SkipArrayBody(c, value.elem_type, value.count, 1);
      if (!s.ok()) return Annotate(s, absl::StrCat("metadata key '", key, "'"));
    } else {
      absl::Status s = SkipValue(c, value.type, 0);
      if (!s.ok()) return Annotate(s, absl::StrCat("metadata key '", key, "'"));
    }
    std::string key_str(key);
    if (!values.emplace(key_str, value).second) {
      return c.Error(absl::StrCat("metadata key '", key, "' appears twice"));
    }
    keys.push_back(std::move(key_str));
  }

  uint64_t alignment = kDefaultAlignment;
  if (values.contains("general.alignment")) {
    Cursor ac = CursorAt(0);
    const Value& v = values.at("general.alignment");
    if (!IsIntegerType(v.type) || v.type == GgufType::kBool) {
      return absl::InvalidArgumentError(absl::StrCat("GGUF file '", path, "': general.alignment holds ",
                                                     GgufTypeName(v.type), ", expected an integer"));
    }
    ac.Seek(v.offset);
    TTT_ASSIGN_OR_RETURN(int64_t a, ReadIntScalar(ac, v.type, "general.alignment"));
    if (a <= 0 || (a & (a - 1)) != 0 || a > (1 << 24)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "GGUF file '", path, "': general.alignment is ", a, "; it must be a power of two"));
    }
    alignment = static_cast<uint64_t>(a);
  }

  for (uint64_t i = 0; i < tensor_count; ++i) {
    // name length (8) + n_dims (4) + type (4) + offset (8) at least.
    TTT_RETURN_IF_ERROR(c.Need(24, absl::StrCat("tensor info ", i, " of ", tensor_count)));
    TTT_RETURN_IF_ERROR(ParseTensorInfo(c, i));
  }

  uint64_t data_start = (c.pos() + alignment - 1) / alignment * alignment;
  uint64_t file_size = file->size();
  for (GgufTensorInfo& t : tensors) {
    if (t.offset % alignment != 0) {
      return absl::DataLossError(absl::StrCat("GGUF file '", path, "': tensor '", t.name, "' data offset ",
                                              t.offset, " is not a multiple of the alignment ", alignment));
    }
    if (t.offset > file_size || data_start > file_size - t.offset ||
        t.bytes > file_size - t.offset - data_start) {
      return absl::DataLossError(absl::StrCat(
          "GGUF file '", path, "': tensor '", t.name, "' (", t.bytes, " bytes at data offset ", t.offset,
          ", data section at ", data_start, ") runs past the end of the ", file_size,
          "-byte file; the file is truncated, re-download it"));
    }
    t.offset += data_start;
  }
  return absl::OkStatus();
}

absl::Status GgufFile::Impl::ParseTensorInfo(Cursor& c, uint64_t index) {
  TTT_ASSIGN_OR_RETURN(absl::string_view name, c.ReadString("tensor name"));
  TTT_ASSIGN_OR_RETURN(uint32_t n_dims, c.Read<uint32_t>("tensor rank"));
  if (n_dims > kMaxDims) {
    return c.Error(absl::StrCat("tensor '", name, "' has ", n_dims, " dimensions; at most ", kMaxDims));
  }
  Shape shape(n_dims);
  uint64_t numel = 1;
  for (uint32_t d = 0; d < n_dims; ++d) {
    TTT_ASSIGN_OR_RETURN(uint64_t ne, c.Read<uint64_t>("tensor dimension"));
    if (ne > (uint64_t{1} << 48) || (ne != 0 && numel > (uint64_t{1} << 48) / ne)) {
      return c.Error(absl::StrCat("tensor '", name, "' dimension ", d, " = ", ne, " is implausibly large"));
    }
    numel *= ne;
    shape[n_dims - 1 - d] = static_cast<int64_t>(ne);  // ne[0] is the fastest-varying: last in row-major
  }
  TTT_ASSIGN_OR_RETURN(uint32_t type, c.Read<uint32_t>("tensor type"));
  TTT_ASSIGN_OR_RETURN(uint64_t offset, c.Read<uint64_t>("tensor data offset"));

  uint64_t bytes = 0;
  const GgmlTypeTraits* traits = TraitsOf(type);
  if (traits != nullptr && traits->block_size != 0) {
    uint64_t row = n_dims == 0 ? 1 : static_cast<uint64_t>(shape.back());
    if (row % traits->block_size != 0) {
      return c.Error(absl::StrCat("tensor '", name, "' of type ", traits->name, " has rows of ", row,
                                  " elements, not a multiple of its block size ", traits->block_size));
    }
    bytes = numel / traits->block_size * traits->type_size;
  }
  std::string name_str(name);
  if (!tensor_index.emplace(name_str, tensors.size()).second) {
    return c.Error(absl::StrCat("tensor '", name, "' appears twice in the tensor directory"));
  }
  tensors.push_back(GgufTensorInfo{std::move(name_str), std::move(shape), type, offset, bytes});
  (void)index;
  return absl::OkStatus();
}

GgufFile::GgufFile() : impl_(std::make_unique<Impl>()) {}
GgufFile::~GgufFile() = default;

absl::StatusOr<std::unique_ptr<GgufFile>> GgufFile::Open(const std::string& path) {
  TTT_ASSIGN_OR_RETURN(std::shared_ptr<MappedFile> file, MappedFile::Open(path));
  std::unique_ptr<GgufFile> gguf(new GgufFile());
  gguf->impl_->file = std::move(file);
  gguf->impl_->path = path;
  TTT_RETURN_IF_ERROR(gguf->impl_->Parse());
  return gguf;
}

const std::string& GgufFile::path() const { return impl_->path; }
uint32_t GgufFile::version() const { return impl_->version; }
bool GgufFile::Has(std::string_view key_in) const {
  return impl_->values.contains(AsAbsl(key_in));
}
std::vector<std::string> GgufFile::Keys() const { return impl_->keys; }

GgufType GgufFile::TypeOf(std::string_view key_in) const {
  absl::string_view key = AsAbsl(key_in);
  auto it = impl_->values.find(key);
  return it == impl_->values.end() ? GgufType::kU8 : it->second.type;
}

absl::StatusOr<std::string> GgufFile::GetString(std::string_view key_in) const {
  absl::string_view key = AsAbsl(key_in);
  TTT_ASSIGN_OR_RETURN(const Impl::Value* v, impl_->Find(key));
  if (v->type != GgufType::kString) return impl_->WrongType(key, *v, "string");
  Cursor c = impl_->CursorAt(v->offset);
  TTT_ASSIGN_OR_RETURN(absl::string_view s, c.ReadString(key));
  return std::string(s);
}

absl::StatusOr<int64_t> GgufFile::GetInt(std::string_view key_in) const {
  absl::string_view key = AsAbsl(key_in);
  TTT_ASSIGN_OR_RETURN(const Impl::Value* v, impl_->Find(key));
  if (!IsIntegerType(v->type)) return impl_->WrongType(key, *v, "an integer");
  Cursor c = impl_->CursorAt(v->offset);
  return ReadIntScalar(c, v->type, key);
}

absl::StatusOr<double> GgufFile::GetFloat(std::string_view key_in) const {
  absl::string_view key = AsAbsl(key_in);
  TTT_ASSIGN_OR_RETURN(const Impl::Value* v, impl_->Find(key));
  if (!IsNumericType(v->type)) return impl_->WrongType(key, *v, "a number");
  Cursor c = impl_->CursorAt(v->offset);
  return ReadFloatScalar(c, v->type, key);
}

absl::StatusOr<bool> GgufFile::GetBool(std::string_view key_in) const {
  absl::string_view key = AsAbsl(key_in);
  TTT_ASSIGN_OR_RETURN(const Impl::Value* v, impl_->Find(key));
  if (v->type != GgufType::kBool) return impl_->WrongType(key, *v, "bool");
  Cursor c = impl_->CursorAt(v->offset);
  TTT_ASSIGN_OR_RETURN(uint8_t b, c.Read<uint8_t>(key));
  return b != 0;
}

absl::StatusOr<std::vector<std::string>> GgufFile::GetStringArray(std::string_view key_in) const {
  absl::string_view key = AsAbsl(key_in);
  TTT_ASSIGN_OR_RETURN(const Impl::Value* v, impl_->FindArray(key, "array of string", [](GgufType t) {
    return t == GgufType::kString;
  }));
  Cursor c = impl_->CursorAt(v->offset);
  std::vector<std::string> out;
  out.reserve(v->count);  // validated at Open: at least 8 file bytes per element
  for (uint64_t i = 0; i < v->count; ++i) {
    TTT_ASSIGN_OR_RETURN(absl::string_view s, c.ReadString(key));
    out.emplace_back(s);
  }
  return out;
}

absl::StatusOr<std::vector<int64_t>> GgufFile::GetIntArray(std::string_view key_in) const {
  absl::string_view key = AsAbsl(key_in);
  TTT_ASSIGN_OR_RETURN(const Impl::Value* v, impl_->FindArray(key, "array of integers", IsIntegerType));
  Cursor c = impl_->CursorAt(v->offset);
  std::vector<int64_t> out;
  out.reserve(v->count);  // validated at Open against the file size
  for (uint64_t i = 0; i < v->count; ++i) {
    TTT_ASSIGN_OR_RETURN(int64_t x, ReadIntScalar(c, v->elem_type, key));
    out.push_back(x);
  }
  return out;
}

absl::StatusOr<std::vector<double>> GgufFile::GetFloatArray(std::string_view key_in) const {
  absl::string_view key = AsAbsl(key_in);
  TTT_ASSIGN_OR_RETURN(const Impl::Value* v, impl_->FindArray(key, "array of numbers", IsNumericType));
  Cursor c = impl_->CursorAt(v->offset);
  std::vector<double> out;
  out.reserve(v->count);
  for (uint64_t i = 0; i < v->count; ++i) {
    TTT_ASSIGN_OR_RETURN(double x, ReadFloatScalar(c, v->elem_type, key));
    out.push_back(x);
  }
  return out;
}

const std::vector<GgufTensorInfo>& GgufFile::tensors() const { return impl_->tensors; }

const GgufTensorInfo* GgufFile::FindTensor(std::string_view name_in) const {
  absl::string_view name = AsAbsl(name_in);
  auto it = impl_->tensor_index.find(name);
  return it == impl_->tensor_index.end() ? nullptr : &impl_->tensors[it->second];
}

absl::StatusOr<Tensor> GgufFile::LoadTensor(std::string_view name_in) const {
  absl::string_view name = AsAbsl(name_in);
  const GgufTensorInfo* info = FindTensor(name_in);
  if (info == nullptr) {
    return absl::NotFoundError(absl::StrCat("GGUF file '", impl_->path, "' has no tensor '", name, "'"));
  }
  auto view = [&](DType dtype) -> absl::StatusOr<Tensor> {
    // ggml blocks start with an f16 scale: 2-byte alignment, as for f16 values.
    const size_t alignment = IsBlockFormat(dtype) ? 2 : ElementSize(dtype);
    if (info->offset % alignment != 0) {
      // Only a general.alignment below the element size gets here; copy rather than view misaligned data.
      Tensor copy = Tensor::Empty(dtype, info->shape);
      std::memcpy(copy.raw_data(), impl_->file->data() + info->offset, info->bytes);
      return copy;
    }
    absl::StatusOr<Tensor> t = Tensor::View(impl_->file->AsStorage(), info->offset, dtype, info->shape);
    if (!t.ok()) return Annotate(t.status(), absl::StrCat("GGUF file '", impl_->path, "' tensor '", name, "'"));
    return t;
  };
  // Quantised types stay in their blocks (core/runtime/dtype_ggml.h), viewed in the mapped file.
  switch (static_cast<GgmlType>(info->ggml_type)) {
    case GgmlType::kF32: return view(DType::kF32);
    case GgmlType::kF16: return view(DType::kF16);
    case GgmlType::kBF16: return view(DType::kBF16);
    case GgmlType::kQ8_0: return view(DType::kQ8_0);
    case GgmlType::kQ4_0: return view(DType::kQ4_0);
    case GgmlType::kQ5_0: return view(DType::kQ5_0);
    case GgmlType::kIQ4_NL: return view(DType::kIQ4_NL);
    case GgmlType::kQ4_K: return view(DType::kQ4_K);
    case GgmlType::kQ5_K: return view(DType::kQ5_K);
    case GgmlType::kQ6_K: return view(DType::kQ6_K);
  }
  return absl::UnimplementedError(absl::StrCat(
      "GGUF file '", impl_->path, "' tensor '", name, "' has ggml type ", GgmlTypeName(info->ggml_type),
      "; this reader supports F32, F16, BF16, Q8_0, Q4_0, Q5_0, IQ4_NL, Q4_K, Q5_K and Q6_K: re-convert or "
      "re-quantise the model to one of those types (Q4_K_M and Q5_K_M files use only these)"));
}

}  // namespace ttt::formats
