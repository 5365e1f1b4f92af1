package rpc

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

// rssSampler records the peak resident set of this process, which is the
// server's in these tests, sampling it every 20 ms.
type rssSampler struct {
	peak atomic.Int64
	stop chan struct{}
	done chan struct{}
}

func sampleRSS() *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			s.peak.Store(max(s.peak.Load(), rss()))
			select {
			case <-s.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return s
}

// Peak stops sampling and returns the peak in bytes, 0 where the system
// does not say (no /proc).
func (s *rssSampler) Peak() int64 {
	close(s.stop)
	<-s.done
	return s.peak.Load()
}

func rss() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// TestOverload is issue 16's attack, with the default limits: over 1,000
// test cases, eight requests of 1,000 TestCase.filter({}) each (four
// JSON-RPC batches, four system.multicalls: 0.6 and 2 GB of replies
// each) while a dozen catastrophic regular expressions hold a dozen
// connections. Each big request gets a short fault, the server stays
// small, and normal calls keep being answered. The figures go to the log
// (go test -v -run TestOverload ./rpc) and to docs/running.md.
func TestOverload(t *testing.T) {
	ts := mustServerOn(t, store.Options{StatementTimeout: time.Minute}, nil, func(*Config) {})
	admin := ts.as(adminName, adminPass)
	mustVictim(t, admin)
	cases := make([]map[string]any, 1000)
	for i := range cases {
		cases[i] = map[string]any{"jsonrpc": "2.0", "id": i, "method": "TestCase.create", "params": []any{map[string]any{
			"summary": fmt.Sprint("case ", i), "text": strings.Repeat("step ", 400), "case_status": 2, "category": 1, "priority": 1}}}
	}
	body, _ := json.Marshal(cases)
	if _, text := ts.post("/json-rpc/", "application/json", string(body), basicAuth(adminName, adminPass)...); strings.Contains(text, `"error"`) {
		t.Fatalf("seeding: %.300s", text)
	}
	tester := ts.as(userName, userPass)
	conn := ts.mustDB()

	memory := sampleRSS()
	var regexes sync.WaitGroup
	for range 12 {
		ts.regexCall(&regexes) // abandoned at cleanup
	}
	storetest.HoldsWithin(t, storetest.Patience, "a dozen expressions run", func() bool { return regexRunning(t, conn) == 12 })

	start := time.Now()
	replies := make([]string, 8)
	var batches sync.WaitGroup
	for i := range replies {
		batches.Go(func() {
			if i%2 == 0 {
				_, replies[i] = ts.post("/json-rpc/", "application/json", batchBody(1000, "TestCase.filter", map[string]any{}), basicAuth(adminName, adminPass)...)
			} else {
				_, replies[i] = ts.post("/xml-rpc/", "text/xml", multicallBody(1000, "TestCase.filter", "<value><struct></struct></value>"), basicAuth(adminName, adminPass)...)
			}
		})
	}
	done := make(chan struct{})
	go func() { batches.Wait(); close(done) }()
	var slowest time.Duration
	calls := 0
	for running := true; running; calls++ {
		select {
		case <-done:
			running = false
		case <-time.After(100 * time.Millisecond):
		}
		begin := time.Now()
		var got []any
		result(t, tester("TestCase.filter", map[string]any{"pk": 2}), &got)
		slowest = max(slowest, time.Since(begin))
		if len(got) != 1 {
			t.Fatalf("a normal call found %d cases", len(got))
		}
	}
	elapsed := time.Since(start)
	peak := memory.Peak()

	for i, text := range replies {
		if len(text) > 1024 || !strings.Contains(text, "Internal error: reply too large") && !strings.Contains(text, "Internal error: server busy") {
			t.Errorf("request %d: %d bytes: %.300s", i, len(text), text)
		}
	}
	t.Logf("8 requests answered in %v; %d normal calls meanwhile, the slowest %v; peak RSS %d MiB", elapsed.Round(time.Millisecond), calls, slowest.Round(time.Millisecond), peak>>20)
	if peak > 1<<30 {
		t.Errorf("peak RSS %d MiB, more than 1 GiB", peak>>20)
	}
	if slowest > 10*time.Second { // the target is 2 s; the bound is generous for a busy machine
		t.Errorf("a normal call took %v", slowest)
	}
}
