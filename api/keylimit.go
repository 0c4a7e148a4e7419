package api

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// keyLimiter limits each key to limit requests per window, with the
// sliding-window estimate httprate uses (the previous window's count,
// weighted by how much of it still overlaps the last window's length, plus
// the current window's), and answers with the same headers:
// X-RateLimit-Limit, -Remaining and -Reset on every answer, Retry-After
// when refused.
//
// It replaced httprate on the decision path (issue 16): httprate takes one
// mutex for every key and formats and canonicalises its three headers anew
// on each request (eight allocations, ~1 µs of a decision). Here each key
// has its own counter and lock, the limit and the reset are formatted once
// (per limiter, per window), and the headers go in under their canonical
// names, in one allocation besides the remaining count's digits.
//
// Keys are API keys (bounded by how many exist), so their counters are
// never evicted; the failed-authentication limit, keyed by address, stays
// on httprate, which evicts.
type keyLimiter struct {
	limit   int
	window  time.Duration
	onLimit http.HandlerFunc
	now     func() time.Time

	limitHeader []string
	retryAfter  []string
	keys        sync.Map // string → *keyCount
	reset       atomic.Pointer[resetHeader]
}

// keyCount is one key's counts: in the window starting at start (Unix
// nanoseconds) and in the one before it.
type keyCount struct {
	mu         sync.Mutex
	start      int64
	curr, prev int
}

// resetHeader is X-RateLimit-Reset's value for the window starting at start.
type resetHeader struct {
	start int64
	value string
}

// The headers, by their canonical names (as net/http writes them): set
// directly, so that they are not canonicalised again on every request.
const (
	hdrLimit      = "X-Ratelimit-Limit"
	hdrRemaining  = "X-Ratelimit-Remaining"
	hdrReset      = "X-Ratelimit-Reset"
	hdrIncrement  = "X-Ratelimit-Increment"
	hdrRetryAfter = "Retry-After"
)

func newKeyLimiter(limit int, window time.Duration, onLimit http.HandlerFunc) *keyLimiter {
	return &keyLimiter{
		limit: limit, window: window, onLimit: onLimit, now: time.Now,
		limitHeader: []string{strconv.Itoa(limit)},
		retryAfter:  []string{strconv.Itoa(int(window.Seconds()))},
	}
}

// take counts n requests for key at now, unless that would take the key
// over its limit. It reports whether they were counted, what remains of the
// limit, and the start of the current window (Unix nanoseconds).
func (l *keyLimiter) take(now time.Time, key string, n int) (ok bool, remaining int, start int64) {
	w := int64(l.window)
	t := now.UnixNano()
	start = t - t%w
	if t < 0 && t%w != 0 {
		start -= w
	}
	c, found := l.keys.Load(key)
	if !found {
		c, _ = l.keys.LoadOrStore(key, &keyCount{start: start})
	}
	kc := c.(*keyCount)
	kc.mu.Lock()
	defer kc.mu.Unlock()
	switch {
	case kc.start == start:
	case kc.start == start-w:
		kc.prev, kc.curr, kc.start = kc.curr, 0, start
	case kc.start < start:
		kc.prev, kc.curr, kc.start = 0, 0, start
	}
	// A clock that stepped back into an earlier window counts in the
	// current one: never below zero, never lost.
	rate := kc.curr
	if kc.prev > 0 {
		left := float64(w-(t-start)) / float64(w)
		rate += int(float64(kc.prev)*left + 0.5)
	}
	if rate+n > l.limit {
		return false, max(l.limit-rate, 0), start
	}
	kc.curr += n
	return true, l.limit - rate - n, start
}

// respond counts n requests of key and sets the rate-limit headers on w.
// Over the limit, it answers 429 (onLimit) with Retry-After and reports
// true: the caller stops.
func (l *keyLimiter) respond(w http.ResponseWriter, r *http.Request, key string, n int) bool {
	ok, remaining, start := l.take(l.now(), key, n)
	h := w.Header()
	vals := make([]string, 3) // one allocation for the three headers' slices
	vals[0], vals[1], vals[2] = l.limitHeader[0], strconv.Itoa(remaining), l.resetValue(start)
	h[hdrLimit], h[hdrRemaining], h[hdrReset] = vals[0:1:1], vals[1:2:2], vals[2:3:3]
	if n > 1 {
		h[hdrIncrement] = []string{strconv.Itoa(n)}
	}
	if ok {
		return false
	}
	h[hdrRetryAfter] = l.retryAfter
	l.onLimit(w, r)
	return true
}

// resetValue is X-RateLimit-Reset for the window starting at start: when it
// ends, in Unix seconds, formatted once per window.
func (l *keyLimiter) resetValue(start int64) string {
	if c := l.reset.Load(); c != nil && c.start == start {
		return c.value
	}
	v := strconv.FormatInt(time.Unix(0, start).Add(l.window).Unix(), 10)
	l.reset.Store(&resetHeader{start: start, value: v})
	return v
}
