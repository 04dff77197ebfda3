// PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy on stream and consumer ARNs. The policy text is
// stored as given with the stream or consumer (persisted with the catalog); it is not enforced until signatures
// are verified.
#include <rapidjson/error/en.h>

#include "kinesisd/api/catalog_writer.hpp"
#include "kinesisd/api/handlers.hpp"
#include "kinesisd/api/resources.hpp"

namespace kinesisd::api {
namespace {

// The quota AWS applies to resource-based policies of S3 buckets and Secrets Manager secrets; the Kinesis
// documentation gives no figure of its own.
constexpr size_t kMaxPolicyBytes = 20 * 1024;
// What GetResourcePolicy answers for a resource without a policy.
constexpr const char* kNoPolicy = "{}";

Status check_policy(const std::string& policy) {
  if (policy.size() > kMaxPolicyBytes) {
    return make_error(ErrorCode::kInvalidArgument, "Policy size " + std::to_string(policy.size()) +
                                                       " bytes exceeds the maximum of " +
                                                       std::to_string(kMaxPolicyBytes) + " bytes.");
  }
  rapidjson::Document doc;
  // One value, nothing but whitespace after it. Iterative, as nesting costs no stack then.
  doc.Parse<rapidjson::kParseIterativeFlag>(policy.c_str(), policy.size());
  if (doc.HasParseError()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "Policy is not valid JSON: " + std::string(rapidjson::GetParseError_En(doc.GetParseError())) +
                          " Offset " + std::to_string(doc.GetErrorOffset()) + ".");
  }
  if (!doc.IsObject()) return make_error(ErrorCode::kInvalidArgument, "Policy must be a JSON object.");
  return Status::Ok();
}

// Changes the policy of the resource the call resolved, atomically with the status checks, then persists.
boost::asio::awaitable<Output> change_policy(Services& services, const CallContext& ctx, const ResourceRef& ref,
                                             const std::function<Status(std::string&)>& change) {
  auto s = services.registry->update_stream(ctx.region, ref.stream->name, ctx.now_ms, [&](engine::StreamMeta& m) {
    return change_resource(services, ctx, m, ref,
                           [&](std::map<std::string, std::string>&, std::string& policy) { return change(policy); });
  });
  if (!s) co_return s.error();
  if (auto p = co_await services.catalog->persist(); !p) co_return p.error();
  rapidjson::Document out(rapidjson::kObjectType);
  co_return out;
}

}  // namespace

KINESISD_HANDLER(put_resource_policy) {
  auto ref = resolve_resource_arn(services, ctx, in);
  if (!ref) co_return ref.error();
  const std::string policy = get_string(in, "Policy").value_or("");
  if (auto s = check_policy(policy); !s) co_return s.error();
  co_return co_await change_policy(services, ctx, *ref, [&](std::string& current) {
    current = policy;
    return Status::Ok();
  });
}

KINESISD_HANDLER(get_resource_policy) {
  auto ref = resolve_resource_arn(services, ctx, in);
  if (!ref) co_return ref.error();
  const auto& policy = resource_policy(*ref);
  rapidjson::Document out(rapidjson::kObjectType);
  OutBuilder(out, out.GetAllocator()).str("Policy", policy.empty() ? kNoPolicy : policy);
  co_return out;
}

KINESISD_HANDLER(delete_resource_policy) {
  auto ref = resolve_resource_arn(services, ctx, in);
  if (!ref) co_return ref.error();
  const std::string arn = get_string(in, "ResourceARN").value_or("");
  co_return co_await change_policy(services, ctx, *ref, [&](std::string& current) {
    if (current.empty()) {
      return Status(make_error(ErrorCode::kResourceNotFound, "No resource policy found for resource ARN " + arn + "."));
    }
    current.clear();
    return Status::Ok();
  });
}

}  // namespace kinesisd::api
