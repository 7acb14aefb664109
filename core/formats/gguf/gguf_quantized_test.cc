// The quantised tensors of llama.cpp's GGUF files (tests/fixtures/kquants-tiny, written by llama-quantize) load
// as ttt's ggml block dtypes, viewing the file's bytes, and decode (ggml::DecodeRow, which every kernel is
// tested against) to the values gguf-py's numpy dequantisation gives for the same blocks.
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "core/formats/gguf/gguf_file.h"
#include "gtest/gtest.h"

namespace ttt::formats {
namespace {

struct Case {
  const char* file_type;
  DType embedding_dtype;  // of token_embd.weight in that file
};

class GgufQuantizedTensors : public ::testing::TestWithParam<Case> {};

TEST_P(GgufQuantizedTensors, DecodeAsGgufPyDequantizes) {
  const std::string dir = std::string(TTT_FIXTURES_DIR) + "/kquants-tiny/";
  const std::string type = GetParam().file_type;
  auto gguf = GgufFile::Open(dir + "model-" + type + ".gguf");
  ASSERT_TRUE(gguf.ok()) << gguf.status();
  auto emb = (*gguf)->LoadTensor("token_embd.weight");
  ASSERT_TRUE(emb.ok()) << emb.status();
  EXPECT_EQ(emb->dtype(), GetParam().embedding_dtype) << DTypeName(emb->dtype());
  EXPECT_FALSE(emb->storage()->owned()) << "a view of the mapped file, not a copy";
  ASSERT_EQ(emb->dim(1), 256);

  std::vector<float> expected(4 * 256);
  std::ifstream in(dir + "dequant-" + type + ".f32", std::ios::binary);
  ASSERT_TRUE(in.read(reinterpret_cast<char*>(expected.data()), expected.size() * sizeof(float)));
  const std::vector<float> decoded = emb->Slice(0, 0, 4).ToF32();
  for (size_t i = 0; i < expected.size(); ++i) {
    // numpy may order the same float products differently (d * (sc * q) against (d * sc) * q).
    ASSERT_NEAR(decoded[i], expected[i], 1e-6 * (std::fabs(expected[i]) + 1e-3)) << type << " value " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    LlamaQuantize, GgufQuantizedTensors,
    ::testing::Values(Case{"Q8_0", DType::kQ8_0}, Case{"Q4_0", DType::kQ4_0}, Case{"Q5_0", DType::kQ5_0},
                      Case{"IQ4_NL", DType::kIQ4_NL}, Case{"Q4_K", DType::kQ4_K}, Case{"Q5_K", DType::kQ5_K},
                      Case{"Q6_K", DType::kQ6_K}, Case{"Q4_K_M", DType::kQ6_K}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.file_type); });

}  // namespace
}  // namespace ttt::formats
