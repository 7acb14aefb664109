#include "core/runtime/tensor.h"

#include <cstdint>

#include "core/runtime/mapped_file.h"
#include "gtest/gtest.h"

namespace ttt {
namespace {

TEST(TensorTest, EmptyIsAlignedZeroedAndContiguous) {
  Tensor t = Tensor::Empty(DType::kF32, {3, 5});
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % kTensorAlignment, 0u);
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_EQ(t.numel(), 15);
  EXPECT_EQ(t.nbytes(), 60u);
  for (float v : t.ToF32()) EXPECT_EQ(v, 0.0f);
}

TEST(TensorTest, SliceAndTransposeAreViews) {
  std::vector<float> v(12);
  for (int i = 0; i < 12; ++i) v[i] = static_cast<float>(i);
  Tensor t = Tensor::FromF32({3, 4}, v);
  Tensor row = t.Row(1);
  EXPECT_EQ(row.shape(), (Shape{4}));
  EXPECT_EQ(row.data<float>()[0], 4.0f);
  Tensor cols = t.Slice(1, 1, 2);
  EXPECT_FALSE(cols.is_contiguous());
  EXPECT_EQ(cols.ToF32(), (std::vector<float>{1, 2, 5, 6, 9, 10}));
  Tensor tr = t.Transpose(0, 1);
  EXPECT_EQ(tr.shape(), (Shape{4, 3}));
  EXPECT_EQ(tr.Contiguous().ToF32()[1], 4.0f);
  row.data<float>()[0] = 42.0f;  // writes through to the parent
  EXPECT_EQ(t.data<float>()[4], 42.0f);
}

// Found by fuzzing a weight-cache entry (issue 20): a dimension of 2^62 overflowed the byte count before any
// check. Shapes from files are checked: an error, never undefined behaviour.
TEST(TensorTest, CheckedBytesRefuseOverflowingAndNegativeShapes) {
  EXPECT_EQ(*CheckedTensorBytes(DType::kF32, {3, 5}), 60u);
  EXPECT_EQ(*CheckedTensorBytes(DType::kBFP8, {2, 33}), TensorBytes(DType::kBFP8, {2, 33}));
  EXPECT_FALSE(CheckedTensorBytes(DType::kF32, {8, 4611686018427387968}).ok());
  EXPECT_FALSE(CheckedTensorBytes(DType::kF32, {int64_t{1} << 58}).ok());
  EXPECT_FALSE(CheckedTensorBytes(DType::kF32, {4, -1}).ok());
  // gguf_fuzz (session 20): an empty tensor whose other dimensions multiply past int64 overflowed in
  // NumElements before its zero made the product 0. Refused by the product of its non-zero dimensions.
  EXPECT_FALSE(CheckedTensorBytes(DType::kF32, {13668287184896, 1310720, 0}).ok());
  EXPECT_EQ(*CheckedTensorBytes(DType::kF32, {0, 4096}), 0u);
  // A file claiming a 10^12-element tensor is refused by its shape, before anything is sized or allocated.
  auto trillion = CheckedTensorBytes(DType::kBF16, {1000000, 1000000});
  ASSERT_FALSE(trillion.ok());
  EXPECT_NE(trillion.status().message().find("1000000000000 elements"), std::string::npos) << trillion.status();
  auto storage = Storage::Allocate(64);
  auto view = Tensor::View(storage, 0, DType::kF32, {int64_t{1} << 62, 4});
  ASSERT_FALSE(view.ok());
  EXPECT_NE(view.status().message().find("tensor shape [4611686018427387904, 4]"), std::string::npos) << view.status();
}

TEST(TensorTest, ReshapeChecksElementCount) {
  Tensor t = Tensor::Empty(DType::kF32, {2, 6});
  EXPECT_TRUE(t.Reshape({3, 4}).ok());
  auto bad = t.Reshape({5});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("cannot reshape"), std::string::npos);
}

TEST(TensorTest, BlockFormatRowsArePaddedToWholeBlocks) {
  std::vector<float> v(3 * 20);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i % 7) - 3.0f;
  Tensor t = Tensor::FromF32({3, 20}, v).To(DType::kBFP8);
  EXPECT_EQ(t.nbytes(), 3 * 2 * sizeof(Bfp8Block));
  EXPECT_EQ(t.ToF32(), v);  // small integers are exact in bfp8
  EXPECT_EQ(t.Row(2).ToF32(), std::vector<float>(v.begin() + 40, v.end()));
}

TEST(TensorTest, ConversionsRoundTripThroughHalfTypes) {
  Tensor t = Tensor::FromF32({4}, std::vector<float>{1.0f, -2.0f, 0.5f, 1024.0f});
  EXPECT_EQ(t.To(DType::kF16).ToF32(), t.ToF32());
  EXPECT_EQ(t.To(DType::kBF16).ToF32(), t.ToF32());
}

TEST(TensorTest, ViewOfMappedFileAndBoundsCheck) {
  std::string path = ::testing::TempDir() + "/tensor_view.bin";
  std::vector<float> v = {1, 2, 3, 4, 5, 6};
  ASSERT_TRUE(WriteFileAtomically(path, std::string(reinterpret_cast<const char*>(v.data()), 24)).ok());
  auto file = MappedFile::Open(path);
  ASSERT_TRUE(file.ok());
  auto view = Tensor::View((*file)->AsStorage(), 8, DType::kF32, {2, 2});
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->ToF32(), (std::vector<float>{3, 4, 5, 6}));
  auto past = Tensor::View((*file)->AsStorage(), 12, DType::kF32, {2, 2});
  ASSERT_FALSE(past.ok());
  EXPECT_NE(past.status().message().find("runs past the end"), std::string::npos);
  EXPECT_FALSE(MappedFile::Open(path + ".missing").ok());
}

}  // namespace
}  // namespace ttt
