package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tcms/tcms/rpc/client"
)

// WriteResult is one run of the write scenario.
type WriteResult struct {
	Proto       string        `json:"proto"`
	Clients     int           `json:"clients"`
	R           int           `json:"r"`
	Calls       int           `json:"calls"`
	Errors      int           `json:"errors"`
	FirstError  string        `json:"first_error,omitempty"`
	Seconds     float64       `json:"seconds"`
	CallsPerSec float64       `json:"calls_per_s"`
	Executions  int           `json:"executions"`
	ExecPerSec  float64       `json:"executions_per_s"`
	Methods     []MethodStats `json:"methods"`
	// UpdateRate is what TestExecution.update alone would sustain: clients
	// divided by its mean latency.
	UpdateRate float64  `json:"update_rate"`
	PG         *PGBench `json:"pgbench,omitempty"`
	// Ratios to pgbench at the same client count (0 without pgbench).
	ExecPerUpdateTPS       float64 `json:"executions_per_s_over_update_tps"`
	UpdateRatePerUpdateTPS float64 `json:"update_rate_over_update_tps"`
	CallsPerSelectTPS      float64 `json:"calls_per_s_over_select_tps"`
}

// ids are the seed rows every client needs, looked up once per run.
type ids struct {
	planType, priority, confirmed int64
	passed, failed                int64
}

type record struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// timer makes calls and records how long each took.
type timer struct {
	c   *client.Client
	ctx context.Context
	lat latencies
}

func (t *timer) call(method string, reply any, params ...any) error {
	start := time.Now()
	err := t.c.Call(t.ctx, method, params, reply)
	t.lat[method] = append(t.lat[method], time.Since(start))
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	return nil
}

// id makes a call that returns a record and gives its id.
func (t *timer) id(method string, params ...any) (int64, error) {
	var r record
	err := t.call(method, &r, params...)
	return r.ID, err
}

// first makes a filter call and gives the id of the first record named
// name ("" for the first record).
func (t *timer) first(method, name string, query map[string]any) (int64, error) {
	var rows []record
	if err := t.call(method, &rows, query); err != nil {
		return 0, err
	}
	for _, r := range rows {
		if name == "" || r.Name == name {
			return r.ID, nil
		}
	}
	return 0, fmt.Errorf("%s(%v): no record %q", method, query, name)
}

// lookups finds the plan type, priority and statuses the scenario uses.
func (t *timer) lookups() (ids, error) {
	var v ids
	var err error
	if v.planType, err = t.first("PlanType.filter", "", map[string]any{"name": "Unit"}); err != nil {
		return v, err
	}
	if v.priority, err = t.first("Priority.filter", "", map[string]any{}); err != nil {
		return v, err
	}
	if v.confirmed, err = t.first("TestCaseStatus.filter", "", map[string]any{"name": "CONFIRMED"}); err != nil {
		return v, err
	}
	var statuses []record
	if err = t.call("TestExecutionStatus.filter", &statuses, map[string]any{}); err != nil {
		return v, err
	}
	for _, s := range statuses {
		switch s.Name {
		case "PASSED":
			v.passed = s.ID
		case "FAILED":
			v.failed = s.ID
		}
	}
	if v.passed == 0 || v.failed == 0 {
		return v, fmt.Errorf("TestExecutionStatus.filter: no PASSED or FAILED status in %v", statuses)
	}
	return v, nil
}

// fixture is one client's product, build and plan.
type fixture struct {
	build, plan, category int64
}

// newFixture creates a classification, product, version, build and plan
// named after tag, and finds the product's default category.
func (t *timer) newFixture(tag string, v ids) (fixture, error) {
	var f fixture
	class, err := t.id("Classification.create", map[string]any{"name": tag})
	if err != nil {
		return f, err
	}
	product, err := t.id("Product.create", map[string]any{"name": tag, "classification": class})
	if err != nil {
		return f, err
	}
	version, err := t.id("Version.create", map[string]any{"product": product, "value": "1.0"})
	if err != nil {
		return f, err
	}
	if f.build, err = t.id("Build.create", map[string]any{"name": "build 1", "version": version}); err != nil {
		return f, err
	}
	if f.plan, err = t.id("TestPlan.create", map[string]any{"name": tag, "product": product, "product_version": version, "type": v.planType}); err != nil {
		return f, err
	}
	f.category, err = t.first("Category.filter", "--default--", map[string]any{"product": product})
	return f, err
}

