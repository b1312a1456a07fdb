package scale

import (
	"context"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/cloud"
	"github.com/p2pcam/p2pcam/internal/brokertest"
)

// size is one run of the load test.
type size struct {
	cameras, viewers int
	sessionsFor      time.Duration // how long the viewers set up sessions
	connectParallel  int           // connections being set up at once
}

// result is what one run measured.
type result struct {
	connect        time.Duration // all cameras and viewers up, from nothing
	idleRSSKB      int64         // broker before any client
	connectedRSSKB int64         // broker with every client connected
	idleCPU        float64       // broker's share of a core with all connected and quiet
	sessions       int64         // set-ups completed
	sessionP50     time.Duration // offer sent -> answer received, median
	sessionP99     time.Duration
	failed         int64         // set-ups that got no answer
	sessionCPU     float64       // broker's share of a core while viewers set up sessions
	restart        time.Duration // broker killed and restarted -> every camera subscribed again
}

// run starts mosquitto with every account of sz, connects the fleet,
// measures quiet and busy broker load, then kills and restarts the broker
// and waits for every camera to come back. Every phase is bounded. The
// fleet stays connected until the test ends.
func run(t testing.TB, sz size) (result, *fleet) {
	t.Helper()
	var users []cloud.User
	var accounts []brokertest.Account
	for i := range sz.cameras {
		name := cameraName(i).String()
		users = append(users, cloud.User{Name: name, Role: cloud.RoleDevice})
		accounts = append(accounts, brokertest.Account{Name: name, Password: password(name)})
	}
	for i := range sz.viewers {
		name := viewerName(i)
		users = append(users, cloud.User{Name: name, Role: cloud.RoleViewer})
		accounts = append(accounts, brokertest.Account{Name: name, Password: password(name)})
	}
	broker := brokertest.StartMosquitto(t, accounts, cloud.MosquittoACL(users), brokertest.MosquittoOptions{Quiet: true})
	sample := func() procSample {
		t.Helper()
		s, err := sampleProc(broker.PID())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	var r result
	r.idleRSSKB = sample().rssKB

	f := &fleet{url: "mqtt://" + broker.Addr}
	t.Cleanup(f.close)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	if err := f.connectCameras(ctx, sz.cameras, sz.connectParallel); err != nil {
		t.Fatalf("connecting cameras: %v", err)
	}
	if err := f.connectViewers(ctx, sz.viewers, sz.connectParallel); err != nil {
		t.Fatalf("connecting viewers: %v", err)
	}
	if _, err := f.waitCamerasUp(ctx, 1); err != nil {
		t.Fatal(err)
	}
	r.connect = time.Since(start)

	quiet := sample()
	time.Sleep(2 * time.Second) // a measuring window, not a wait for anything
	connected := sample()
	r.connectedRSSKB, r.idleCPU = connected.rssKB, cpuShare(quiet, connected)

	sctx, scancel := context.WithTimeout(ctx, sz.sessionsFor)
	before := sample()
	took, failed := f.sessions(sctx)
	r.sessions, r.failed = int64(len(took)), failed
	if len(took) > 0 {
		r.sessionP50, r.sessionP99 = took[len(took)/2], took[len(took)*99/100]
	}
	scancel()
	r.sessionCPU = cpuShare(before, sample())

	broker.Stop()
	restarted := time.Now() // the broker starting again is part of the storm
	broker.Start()
	rctx, rcancel := context.WithTimeout(ctx, time.Minute)
	defer rcancel()
	if _, err := f.waitCamerasUp(rctx, 2); err != nil {
		t.Fatalf("after the broker restart: %v", err)
	}
	r.restart = time.Since(restarted)
	return r, f
}
