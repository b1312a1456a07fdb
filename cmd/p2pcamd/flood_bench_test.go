package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/cloud"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/mux/flv"
	"github.com/p2pcam/p2pcam/signal"
	"github.com/p2pcam/p2pcam/signal/mqttclient"
	"github.com/p2pcam/p2pcam/viewer"
)

// BenchmarkConnectDuringOfferFlood times a viewer's P2P session with
// p2pcamd (the sim board, max_viewers 4), from Dial to the first FLV
// video tag, with no flood ("quiet") and while another account with a
// valid token floods the camera with offers whose ICE never completes
// ("flood", from two connections, as fast as the broker takes them). It
// reports the median and worst connect and first-tag times, the offers
// sent a second, and the daemon's open fds and RSS before and at their
// peak.
//
//	go test -run X -bench ConnectDuringOfferFlood -benchtime 20x ./cmd/p2pcamd/
func BenchmarkConnectDuringOfferFlood(b *testing.B) {
	for _, flood := range []bool{false, true} {
		name := "quiet"
		if flood {
			name = "flood"
		}
		b.Run(name, func(b *testing.B) { benchConnectDuringFlood(b, flood) })
	}
}

func benchConnectDuringFlood(b *testing.B, flood bool) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	users, _ := cloud.AddUser(nil, "bench/cam", cloud.RoleDevice, "pw-cam")
	users, _ = cloud.AddUser(users, "bench", cloud.RoleViewer, "pw-view")
	users, _ = cloud.AddUser(users, "mallory", cloud.RoleViewer, "pw-mallory")
	c, err := cloud.Start(cloud.Config{
		MQTT: cloud.BrokerConfig{Listen: "127.0.0.1:0", Users: users}, TURN: cloud.TURNConfig{Listen: "127.0.0.1:0"},
		Logger: quiet,
	})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	broker := c.Endpoints().MQTT
	pub, issuer, _ := ed25519.GenerateKey(rand.Reader)
	cfg := fmt.Sprintf("device = \"bench/cam\"\n[auth]\ntrusted_keys = [%q]\ndevice_key = %q\n[p2p]\nbroker = %q\npassword = \"pw-cam\"\n",
		auth.MarshalPublicKey(pub), filepath.Join(b.TempDir(), "device.key"), broker)
	d := startDaemon(b, cfg)
	pid := d.cmd.Process.Pid
	id, _ := signal.ParseDeviceID("bench/cam")
	token := func(subject string) string {
		now := time.Now()
		tok, _ := auth.Sign(issuer, auth.Claims{Device: id.String(), Subject: subject, Perms: auth.PermLive, IssuedAt: now, Expiry: now.Add(time.Hour)})
		return tok
	}
	play := func() (connect, first time.Duration, err error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		start := time.Now()
		var conn *viewer.Conn
		for {
			conn, err = viewer.Dial(ctx, viewer.Config{Broker: broker, Username: "bench", Password: "pw-view", Device: id,
				Token: token("bench"), Link: link.Options{LoopbackOnly: true}, Logger: quiet})
			if err == nil || ctx.Err() != nil {
				break
			}
			time.Sleep(100 * time.Millisecond) // the daemon registers after it starts
		}
		if err != nil {
			return 0, 0, err
		}
		defer conn.Close()
		connect = time.Since(start)
		resp, err := conn.Request(ctx, "ipc.flv?action=live&channel=0&quality=standard")
		if err != nil {
			return connect, 0, err
		}
		defer resp.Body.Close()
		dm := flv.NewDemuxer(resp.Body)
		if _, err := dm.ReadHeader(); err != nil {
			return connect, 0, err
		}
		for {
			tag, err := dm.ReadTag()
			if err != nil {
				return connect, 0, err
			}
			if tag.Type == flv.TagTypeVideo {
				return connect, time.Since(start), nil
			}
		}
	}
	if _, _, err := play(); err != nil { // registered, and the stream's first use is over
		b.Fatal(err)
	}
	fds0, err := procFDs(pid)
	if err != nil {
		b.Fatal(err)
	}
	rss0, err := procStatusKB(pid, "VmRSS")
	if err != nil {
		b.Fatal(err)
	}

	ctx, stop := context.WithTimeout(context.Background(), 10*time.Minute)
	defer stop()
	var sent atomic.Int64
	var wg sync.WaitGroup
	if flood {
		floodOffers(ctx, b, &wg, &sent, broker, id, token("mallory"))
	}
	use := sampleUsage(pid)
	time.Sleep(time.Second) // the flood is under way: the camera is refusing it
	var connects, firsts []time.Duration
	start := time.Now()
	for b.Loop() {
		connect, first, err := play()
		if err != nil {
			b.Fatal(err)
		}
		connects, firsts = append(connects, connect), append(firsts, first)
	}
	wall := time.Since(start) + time.Second
	stop()
	wg.Wait()
	if err := use.end(); err != nil {
		b.Fatal(err)
	}
	slices.Sort(connects)
	slices.Sort(firsts)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(connects[len(connects)/2]), "connect-ms-p50")
	b.ReportMetric(ms(connects[len(connects)-1]), "connect-ms-max")
	b.ReportMetric(ms(firsts[len(firsts)/2]), "first-tag-ms-p50")
	b.ReportMetric(ms(firsts[len(firsts)-1]), "first-tag-ms-max")
	b.ReportMetric(float64(sent.Load())/wall.Seconds(), "offers/s")
	b.ReportMetric(float64(fds0), "fds-before")
	b.ReportMetric(float64(use.maxFDs), "fds-peak")
	b.ReportMetric(float64(rss0)/1024, "RSS-MB-before")
	b.ReportMetric(float64(use.maxRSS)/1024, "RSS-MB-peak")
}

// floodOffers publishes offers as mallory from two connections until ctx
// ends: a real SDP (a data channel, from a peer connection closed at
// once, so ICE never completes) under a new session id each time.
func floodOffers(ctx context.Context, b *testing.B, wg *sync.WaitGroup, sent *atomic.Int64, broker string, id signal.DeviceID, tok string) {
	pc, err := link.NewAPI(link.Options{LoopbackOnly: true}).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := pc.CreateDataChannel("_", nil); err != nil {
		b.Fatal(err)
	}
	offer, err := pc.CreateOffer(nil)
	_ = pc.Close()
	if err != nil {
		b.Fatal(err)
	}
	inbox := signal.InboxTopic("mallory")
	for i := range 2 {
		mc, err := mqttclient.Connect(ctx, mqttclient.Config{URL: broker, ClientID: signal.ViewerClientID("mallory", fmt.Sprint("flood", i)),
			Username: "mallory", Password: "pw-mallory", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer mc.Close()
			session := make([]byte, 12)
			for ctx.Err() == nil {
				_, _ = rand.Read(session)
				m := &signal.Message{Type: signal.TypeOffer, Session: hex.EncodeToString(session), Token: tok, SDP: offer.SDP}
				payload, _ := m.Encode()
				err := mc.Publish(ctx, &paho.Publish{Topic: id.RPCTopic(), Payload: payload,
					Properties: &paho.PublishProperties{ResponseTopic: inbox, CorrelationData: []byte(m.Session)}})
				if err == nil {
					sent.Add(1)
				}
			}
		}()
	}
}
