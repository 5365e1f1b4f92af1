package wire

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
)

// A Reply is the encoded answer to one HTTP request. It is built whole in
// pooled 32 KiB chunks before any of it is sent, so that a reply that
// grows past its limit (TCMS_MAX_RESPONSE_BYTES), or past what all replies
// in flight may hold together (TCMS_REPLY_MEMORY), ends in a short fault
// instead of a body cut off halfway; and it goes out with a Content-Length.
// The reasons and the measurements are in docs/running.md (Limits).

// chunkSize is the unit replies grow by.
const chunkSize = 32 << 10

var chunks = sync.Pool{New: func() any { return new([chunkSize]byte) }}

// ReplyMemory counts the chunks replies in flight hold beyond their first
// one, against a maximum. A reply that cannot have another chunk fails
// at once rather than wait: waiting while holding chunks could deadlock.
type ReplyMemory struct {
	used atomic.Int64
	max  int64
}

// NewReplyMemory is a budget of max bytes for all replies in flight.
func NewReplyMemory(max int64) *ReplyMemory { return &ReplyMemory{max: max} }

func (m *ReplyMemory) take(n int64) bool {
	if m.used.Add(n) > m.max {
		m.used.Add(-n)
		return false
	}
	return true
}

type Reply struct {
	full  [][]byte // filled chunks
	cur   []byte   // the chunk being filled
	size  int64    // bytes in full
	held  int64    // bytes taken from mem
	limit int64    // the most bytes it may hold
	mem   *ReplyMemory
	fault *Fault // why the reply may not grow; it takes no more chunks
}

// NewReply is an empty reply of at most limit bytes, taking its chunks
// beyond the first from mem.
func NewReply(limit int64, mem *ReplyMemory) *Reply {
	return &Reply{cur: chunks.Get().(*[chunkSize]byte)[:0], limit: limit, mem: mem}
}

// grow starts a new chunk, or records why it may not.
func (r *Reply) grow() bool {
	switch {
	case r.fault != nil:
		return false
	case r.Len() >= r.limit:
		r.fault = replyTooLarge(r.limit)
		return false
	case !r.mem.take(chunkSize):
		r.fault = &Fault{CodeInternal, fmt.Sprintf("Internal error: server busy: the replies being sent hold %d MiB, the most this server allows; try again shortly", r.mem.max>>20)}
		return false
	}
	r.held += chunkSize
	r.full = append(r.full, r.cur)
	r.size += int64(len(r.cur))
	r.cur = chunks.Get().(*[chunkSize]byte)[:0]
	return true
}

func replyTooLarge(limit int64) *Fault {
	return &Fault{CodeInternal, fmt.Sprintf("Internal error: reply too large: it would exceed %d bytes, the most this server sends; ask for less at a time", limit)}
}

// WriteByte appends a byte; a reply that may not grow drops it.
func (r *Reply) WriteByte(c byte) error {
	if len(r.cur) == cap(r.cur) && !r.grow() {
		return nil
	}
	r.cur = append(r.cur, c)
	return nil
}

// WriteString appends s, as far as the reply may grow.
func (r *Reply) WriteString(s string) (int, error) { return write(r, s), nil }

// Write appends p, as far as the reply may grow.
func (r *Reply) Write(p []byte) (int, error) { return write(r, p), nil }

func write[T string | []byte](r *Reply, p T) int {
	n := len(p)
	for len(p) > 0 {
		if len(r.cur) == cap(r.cur) && !r.grow() {
			break
		}
		k := copy(r.cur[len(r.cur):cap(r.cur)], p)
		r.cur = r.cur[:len(r.cur)+k]
		p = p[k:]
	}
	return n
}

// Len is the size of the reply so far.
func (r *Reply) Len() int64 { return r.size + int64(len(r.cur)) }

// Err returns why the reply cannot be sent as it is, or nil.
func (r *Reply) Err() *Fault {
	if r.fault == nil && r.Len() > r.limit {
		r.fault = replyTooLarge(r.limit)
	}
	return r.fault
}

// Reset empties the reply, for a fault in place of what it held.
func (r *Reply) Reset() {
	for _, c := range r.full {
		chunks.Put((*[chunkSize]byte)(c[:chunkSize]))
	}
	r.full, r.size, r.cur, r.fault = r.full[:0], 0, r.cur[:0], nil
	r.mem.used.Add(-r.held)
	r.held = 0
}

// Send writes the reply as the response body.
func (r *Reply) Send(w http.ResponseWriter, contentType string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.FormatInt(r.Len(), 10))
	for _, c := range r.full {
		if _, err := w.Write(c); err != nil {
			return
		}
	}
	w.Write(r.cur)
}

// Release gives the reply's memory back.
func (r *Reply) Release() {
	r.Reset()
	chunks.Put((*[chunkSize]byte)(r.cur[:chunkSize]))
	r.cur = nil
}
