package link_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
)

// A body of any size reaches the viewer whole and in order, with the
// head's status and fields, and ends when the camera closes the channel.
func TestResponderBody(t *testing.T) {
	tests := []struct {
		name   string
		status protocol.Status
		size   int
	}{
		{"head only", protocol.StatusOK, 0},
		{"one byte", protocol.StatusOK, 1},
		{"exactly one message", protocol.StatusOK, link.MessageSize},
		{"messages and a part", protocol.StatusOK, 3*link.MessageSize + 7},
		{"beyond the high water mark", protocol.StatusOK, 1 << 20},
		{"an error status with a body", protocol.StatusTooMany, 40},
	}
	bodies := make(map[string][]byte)
	for i, tc := range tests {
		bodies[tc.name] = bytes.Repeat([]byte{byte(i + 1), 0x55, byte(i)}, tc.size/3+1)[:tc.size]
	}
	served := make(chan error, len(tests))
	serve := func(line string, r *link.Responder) {
		for _, tc := range tests {
			if line != tc.name {
				continue
			}
			err := r.WriteHead(tc.status, protocol.Head{ContentType: "application/octet-stream"})
			if err == nil {
				_, err = r.Write(bodies[tc.name])
			}
			if err == nil {
				err = r.Flush()
			}
			if cerr := r.Close(); err == nil {
				err = cerr
			}
			served <- err
			return
		}
		served <- errors.New("unknown request " + line)
	}
	pc := pairChannels(t, func(dc *webrtc.DataChannel) {
		link.Serve(dc, func(r *link.Responder) { serve(dc.Label(), r) })
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			dc, err := pc.CreateDataChannel(tc.name, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := link.ReadResponse(ctx, dc)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.Status != tc.status || resp.Head.ContentType != "application/octet-stream" {
				t.Errorf("head %v %+v", resp.Status, resp.Head)
			}
			got, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("body: %v after %d bytes", err, len(got))
			}
			if !bytes.Equal(got, bodies[tc.name]) {
				t.Errorf("body: %d bytes, want %d as sent", len(got), tc.size)
			}
			if err := <-served; err != nil {
				t.Errorf("camera side: %v", err)
			}
		})
	}
}

// What the viewer sends on a request's channel reaches the handler in
// order (talkback), and the handler sees the viewer close it.
func TestResponderUpload(t *testing.T) {
	got := make(chan []byte, 1)
	pc := pair(t, func(r *link.Responder) {
		_ = r.WriteHead(protocol.StatusOK, protocol.Head{})
		_ = r.Flush()
		b, _ := io.ReadAll(r.Upload())
		<-r.Done()
		got <- b
	})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	dc, err := pc.CreateDataChannel("voice?channel=0", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := link.ReadResponse(ctx, dc)
	if err != nil {
		t.Fatal(err)
	}
	var sent bytes.Buffer
	for i := range 20 {
		msg := bytes.Repeat([]byte{byte(i)}, 1000+i)
		sent.Write(msg)
		if _, err := resp.Send.Write(msg); err != nil {
			t.Fatal(err)
		}
	}
	// Close only once the camera has it all: closing a channel drops what
	// it still holds.
	for dc.BufferedAmount() > 0 && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	resp.Body.Close()
	select {
	case b := <-got:
		if !bytes.Equal(b, sent.Bytes()) {
			t.Errorf("handler read %d bytes, want the %d sent, in order", len(b), sent.Len())
		}
	case <-ctx.Done():
		t.Fatal("the handler never saw the viewer close the channel")
	}
}

// A viewer that closes its channel mid-stream stops the camera's writer
// with ErrChannelClosed, not a hang.
func TestResponderViewerLeaves(t *testing.T) {
	stopped := make(chan error, 1)
	pc := pair(t, func(r *link.Responder) {
		_ = r.WriteHead(protocol.StatusOK, protocol.Head{})
		_ = r.SetWriteDeadline(time.Now().Add(20 * time.Second))
		chunk := make([]byte, 64<<10)
		for {
			if _, err := r.Write(chunk); err != nil {
				stopped <- err
				return
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	body := openBody(ctx, t, pc, "ipc.flv?action=live&channel=0")
	if _, err := io.ReadFull(body, make([]byte, 256<<10)); err != nil {
		t.Fatal(err)
	}
	body.Close()
	select {
	case err := <-stopped:
		if !errors.Is(err, link.ErrChannelClosed) {
			t.Errorf("Write after the viewer left: %v, want ErrChannelClosed", err)
		}
	case <-ctx.Done():
		t.Fatal("the camera's writer still runs after the viewer left")
	}
}

// ReadResponse fails with a cause a person can act on when the camera
// answers wrongly or not at all.
func TestReadResponseFailures(t *testing.T) {
	tests := []struct {
		name    string
		label   string
		timeout time.Duration
		want    string
	}{
		{"closed before the head", "close", 10 * time.Second, "closed before the camera answered"},
		{"binary first message", "binary", 10 * time.Second, "without a head"},
		{"malformed head", "garbage", 10 * time.Second, "link:"},
		{"no answer in time", "silent", 500 * time.Millisecond, "waiting for the answer"},
	}
	pc := pairChannels(t, func(dc *webrtc.DataChannel) {
		dc.OnOpen(func() {
			switch dc.Label() {
			case "close":
				_ = dc.Close()
			case "binary":
				_ = dc.Send([]byte{1, 2, 3})
			case "garbage":
				_ = dc.SendText("{not a head")
			}
		})
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			dc, err := pc.CreateDataChannel(tc.label, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = link.ReadResponse(ctx, dc)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ReadResponse = %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

func TestPathKind(t *testing.T) {
	const (
		host  = webrtc.ICECandidateTypeHost
		srflx = webrtc.ICECandidateTypeSrflx
		prflx = webrtc.ICECandidateTypePrflx
		relay = webrtc.ICECandidateTypeRelay
	)
	tests := []struct {
		local, remote webrtc.ICECandidateType
		want          string
	}{
		{host, host, "host"},
		{host, srflx, "srflx"},
		{srflx, prflx, "srflx"},
		{relay, host, "relay"},
		{srflx, relay, "relay"},
	}
	for _, tc := range tests {
		p := link.Path{Local: tc.local, Remote: tc.remote}
		if got := p.Kind(); got != tc.want {
			t.Errorf("%s-%s: Kind = %q, want %q", tc.local, tc.remote, got, tc.want)
		}
		if p.Relayed() != (tc.want == "relay") {
			t.Errorf("%s-%s: Relayed = %v", tc.local, tc.remote, p.Relayed())
		}
	}
}
