#include "tools/serve/api_error.h"

#include "nlohmann/json.hpp"

namespace ttt::serve {

std::string ApiError::Body() const {
  auto or_null = [](const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); };
  nlohmann::json error = {{"message", message}, {"type", type}, {"param", or_null(param)}, {"code", or_null(code)}};
  return nlohmann::json{{"error", error}}.dump();
}

ApiError InvalidRequest(std::string message, std::string param, std::string code) {
  return {.http_status = 400, .message = std::move(message), .code = std::move(code), .param = std::move(param)};
}

ApiError FromStatus(const absl::Status& status, std::string param) {
  std::string message(status.message());
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return InvalidRequest(std::move(message), std::move(param));
    case absl::StatusCode::kOutOfRange:
      return InvalidRequest(std::move(message), "messages", "context_length_exceeded");
    case absl::StatusCode::kResourceExhausted:
      return {.http_status = 503, .message = std::move(message), .type = "server_error", .code = "server_busy"};
    default:
      return {.http_status = 500, .message = std::move(message), .type = "server_error"};
  }
}

}  // namespace ttt::serve
