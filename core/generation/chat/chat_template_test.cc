// ChatTemplate on real models' templates (tests/fixtures/chat_templates, see its PROVENANCE.md): each
// renders the conversation of llama.cpp's chat-template test exactly as llama.cpp's test expects, or, for
// the full model templates, exactly as Jinja2 configured like Hugging Face transformers renders it. Also:
// finding the template of a Hugging Face directory or a GGUF file, and what happens when there is none.
#include "core/generation/chat/chat_template.h"

#include <cctype>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/formats/testing/format_writers.h"
#include "core/generation/chat/jinja_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace ttt {
namespace {

using formats::testing::GgufWriter;
using formats::testing::TempDir;
using formats::testing::WriteBytes;
using ::testing::HasSubstr;

const std::string kFixtures = std::string(TTT_FIXTURES_DIR) + "/chat_templates/";

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

nlohmann::ordered_json ReadJson(const std::string& path) { return nlohmann::ordered_json::parse(ReadText(path)); }

// A conversation of conversations.json as ChatMessages: role and content, everything else (tool_calls,
// tool_call_id, name) through extra_json.
std::vector<ChatMessage> Messages(const nlohmann::ordered_json& conversation) {
  std::vector<ChatMessage> messages;
  for (const auto& m : conversation["messages"]) {
    ChatMessage message{m["role"], m["content"], ""};
    nlohmann::ordered_json extra = m;
    extra.erase("role");
    extra.erase("content");
    if (!extra.empty()) message.extra_json = extra.dump();
    messages.push_back(std::move(message));
  }
  return messages;
}

struct RealCase {
  std::string name;
  nlohmann::ordered_json spec;
};

std::vector<RealCase> RealCases() {
  std::vector<RealCase> cases;
  for (const auto& spec : ReadJson(kFixtures + "cases.json")) {
    std::string name = spec["name"];
    for (char& c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    cases.push_back({name, spec});
  }
  return cases;
}

class ChatTemplateRealTest : public ::testing::TestWithParam<RealCase> {};

TEST_P(ChatTemplateRealTest, RendersTheExpectedPrompt) {
  const nlohmann::ordered_json& spec = GetParam().spec;
  const std::string bos = spec["bos_token"], eos = spec["eos_token"];
  absl::StatusOr<ChatTemplate> tmpl = ChatTemplate::FromString(ReadText(kFixtures + spec["template"].get<std::string>()), bos, eos);
  ASSERT_TRUE(tmpl.ok()) << tmpl.status();
  const nlohmann::ordered_json conversation = ReadJson(kFixtures + "conversations.json")[spec["conversation"].get<std::string>()];
  ChatApplyOptions options;
  options.now = chat::testing::FixedNow();
  if (conversation.contains("tools")) options.extra_context_json = nlohmann::ordered_json{{"tools", conversation["tools"]}}.dump();
  absl::StatusOr<std::string> prompt = tmpl->Apply(Messages(conversation), /*add_generation_prompt=*/true, options);
  ASSERT_TRUE(prompt.ok()) << prompt.status();
  std::string out = *prompt;
  if (spec["strip_bos_eos"].get<bool>()) {
    // llama.cpp's test compares without a leading BOS and a trailing EOS (its tokenizer adds them).
    if (!bos.empty() && out.rfind(bos, 0) == 0) out.erase(0, bos.size());
    if (!eos.empty() && out.size() >= eos.size() && out.compare(out.size() - eos.size(), eos.size(), eos) == 0) {
      out.resize(out.size() - eos.size());
    }
  }
  EXPECT_EQ(out, ReadText(kFixtures + spec["expected"].get<std::string>())) << spec["expected_from"];
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ChatTemplateRealTest, ::testing::ValuesIn(RealCases()),
                         [](const ::testing::TestParamInfo<RealCase>& info) { return info.param.name; });

TEST(ChatTemplateTest, CoversTheFamiliesPeopleRun) {
  std::string names;
  for (const RealCase& c : RealCases()) names += c.spec["model"].get<std::string>() + "\n";
  for (const char* family : {"Llama-3", "Llama-3.1", "Mistral-7B-Instruct-v0.2", "Mistral-Large-Instruct-2407",
                             "Mistral-Large-Instruct-2411", "Qwen2.5", "OpenHermes-2.5", "Phi-3-mini", "Phi-3.5",
                             "gemma-7b-it", "gemma-2", "DeepSeek-V2", "DeepSeek-R1-Distill-Llama", "deepseek-coder"}) {
    EXPECT_THAT(names, HasSubstr(family));
  }
}

// llama.cpp's own Jinja engine drops the space after "\n" in this template; Jinja2 (and so Hugging Face)
// keeps it, and so does this engine. The fixture records both strings.
TEST(ChatTemplateTest, ChatGlm3FollowsJinja2WhereLlamaCppDiffers) {
  const std::string jinja2 = ReadText(kFixtures + "ChatGLM3.expected");
  const std::string llama_cpp = ReadText(kFixtures + "ChatGLM3.llama-cpp.expected");
  EXPECT_THAT(jinja2, HasSubstr("<|user|>\n Hello"));
  EXPECT_THAT(llama_cpp, HasSubstr("<|user|>\nHello"));
}

TEST(ChatTemplateTest, SystemMessagesGoToTheUserWhenTheTemplateRefusesThem) {
  absl::StatusOr<ChatTemplate> gemma = ChatTemplate::FromString(ReadText(kFixtures + "google-gemma-7b-it.jinja"));
  ASSERT_TRUE(gemma.ok()) << gemma.status();
  EXPECT_FALSE(gemma->supports_system_role());
  const std::vector<ChatMessage> chat = {{"system", "Be brief.", ""}, {"user", "Hi", ""}};
  absl::StatusOr<std::string> merged = gemma->Apply(chat, true);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(*merged, "<start_of_turn>user\nBe brief.\nHi<end_of_turn>\n<start_of_turn>model\n");

  ChatApplyOptions as_given;
  as_given.merge_system_into_user = false;
  absl::StatusOr<std::string> refused = gemma->Apply(chat, true, as_given);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("System role not supported"));

  absl::StatusOr<ChatTemplate> chatml = ChatTemplate::FromString(ReadText(kFixtures + "teknium-OpenHermes-2.5-Mistral-7B.jinja"));
  ASSERT_TRUE(chatml.ok());
  EXPECT_TRUE(chatml->supports_system_role());
}

TEST(ChatTemplateTest, RaiseExceptionRefusesTheConversation) {
  absl::StatusOr<ChatTemplate> mistral =
      ChatTemplate::FromString(ReadText(kFixtures + "mistralai-Mistral-7B-Instruct-v0.2.jinja"), "<s>", "</s>");
  ASSERT_TRUE(mistral.ok());
  absl::StatusOr<std::string> out = mistral->Apply({{"user", "a", ""}, {"user", "b", ""}}, true);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), HasSubstr("Conversation roles must alternate user/assistant/user/assistant/..."));
}

