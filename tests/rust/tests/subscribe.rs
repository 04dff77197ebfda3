//! SubscribeToShard through the AWS SDK for Rust: register a consumer, wait until ACTIVE, subscribe from
//! TRIM_HORIZON and receive, in order and byte for byte, records put before and while subscribed. Over
//! http:// (HTTP/1.1, chunked) and https:// (ALPN h2).

use std::time::Duration;

use aws_sdk_kinesis::Client;
use aws_sdk_kinesis::operation::subscribe_to_shard::SubscribeToShardOutput;
use aws_sdk_kinesis::primitives::Blob;
use aws_sdk_kinesis::types::{Record, ShardIteratorType, StartingPosition, SubscribeToShardEventStream};
use kinesisd_rust_sdk_tests::{Server, create_active, payload, register_active, seq_less, unique};

/// Receives events until `n` more records have arrived; returns them and the last continuation.
async fn collect(sub: &mut SubscribeToShardOutput, n: usize) -> (Vec<Record>, String) {
    let mut got = Vec::new();
    let mut continuation = String::new();
    while got.len() < n {
        let ev = tokio::time::timeout(Duration::from_secs(15), sub.event_stream.recv())
            .await
            .unwrap_or_else(|_| panic!("{} of {n} records within 15 s", got.len()))
            .expect("event stream error");
        match ev {
            Some(SubscribeToShardEventStream::SubscribeToShardEvent(e)) => {
                continuation = e.continuation_sequence_number().to_string();
                got.extend(e.records().iter().cloned());
            }
            Some(other) => panic!("unexpected event {other:?}"),
            None => panic!("event stream ended after {} of {n} records", got.len()),
        }
    }
    (got, continuation)
}

async fn put(c: &Client, stream: &str, i: usize, sent: &mut Vec<(String, Vec<u8>)>) {
    let mut data = format!("record-{i}:").into_bytes();
    data.extend(payload(i, 64));
    let out = c
        .put_record()
        .stream_name(stream)
        .partition_key("k")
        .data(Blob::new(data.clone()))
        .send()
        .await
        .expect("PutRecord");
    sent.push((out.sequence_number().to_string(), data));
}

async fn subscribe(https: bool) {
    let mut server = Server::start();
    let c = server.client(https).await;
    let name = unique("rust-efo");
    create_active(&c, &name, 1).await;
    let summary = c
        .describe_stream_summary()
        .stream_name(&name)
        .send()
        .await
        .expect("DescribeStreamSummary");
    let stream_arn = summary.stream_description_summary().unwrap().stream_arn().to_string();
    let consumer = register_active(&c, &stream_arn, "rust-consumer").await;

    let mut sent = Vec::new();
    for i in 0..5 {
        put(&c, &name, i, &mut sent).await; // before the subscription: delivered from TRIM_HORIZON
    }
    let position = StartingPosition::builder()
        .r#type(ShardIteratorType::TrimHorizon)
        .build()
        .unwrap();
    let out = c
        .subscribe_to_shard()
        .consumer_arn(&consumer)
        .shard_id("shardId-000000000000")
        .starting_position(position)
        .send()
        .await
        .expect("SubscribeToShard");
    let mut sub = out;
    let (mut got, _) = collect(&mut sub, 5).await;
    for i in 5..8 {
        put(&c, &name, i, &mut sent).await; // while subscribed: pushed as they are appended
    }
    let (later, continuation) = collect(&mut sub, 3).await;
    got.extend(later);
    assert_eq!(got.len(), sent.len());
    for (r, (seq, data)) in got.iter().zip(&sent) {
        assert_eq!(r.sequence_number(), seq);
        assert_eq!(r.data().as_ref(), data.as_slice());
        assert_eq!(r.partition_key(), Some("k"));
    }
    assert!(
        !seq_less(&continuation, &sent.last().unwrap().0),
        "continuation {continuation} before the last record"
    );
    drop(sub);
    c.deregister_stream_consumer()
        .consumer_arn(&consumer)
        .send()
        .await
        .expect("DeregisterStreamConsumer");
    server.assert_alive();
}

#[tokio::test]
async fn subscribe_http1() {
    subscribe(false).await;
}

#[tokio::test]
async fn subscribe_h2() {
    subscribe(true).await;
}

/// A consumer ARN that names no consumer: the SDK's typed ResourceNotFoundException, before any event.
#[tokio::test]
async fn subscribe_unknown_consumer() {
    let server = Server::start();
    let c = server.client(true).await;
    let name = unique("rust-efo-missing");
    create_active(&c, &name, 1).await;
    let summary = c
        .describe_stream_summary()
        .stream_name(&name)
        .send()
        .await
        .expect("DescribeStreamSummary");
    let arn = format!(
        "{}/consumer/nobody:1700000000",
        summary.stream_description_summary().unwrap().stream_arn()
    );
    let position = StartingPosition::builder()
        .r#type(ShardIteratorType::Latest)
        .build()
        .unwrap();
    let err = c
        .subscribe_to_shard()
        .consumer_arn(arn)
        .shard_id("shardId-000000000000")
        .starting_position(position)
        .send()
        .await
        .expect_err("SubscribeToShard with an unknown consumer succeeded");
    let service = err.into_service_error();
    assert!(service.is_resource_not_found_exception(), "{service:?}");
}