// newCase creates a confirmed test case in the fixture's category.
func (t *timer) newCase(summary string, f fixture, v ids) (int64, error) {
	return t.id("TestCase.create", map[string]any{"summary": summary, "case_status": v.confirmed, "category": f.category, "priority": v.priority})
}

// newRun creates a run of the fixture's plan and build.
func (t *timer) newRun(summary, manager string, f fixture) (int64, error) {
	return t.id("TestRun.create", map[string]any{"summary": summary, "plan": f.plan, "build": f.build, "manager": manager})
}

// writeClient is one client of the write scenario: its own fixture, r
// cases added to its plan, then r runs, each with every case added and its
// execution recorded. It returns the number of executions recorded.
func (t *timer) writeClient(tag, user string, r int, v ids) (int, error) {
	f, err := t.newFixture(tag, v)
	if err != nil {
		return 0, err
	}
	cases := make([]int64, r)
	for i := range cases {
		if cases[i], err = t.newCase(fmt.Sprintf("%s case %d", tag, i+1), f, v); err != nil {
			return 0, err
		}
		if err = t.call("TestPlan.add_case", nil, f.plan, cases[i]); err != nil {
			return 0, err
		}
	}
	done := 0
	for i := range r {
		run, err := t.newRun(fmt.Sprintf("%s run %d", tag, i+1), user, f)
		if err != nil {
			return done, err
		}
		for j, c := range cases {
			var execs []record
			if err := t.call("TestRun.add_case", &execs, run, c); err != nil {
				return done, err
			}
			if len(execs) == 0 {
				return done, fmt.Errorf("TestRun.add_case(%d, %d) returned no execution", run, c)
			}
			status := v.passed
			if (i+j)%10 == 0 {
				status = v.failed
			}
			start := time.Now()
			values := map[string]any{"status": status, "start_date": stamp(t.c, start.Add(-time.Second)), "stop_date": stamp(t.c, start)}
			if err := t.call("TestExecution.update", nil, execs[0].ID, values); err != nil {
				return done, err
			}
			done++
		}
	}
	return done, nil
}

// stamp is a time as clients send it: dateTime.iso8601 over XML-RPC (as
// Python's xmlrpc.client does), text over JSON-RPC.
func stamp(c *client.Client, t time.Time) any {
	if c.Protocol() == client.XML {
		return t.UTC()
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

// runWrite runs the write scenario with the given clients sharing c, and
// calls during (if not nil) in the background while it runs.
func runWrite(ctx context.Context, c *client.Client, user string, clients, r int, during func()) *WriteResult {
	res := &WriteResult{Proto: c.Protocol().String(), Clients: clients, R: r}
	all := latencies{}
	var mu sync.Mutex
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if res.Errors++; res.FirstError == "" {
			res.FirstError = err.Error()
		}
	}
	background := make(chan struct{})
	go func() {
		defer close(background)
		if during != nil {
			during()
		}
	}()
	var wg sync.WaitGroup
	begin := time.Now()
	t := &timer{c: c, ctx: ctx, lat: latencies{}}
	v, err := t.lookups()
	if err != nil {
		fail(err)
	} else {
		tag := fmt.Sprintf("bench %s", begin.Format("20060102-150405.000"))
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := &timer{c: c, ctx: ctx, lat: latencies{}}
				n, err := w.writeClient(fmt.Sprintf("%s c%d", tag, i+1), user, r, v)
				if err != nil {
					fail(err)
				}
				mu.Lock()
				defer mu.Unlock()
				all.merge(w.lat)
				res.Executions += n
			}()
		}
	}
	wg.Wait()
	elapsed := time.Since(begin)
	<-background // it may outlast the calls, which alone are timed
	all.merge(t.lat)
	res.Methods = all.stats()
	for _, m := range res.Methods {
		res.Calls += m.Calls
		if m.Method == "TestExecution.update" && m.MeanMS > 0 {
			res.UpdateRate = float64(clients) * 1000 / m.MeanMS
		}
	}
	res.Seconds = elapsed.Seconds()
	res.CallsPerSec = float64(res.Calls) / res.Seconds
	res.ExecPerSec = float64(res.Executions) / res.Seconds
	return res
}
