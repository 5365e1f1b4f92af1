// Package report is `tcms report junit`: it reports JUnit XML results the
// way the Kiwi TCMS junit.xml plugin does (the same environment, the same
// records created, the same status mapping), but with the bulk methods,
// in a number of calls that does not grow with the number of tests.
// Calls that do not depend on each other travel together in one JSON-RPC
// batch. docs/ci.md lists the calls and the numbers measured.
package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tcms/tcms/rpc/client"
)

// Config is what one report needs; cmd/tcms reads it from flags and the
// environment.
type Config struct {
	URL     string // the server, with a tenant's /t/<schema> prefix if any
	Token   string // an API token or a session token; or:
	IDToken string // an OpenID Connect ID token to exchange (Auth.exchange_oidc)
	Files   []string
	// SummaryTemplate makes a case summary from ${classname}, ${name} and
	// ${suitename}; "" is the plugin's ${classname}.${name}.
	SummaryTemplate string
	// What the plugin reads from TCMS_PRODUCT, TCMS_PRODUCT_VERSION,
	// TCMS_BUILD (or their fallbacks), TCMS_PREFIX, TCMS_RUN_ID,
	// TCMS_PLAN_ID, TCMS_PARENT_PLAN and TCMS_DEFAULT_TESTER_ID.
	Product, Version, Build string
	Prefix                  string
	RunID, PlanID           int64  // 0: none
	ParentPlan              string // "": none
	Tester                  string // "": the caller
	Log                     io.Writer
}

// Outcome is what a report did.
type Outcome struct {
	RunID      int64
	Executions int            // results reported on executions
	Counts     map[string]int // of those, per status name
	Negative   int            // executions with a negative status
	Calls      int            // RPC method calls
	Requests   int            // HTTP requests
}

// DefaultTemplate and DefaultPrefix are the junit.xml plugin's.
const (
	DefaultTemplate = "${classname}.${name}"
	DefaultPrefix   = "[junit.xml]"
)

// Limits of one call, below the server's (10,000 items, a 7.5 MiB body).
const (
	maxItems = 10000
	maxBytes = 3 << 20
	// maxComment is the server's comment length (Django's COMMENT_MAX_LENGTH).
	maxComment = 3000
)

// Run reports the results of cfg.Files into a run and returns what it did.
func Run(ctx context.Context, cfg Config) (Outcome, error) {
	if cfg.SummaryTemplate == "" {
		cfg.SummaryTemplate = DefaultTemplate
	}
	results, err := ReadJUnit(cfg.Files, cfg.SummaryTemplate)
	if err != nil {
		return Outcome{}, err
	}
	r := &reporter{cfg: cfg, c: client.New(cfg.URL, client.JSON, 1), results: results}
	r.logf("%d results in %d file(s)", len(results), len(cfg.Files))
	out, err := r.run(ctx)
	out.Calls, out.Requests = r.calls, r.requests
	return out, err
}

// reporter is one report in progress.
type reporter struct {
	cfg             Config
	c               *client.Client
	results         []Result
	calls, requests int
}

func (r *reporter) logf(format string, args ...any) {
	if r.cfg.Log != nil {
		fmt.Fprintf(r.cfg.Log, "tcms report: "+format+"\n", args...)
	}
}

// batch sends the calls in one request; the first fault fails the report.
func (r *reporter) batch(ctx context.Context, calls ...client.BatchCall) error {
	if len(calls) == 0 {
		return nil
	}
	r.calls += len(calls)
	r.requests++
	errs, err := r.c.Batch(ctx, calls)
	if err != nil {
		return err
	}
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("%s: %w", calls[i].Method, err)
		}
	}
	return nil
}

func call(method string, reply any, params ...any) client.BatchCall {
	return client.BatchCall{Method: method, Params: params, Reply: reply}
}

// rec is what the reporter reads of any record.
type rec struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Weight  int    `json:"weight"`
	Author  int64  `json:"author"`
	Product int64  `json:"product"`
	Summary string `json:"summary"`
	Case    int64  `json:"case"`
}

func firstID(rows []rec) int64 {
	if len(rows) == 0 {
		return 0
	}
	return rows[0].ID
}

// target is where the results go.
type target struct {
	product, plan, run, build int64
	manager                   int64 // the plan's author
	category, priority        int64 // of new cases
	confirmed                 int64 // the CONFIRMED case status
	statuses                  []rec
	cases                     map[string]int64 // summary -> case id
}

