// Command tcms-bench is the load generator of `make bench`: it drives a
// running tcms server through the project's RPC client and measures the
// CI write path, the big filters, PostgreSQL's own limit (pgbench) and the
// server's memory. docs/performance.md explains the scenarios and figures.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tcms/tcms/rpc/client"
)

const usage = `Usage: tcms-bench [flags] [run ...]

Each run is write:C:R (the write scenario with C clients and R cases and
runs per client) or read (the filters over 10,000 cases and runs). Without
runs, -scenario, -clients and -r say what to run.

Flags:
`

// config is what the flags say.
type config struct {
	url, user, password string
	proto               client.Protocol
	runs                []runSpec
	out                 string
	pgbenchURL, pgbin   string
	duration            time.Duration
	serverPID           int
	cpuProfile          bool
	profileSeconds      int
	readCases, readRuns int
	seedClients, reps   int
}

// runSpec is one scenario run: write with clients and r, or read.
type runSpec struct {
	scenario   string
	clients, r int
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("tcms-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	fs.StringVar(&c.url, "url", "http://127.0.0.1:8080", "the server's base URL")
	fs.StringVar(&c.user, "user", "bench", "a superuser's name (it also manages the runs)")
	fs.StringVar(&c.password, "password", os.Getenv("TCMS_BENCH_PASSWORD"), "its password (TCMS_BENCH_PASSWORD)")
	proto := fs.String("proto", "json", "protocol of the write scenario: json or xml")
	r := fs.Int("r", 100, "write scenario: cases, and runs, per client")
	clients := fs.Int("clients", 1, "write scenario: concurrent clients, each with its own product and plan")
	scenario := fs.String("scenario", "write", "without run arguments: write, read or all")
	fs.StringVar(&c.out, "out", "bench/results", "directory for the results file <date>-<commit>.json")
	fs.StringVar(&c.pgbenchURL, "pgbench-url", "", "database for pgbench on the server's cluster (libpq URL); empty: no pgbench")
	fs.StringVar(&c.pgbin, "pgbench", "pgbench", "the pgbench program")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "length of each pgbench run")
	fs.IntVar(&c.serverPID, "server-pid", 0, "the server's process id, to sample its memory (0: do not)")
	fs.BoolVar(&c.cpuProfile, "cpuprofile", false, "save a CPU profile of the server (needs TCMS_PPROF=1) during the first write run")
	fs.IntVar(&c.profileSeconds, "cpuprofile-seconds", 10, "length of the CPU profile")
	fs.IntVar(&c.readCases, "read-cases", 10000, "read scenario: test cases to have")
	fs.IntVar(&c.readRuns, "read-runs", 10000, "read scenario: test runs to have")
	fs.IntVar(&c.seedClients, "seed-clients", 4, "read scenario: clients creating the missing cases and runs")
	fs.IntVar(&c.reps, "reps", 5, "read scenario: timed repetitions of each filter")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	var err error
	if c.proto, err = client.ParseProtocol(*proto); err != nil {
		return c, err
	}
	if c.password == "" {
		return c, errors.New("no password: give -password or TCMS_BENCH_PASSWORD")
	}
	if c.reps < 1 || c.seedClients < 1 {
		return c, errors.New("-reps and -seed-clients must be at least 1")
	}
	specs := fs.Args()
	if len(specs) == 0 {
		switch *scenario {
		case "write", "all":
			specs = append(specs, fmt.Sprintf("write:%d:%d", *clients, *r))
		}
		switch *scenario {
		case "read", "all":
			specs = append(specs, "read")
		case "write":
		default:
			return c, fmt.Errorf("-scenario %q: want write, read or all", *scenario)
		}
	}
	for _, s := range specs {
		spec, err := parseRun(s)
		if err != nil {
			return c, err
		}
		c.runs = append(c.runs, spec)
	}
	return c, nil
}

func parseRun(s string) (runSpec, error) {
	if s == "read" {
		return runSpec{scenario: "read"}, nil
	}
	parts := strings.Split(s, ":")
	if len(parts) == 3 && parts[0] == "write" {
		c, err1 := strconv.Atoi(parts[1])
		r, err2 := strconv.Atoi(parts[2])
		if err1 == nil && err2 == nil && c > 0 && r > 0 {
			return runSpec{"write", c, r}, nil
		}
	}
	return runSpec{}, fmt.Errorf("run %q: want write:CLIENTS:R or read", s)
}

