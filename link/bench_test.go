package link_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
)

// BenchmarkDataChannelThroughput sends a body through one request's data
// channel on loopback (DTLS and SCTP included, both ends in this process)
// and reports the rate the viewer reads it at.
func BenchmarkDataChannelThroughput(b *testing.B) {
	chunk := make([]byte, 64<<10)
	pc := pair(b, func(r *link.Responder) {
		_ = r.WriteHead(protocol.StatusOK, protocol.Head{ContentType: "application/octet-stream"})
		for {
			if _, err := r.Write(chunk); err != nil {
				return
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	body := openBody(ctx, b, pc, "ipc.flv?action=live&channel=0")
	buf := make([]byte, 1<<20)
	b.SetBytes(int64(len(buf)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := io.ReadFull(body, buf); err != nil {
			b.Fatal(err)
		}
	}
}
