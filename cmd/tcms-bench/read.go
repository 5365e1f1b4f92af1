package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tcms/tcms/rpc/client"
)

// ReadResult is one run of the read scenario.
type ReadResult struct {
	Cases       int         `json:"cases"` // present when measuring
	Runs        int         `json:"runs"`
	SeededCases int         `json:"seeded_cases"`
	SeededRuns  int         `json:"seeded_runs"`
	Seeding     string      `json:"seeding"`
	SeedSeconds float64     `json:"seed_seconds"`
	Queries     []ReadStats `json:"queries"`
}

// ReadStats are the figures of one filter over one protocol. The time is
// from sending the request to reading the last byte of the response;
// decoding it is not included.
type ReadStats struct {
	Query    string  `json:"query"`
	Proto    string  `json:"proto"`
	Records  int     `json:"records"`
	Bytes    int     `json:"bytes"`
	Reps     int     `json:"reps"`
	MinMS    float64 `json:"min_ms"`
	MedianMS float64 `json:"median_ms"`
}

// needle marks the cases the selective filter finds: one in a hundred.
const needle = "needle"

type readQuery struct {
	label, method string
	query         map[string]any
}

var readQueries = []readQuery{
	{"TestCase.filter({})", "TestCase.filter", map[string]any{}},
	{"TestRun.filter({})", "TestRun.filter", map[string]any{}},
	{`TestCase.filter({"summary__icontains": "NEEDLE"})`, "TestCase.filter", map[string]any{"summary__icontains": "NEEDLE"}},
}

// count returns how many records a filter returns.
func count(ctx context.Context, c *client.Client, method string, query map[string]any) (int, error) {
	var rows []json.RawMessage
	err := c.Call(ctx, method, []any{query}, &rows)
	return len(rows), err
}

// runRead makes sure at least cases test cases and runs test runs exist,
// creating the missing ones over JSON-RPC with workers clients, then times
// the filters over both protocols, reps times each.
func runRead(ctx context.Context, conns map[client.Protocol]*client.Client, user string, cases, runs, workers, reps int) (*ReadResult, error) {
	c := conns[client.JSON]
	res := &ReadResult{Seeding: fmt.Sprintf("over JSON-RPC: TestCase.create and TestRun.create, %d clients", workers)}
	var err error
	if res.Cases, err = count(ctx, c, "TestCase.filter", map[string]any{}); err != nil {
		return nil, err
	}
	if res.Runs, err = count(ctx, c, "TestRun.filter", map[string]any{}); err != nil {
		return nil, err
	}
	res.SeededCases, res.SeededRuns = max(cases-res.Cases, 0), max(runs-res.Runs, 0)
	begin := time.Now()
	if err := seed(ctx, c, user, res.SeededCases, res.SeededRuns, workers); err != nil {
		return nil, err
	}
	res.SeedSeconds = time.Since(begin).Seconds()
	res.Cases += res.SeededCases
	res.Runs += res.SeededRuns
	for _, proto := range []client.Protocol{client.JSON, client.XML} {
		for _, q := range readQueries {
			s, err := timeQuery(ctx, conns[proto], q, reps)
			if err != nil {
				return nil, err
			}
			res.Queries = append(res.Queries, s)
		}
	}
	return res, nil
}

// seed creates the cases (one in a hundred with the needle in its summary)
// and runs in one fixture, spread over the workers.
func seed(ctx context.Context, c *client.Client, user string, cases, runs, workers int) error {
	if cases == 0 && runs == 0 {
		return nil
	}
	t := &timer{c: c, ctx: ctx, lat: latencies{}}
	v, err := t.lookups()
	if err != nil {
		return err
	}
	tag := fmt.Sprintf("bench read %s", time.Now().Format("20060102-150405.000"))
	f, err := t.newFixture(tag, v)
	if err != nil {
		return err
	}
	var next atomic.Int64 // the next item to create: cases first, then runs
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := &timer{c: c, ctx: ctx, lat: latencies{}}
			for {
				var err error
				i := int(next.Add(1)) - 1
				switch {
				case i < cases && i%100 == 0:
					_, err = t.newCase(fmt.Sprintf("%s case %d %s", tag, i, needle), f, v)
				case i < cases:
					_, err = t.newCase(fmt.Sprintf("%s case %d", tag, i), f, v)
				case i < cases+runs:
					_, err = t.newRun(fmt.Sprintf("%s run %d", tag, i-cases), user, f)
				default:
					return
				}
				if err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("seeding: %w", err)
		}
	}
	return nil
}

// timeQuery runs one filter once to warm up and count, then reps times.
func timeQuery(ctx context.Context, c *client.Client, q readQuery, reps int) (ReadStats, error) {
	s := ReadStats{Query: q.label, Proto: c.Protocol().String(), Reps: reps}
	params := []any{q.query}
	body, err := c.Raw(ctx, q.method, params)
	if err != nil {
		return s, err
	}
	var rows []json.RawMessage
	if err := c.Decode(body, &rows); err != nil {
		return s, fmt.Errorf("%s over %s: %w", q.label, s.Proto, err)
	}
	s.Records, s.Bytes = len(rows), len(body)
	took := make([]time.Duration, reps)
	for i := range took {
		start := time.Now()
		if _, err := c.Raw(ctx, q.method, params); err != nil {
			return s, err
		}
		took[i] = time.Since(start)
	}
	slices.Sort(took)
	s.MinMS, s.MedianMS = ms(took[0]), ms(took[len(took)/2])
	return s, nil
}
