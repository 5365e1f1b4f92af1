package rpc

import (
	"math"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/tcms/tcms/store"
)

// DefaultLoginRate is how many password checks a client address may make
// per minute, in a burst or spread out, by default.
const DefaultLoginRate = 20

// maxBuckets bounds the limiter's memory; see limiter.allow.
const maxBuckets = 100_000

// limiter is a token bucket per client address: capacity `burst`, refilled
// at `rate` per second. It rations password checks (Auth.login and HTTP
// Basic credentials not in the cache) so that one address cannot guess
// passwords quickly or spend the server's CPU on slow hashes.
type limiter struct {
	mu        sync.Mutex
	burst     float64
	rate      float64 // per second
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// newLimiter allows perMinute checks per minute, all of them at once after
// a minute of quiet.
func newLimiter(perMinute int) *limiter {
	return &limiter{burst: float64(perMinute), rate: float64(perMinute) / 60, buckets: map[string]*bucket{}}
}

// allow spends one check for key at now, or says how long until the next
// one is possible. A bucket that has refilled completely is the same as no
// bucket, so idle ones are swept away once a minute; if the map is still
// full, it is cleared, which only forgives addresses, never refuses one.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	full := time.Duration(l.burst / l.rate * float64(time.Second))
	if now.Sub(l.lastSweep) > time.Minute || len(l.buckets) >= maxBuckets {
		for k, b := range l.buckets {
			if now.Sub(b.last) >= full {
				delete(l.buckets, k)
			}
		}
		if len(l.buckets) >= maxBuckets {
			clear(l.buckets)
		}
		l.lastSweep = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	}
	b.tokens--
	return true, 0
}

// clientKey is the limiter key of a request: the peer address, never a
// header a client can forge. An IPv6 client usually holds a whole /64, so
// that is what counts as one address.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// errTooManyLogins is Auth.login's refusal when the address is over its limit.
func errTooManyLogins(wait time.Duration) error {
	return store.Errorf(store.Invalid, "Too many login attempts from this address; try again in %d s", int(math.Ceil(wait.Seconds())))
}
