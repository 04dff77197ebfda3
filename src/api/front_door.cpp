#include "kinesisd/api/front_door.hpp"

#include "kinesisd/api/access.hpp"
#include "kinesisd/api/dispatch.hpp"
#include "kinesisd/api/error_map.hpp"
#include "kinesisd/api/rate_limits.hpp"
#include "kinesisd/auth/sigv4_shape.hpp"
#include "kinesisd/auth/sigv4_verify.hpp"
#include "kinesisd/protocol/cbor_codec.hpp"
#include "kinesisd/protocol/event_stream.hpp"
#include "kinesisd/protocol/json_codec.hpp"
#include "kinesisd/protocol/validator.hpp"
#include "kinesisd/util/clock.hpp"

namespace kinesisd::api {
namespace {

// The media type of a Content-Type value, without parameters or surrounding spaces (a view into it).
std::string_view media_type(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  return t;
}

ApiResponse xml_error(unsigned status, const std::string& type, const std::string& message) {
  ApiResponse r;
  r.status = status;
  r.content_type = "text/xml";
  r.error_type = type;
  r.body = message.empty() ? "<" + type + "/>\n"
                           : "<" + type + ">\n  <Message>" + message + "</Message>\n</" + type + ">\n";
  return r;
}

}  // namespace

ApiResponse error_response(const Error& raw, Protocol protocol, std::string_view op) {
  const Error error = public_error(raw, op);
  const WireError wire = to_wire(error.code);
  ApiResponse r;
  r.status = wire.status;
  r.error_type = std::string(wire.type);
  if (protocol == Protocol::kCbor) {
    r.content_type = std::string(protocol::kCborContentType);
    r.body = protocol::cbor_encode_error(wire.type, error.message);
  } else {
    r.content_type = std::string(protocol::kJsonContentType);
    r.body = protocol::json_encode_error(wire.type, error.message);
  }
  return r;
}

ApiResponse body_too_large(size_t limit) {
  return error_response(make_error(ErrorCode::kBodyTooLarge,
                                   "Request body exceeds the maximum of " + std::to_string(limit) + " bytes."));
}

boost::asio::awaitable<ApiResponse> FrontDoor::handle(ApiRequest req) {
  if ((req.method == "GET" || req.method == "HEAD") && req.path == "/health") {
    co_return ApiResponse{200, "application/json", R"({"status":"ok"})", "", nullptr};
  }
  const auto& model = protocol::ServiceModel::instance();
  // Views into `req`, which lives in this coroutine's frame until it returns.
  const std::string_view target(req.target);
  const auto dot = target.find('.');
  const std::string_view service = dot == std::string_view::npos ? target : target.substr(0, dot);
  const std::string_view op_name = dot == std::string_view::npos ? std::string_view() : target.substr(dot + 1);
  if (req.method != "POST") {
    co_return xml_error(403, "AccessDeniedException", "Unable to determine service/operation name to be authorized");
  }
  const std::string_view type = media_type(req.content_type);
  const Protocol wire = type == protocol::kCborContentType ? Protocol::kCbor : Protocol::kJson;
  auto error_response = [wire, op_name](const Error& e) { return api::error_response(e, wire, op_name); };
  if (type != protocol::kJsonContentType && type != protocol::kCborContentType) {
    if (service.empty() || op_name.empty()) {
      co_return xml_error(403, "AccessDeniedException", "Unable to determine service/operation name to be authorized");
    }
    co_return xml_error(404, "UnknownOperationException", "");
  }
  const protocol::Operation* op = service == model.target_prefix() ? model.find_operation(op_name) : nullptr;
  if (op == nullptr) co_return error_response(make_error(ErrorCode::kUnknownOperation, ""));

  auto credential = auth::check_signature_shape(req.authorization, req.query, req.has_date);
  if (!credential) co_return error_response(credential.error());
  if (services_.secrets != nullptr) {
    const auth::SignedRequest signed_request{req.method, req.path, req.query, req.body, &req.headers};
    if (auto s = auth::verify_signature(signed_request, *credential, *services_.secrets, now_ms()); !s) {
      co_return error_response(s.error());
    }
  }

  Handler handler = find_handler(op->name);
  StreamHandler stream_handler = find_stream_handler(op->name);
  if (handler == nullptr && stream_handler == nullptr) {
    co_return error_response(make_error(ErrorCode::kUnknownOperation,
                                        "The operation " + op->name + " is not supported by this kinesisd version."));
  }

  rapidjson::Document input(req.arena);
  const Status decoded = wire == Protocol::kCbor ? protocol::cbor_decode_input(req.body, *op->input, input)
                                                 : protocol::json_decode_input(req.body, *op->input, input);
  if (!decoded) co_return error_response(decoded.error());
  if (auto s = protocol::validate_input(*op->input, input); !s) co_return error_response(s.error());

  CallContext ctx{op, credential->region, now_ms(), wire, req.arena};
  if (services_.secrets != nullptr) {  // a verified caller: resource policies apply
    if (auto s = check_resource_policy(services_, ctx, input, services_.secrets->account_of(credential->access_key_id));
        !s) {
      co_return error_response(s.error());
    }
  }
  if (services_.limiter != nullptr) {
    if (auto s = check_rate_limit(*services_.limiter, services_.registry->limits().account, ctx, input); !s) {
      co_return error_response(s.error());
    }
  }
  if (stream_handler != nullptr) {
    StreamOutput stream = co_await stream_handler(services_, ctx, input);
    if (!stream) co_return error_response(stream.error());
    ApiResponse r;
    r.content_type = std::string(protocol::kEventStreamContentType);
    r.stream = std::move(stream.value());
    co_return r;
  }
  Output out = co_await handler(services_, ctx, input);
  if (!out) co_return error_response(out.error());
  ApiResponse r;
  if (wire == Protocol::kCbor) {
    r.content_type = std::string(protocol::kCborContentType);
    r.body = op->output ? protocol::cbor_encode_output(op->output, out.value()) : "";
  } else {
    r.content_type = std::string(protocol::kJsonContentType);
    r.body = op->output ? protocol::json_encode_output(op->output, out.value()) : "";
  }
  co_return r;
}

}  // namespace kinesisd::api
