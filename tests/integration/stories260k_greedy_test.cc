// stories260K greedy from BOS reproduces llama2.c's run.c byte for byte (expected_greedy_256.txt).
#include "core/generation/generate.h"
#include "tests/integration/fixture_util.h"

namespace ttt::testing {
namespace {

void ExpectRunCText(const std::string& model_path) {
  auto loaded = LoadModel(Fixture(model_path));  // finds tok512.bin beside the .bin; the GGUF has its own
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  // run.c with 256 steps generates 256 tokens after BOS and prints a newline at the end.
  GenerationOptions options;
  options.max_new_tokens = 256;
  options.add_bos = true;
  auto results = Generate(*loaded->model, *loaded->tokenizer, {""}, options);
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ(results->front().text + "\n", ReadAll(Fixture("stories260K/expected_greedy_256.txt")));
}

TEST(Stories260KGreedyTest, Llama2cCheckpointMatchesRunC) { ExpectRunCText("stories260K/stories260K.bin"); }
TEST(Stories260KGreedyTest, GgufMatchesRunC) { ExpectRunCText("stories260K/stories260K.gguf"); }

}  // namespace
}  // namespace ttt::testing
