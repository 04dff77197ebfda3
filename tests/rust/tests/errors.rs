//! kinesisd's errors as the AWS SDK for Rust's typed errors (each operation's error enum), with AWS's codes,
//! messages and HTTP status, over http:// and https://.

use aws_sdk_kinesis::error::ProvideErrorMetadata;
use aws_sdk_kinesis::primitives::Blob;
use aws_sdk_kinesis::types::ShardIteratorType;
use aws_smithy_runtime_api::client::result::SdkError;
use kinesisd_rust_sdk_tests::{Server, create_active, unique};

/// The HTTP status of a service error.
fn status<E, R: std::fmt::Debug>(err: &SdkError<E, aws_smithy_runtime_api::http::Response<R>>) -> u16 {
    err.raw_response().map(|r| r.status().as_u16()).unwrap_or(0)
}

async fn typed_errors(https: bool) {
    let server = Server::start();
    let c = server.client(https).await;
    let missing = unique("rust-missing");

    let err = c
        .describe_stream_summary()
        .stream_name(&missing)
        .send()
        .await
        .expect_err("missing stream");
    assert_eq!(status(&err), 400);
    let e = err.into_service_error();
    assert!(e.is_resource_not_found_exception(), "{e:?}");
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    assert_eq!(
        e.message(),
        Some(format!("Stream {missing} under account 000000000000 not found.").as_str())
    );

    let err = c
        .put_record()
        .stream_name(&missing)
        .partition_key("k")
        .data(Blob::new("x"))
        .send()
        .await
        .expect_err("PutRecord to a missing stream");
    assert!(err.into_service_error().is_resource_not_found_exception());

    // Out of the model's range (ShardCount >= 1): the SDK sends it, kinesisd's validator refuses it.
    let err = c
        .create_stream()
        .stream_name(&missing)
        .shard_count(0)
        .send()
        .await
        .expect_err("ShardCount 0");
    assert_eq!(status(&err), 400);
    let e = err.into_service_error();
    assert!(e.is_validation_exception(), "{e:?}");
    assert!(e.message().unwrap_or_default().contains("shardCount"), "{e:?}");

    let name = unique("rust-errors");
    create_active(&c, &name, 1).await;
    let e = c
        .create_stream()
        .stream_name(&name)
        .shard_count(1)
        .send()
        .await
        .expect_err("existing stream")
        .into_service_error();
    assert!(e.is_resource_in_use_exception(), "{e:?}");

    // Below the 24-hour minimum.
    let e = c
        .increase_stream_retention_period()
        .stream_name(&name)
        .retention_period_hours(12)
        .send()
        .await
        .expect_err("retention 12 h")
        .into_service_error();
    assert!(e.is_invalid_argument_exception(), "{e:?}");
    assert!(
        e.message()
            .unwrap_or_default()
            .contains("Minimum allowed retention period is 24 hours."),
        "{e:?}"
    );

    let e = c
        .get_shard_iterator()
        .stream_name(&name)
        .shard_id("shardId-000000000000")
        .shard_iterator_type(ShardIteratorType::AtSequenceNumber)
        .starting_sequence_number("1")
        .send()
        .await
        .expect_err("sequence number 1")
        .into_service_error();
    assert!(e.is_invalid_argument_exception(), "{e:?}");
}

#[tokio::test]
async fn typed_errors_http() {
    typed_errors(false).await;
}

#[tokio::test]
async fn typed_errors_https() {
    typed_errors(true).await;
}
