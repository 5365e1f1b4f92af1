package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcms/tcms/rpc"
	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

// mustServer serves the API on a fresh database with the superuser bench,
// profiles on.
func mustServer(t *testing.T) string {
	t.Helper()
	st := storetest.New(t)
	if _, err := st.CreateUser(t.Context(), store.System, store.NewUser{Username: "bench", Password: "bench-pass-1", Email: "bench@example.com", IsStaff: true, IsSuperuser: true}); err != nil {
		t.Fatal(err)
	}
	h, err := rpc.New(rpc.Config{Store: st, Secret: bytes.Repeat([]byte("k"), 32), Version: "16.2", Pprof: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs.URL
}

// fakePgbench is a pgbench that only reports a rate.
func fakePgbench(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pgbench")
	script := "#!/bin/sh\necho 'tps = 1000.000000 (without initial connection time)'\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBenchSmoke runs every scenario, small, over both protocols, against
// a real server: the bench must not rot between `make bench` runs.
func TestBenchSmoke(t *testing.T) {
	url := mustServer(t)
	out := t.TempDir()
	for _, proto := range []string{"json", "xml"} {
		t.Run(proto, func(t *testing.T) {
			cfg, err := parseFlags([]string{"-url", url, "-password", "bench-pass-1", "-proto", proto, "-out", out,
				"-pgbench-url", "postgres:///nowhere", "-pgbench", fakePgbench(t), "-duration", "1s",
				"-server-pid", "1", "-read-cases", "30", "-read-runs", "25", "-reps", "2", "-cpuprofile", "-cpuprofile-seconds", "1",
				"write:2:2", "read"}, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			cfg.serverPID = os.Getpid() // the server runs in this process
			var stdout bytes.Buffer
			res, err := bench(context.Background(), cfg, &stdout, io.Discard)
			if err != nil {
				t.Fatalf("%v\n%s", err, stdout.String())
			}
			w := res.Writes[0]
			// 4 lookups; per client 6 setup calls, 2R for the cases, R(1+2R) for the runs.
			if want := 4 + 2*(6+2*2+2*(1+2*2)); w.Calls != want || w.Errors != 0 || w.Executions != 2*2*2 || w.Proto != proto {
				t.Fatalf("write: %d calls (want %d), %d errors (%s), %d executions", w.Calls, want, w.Errors, w.FirstError, w.Executions)
			}
			if w.PG == nil || w.PG.UpdateTPS != 1000 || w.ExecPerUpdateTPS <= 0 || w.CallsPerSelectTPS <= 0 {
				t.Fatalf("pgbench comparison: %+v", w)
			}
			r := res.Read
			if r.Cases < 30 || r.Runs < 25 || len(r.Queries) != 6 {
				t.Fatalf("read: %+v", r)
			}
			for _, q := range r.Queries {
				want := r.Cases
				switch {
				case strings.Contains(q.Query, "NEEDLE"):
					want = 1 // only the first case seeded, in the first run
				case strings.HasPrefix(q.Query, "TestRun"):
					want = r.Runs
				}
				if q.Records != want || q.Bytes == 0 || q.MinMS <= 0 || q.MedianMS < q.MinMS {
					t.Fatalf("%s over %s: %+v, want %d records", q.Query, q.Proto, q, want)
				}
			}
			if res.RSS == nil || res.RSS.HWMMiB <= 0 || res.RSS.PeakMiB <= 0 {
				t.Fatalf("RSS: %+v", res.RSS)
			}
			for _, want := range []string{"TestExecution.update", "calls/s", "executions/s / UPDATE tps", "TestRun.filter({})", "server RSS", "results: "} {
				if !strings.Contains(stdout.String(), want) {
					t.Fatalf("the report lacks %q:\n%s", want, stdout.String())
				}
			}
			b, err := os.ReadFile(filepath.Join(out, res.Date+"-"+res.Commit+".json"))
			var saved Results
			if err != nil || json.Unmarshal(b, &saved) != nil || len(saved.Writes) != 1 || saved.Writes[0].Calls != w.Calls {
				t.Fatalf("saved results: %v %s", err, b)
			}
			if st, err := os.Stat(res.Profile); err != nil || st.Size() == 0 {
				t.Fatalf("CPU profile %q: %v", res.Profile, err)
			}
		})
	}
}

func TestFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-password", "x", "-scenario", "all", "-clients", "3", "-r", "7"}, io.Discard)
	if err != nil || len(cfg.runs) != 2 || cfg.runs[0] != (runSpec{"write", 3, 7}) || cfg.runs[1].scenario != "read" {
		t.Fatalf("%v %+v", err, cfg.runs)
	}
	for _, bad := range [][]string{
		{"-scenario", "write"},                   // no password
		{"-password", "x", "-proto", "soap"},     // protocol
		{"-password", "x", "-scenario", "both"},  // scenario
		{"-password", "x", "write:0:5"},          // clients
		{"-password", "x", "write:2"},            // R missing
		{"-password", "x", "-reps", "0", "read"}, // reps
	} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
}
