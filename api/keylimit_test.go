package api

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestKeyLimiterSlidingWindow(t *testing.T) {
	l := newKeyLimiter(10, time.Minute, nil)
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC) // a window's start
	take := func(at time.Duration, key string, n int) (bool, int) {
		ok, rem, _ := l.take(t0.Add(at), key, n)
		return ok, rem
	}
	for i := range 10 {
		if ok, rem := take(time.Duration(i)*time.Second, "a", 1); !ok || rem != 9-i {
			t.Fatalf("request %d: ok %v, remaining %d; want counted, %d left", i+1, ok, rem, 9-i)
		}
	}
	if ok, rem := take(30*time.Second, "a", 1); ok || rem != 0 {
		t.Fatalf("11th request in the window: ok %v, remaining %d; want refused, 0 left", ok, rem)
	}
	if ok, rem := take(30*time.Second, "b", 1); !ok || rem != 9 {
		t.Fatalf("another key: ok %v, remaining %d; want its own budget", ok, rem)
	}
	// 15 s into the next window, three quarters of the previous one still
	// count: 10 × 0.75 = 7.5, rounded to 8, so 2 are left.
	if ok, rem := take(75*time.Second, "a", 2); !ok || rem != 0 {
		t.Fatalf("two requests at 1m15s: ok %v, remaining %d; want counted, 0 left", ok, rem)
	}
	if ok, _ := take(75*time.Second, "a", 1); ok {
		t.Fatal("a third request at 1m15s was counted over the limit")
	}
	// Two windows later nothing of the old ones counts.
	if ok, rem := take(3*time.Minute, "a", 10); !ok || rem != 0 {
		t.Fatalf("ten at 3m: ok %v, remaining %d; want counted, 0 left", ok, rem)
	}
	// A batch larger than what is left is refused whole, and counts nothing.
	if ok, rem := take(4*time.Minute+15*time.Second, "a", 3); ok || rem != 2 {
		t.Fatalf("batch of 3 with 2 left: ok %v, remaining %d; want refused, 2 left", ok, rem)
	}
	if ok, rem := take(4*time.Minute+15*time.Second, "a", 2); !ok || rem != 0 {
		t.Fatalf("after the refused batch: ok %v, remaining %d; want the 2 left counted", ok, rem)
	}
}

func TestKeyLimiterConcurrentCountsEveryRequest(t *testing.T) {
	l := newKeyLimiter(1000, time.Hour, nil)
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	var mu sync.Mutex
	counted := 0
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if ok, _, _ := l.take(at, "k", 1); ok {
					mu.Lock()
					counted++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if counted != 1000 {
		t.Fatalf("%d of 1,600 concurrent requests counted, want exactly the limit, 1,000", counted)
	}
}

func TestKeyLimiterHeaders(t *testing.T) {
	refused := 0
	l := newKeyLimiter(2, time.Minute, func(w http.ResponseWriter, r *http.Request) {
		refused++
		w.WriteHeader(http.StatusTooManyRequests)
	})
	now := time.Date(2026, 12, 2, 10, 0, 30, 0, time.UTC)
	l.now = func() time.Time { return now }
	reset := strconv.FormatInt(time.Date(2026, 12, 2, 10, 1, 0, 0, time.UTC).Unix(), 10)
	r := httptest.NewRequest(http.MethodGet, "/v1/whoami", nil)
	for i, want := range []struct {
		stopped   bool
		remaining string
	}{{false, "1"}, {false, "0"}, {true, "0"}} {
		w := httptest.NewRecorder()
		stopped := l.respond(w, r, "k", 1)
		h := w.Header()
		if stopped != want.stopped || h.Get("X-RateLimit-Limit") != "2" || h.Get("X-RateLimit-Remaining") != want.remaining ||
			h.Get("X-RateLimit-Reset") != reset {
			t.Fatalf("request %d: stopped %v, headers %v; want stopped %v, limit 2, remaining %s, reset %s",
				i+1, stopped, h, want.stopped, want.remaining, reset)
		}
		if got := h.Get("Retry-After"); (got == "60") != want.stopped {
			t.Fatalf("request %d: Retry-After %q", i+1, got)
		}
		// Adding to a header must not write into a slice another answer shares.
		h.Add("X-RateLimit-Limit", "changed")
	}
	if refused != 1 {
		t.Fatalf("onLimit ran %d times, want 1", refused)
	}
	w := httptest.NewRecorder()
	l.respond(w, r, "other", 1)
	if got := w.Header().Values("X-RateLimit-Limit"); len(got) != 1 || got[0] != "2" {
		t.Fatalf("X-RateLimit-Limit = %q after another answer added to its own", got)
	}
}
