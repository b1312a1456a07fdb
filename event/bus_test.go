package event

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

func TestBusFanOut(t *testing.T) {
	b := NewBus(BusConfig{Queue: 4})
	s1, _ := b.Subscribe()
	s2, _ := b.Subscribe()
	at := time.Unix(1, 0)
	for i := range 3 {
		b.Publish(New(TypeTrigger, at, map[string]int{"n": i}))
	}
	for _, s := range []*Sub{s1, s2} {
		for i := range 3 {
			e := <-s.C()
			if want := `{"n":` + strconv.Itoa(i) + `}`; string(e.Data) != want {
				t.Fatalf("event %d: data %s, want %s", i, e.Data, want)
			}
		}
	}
	if b.Sent() != 6 || b.Dropped() != 0 {
		t.Fatalf("sent %d dropped %d, want 6 and 0", b.Sent(), b.Dropped())
	}
}

// A subscriber that reads nothing never holds up the publisher or the
// others; what it misses is counted.
func TestBusSlowSubscriberDrops(t *testing.T) {
	b := NewBus(BusConfig{Queue: 2})
	slow, _ := b.Subscribe()
	fast, _ := b.Subscribe()
	for i := range 10 {
		b.Publish(Event{Type: TypeTrigger}) // never blocks, even with slow full
		select {
		case <-fast.C():
		case <-time.After(5 * time.Second):
			t.Fatalf("the fast subscriber lost event %d", i)
		}
	}
	if slow.Dropped() != 8 || len(slow.C()) != 2 {
		t.Fatalf("slow subscriber: dropped %d, queued %d; want 8 and 2", slow.Dropped(), len(slow.C()))
	}
	if b.Dropped() != 8 {
		t.Fatalf("bus dropped %d, want 8", b.Dropped())
	}
}

func TestBusClose(t *testing.T) {
	b := NewBus(BusConfig{MaxSubscribers: 2})
	s1, _ := b.Subscribe()
	s2, _ := b.Subscribe()
	if _, err := b.Subscribe(); !errors.Is(err, ErrTooMany) {
		t.Fatalf("third Subscribe: %v, want ErrTooMany", err)
	}
	s1.Close()
	s1.Close() // idempotent
	if _, ok := <-s1.C(); ok {
		t.Fatal("a closed subscriber's channel is open")
	}
	if b.Subscribers() != 1 {
		t.Fatalf("subscribers %d, want 1", b.Subscribers())
	}
	b.Close()
	if _, ok := <-s2.C(); ok {
		t.Fatal("the bus closed but a subscriber's channel is open")
	}
	s2.Close()
	if _, err := b.Subscribe(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Subscribe after Close: %v, want ErrClosed", err)
	}
	var nilBus *Bus
	nilBus.Publish(Event{Type: TypeTrigger}) // a camera without events publishes into nothing
}

// BenchmarkPublish32 is the publisher's cost with 32 subscribers.
func BenchmarkPublish32(b *testing.B) {
	bus := NewBus(BusConfig{})
	for range 32 {
		s, _ := bus.Subscribe()
		go func() {
			for range s.C() {
			}
		}()
	}
	e := New(TypeMotion, time.Now(), map[string]float64{"area": 0.1})
	b.ReportAllocs()
	for b.Loop() {
		bus.Publish(e)
	}
	bus.Close()
}
