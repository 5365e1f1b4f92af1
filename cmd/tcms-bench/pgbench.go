package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

// PGBench is what PostgreSQL itself did on this machine at one client
// count, in the same bench run.
type PGBench struct {
	Clients   int     `json:"clients"`
	Jobs      int     `json:"jobs"`
	Seconds   int     `json:"seconds"`
	UpdateTPS float64 `json:"update_tps"` // one-row UPDATE per transaction
	SelectTPS float64 `json:"select_tps"` // -S -M prepared
}

// updateScript is one UPDATE of a random pgbench_accounts row per
// transaction.
const updateScript = `\set aid random(1, 100000 * :scale)
\set delta random(-5000, 5000)
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
`

// pgbench runs the pgbench program against one database.
type pgbench struct {
	bin, url string
	duration time.Duration
	script   string // path of updateScript, written by init
	done     map[int]*PGBench
}

// init writes the script and fills the database: pgbench -i -s 10.
func (p *pgbench) init(ctx context.Context, dir string) error {
	p.script = filepath.Join(dir, "update.sql")
	if err := os.WriteFile(p.script, []byte(updateScript), 0o644); err != nil {
		return err
	}
	p.done = map[int]*PGBench{}
	_, err := p.run(ctx, "-i", "-s", "10", "-q")
	return err
}

// measure runs both workloads with the given client count, once per count.
func (p *pgbench) measure(ctx context.Context, clients int) (*PGBench, error) {
	if r, ok := p.done[clients]; ok {
		return r, nil
	}
	r := &PGBench{Clients: clients, Jobs: min(clients, 2), Seconds: int(p.duration.Seconds())}
	common := []string{"-n", "-T", strconv.Itoa(r.Seconds), "-c", strconv.Itoa(clients), "-j", strconv.Itoa(r.Jobs)}
	var err error
	if r.UpdateTPS, err = p.tps(ctx, append(common, "-f", p.script)...); err != nil {
		return nil, err
	}
	if r.SelectTPS, err = p.tps(ctx, append(common, "-S", "-M", "prepared")...); err != nil {
		return nil, err
	}
	p.done[clients] = r
	return r, nil
}

var tpsLine = regexp.MustCompile(`(?m)^tps = ([0-9.]+) \(without initial connection time\)`)

func (p *pgbench) tps(ctx context.Context, args ...string) (float64, error) {
	out, err := p.run(ctx, args...)
	if err != nil {
		return 0, err
	}
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("pgbench %v: no tps line in:\n%s", args, out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

func (p *pgbench) run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, p.bin, append(args, p.url)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%s %v: %w\n%s", p.bin, args, err, out)
	}
	return out, nil
}