func (r *reporter) run(ctx context.Context) (Outcome, error) {
	if r.cfg.IDToken != "" {
		if err := r.exchange(ctx); err != nil {
			return Outcome{}, err
		}
	} else {
		r.c.SetToken(r.cfg.Token)
	}
	t := &target{cases: map[string]int64{}}
	var err error
	if r.cfg.RunID != 0 {
		err = r.intoRun(ctx, t)
	} else {
		err = r.newRun(ctx, t)
	}
	if err != nil {
		return Outcome{RunID: t.run}, err
	}
	return r.report(ctx, t)
}

// exchange trades the ID token for a session (Auth.exchange_oidc).
func (r *reporter) exchange(ctx context.Context) error {
	var ex struct {
		Token     string  `json:"token"`
		ExpiresAt string  `json:"expires_at"`
		Username  string  `json:"username"`
		Tenant    *string `json:"tenant"`
	}
	if err := r.batch(ctx, call("Auth.exchange_oidc", &ex, r.cfg.IDToken)); err != nil {
		return err
	}
	r.c.SetToken(ex.Token)
	where := "everywhere its user works"
	if ex.Tenant != nil {
		where = "at tenant " + *ex.Tenant
	}
	r.logf("exchanged the ID token: acting as %s %s until %s UTC", ex.Username, where, ex.ExpiresAt)
	return nil
}

// summaries are the distinct summaries of the results, in file order.
func (r *reporter) summaries() []string {
	seen := map[string]bool{}
	var out []string
	for _, res := range r.results {
		if !seen[res.Summary] {
			seen[res.Summary] = true
			out = append(out, res.Summary)
		}
	}
	return out
}

// caseLookups are the calls that find the cases of the results among the
// product's (by its name or id), at most maxItems summaries per call.
func (r *reporter) caseLookups(productKey string, product any, found *[][]rec) []client.BatchCall {
	var calls []client.BatchCall
	sums := r.summaries()
	*found = make([][]rec, 0, len(sums)/maxItems+1)
	for i := 0; i < len(sums); i += maxItems {
		*found = append(*found, nil)
		calls = append(calls, call("TestCase.filter", &(*found)[len(*found)-1],
			map[string]any{"summary__in": sums[i:min(i+maxItems, len(sums))], "category__" + productKey: product}))
	}
	return calls
}

// knowCases records the first case (by id) of each summary found.
func (t *target) knowCases(found [][]rec) {
	for _, rows := range found {
		for _, c := range rows {
			if _, ok := t.cases[c.Summary]; !ok {
				t.cases[c.Summary] = c.ID
			}
		}
	}
}

// statusID is the id of a status by name, as the plugin finds it: by
// name, else the first with a weight of the right sign.
func (t *target) statusID(name string) (int64, error) {
	for _, s := range t.statuses {
		if s.Name == name {
			return s.ID, nil
		}
	}
	for _, s := range t.statuses {
		if (name == "PASSED" || name == "WAIVED") && s.Weight > 0 || (name == "FAILED" || name == "ERROR") && s.Weight < 0 {
			return s.ID, nil
		}
	}
	return 0, fmt.Errorf("no test execution status named %s, and none with a weight of its sign", name)
}

// timestamp is the plugin's datetime on the wire: whole seconds, as
// XML-RPC carries them, or null.
func timestamp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Format(time.DateTime)
}

// truncateComment cuts a comment to the server's limit.
func truncateComment(s string) string {
	if utf8.RuneCountInString(s) <= maxComment {
		return s
	}
	const mark = "\n[cut to 3000 characters by tcms report]"
	return string([]rune(s)[:maxComment-utf8.RuneCountInString(mark)]) + mark
}

// chunks splits items into runs of at most maxItems items and about
// maxBytes bytes (size estimates one item).
func chunks[T any](items []T, size func(T) int) [][]T {
	var out [][]T
	start, bytes := 0, 0
	for i, it := range items {
		n := size(it)
		if i > start && (i-start == maxItems || bytes+n > maxBytes) {
			out = append(out, items[start:i])
			start, bytes = i, 0
		}
		bytes += n
	}
	if start < len(items) {
		out = append(out, items[start:])
	}
	return out
}

// CountsText words an outcome's counts for a summary line:
// "8 FAILED, 22 PASSED".
func CountsText(c map[string]int) string {
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%d %s", c[n], n)
	}
	return strings.Join(parts, ", ")
}

// errNoRun is returned when TCMS_RUN_ID names no run the caller can see.
var errNoRun = errors.New("TCMS_RUN_ID: no such run (or it has no plan) here")
