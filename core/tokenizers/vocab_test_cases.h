// Reads llama.cpp's tokenizer test vectors (tests/fixtures/tokenizers/vocab-tests): `.inp` holds texts
// separated by "\n__ggml_vocab_test__\n" (a separator also ends the file), `.out` the expected ids of each
// text, space separated, one line per text. Header-only: used by the tokenizer tests.
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace ttt::tokenizers {

struct VocabTestCase {
  std::string text;
  std::vector<int32_t> ids;
};

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Empty when the files are missing or their counts disagree (the caller asserts non-empty).
inline std::vector<VocabTestCase> ReadVocabTestCases(const std::string& inp_path, const std::string& out_path) {
  const std::string separator = "\n__ggml_vocab_test__\n";
  std::string inp = ReadWholeFile(inp_path);
  std::vector<VocabTestCase> cases;
  for (size_t pos; (pos = inp.find(separator)) != std::string::npos;) {
    cases.push_back({inp.substr(0, pos), {}});
    inp.erase(0, pos + separator.size());
  }
  std::istringstream out(ReadWholeFile(out_path));
  std::string line;
  size_t i = 0;
  for (; std::getline(out, line); ++i) {
    if (i >= cases.size()) return {};
    std::istringstream ids(line);
    for (int32_t id; ids >> id;) cases[i].ids.push_back(id);
  }
  if (i != cases.size()) return {};
  return cases;
}

}  // namespace ttt::tokenizers