TEST(ChatTemplateTest, MessagesAndContextCarryExtraJson) {
  absl::StatusOr<ChatTemplate> tmpl = ChatTemplate::FromString(
      "{% for m in messages %}{{ m.role }}:{{ m.content }}{% if m.tool_calls %}{{ m.tool_calls|tojson }}{% endif %}|"
      "{% endfor %}{{ enable_thinking }}{{ tools is none }}{{ add_generation_prompt }}{{ bos_token }}");
  ASSERT_TRUE(tmpl.ok()) << tmpl.status();
  ChatApplyOptions options;
  options.extra_context_json = R"({"enable_thinking": false})";
  absl::StatusOr<std::string> out =
      tmpl->Apply({{"assistant", "", R"({"tool_calls": [{"name": "f", "arguments": {"é": 1}}]})"}}, false, options);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, R"(assistant:[{"name": "f", "arguments": {"é": 1}}]|FalseTrueFalse)");

  options.extra_context_json = "[1]";
  EXPECT_THAT(tmpl->Apply({}, false, options).status().message(), HasSubstr("extra context must be a JSON object"));
  EXPECT_THAT(tmpl->Apply({{"user", "x", "{oops"}}, false).status().message(), HasSubstr("not valid JSON"));
}

TEST(ChatTemplateTest, UnsupportedTemplateFailsToLoad) {
  absl::StatusOr<ChatTemplate> tmpl = ChatTemplate::FromString("{% extends 'base.jinja' %}");
  EXPECT_EQ(tmpl.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(tmpl.status().message(), HasSubstr("unsupported statement 'extends' at line 1, column 4"));
}

TEST(ChatTemplateTest, RendersConcurrently) {
  absl::StatusOr<ChatTemplate> tmpl =
      ChatTemplate::FromString(ReadText(kFixtures + "Qwen-Qwen2.5-7B-Instruct.jinja"), "", "<|im_end|>");
  ASSERT_TRUE(tmpl.ok());
  const std::vector<ChatMessage> chat = Messages(ReadJson(kFixtures + "conversations.json")["basic"]);
  const std::string expected = ReadText(kFixtures + "Qwen-Qwen2.5-7B-Instruct.basic.expected");
  std::vector<std::thread> threads;
  std::vector<int> matches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) matches[t] += tmpl->Apply(chat, true).value_or("") == expected;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(matches, ::testing::Each(20));
}

// --- Finding a model's template -------------------------------------------------------------------------

constexpr char kChatMl[] =
    "{{ bos_token }}{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

