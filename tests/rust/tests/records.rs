//! CreateStream, PutRecord, PutRecords, ListShards, GetShardIterator and GetRecords through the AWS SDK for
//! Rust, over http:// and https://: every record read back byte for byte, in order, where PutRecord(s) said.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_sdk_kinesis::Client;
use aws_sdk_kinesis::client::Waiters;
use aws_sdk_kinesis::primitives::Blob;
use aws_sdk_kinesis::types::{PutRecordsRequestEntry, Record, ShardIteratorType};
use kinesisd_rust_sdk_tests::{Server, create_active, payload, seq_less, unique};

struct Put {
    key: String,
    shard: String,
    data: Vec<u8>,
}

/// Reads a shard from TRIM_HORIZON until it has `want` records and GetRecords says it is caught up.
async fn read_shard(c: &Client, stream: &str, shard: &str, want: usize) -> Vec<Record> {
    let it = c
        .get_shard_iterator()
        .stream_name(stream)
        .shard_id(shard)
        .shard_iterator_type(ShardIteratorType::TrimHorizon)
        .send()
        .await
        .expect("GetShardIterator");
    let mut iter = it.shard_iterator().map(str::to_string);
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = c
            .get_records()
            .set_shard_iterator(iter.clone())
            .send()
            .await
            .expect("GetRecords");
        let empty = out.records().is_empty();
        got.extend(out.records().iter().cloned());
        if got.len() >= want && out.millis_behind_latest() == Some(0) && empty {
            return got;
        }
        assert!(
            out.next_shard_iterator().is_some(),
            "shard {shard} ended after {} of {want}",
            got.len()
        );
        assert!(
            Instant::now() < deadline,
            "shard {shard}: {} of {want} records after 20 s",
            got.len()
        );
        iter = out.next_shard_iterator().map(str::to_string);
        tokio::time::sleep(Duration::from_millis(250)).await; // AWS's 5 GetRecords calls per second and shard
    }
}

async fn round_trip(https: bool) {
    let mut server = Server::start();
    let c = server.client(https).await;
    let name = unique("rust-records");
    if https {
        create_active(&c, &name, 2).await;
    } else {
        // The SDK's own waiter (it polls DescribeStream every 10 s or more after a first CREATING answer).
        c.create_stream()
            .stream_name(&name)
            .shard_count(2)
            .send()
            .await
            .expect("CreateStream");
        c.wait_until_stream_exists()
            .stream_name(&name)
            .wait(Duration::from_secs(60))
            .await
            .expect("stream never became ACTIVE");
    }

    let mut puts: HashMap<String, Put> = HashMap::new();
    let one = c
        .put_record()
        .stream_name(&name)
        .partition_key("single")
        .data(Blob::new(payload(0, 300)))
        .send()
        .await
        .expect("PutRecord");
    assert!(
        !one.shard_id().is_empty() && !one.sequence_number().is_empty(),
        "{one:?}"
    );
    puts.insert(
        one.sequence_number().into(),
        Put {
            key: "single".into(),
            shard: one.shard_id().into(),
            data: payload(0, 300),
        },
    );

    let entries: Vec<PutRecordsRequestEntry> = (1..=20)
        .map(|i| {
            PutRecordsRequestEntry::builder()
                .partition_key(format!("key-{i}"))
                .data(Blob::new(payload(i, 10 * i)))
                .build()
                .unwrap()
        })
        .collect();
    let many = c
        .put_records()
        .stream_name(&name)
        .set_records(Some(entries.clone()))
        .send()
        .await
        .expect("PutRecords");
    assert_eq!(many.failed_record_count(), Some(0));
    assert_eq!(many.records().len(), entries.len());
    for (entry, result) in entries.iter().zip(many.records()) {
        assert!(result.error_code().is_none(), "{result:?}");
        puts.insert(
            result.sequence_number().unwrap().into(),
            Put {
                key: entry.partition_key().unwrap().into(),
                shard: result.shard_id().unwrap().into(),
                data: entry.data().as_ref().to_vec(),
            },
        );
    }

    let shards = c.list_shards().stream_name(&name).send().await.expect("ListShards");
    assert_eq!(shards.shards().len(), 2);
    let mut per_shard: HashMap<&str, usize> = HashMap::new();
    for p in puts.values() {
        *per_shard.entry(p.shard.as_str()).or_default() += 1;
    }
    assert_eq!(per_shard.len(), 2, "21 keys all went to one shard");
    for s in shards.shards() {
        let want = per_shard[s.shard_id()];
        let recs = read_shard(&c, &name, s.shard_id(), want).await;
        assert_eq!(recs.len(), want, "shard {}", s.shard_id());
        assert!(
            recs.windows(2)
                .all(|w| seq_less(w[0].sequence_number(), w[1].sequence_number())),
            "order"
        );
        for r in recs {
            let p = puts
                .get(r.sequence_number())
                .unwrap_or_else(|| panic!("record {} never put", r.sequence_number()));
            assert_eq!(p.shard, s.shard_id());
            assert_eq!(r.data().as_ref(), p.data.as_slice(), "data of {}", r.sequence_number());
            assert_eq!(r.partition_key(), Some(p.key.as_str()));
            assert!(r.approximate_arrival_timestamp().is_some());
        }
    }

    // AT_SEQUENCE_NUMBER starts exactly at the PutRecord record.
    let it = c
        .get_shard_iterator()
        .stream_name(&name)
        .shard_id(one.shard_id())
        .shard_iterator_type(ShardIteratorType::AtSequenceNumber)
        .starting_sequence_number(one.sequence_number())
        .send()
        .await
        .expect("GetShardIterator AT_SEQUENCE_NUMBER");
    let out = c
        .get_records()
        .set_shard_iterator(it.shard_iterator().map(str::to_string))
        .limit(1)
        .send()
        .await
        .expect("GetRecords");
    assert_eq!(out.records().len(), 1);
    assert_eq!(out.records()[0].sequence_number(), one.sequence_number());
    assert_eq!(out.records()[0].data().as_ref(), payload(0, 300).as_slice());

    c.delete_stream().stream_name(&name).send().await.expect("DeleteStream");
    server.assert_alive();
}

#[tokio::test]
async fn round_trip_http() {
    round_trip(false).await;
}

#[tokio::test]
async fn round_trip_https() {
    round_trip(true).await;
}
