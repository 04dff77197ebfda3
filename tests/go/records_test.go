package kinesisdgo

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// createActive creates a provisioned stream and waits with the SDK's StreamExists waiter until it is ACTIVE;
// the stream is deleted (and waited for with StreamNotExists) when the test ends.
func createActive(t *testing.T, c *kinesis.Client, name string, shards int32) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatalf("CreateStream: %v", err)
	}
	w := kinesis.NewStreamExistsWaiter(c, func(o *kinesis.StreamExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, time.Second
	})
	if err := w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)}, 30*time.Second); err != nil {
		t.Fatalf("stream %s never became ACTIVE: %v", name, err)
	}
	t.Cleanup(func() {
		if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(name), EnforceConsumerDeletion: aws.Bool(true)}); err != nil {
			t.Errorf("DeleteStream: %v", err)
			return
		}
		gone := kinesis.NewStreamNotExistsWaiter(c, func(o *kinesis.StreamNotExistsWaiterOptions) {
			o.MinDelay, o.MaxDelay = 100*time.Millisecond, time.Second
		})
		if err := gone.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)}, 30*time.Second); err != nil {
			t.Errorf("stream %s not gone after DeleteStream: %v", name, err)
		}
	})
}

// put is one record as written, with where kinesisd said it went.
type put struct {
	key, shard, seq string
	data            []byte
}

// payload is n bytes covering every byte value, distinct per i.
func payload(i, n int) []byte {
	b := make([]byte, n)
	for j := range b {
		b[j] = byte(i*7 + j)
	}
	return b
}

// readShard reads a shard from TRIM_HORIZON until it has `want` records and GetRecords says it is caught up.
func readShard(t *testing.T, c *kinesis.Client, stream, shard string, want int) []types.Record {
	t.Helper()
	ctx := context.Background()
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName: aws.String(stream), ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		t.Fatalf("GetShardIterator(%s): %v", shard, err)
	}
	iter := it.ShardIterator
	var got []types.Record
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			t.Fatalf("GetRecords(%s): %v", shard, err)
		}
		got = append(got, out.Records...)
		if len(got) >= want && aws.ToInt64(out.MillisBehindLatest) == 0 && len(out.Records) == 0 {
			return got
		}
		if out.NextShardIterator == nil {
			t.Fatalf("shard %s ended after %d of %d records", shard, len(got), want)
		}
		if time.Now().After(deadline) {
			t.Fatalf("shard %s: %d of %d records after 20s", shard, len(got), want)
		}
		iter = out.NextShardIterator
		time.Sleep(250 * time.Millisecond) // AWS's 5 GetRecords calls per second and shard, as kinesisd enforces
	}
}

func TestRecordsRoundTrip(t *testing.T) {
	transports(t, func(t *testing.T, c *kinesis.Client, https bool) {
		ctx := context.Background()
		name := uniqueName("go-records")
		createActive(t, c, name, 2)

		var puts []put
		one, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("single"), Data: payload(0, 300)})
		if err != nil {
			t.Fatalf("PutRecord: %v", err)
		}
		if aws.ToString(one.ShardId) == "" || aws.ToString(one.SequenceNumber) == "" {
			t.Fatalf("PutRecord answer lacks ShardId or SequenceNumber: %+v", one)
		}
		puts = append(puts, put{"single", *one.ShardId, *one.SequenceNumber, payload(0, 300)})

		var entries []types.PutRecordsRequestEntry
		for i := 1; i <= 20; i++ {
			entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("key-%d", i)), Data: payload(i, 10*i)})
		}
		many, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
		if err != nil {
			t.Fatalf("PutRecords: %v", err)
		}
		if aws.ToInt32(many.FailedRecordCount) != 0 || len(many.Records) != len(entries) {
			t.Fatalf("PutRecords: %d failed, %d results for %d entries", aws.ToInt32(many.FailedRecordCount), len(many.Records), len(entries))
		}
		for i, r := range many.Records {
			if r.ErrorCode != nil || r.ShardId == nil || r.SequenceNumber == nil {
				t.Fatalf("PutRecords result %d: %+v", i, r)
			}
			puts = append(puts, put{*entries[i].PartitionKey, *r.ShardId, *r.SequenceNumber, entries[i].Data})
		}

		shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name)})
		if err != nil || len(shards.Shards) != 2 {
			t.Fatalf("ListShards: %v (%d shards)", err, len(shards.Shards))
		}
		bySeq := map[string]put{}
		perShard := map[string]int{}
		for _, p := range puts {
			bySeq[p.seq] = p
			perShard[p.shard]++
		}
		if len(perShard) != 2 {
			t.Errorf("21 keys all went to one shard: %v", perShard)
		}
		for _, s := range shards.Shards {
			recs := readShard(t, c, name, *s.ShardId, perShard[*s.ShardId])
			if len(recs) != perShard[*s.ShardId] {
				t.Fatalf("shard %s: read %d records, put %d", *s.ShardId, len(recs), perShard[*s.ShardId])
			}
			if !sort.SliceIsSorted(recs, func(i, j int) bool { return seqLess(*recs[i].SequenceNumber, *recs[j].SequenceNumber) }) {
				t.Errorf("shard %s: records not in sequence-number order", *s.ShardId)
			}
			for _, r := range recs {
				p, ok := bySeq[aws.ToString(r.SequenceNumber)]
				switch {
				case !ok:
					t.Errorf("shard %s: record %s was never put", *s.ShardId, aws.ToString(r.SequenceNumber))
				case p.shard != *s.ShardId:
					t.Errorf("record %s read from %s, PutRecord(s) said %s", p.seq, *s.ShardId, p.shard)
				case !bytes.Equal(r.Data, p.data):
					t.Errorf("record %s: data differs (%d bytes read, %d put)", p.seq, len(r.Data), len(p.data))
				case aws.ToString(r.PartitionKey) != p.key:
					t.Errorf("record %s: partition key %q, put %q", p.seq, aws.ToString(r.PartitionKey), p.key)
				case r.ApproximateArrivalTimestamp == nil || time.Since(*r.ApproximateArrivalTimestamp) > time.Minute:
					t.Errorf("record %s: ApproximateArrivalTimestamp %v", p.seq, r.ApproximateArrivalTimestamp)
				}
			}
		}

		// AT_SEQUENCE_NUMBER starts exactly at the PutRecord record.
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: one.ShardId,
			ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: one.SequenceNumber})
		if err != nil {
			t.Fatalf("GetShardIterator AT_SEQUENCE_NUMBER: %v", err)
		}
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(1)})
		if err != nil {
			t.Fatalf("GetRecords: %v", err)
		}
		if len(out.Records) != 1 || aws.ToString(out.Records[0].SequenceNumber) != *one.SequenceNumber || !bytes.Equal(out.Records[0].Data, payload(0, 300)) {
			t.Fatalf("AT_SEQUENCE_NUMBER %s gave %+v", *one.SequenceNumber, out.Records)
		}
	})
}

// seqLess orders decimal sequence numbers of any length.
func seqLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
