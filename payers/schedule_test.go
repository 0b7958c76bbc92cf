package payers

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestParseAlignedSchedule(t *testing.T) {
	base := time.Date(2026, 11, 22, 10, 4, 7, 500_000_000, time.UTC)
	tests := []struct {
		expr string
		from time.Time
		want []time.Time
	}{
		{"@every 10s", base, []time.Time{
			time.Date(2026, 11, 22, 10, 4, 10, 0, time.UTC), time.Date(2026, 11, 22, 10, 4, 20, 0, time.UTC)}},
		{"@every 1s", base, []time.Time{
			time.Date(2026, 11, 22, 10, 4, 8, 0, time.UTC), time.Date(2026, 11, 22, 10, 4, 9, 0, time.UTC)}},
		{"*/5 * * * *", base, []time.Time{
			time.Date(2026, 11, 22, 10, 5, 0, 0, time.UTC), time.Date(2026, 11, 22, 10, 10, 0, 0, time.UTC)}},
		{"30 */2 * * * *", base, []time.Time{ // with seconds
			time.Date(2026, 11, 22, 10, 4, 30, 0, time.UTC), time.Date(2026, 11, 22, 10, 6, 30, 0, time.UTC)}},
		{"@hourly", base.In(time.FixedZone("X", 5*3600+1800)), []time.Time{
			time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC), time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			s, err := ParseAlignedSchedule(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			at := tc.from
			for i, want := range tc.want {
				at = s.Next(at)
				if !at.Equal(want) {
					t.Fatalf("tick %d: %s, want %s", i, at.UTC(), want)
				}
			}
		})
	}
	// Two replicas starting at different instants compute the same @every ticks.
	s, _ := ParseAlignedSchedule("@every 7s")
	a := s.Next(base)
	b := s.Next(base.Add(-3 * time.Second))
	if !a.Equal(b) && !s.Next(b).Equal(a) {
		t.Fatalf("replicas disagree: %s vs %s", a, b)
	}
	if _, err := ParseAlignedSchedule("every minute"); err == nil {
		t.Fatal("bad expression accepted")
	}
}

func TestTickKey(t *testing.T) {
	at := time.Date(2026, 11, 22, 11, 5, 0, 0, time.FixedZone("CET", 3600))
	if got := TickKey(KindSubmit, "SIMPAYER", at); got != "submit:SIMPAYER:2026-11-22T10:05:00Z" {
		t.Fatalf("key %q", got)
	}
}

// TestSchedulersAgree runs two schedulers (two replicas) for a few ticks of "@every 1s": both
// fire every tick, with the same scheduled times, so their job keys collapse.
func TestSchedulersAgree(t *testing.T) {
	p := validPayer("SIMPAYER")
	p.Submit = "@every 1s"
	p.Poll = "@every 2s"
	reg, err := NewRegistry([]Payer{p})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	keys := map[string]int{}
	fn := func(ctx context.Context, kind, payerID string, at time.Time) error {
		if at.Nanosecond() != 0 {
			t.Errorf("tick %s is not on a whole second", at)
		}
		mu.Lock()
		keys[TickKey(kind, payerID, at)]++
		mu.Unlock()
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		s, err := NewScheduler(reg, fn, SchedulerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if next, ok := s.NextTick(KindSubmit, "SIMPAYER", time.Now()); !ok || time.Until(next) > time.Second {
			t.Fatalf("next tick %s", next)
		}
		wg.Add(1)
		go func() { defer wg.Done(); _ = s.Run(ctx) }()
	}
	// Stop half-way between ticks so both replicas have fired the same ones.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(3*time.Second + 500*time.Millisecond)))
	cancel()
	wg.Wait()
	submits := 0
	for k, n := range keys {
		if n != 2 {
			t.Errorf("tick %s fired %d times, want once per replica", k, n)
		}
		if k[:6] == "submit" {
			submits++
		}
	}
	if submits < 3 {
		t.Fatalf("%d submit ticks in 3.5s: %v", submits, keys)
	}
	if _, err := NewScheduler(reg, nil, SchedulerOptions{}); err == nil {
		t.Fatal("nil TickFunc accepted")
	}
}