// Results are the figures of one tcms-bench invocation, as saved in JSON.
type Results struct {
	Date    string         `json:"date"`
	Commit  string         `json:"commit"`
	Dirty   bool           `json:"dirty,omitempty"`
	Go      string         `json:"go"`
	CPUs    int            `json:"cpus"`
	URL     string         `json:"url"`
	Writes  []*WriteResult `json:"writes,omitempty"`
	Read    *ReadResult    `json:"read,omitempty"`
	PGBench []*PGBench     `json:"pgbench,omitempty"`
	RSS     *RSS           `json:"server_rss,omitempty"`
	Profile string         `json:"cpu_profile,omitempty"`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err == nil {
		_, err = bench(ctx, cfg, os.Stdout, os.Stderr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tcms-bench:", err)
		os.Exit(1)
	}
}

// bench runs everything cfg asks for, prints the tables to stdout, saves
// the JSON and returns the results. Calls that failed make it fail, after
// the report.
func bench(ctx context.Context, cfg config, stdout, stderr io.Writer) (*Results, error) {
	commit, dirty := revision()
	res := &Results{Date: time.Now().Format("2006-01-02"), Commit: commit, Dirty: dirty,
		Go: runtime.Version(), CPUs: runtime.NumCPU(), URL: cfg.url}
	name := res.Date + "-" + commit
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return nil, err
	}
	conns := 1
	for _, r := range cfg.runs {
		conns = max(conns, r.clients, cfg.seedClients)
	}
	clients := map[client.Protocol]*client.Client{}
	for _, p := range []client.Protocol{client.JSON, client.XML} {
		clients[p] = client.New(cfg.url, p, conns)
		if err := clients[p].Login(ctx, cfg.user, cfg.password); err != nil {
			return nil, fmt.Errorf("logging in as %s over %s: %w", cfg.user, p, err)
		}
	}
	var pg *pgbench
	if cfg.pgbenchURL != "" {
		pg = &pgbench{bin: cfg.pgbin, url: cfg.pgbenchURL, duration: cfg.duration}
		fmt.Fprintln(stderr, "tcms-bench: pgbench -i -s 10")
		if err := pg.init(ctx, os.TempDir()); err != nil {
			return nil, err
		}
	}
	const every = 100 * time.Millisecond
	rss := startRSS(cfg.serverPID, every)
	profile := cfg.cpuProfile
	var failed error
	for _, spec := range cfg.runs {
		if spec.scenario == "read" {
			fmt.Fprintf(stderr, "tcms-bench: read scenario (%d cases, %d runs)\n", cfg.readCases, cfg.readRuns)
			r, err := runRead(ctx, clients, cfg.user, cfg.readCases, cfg.readRuns, cfg.seedClients, cfg.reps)
			if err != nil {
				failed = errors.Join(failed, fmt.Errorf("read scenario: %w", err))
				continue
			}
			res.Read = r
			printRead(stdout, r)
			continue
		}
		var pgr *PGBench
		if pg != nil {
			fmt.Fprintf(stderr, "tcms-bench: pgbench with %d clients, 2 x %s\n", spec.clients, cfg.duration)
			var err error
			if pgr, err = pg.measure(ctx, spec.clients); err != nil {
				return nil, err
			}
		}
		var during func()
		if profile {
			profile = false
			res.Profile = filepath.Join(cfg.out, name+".cpu.pprof")
			during = func() {
				if err := saveProfile(ctx, cfg.url, clients[client.JSON].Token(), res.Profile, cfg.profileSeconds); err != nil {
					fmt.Fprintln(stderr, "tcms-bench: no CPU profile:", err)
					res.Profile = ""
				}
			}
		}
		fmt.Fprintf(stderr, "tcms-bench: write scenario, %d clients, R=%d, %s\n", spec.clients, spec.r, cfg.proto)
		w := runWrite(ctx, clients[cfg.proto], cfg.user, spec.clients, spec.r, during)
		w.compare(pgr)
		res.Writes = append(res.Writes, w)
		printWrite(stdout, w)
		if w.Errors > 0 {
			failed = errors.Join(failed, fmt.Errorf("write scenario (%d clients): %d errors, the first: %s", w.Clients, w.Errors, w.FirstError))
		}
	}
	res.RSS = rss.finish(every)
	if pg != nil {
		for _, spec := range cfg.runs {
			if r := pg.done[spec.clients]; r != nil && !containsPG(res.PGBench, r) {
				res.PGBench = append(res.PGBench, r)
			}
		}
	}
	printSummary(stdout, res)
	path := filepath.Join(cfg.out, name+".json")
	b, err := json.MarshalIndent(res, "", "  ")
	if err == nil {
		err = os.WriteFile(path, append(b, '\n'), 0o644)
	}
	if err != nil {
		return res, errors.Join(failed, err)
	}
	fmt.Fprintf(stdout, "results: %s\n", path)
	return res, failed
}

func containsPG(list []*PGBench, r *PGBench) bool {
	for _, x := range list {
		if x == r {
			return true
		}
	}
	return false
}

// compare adds the ratios to pgbench at the same client count.
func (w *WriteResult) compare(pg *PGBench) {
	if pg == nil {
		return
	}
	w.PG = pg
	if pg.UpdateTPS > 0 {
		w.ExecPerUpdateTPS = round3(w.ExecPerSec / pg.UpdateTPS)
		w.UpdateRatePerUpdateTPS = round3(w.UpdateRate / pg.UpdateTPS)
	}
	if pg.SelectTPS > 0 {
		w.CallsPerSelectTPS = round3(w.CallsPerSec / pg.SelectTPS)
	}
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

// revision is the commit the binary was built from, from Go's build stamp
// or else (GOFLAGS=-buildvcs=false) from git in the current directory: the
// short hash, and whether the tree had uncommitted changes.
func revision() (string, bool) {
	commit, dirty := "", false
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value[:min(7, len(s.Value))]
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if commit != "" {
		return commit, dirty
	}
	out, err := exec.Command("git", "rev-parse", "--short=7", "HEAD").Output()
	if err != nil {
		return "unknown", false
	}
	status, _ := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output()
	return strings.TrimSpace(string(out)), len(bytes.TrimSpace(status)) > 0
}

// saveProfile fetches a CPU profile of the given length from the server's
// pprof endpoint into path.
func saveProfile(ctx context.Context, baseURL, token, path string, seconds int) error {
	url := fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", strings.TrimRight(baseURL, "/"), seconds)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d from /debug/pprof/profile (is the server running with TCMS_PPROF=1?): %.200s", resp.StatusCode, body)
	}
	return os.WriteFile(path, body, 0o644)
}