TEST(ChatTemplateTest, FromHuggingFaceDirectory) {
  TempDir dir;
  WriteBytes(dir.File("config.json"), R"({"model_type": "llama"})");
  nlohmann::json config = {{"chat_template", kChatMl},
                           {"bos_token", {{"__type", "AddedToken"}, {"content", "<s>"}, {"lstrip", false}}},
                           {"eos_token", "</s>"}};
  WriteBytes(dir.File("tokenizer_config.json"), config.dump());
  for (const std::string& path : {dir.path(), dir.File("config.json")}) {
    absl::StatusOr<ChatTemplate> tmpl = ChatTemplate::FromModelPath(path);
    ASSERT_TRUE(tmpl.ok()) << tmpl.status();
    EXPECT_EQ(tmpl->bos_token(), "<s>");
    EXPECT_EQ(tmpl->eos_token(), "</s>");
    EXPECT_EQ(tmpl->Apply({{"user", "Hi", ""}}, true).value_or("?"),
              "<s><|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
  }

  // A list of named templates: "default" is the chat template.
  config["chat_template"] = {{{"name", "tool_use"}, {"template", "tools!"}}, {{"name", "default"}, {"template", "default!"}}};
  WriteBytes(dir.File("tokenizer_config.json"), config.dump());
  EXPECT_EQ(ChatTemplate::FromModelPath(dir.path())->Apply({}, true).value_or("?"), "default!");
  config["chat_template"] = {{{"name", "tool_use"}, {"template", "tools!"}}};
  WriteBytes(dir.File("tokenizer_config.json"), config.dump());
  absl::StatusOr<ChatTemplate> no_default = ChatTemplate::FromModelPath(dir.path());
  EXPECT_EQ(no_default.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(no_default.status().message(), HasSubstr("none named \"default\""));

  // chat_template.jinja beside the config wins (newer transformers save the template there).
  WriteBytes(dir.File("chat_template.jinja"), "from the jinja file\n");
  EXPECT_EQ(ChatTemplate::FromModelPath(dir.path())->Apply({}, true).value_or("?"), "from the jinja file");

  // A template that does not parse names the file it came from.
  WriteBytes(dir.File("chat_template.jinja"), "{% include 'x' %}");
  EXPECT_THAT(ChatTemplate::FromModelPath(dir.path()).status().message(), HasSubstr("chat_template.jinja"));
}

TEST(ChatTemplateTest, ModelWithoutTemplateIsNotFound) {
  // gpt2-tiny has a tokenizer_config.json without a chat_template, like most base models.
  absl::StatusOr<ChatTemplate> tmpl = ChatTemplate::FromModelPath(std::string(TTT_FIXTURES_DIR) + "/gpt2-tiny/hf");
  EXPECT_EQ(tmpl.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(tmpl.status().message(), HasSubstr("has no chat template"));
  EXPECT_THAT(tmpl.status().message(), HasSubstr("tokenizer_config.json"));
  EXPECT_THAT(tmpl.status().message(), HasSubstr("FromString"));

  absl::StatusOr<ChatTemplate> gguf =
      ChatTemplate::FromModelPath(std::string(TTT_FIXTURES_DIR) + "/llama-gqa-tiny/model-f32.gguf");
  EXPECT_EQ(gguf.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(gguf.status().message(), HasSubstr("no tokenizer.chat_template"));

  EXPECT_EQ(ChatTemplate::FromModelPath("/nonexistent/model").status().code(), absl::StatusCode::kNotFound);
}

TEST(ChatTemplateTest, FromGgufMetadata) {
  TempDir dir;
  const std::string path = dir.File("chat.gguf");
  WriteBytes(path, GgufWriter()
                       .AddString("general.architecture", "llama")
                       .AddString("tokenizer.chat_template", kChatMl)
                       .AddStringArray("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "hi"})
                       .AddU32("tokenizer.ggml.bos_token_id", 1)
                       .AddU32("tokenizer.ggml.eos_token_id", 2)
                       .Build());
  absl::StatusOr<ChatTemplate> tmpl = ChatTemplate::FromModelPath(path);
  ASSERT_TRUE(tmpl.ok()) << tmpl.status();
  EXPECT_EQ(tmpl->bos_token(), "<s>");
  EXPECT_EQ(tmpl->eos_token(), "</s>");
  EXPECT_EQ(tmpl->Apply({{"system", "S", ""}, {"user", "U", ""}}, false).value_or("?"),
            "<s><|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n");

  WriteBytes(path, GgufWriter()
                       .AddString("tokenizer.chat_template", kChatMl)
                       .AddStringArray("tokenizer.ggml.tokens", {"<unk>"})
                       .AddU32("tokenizer.ggml.bos_token_id", 7)
                       .Build());
  EXPECT_THAT(ChatTemplate::FromModelPath(path).status().message(), HasSubstr("outside the vocabulary"));
}

}  // namespace
}  // namespace ttt
