// The `ttt._ttt` extension module: ttt.Model, ttt.Tokenizer and the generation iterator. Every call that
// computes (loading, tokenizing, generating, logits, the TestSuite) releases the GIL; errors come back as the
// library's Status messages (status.h).
#include <cerrno>
#include <filesystem>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "core/runtime/library_version.h"

#include "absl/strings/str_cat.h"
#include "contrib/positional/alibi/alibi.h"
#include "core/tokenizers/tokenizer_loader.h"
#include "python/src/generation.h"
#include "python/src/model.h"
#include "python/src/status.h"
#include "python/src/test_suite.h"

namespace py = pybind11;
using namespace pybind11::literals;

namespace ttt::python {
namespace {

using Path = std::optional<std::filesystem::path>;

std::optional<std::string> PathText(const Path& path) {
  return path ? std::optional<std::string>(path->string()) : std::nullopt;
}

// A path argument that names nothing raises Python's own FileNotFoundError (errno, filename), which is what
// callers catch; the library's NotFound errors are about names inside a file or folder.
std::optional<std::string> ExistingPath(const Path& path) {
  if (!path) return std::nullopt;
  std::error_code ec;
  if (!std::filesystem::exists(*path, ec)) {
    errno = ENOENT;
    PyErr_SetFromErrnoWithFilename(PyExc_OSError, path->c_str());  // OSError(ENOENT) is FileNotFoundError
    throw py::error_already_set();
  }
  return PathText(path);
}

// Decoded bytes as str; a model may produce bytes that are not UTF-8 (a lone continuation byte), which
// become U+FFFD instead of raising in the middle of a stream.
py::str Utf8(const std::string& bytes) {
  PyObject* text = PyUnicode_DecodeUTF8(bytes.data(), static_cast<Py_ssize_t>(bytes.size()), "replace");
  if (text == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(text);
}

std::vector<int32_t> Encode(const tokenizers::Tokenizer& tokenizer, const std::string& text, bool add_bos,
                            bool parse_special) {
  absl::StatusOr<std::vector<int32_t>> ids;
  {
    py::gil_scoped_release release;
    ids = tokenizer.Encode(text, {.add_bos = add_bos, .parse_special = parse_special});
  }
  return ValueOrThrow(std::move(ids));
}

// A prompt given as text (tokenized with the model's BOS rule unless add_bos says otherwise) or as token ids.
std::vector<int32_t> PromptTokens(const ModelHandle& model, const py::object& prompt, std::optional<bool> add_bos) {
  if (py::isinstance<py::str>(prompt)) {
    const tokenizers::Tokenizer* tokenizer = ValueOrThrow(model.RequireTokenizer());
    return Encode(*tokenizer, prompt.cast<std::string>(), add_bos.value_or(model.adds_bos()), false);
  }
  try {
    return prompt.cast<std::vector<int32_t>>();
  } catch (const py::cast_error&) {
    throw py::type_error("the prompt must be a str or a sequence of token ids (int)");
  }
}

std::vector<std::string> StopStrings(const py::object& stop) {
  if (stop.is_none()) return {};
  if (py::isinstance<py::str>(stop)) return {stop.cast<std::string>()};
  try {
    return stop.cast<std::vector<std::string>>();
  } catch (const py::cast_error&) {
    throw py::type_error("stop must be a str or a sequence of str");
  }
}

std::string Decode(const tokenizers::Tokenizer& tokenizer, const std::vector<int32_t>& ids) {
  py::gil_scoped_release release;
  return tokenizer.Decode(ids);
}

void BindTokenizer(py::module_& m) {
  py::class_<tokenizers::Tokenizer, std::shared_ptr<tokenizers::Tokenizer>>(
      m, "Tokenizer", "A tokenizer: tokenizer.json, tokenizer.model, a llama2.c tokenizer.bin or a GGUF's own.")
      .def(py::init([](const std::filesystem::path& path) {
             const std::string file = *ExistingPath(path);
             absl::StatusOr<std::unique_ptr<tokenizers::Tokenizer>> loaded;
             {
               py::gil_scoped_release release;
               loaded = tokenizers::LoadTokenizer(file);
             }
             return std::shared_ptr<tokenizers::Tokenizer>(ValueOrThrow(std::move(loaded)));
           }),
           "path"_a)
      .def(
          "encode",
          [](const tokenizers::Tokenizer& t, const std::string& text, std::optional<bool> add_bos, bool parse_special) {
            return Encode(t, text, add_bos.value_or(t.add_bos_by_default()), parse_special);
          },
          "text"_a, py::kw_only(), "add_bos"_a = py::none(), "parse_special"_a = false,
          "Token ids of `text`. add_bos: None follows the tokenizer's default; parse_special: read control "
          "tokens written in the text (\"<s>\") as those tokens.")
      .def(
          "decode",
          [](const tokenizers::Tokenizer& t, const std::vector<int32_t>& ids) { return Utf8(Decode(t, ids)); },
          "ids"_a, "The text of token ids (control tokens decode to nothing).")
      .def("token_text", &tokenizers::Tokenizer::TokenText, "id"_a, "The vocabulary's spelling of one token.")
      .def_property_readonly("vocab_size", &tokenizers::Tokenizer::vocab_size)
      .def_property_readonly("bos_id", &tokenizers::Tokenizer::bos_id)
      .def_property_readonly("eos_id", &tokenizers::Tokenizer::eos_id);
}

void BindGeneration(py::module_& m) {
  py::class_<StreamedToken>(m, "Token", "One generated token and the text that became final with it.")
      .def_readonly("id", &StreamedToken::id, "the token id; None for text held back until the end")
      .def_property_readonly("text", [](const StreamedToken& t) { return Utf8(t.text); })
      .def("__repr__", [](const StreamedToken& t) {
        return py::str("Token(id={}, text={!r})").format(t.id ? py::cast(*t.id) : py::none(), Utf8(t.text));
      });

  py::class_<Generation>(m, "Generation", "An iterator over the tokens of one generation (Model.generate).")
      .def("__iter__", [](py::object self) { return self; })
      .def("__next__",
           [](Generation& g) {
             absl::StatusOr<std::optional<StreamedToken>> next;
             {
               py::gil_scoped_release release;
               next = g.Next();
             }
             std::optional<StreamedToken> item = ValueOrThrow(std::move(next));
             if (!item) throw py::stop_iteration();
             return *std::move(item);
           })
      .def_property_readonly("text", [](const Generation& g) { return Utf8(g.text()); }, "the text so far")
      .def_property_readonly("tokens", &Generation::tokens, "the token ids generated so far")
      .def_property_readonly("prompt_tokens", &Generation::prompt_tokens)
      .def_property_readonly("stop_reason", &Generation::stop_reason,
                             "once over: eos, stop-string, budget or cancelled; \"\" before");
}

std::shared_ptr<ModelHandle> LoadModel(const Path& model, const Path& tokenizer, std::optional<std::string> device,
                                       std::optional<std::string> mode, const Path& hw_config,
                                       std::optional<std::string> weights, std::optional<std::string> kv_cache,
                                       std::optional<int> threads, bool cache, const Path& cache_dir,
                                       std::optional<std::string> cache_max_size) {
  const LoadOptions options{.model = ExistingPath(model), .tokenizer = ExistingPath(tokenizer),
                            .device = std::move(device), .mode = std::move(mode),
                            .hw_config = ExistingPath(hw_config), .weights = std::move(weights),
                            .kv_cache = std::move(kv_cache), .threads = threads, .cache = cache,
                            .cache_dir = PathText(cache_dir), .cache_max_size = std::move(cache_max_size)};
  absl::StatusOr<std::shared_ptr<ModelHandle>> loaded;
  {
    py::gil_scoped_release release;
    loaded = ModelHandle::Load(options);
  }
  return ValueOrThrow(std::move(loaded));
}

// The logits as a NumPy array over the library's own buffer: the vector is moved into a capsule that the
// array keeps alive (its base), so no float is copied.
py::array_t<float> Logits(ModelHandle& model, const py::object& prompt, std::optional<bool> add_bos) {
  const std::vector<int32_t> tokens = PromptTokens(model, prompt, add_bos);
  absl::StatusOr<std::vector<float>> logits;
  {
    py::gil_scoped_release release;
    logits = model.Logits(tokens);
  }
  std::vector<float> values = ValueOrThrow(std::move(logits));
  auto* buffer = new std::vector<float>(std::move(values));
  py::capsule owner(buffer, [](void* p) { delete static_cast<std::vector<float>*>(p); });
  const py::ssize_t vocab = model.model().vocab_size();
  return py::array_t<float>({static_cast<py::ssize_t>(tokens.size()), vocab}, buffer->data(), owner);
}

std::unique_ptr<Generation> Generate(const std::shared_ptr<ModelHandle>& model, const py::object& prompt,
                                     int32_t max_tokens, float temperature, int32_t top_k, float top_p, float min_p,
                                     float repeat_penalty, uint64_t seed, const py::object& stop, bool stop_at_eos,
                                     std::optional<bool> add_bos, int64_t context) {
  // As the CLI warns for its flags: greedy decoding ignores these, so a value other than the default is a
  // mistake the caller wants to hear about.
  if (temperature == 0) {
    const std::pair<const char*, bool> ignored[] = {
        {"top_k", top_k != 0}, {"top_p", top_p != 1}, {"min_p", min_p != 0}, {"seed", seed != 42}};
    for (const auto& [name, given] : ignored) {
      if (!given) continue;
      const std::string message = absl::StrCat(name, " does nothing at temperature 0 (greedy decoding); give "
                                               "temperature > 0 to sample");
      if (PyErr_WarnEx(PyExc_UserWarning, message.c_str(), 1) != 0) throw py::error_already_set();
    }
  }
  BatchRequest request{.prompt = PromptTokens(*model, prompt, add_bos),
                       .max_new_tokens = max_tokens,
                       .sampling = {.temperature = temperature, .top_k = top_k, .top_p = top_p, .min_p = min_p,
                                    .repetition_penalty = repeat_penalty, .seed = seed},
                       .stop_strings = StopStrings(stop),
                       .stop_at_eos = stop_at_eos};
  absl::StatusOr<std::unique_ptr<Generation>> generation;
  {
    py::gil_scoped_release release;
    generation = Generation::Start(model, std::move(request), context);
  }
  return ValueOrThrow(std::move(generation));
}

py::object TestSuiteResults(ModelHandle& model, const std::string& reference, int64_t tokens, uint64_t seed,
                            double pcc) {
  absl::StatusOr<std::string> json;
  {
    py::gil_scoped_release release;
    json = RunTestSuiteJson(model, {.reference = reference, .tokens = tokens, .seed = seed, .pcc = pcc});
  }
  return py::module_::import("json").attr("loads")(ValueOrThrow(std::move(json)));
}

void BindModel(py::module_& m) {
  py::class_<ModelHandle, std::shared_ptr<ModelHandle>>(m, "Model", R"(A loaded model: a Hugging Face folder, a GGUF
file or a llama2.c checkpoint (none: the bundled demo model), built as `ttt generate` builds it.)")
      .def(py::init(&LoadModel), "model"_a = py::none(), py::kw_only(), "tokenizer"_a = py::none(),
           "device"_a = py::none(), "mode"_a = py::none(), "hw_config"_a = py::none(), "weights"_a = py::none(),
           "kv_cache"_a = py::none(), "threads"_a = py::none(), "cache"_a = true, "cache_dir"_a = py::none(),
           "cache_max_size"_a = py::none(),
           R"(device: cpu (default) or an emulated Tenstorrent device (n150, n300, t3k, tg, p150); mode: accuracy
(default) or performance; hw_config: a ttt.hw.ModelHwConfig text file (its device and mode apply unless given);
weights: every linear op's weight dtype (f32, bf16, int8, bfp8, bfp4); kv_cache: the KV cache's dtype (f32,
bf16, bfp8); threads: worker threads of the whole process (0: one per core; None leaves it); cache, cache_dir,
cache_max_size: the converted-weight cache as ttt's --no-cache, --cache-dir, --cache-max-size.)")
      .def(
          "tokenize",
          [](const ModelHandle& model, const std::string& text, std::optional<bool> add_bos, bool parse_special) {
            const tokenizers::Tokenizer* tokenizer = ValueOrThrow(model.RequireTokenizer());
            return Encode(*tokenizer, text, add_bos.value_or(model.adds_bos()), parse_special);
          },
          "text"_a, py::kw_only(), "add_bos"_a = py::none(), "parse_special"_a = false,
          "Token ids of `text`; add_bos None follows the model (as generate does).")
      .def(
          "detokenize",
          [](const ModelHandle& model, const std::vector<int32_t>& ids) {
            return Utf8(Decode(*ValueOrThrow(model.RequireTokenizer()), ids));
          },
          "ids"_a)
      .def("logits", &Logits, "prompt"_a, py::kw_only(), "add_bos"_a = py::none(),
           "float32 array [tokens, vocab] of every position's logits (one prefill on a fresh state); the prompt "
           "is a str or token ids. The array wraps the library's buffer (not copied).")
      .def("generate", &Generate, "prompt"_a, py::kw_only(), "max_tokens"_a = 128, "temperature"_a = 0.0f,
           "top_k"_a = 0, "top_p"_a = 1.0f, "min_p"_a = 0.0f, "repeat_penalty"_a = 1.0f, "seed"_a = 42,
           "stop"_a = py::none(), "stop_at_eos"_a = true, "add_bos"_a = py::none(), "context"_a = 0,
           R"(An iterator of ttt.Token (id, text) as they are generated. temperature 0 is greedy; stop: str or
list of str (the text is cut before it); context: KV-cache length, 0 for prompt + max_tokens.)")
      .def("test_suite", &TestSuiteResults, py::kw_only(), "reference"_a = "own-weights", "tokens"_a = 12,
           "seed"_a = 1234, "pcc"_a = 0.0,
           R"(Runs the TestSuite over every module; returns its report as a dict (model, reference, passed,
culprits, cases: one dict per module and mode with metrics, tolerance, failures). reference: "own-weights"
(each module against the float64 math of its own weights) or "checkpoint" (against the source checkpoint's).)")
      .def_property_readonly("path", &ModelHandle::path)
      .def_property_readonly("device", &ModelHandle::device)
      .def_property_readonly("mode", &ModelHandle::mode)
      .def_property_readonly("tokenizer", &ModelHandle::tokenizer, "the model's ttt.Tokenizer, or None")
      .def_property_readonly("vocab_size", [](const ModelHandle& h) { return h.model().vocab_size(); })
      .def_property_readonly("context_length", [](const ModelHandle& h) { return h.model().spec().max_seq_len(); })
      .def_property_readonly("num_layers", [](const ModelHandle& h) { return h.model().num_layers(); })
      .def("__repr__", [](const ModelHandle& h) {
        return py::str("<ttt.Model {!r} device={} mode={} vocab={}>")
            .format(h.path(), h.device(), h.mode(), h.model().vocab_size());
      });
}

}  // namespace
}  // namespace ttt::python

PYBIND11_MODULE(_ttt, m) {
  m.doc() = "TTTv2 transformer library: load a model, generate, logits, tokenizers, the TestSuite.";
  m.attr("__version__") = ttt::LibraryVersion();
  // As the ttt tool does: the contrib tier's kinds that models name in their specs (ALiBi: MPT, BLOOM).
  if (absl::Status s = ttt::contrib::RegisterAlibi(); !s.ok()) {
    PyErr_WarnEx(PyExc_RuntimeWarning, std::string(s.message()).c_str(), 1);
  }
  ttt::python::BindTokenizer(m);
  ttt::python::BindGeneration(m);
  ttt::python::BindModel(m);
}
