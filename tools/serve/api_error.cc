#include "tools/serve/api_error.h"

#include "nlohmann/json.hpp"

namespace ttt::serve {

std::string ApiError::Body() const {
  auto or_null = [](const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); };
  nlohmann::json error = {{"message", message}, {"type", type}, {"param", or_null(param)}, {"code", or_null(code)}};
  return nlohmann::json{{"error", error}}.dump();
}

ApiError InvalidRequest(std::string message, std::string param, std::string code) {
  ApiError e = MakeError(400, std::move(message), "invalid_request_error", std::move(code));
  e.param = std::move(param);
  return e;
}

ApiError MakeError(int http_status, std::string message, std::string type, std::string code) {
  ApiError e;
  e.http_status = http_status;
  e.message = std::move(message);
  e.type = std::move(type);
  e.code = std::move(code);
  return e;
}

ApiError FromStatus(const absl::Status& status, std::string param) {
  std::string message(status.message());
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return InvalidRequest(std::move(message), std::move(param));
    case absl::StatusCode::kOutOfRange:
      return InvalidRequest(std::move(message), "messages", "context_length_exceeded");
    case absl::StatusCode::kResourceExhausted:
      return MakeError(503, std::move(message), "server_error", "server_busy");
    default:
      return MakeError(500, std::move(message), "server_error");
  }
}

}  // namespace ttt::serve
