// OpenAI's error body ({"error": {"message", "type", "param", "code"}}) with its HTTP status, so clients
// written for OpenAI (the openai packages, LangChain...) show the server's message instead of a parse error.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace ttt::serve {

struct ApiError {
  int http_status = 400;
  std::string message;
  std::string type = "invalid_request_error";
  std::string code;   // "" is null: invalid_api_key, model_not_found, context_length_exceeded...
  std::string param;  // "" is null: the request field at fault

  std::string Body() const;
};

ApiError InvalidRequest(std::string message, std::string param = "", std::string code = "");
// Any other status: 401, 404, 500, 503...
ApiError MakeError(int http_status, std::string message, std::string type, std::string code = "");
// A library status as an API error: InvalidArgument and OutOfRange (context exceeded) are the client's 400,
// ResourceExhausted a 503 (full queue), anything else the server's 500.
ApiError FromStatus(const absl::Status& status, std::string param = "");

}  // namespace ttt::serve
