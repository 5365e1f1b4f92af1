package wire

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// newTestReply is a reply of at most limit bytes with a memory budget of
// its own, as large.
func newTestReply(limit int64) *Reply {
	return NewReply(limit, NewReplyMemory(limit))
}

func (r *Reply) String() string {
	var b strings.Builder
	for _, c := range r.full {
		b.Write(c)
	}
	b.Write(r.cur)
	return b.String()
}

func TestReplyChunks(t *testing.T) {
	r := newTestReply(1 << 20)
	want := strings.Repeat("0123456789", 10000) // 100,000 bytes: four chunks
	r.WriteString(want[:3])
	r.WriteByte(want[3])
	r.Write([]byte(want[4:]))
	if r.Err() != nil || r.String() != want || r.Len() != int64(len(want)) {
		t.Fatalf("reply holds %d bytes, err %v", r.Len(), r.Err())
	}
	if got := r.mem.used.Load(); got != 3*chunkSize {
		t.Errorf("memory held beyond the first chunk: %d, want %d", got, 3*chunkSize)
	}
	w := httptest.NewRecorder()
	r.Send(w, "application/json")
	if w.Body.String() != want || w.Header().Get("Content-Length") != "100000" {
		t.Errorf("sent %d bytes with Content-Length %q", w.Body.Len(), w.Header().Get("Content-Length"))
	}
	r.Release()
	if got := r.mem.used.Load(); got != 0 {
		t.Errorf("memory held after release: %d", got)
	}
}

func TestReplyLimit(t *testing.T) {
	r := newTestReply(chunkSize + 10)
	r.WriteString(strings.Repeat("x", chunkSize+10))
	if f := r.Err(); f != nil {
		t.Fatalf("a reply of exactly the limit: %v", f)
	}
	r.WriteByte('x')
	f := r.Err()
	if f == nil || f.Code != CodeInternal || !strings.HasPrefix(f.Message, "Internal error: reply too large: it would exceed 32778 bytes") {
		t.Fatalf("one byte over the limit: %v", f)
	}
	r.WriteString(strings.Repeat("y", 2*chunkSize))
	if len(r.full) != 1 {
		t.Errorf("a failed reply grew to %d chunks", len(r.full)+1)
	}
	r.Reset()
	if r.Err() != nil || r.Len() != 0 || r.mem.used.Load() != 0 {
		t.Errorf("after reset: %d bytes, %d held, err %v", r.Len(), r.mem.used.Load(), r.Err())
	}
}

func TestReplyMemory(t *testing.T) {
	mem := NewReplyMemory(2 * chunkSize)
	a, b := NewReply(1<<30, mem), NewReply(1<<30, mem)
	a.WriteString(strings.Repeat("a", 3*chunkSize)) // the first chunk is free: holds two
	if a.Err() != nil {
		t.Fatalf("within the budget: %v", a.Err())
	}
	b.WriteString(strings.Repeat("b", chunkSize)) // fits its first chunk
	if b.Err() != nil {
		t.Fatalf("a reply within its first chunk: %v", b.Err())
	}
	b.WriteByte('b')
	f := b.Err()
	if f == nil || !strings.HasPrefix(f.Message, "Internal error: server busy: the replies being sent hold") {
		t.Fatalf("over the budget: %v", f)
	}
	a.Release()
	b.Reset()
	b.WriteString(strings.Repeat("b", 2*chunkSize))
	if b.Err() != nil {
		t.Errorf("after the other reply released its memory: %v", b.Err())
	}
}
