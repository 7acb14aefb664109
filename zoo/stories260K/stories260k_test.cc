// The zoo's stories260K against its outside reference: llama2.c run.c's greedy text.
#include <fstream>
#include <sstream>

#include "core/factory/model_loader.h"
#include "core/generation/generate.h"
#include "gtest/gtest.h"

TEST(Stories260KZooTest, GreedyTextMatchesRunC) {
  auto loaded = ttt::LoadModel(STORIES260K_DATA "/stories260K.bin", STORIES260K_DATA "/tok512.bin");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ttt::GenerationOptions options;
  options.max_new_tokens = 256;  // run.c -n 256: 256 tokens after BOS
  auto results = ttt::Generate(*loaded->model, *loaded->tokenizer, {""}, options);
  ASSERT_TRUE(results.ok()) << results.status();
  std::ifstream in(STORIES260K_DATA "/expected_greedy_256.txt", std::ios::binary);
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(results->front().text + "\n", expected.str());
}
