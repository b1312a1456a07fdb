package clock

import (
	"context"
	"testing"
	"time"
)

func TestFakeAdvanceRunsDueTimersInOrder(t *testing.T) {
	c := NewFake(time.Unix(100, 0))
	var got []int
	c.AfterFunc(3*time.Second, func() { got = append(got, 3) })
	c.AfterFunc(1*time.Second, func() { got = append(got, 1) })
	stopped := c.AfterFunc(2*time.Second, func() { got = append(got, 2) })
	if !stopped.Stop() {
		t.Fatal("Stop of a pending timer reported false")
	}
	c.Advance(2 * time.Second)
	if len(got) != 1 || got[0] != 1 {
		t.Fatalf("after 2s got %v, want [1]", got)
	}
	c.Advance(time.Second)
	if len(got) != 2 || got[1] != 3 {
		t.Fatalf("after 3s got %v, want [1 3]", got)
	}
	if want := time.Unix(103, 0); !c.Now().Equal(want) {
		t.Fatalf("Now = %v, want %v", c.Now(), want)
	}
	if c.Pending() != 0 {
		t.Fatalf("Pending = %d, want 0", c.Pending())
	}
}

func TestSleepUntil(t *testing.T) {
	c := NewFake(time.Unix(0, 0))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- SleepUntil(ctx, c, time.Unix(5, 0)) }()
	c.WaitPending(1)
	c.Advance(5 * time.Second)
	if err := <-done; err != nil {
		t.Fatalf("SleepUntil = %v, want nil", err)
	}
	go func() { done <- SleepUntil(ctx, c, time.Unix(50, 0)) }()
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("SleepUntil after cancel = %v, want context.Canceled", err)
	}
	if err := SleepUntil(context.Background(), c, time.Unix(1, 0)); err != nil {
		t.Fatalf("SleepUntil in the past = %v", err)
	}
}
