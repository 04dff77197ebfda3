package kinesisdgo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// registerActive registers an enhanced fan-out consumer and polls DescribeStreamConsumer until it is ACTIVE.
func registerActive(t *testing.T, c *kinesis.Client, streamARN, name string) string {
	t.Helper()
	ctx := context.Background()
	reg, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(streamARN), ConsumerName: aws.String(name)})
	if err != nil {
		t.Fatalf("RegisterStreamConsumer: %v", err)
	}
	arn := aws.ToString(reg.Consumer.ConsumerARN)
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
		if err != nil {
			t.Fatalf("DescribeStreamConsumer: %v", err)
		}
		if d.ConsumerDescription.ConsumerStatus == types.ConsumerStatusActive {
			return arn
		}
		if time.Now().After(deadline) {
			t.Fatalf("consumer %s still %s after 30s", arn, d.ConsumerDescription.ConsumerStatus)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// collect reads SubscribeToShard events until n records have arrived; returns them and the last event.
func collect(t *testing.T, events <-chan types.SubscribeToShardEventStream, n int, timeout time.Duration) ([]types.Record, *types.SubscribeToShardEvent) {
	t.Helper()
	var got []types.Record
	var last *types.SubscribeToShardEvent
	deadline := time.After(timeout)
	for len(got) < n {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("event stream ended after %d of %d records", len(got), n)
			}
			e, isRecords := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			if !isRecords {
				t.Fatalf("unexpected event %T", ev)
			}
			if e.Value.ContinuationSequenceNumber == nil || e.Value.MillisBehindLatest == nil {
				t.Fatalf("event lacks ContinuationSequenceNumber or MillisBehindLatest: %+v", e.Value)
			}
			got = append(got, e.Value.Records...)
			last = &e.Value
		case <-deadline:
			t.Fatalf("%d of %d records within %s", len(got), n, timeout)
		}
	}
	return got, last
}

func TestSubscribeToShard(t *testing.T) {
	transports(t, func(t *testing.T, c *kinesis.Client, https bool) {
		ctx := context.Background()
		name := uniqueName("go-efo")
		createActive(t, c, name, 1)
		sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			t.Fatalf("DescribeStreamSummary: %v", err)
		}
		consumer := registerActive(t, c, *sum.StreamDescriptionSummary.StreamARN, "go-consumer")

		var sent [][]byte
		var seqs []string
		putOne := func(i int) {
			data := append([]byte(fmt.Sprintf("record-%d:", i)), payload(i, 64)...)
			out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("k"), Data: data})
			if err != nil {
				t.Fatalf("PutRecord: %v", err)
			}
			sent, seqs = append(sent, data), append(seqs, *out.SequenceNumber)
		}
		for i := 0; i < 5; i++ { // before the subscription: delivered from TRIM_HORIZON
			putOne(i)
		}

		sub, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
			ConsumerARN: aws.String(consumer), ShardId: aws.String("shardId-000000000000"),
			StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon},
		})
		if err != nil {
			t.Fatalf("SubscribeToShard: %v", err)
		}
		stream := sub.GetStream()
		defer stream.Close()
		wantProto := "HTTP/1.1"
		if https {
			wantProto = "HTTP/2.0" // the SDK's transport negotiates h2 by ALPN
		}
		if raw, ok := awsmiddleware.GetRawResponse(sub.ResultMetadata).(*smithyhttp.Response); !ok || raw.Proto != wantProto {
			t.Errorf("SubscribeToShard answered over %v, want %s", awsmiddleware.GetRawResponse(sub.ResultMetadata), wantProto)
		}

		first, _ := collect(t, stream.Events(), 5, 15*time.Second)
		for i := 5; i < 8; i++ { // while subscribed: pushed as they are appended
			putOne(i)
		}
		later, last := collect(t, stream.Events(), 3, 15*time.Second)
		got := append(first, later...)
		if len(got) != len(sent) {
			t.Fatalf("received %d records, put %d", len(got), len(sent))
		}
		for i, r := range got {
			if aws.ToString(r.SequenceNumber) != seqs[i] || !bytes.Equal(r.Data, sent[i]) || aws.ToString(r.PartitionKey) != "k" {
				t.Errorf("record %d: seq %s data %q, put seq %s data %q", i, aws.ToString(r.SequenceNumber), r.Data, seqs[i], sent[i])
			}
		}
		if cont := aws.ToString(last.ContinuationSequenceNumber); seqLess(cont, seqs[len(seqs)-1]) {
			t.Errorf("ContinuationSequenceNumber %s is before the last record %s", cont, seqs[len(seqs)-1])
		}
		if err := stream.Close(); err != nil {
			t.Errorf("closing the event stream: %v", err)
		}
		if _, err := c.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(consumer)}); err != nil {
			t.Errorf("DeregisterStreamConsumer: %v", err)
		}
	})
}

// A consumer ARN that names no consumer is refused before any event, as the SDK's typed error.
func TestSubscribeToShardUnknownConsumer(t *testing.T) {
	c := newClient(t, true)
	ctx := context.Background()
	name := uniqueName("go-efo-missing")
	createActive(t, c, name, 1)
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeStreamSummary: %v", err)
	}
	arn := *sum.StreamDescriptionSummary.StreamARN + "/consumer/nobody:1700000000"
	_, err = c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
		ConsumerARN: aws.String(arn), ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest},
	})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("SubscribeToShard with an unknown consumer: want *types.ResourceNotFoundException, got %T %v", err, err)
	}
}
