package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/rpc/client"
	"github.com/tcms/tcms/rpc/oidc/oidctest"
	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

const junit40 = "../../rpc/testdata/junit-40.xml"

// reportBed is a served database with a classification, the user ci-bot
// (a Tester), a fake OIDC issuer the server trusts over http, and a
// global trust policy letting the issuer's jobs of acme/shop act as
// ci-bot.
type reportBed struct {
	url string // the server
	db  *pgx.Conn
	iss *oidctest.Issuer
	bot int64
}

func mustReportBed(t *testing.T) reportBed {
	t.Helper()
	ctx := t.Context()
	iss := oidctest.New(t)
	vars := map[string]string{"DATABASE_URL": storetest.URL(t), "TCMS_ADDR": "127.0.0.1:0", "TCMS_LOG_LEVEL": "warn",
		"TCMS_ADMIN_USERNAME": "root", "TCMS_ADMIN_PASSWORD": "root-pass", "TCMS_OIDC_INSECURE_ISSUERS": iss.URL}
	var out bytes.Buffer
	for _, args := range [][]string{{"migrate"}, {"initial-setup"}} {
		if err := run(ctx, args, &out, env(vars)); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	st, err := store.Open(ctx, vars["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	bot, err := st.CreateUser(ctx, store.System, store.NewUser{Username: "ci-bot", Password: "ci-bot-pass", Email: "bot@example.com"})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	m := mustServe(t, vars)
	b := reportBed{url: "http://" + m.Addr, iss: iss, bot: bot.ID}
	if b.db, err = pgx.Connect(ctx, vars["DATABASE_URL"]); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.db.Close(context.Background()) })
	b.exec(t, "INSERT INTO classifications (name) VALUES ('CI')")
	root := client.New(b.url, client.JSON, 1)
	if err := root.Login(ctx, "root", "root-pass"); err != nil {
		t.Fatal(err)
	}
	for _, aud := range []string{"tcms", b.url} {
		err = root.Call(ctx, "TrustPolicy.create", []any{map[string]any{"issuer": iss.URL, "audience": aud,
			"conditions": map[string]any{"repository": "acme/shop"}, "user": "ci-bot", "max_session": 600}}, nil)
		if err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func (b reportBed) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := b.db.Exec(t.Context(), sql, args...); err != nil {
		t.Fatal(err)
	}
}

func (b reportBed) text(t *testing.T, sql string, args ...any) string {
	t.Helper()
	var s string
	if err := b.db.QueryRow(t.Context(), sql, args...).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// report runs `tcms report junit` with the variables and returns what it
// wrote and its error; calls and requests are read off its summary line.
func (b reportBed) report(t *testing.T, vars map[string]string, args ...string) (log string, calls, requests int, err error) {
	t.Helper()
	var out bytes.Buffer
	all := map[string]string{"TCMS_URL": b.url}
	for k, v := range vars {
		all[k] = v
	}
	err = reportCommand(t.Context(), append([]string{"junit"}, args...), &out, env(all))
	m := regexp.MustCompile(`in (\d+) calls, (\d+) requests`).FindStringSubmatch(out.String())
	if m != nil {
		calls, _ = strconv.Atoi(m[1])
		requests, _ = strconv.Atoi(m[2])
	}
	return out.String(), calls, requests, err
}

// runState describes a run's executions for comparisons: per case
// summary, in summary order, the status, dates, tester and comments.
func (b reportBed) runState(t *testing.T, run string) string {
	t.Helper()
	return b.text(t, `SELECT count(*) || E' executions\n' || coalesce(string_agg(format('%s %s %s..%s by %s: %s', c.summary, s.name,
			to_char(e.start_date AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), to_char(e.stop_date AT TIME ZONE 'UTC', 'HH24:MI:SS'),
			u.username, (SELECT string_agg(cm.comment, ' | ' ORDER BY cm.id) FROM comments cm
				WHERE cm.owner = 'testruns_testexecution' AND cm.object_id = e.id)), E'\n' ORDER BY c.summary), '')
		FROM test_executions e JOIN test_cases c ON c.id = e.case_id JOIN test_execution_statuses s ON s.id = e.status_id
		LEFT JOIN users u ON u.id = e.tested_by_id WHERE e.run_id = $1::bigint`, run)
}

var runIDText = regexp.MustCompile(`tcms report: run (\d+):`)

// TestReportJUnit reports junit-40.xml keylessly (an ID token exchanged
// for a session), then again into the same run with an API token and
// TCMS_DEFAULT_TESTER_ID, checking the run, its executions and statuses
// and the number of calls.
func TestReportJUnit(t *testing.T) {
	b := mustReportBed(t)
	vars := map[string]string{"TCMS_PRODUCT": "shop", "TCMS_PRODUCT_VERSION": "1.0", "TCMS_BUILD": "101",
		"TCMS_ID_TOKEN": b.iss.Token("tcms", map[string]any{"repository": "acme/shop"})}
	log, calls, requests, err := b.report(t, vars, "--oidc-token-env", "TCMS_ID_TOKEN", "--fail-on", "negative", junit40)
	if err == nil || err.Error() != "report junit: 12 executions failed or errored (--fail-on negative)" {
		t.Fatalf("--fail-on negative: %v\n%s", err, log)
	}
	if !strings.Contains(log, "acting as ci-bot everywhere its user works until") ||
		!strings.Contains(log, "40 executions (4 ERROR, 8 FAILED, 22 PASSED, 6 WAIVED)") {
		t.Fatalf("log:\n%s", log)
	}
	m := runIDText.FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("no run in:\n%s", log)
	}
	run := m[1]
	state := b.text(t, `SELECT format('runs=%s summary=%s plan=%s stopped=%s executions=%s cases=%s in_plan=%s comments=%s tested_by=%s statuses=%s',
		(SELECT count(*) FROM test_runs), r.summary, p.name, r.stop_date IS NOT NULL,
		(SELECT count(*) FROM test_executions e WHERE e.run_id = r.id), (SELECT count(*) FROM test_cases),
		(SELECT count(*) FROM test_case_plans l WHERE l.plan_id = p.id),
		(SELECT count(*) FROM comments WHERE owner = 'testruns_testexecution'),
		(SELECT string_agg(DISTINCT u.username, ',') FROM test_executions e JOIN users u ON u.id = e.tested_by_id),
		(SELECT string_agg(n || ':' || c, ',' ORDER BY n) FROM (SELECT s.name n, count(*) c FROM test_executions e
			JOIN test_execution_statuses s ON s.id = e.status_id GROUP BY s.name) x))
		FROM test_runs r JOIN test_plans p ON p.id = r.plan_id WHERE r.id = $1::bigint`, run)
	want := "runs=1 summary=[junit.xml] Results for shop, 1.0, 101 plan=[junit.xml] Plan for shop (1.0) stopped=t " +
		"executions=40 cases=40 in_plan=40 comments=37 tested_by=ci-bot statuses=ERROR:4,FAILED:8,PASSED:22,WAIVED:6"
	if state != want {
		t.Fatalf("after the first report:\n got %s\nwant %s", state, want)
	}
	t.Logf("first report, creating product, version, build, plan, run and 40 cases: %d calls in %d requests", calls, requests)
	if requests > 12 {
		t.Fatalf("%d requests", requests)
	}

	// Again into the same run, a day later, with an API token of ci-bot and
	// TCMS_DEFAULT_TESTER_ID as the plugin reads it (a string).
	token := b.apiToken(t)
	shifted := shiftDays(t, junit40, 1)
	log, calls, requests, err = b.report(t, map[string]string{"TCMS_API_TOKEN": token, "TCMS_RUN_ID": run, "TCMS_DEFAULT_TESTER_ID": "1"}, shifted)
	if err != nil || !strings.Contains(log, "tcms report: run "+run+":") {
		t.Fatalf("into run %s: %v\n%s", run, err, log)
	}
	state = b.text(t, `SELECT format('runs=%s executions=%s cases=%s comments=%s tested_by=%s first_start=%s',
		(SELECT count(*) FROM test_runs), count(*), (SELECT count(*) FROM test_cases),
		(SELECT count(*) FROM comments WHERE owner = 'testruns_testexecution'), string_agg(DISTINCT e.tested_by_id::text, ','),
		to_char(min(e.start_date) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')) FROM test_executions e`)
	if want := "runs=1 executions=40 cases=40 comments=74 tested_by=1 first_start=2026-03-02 10:00:00"; state != want {
		t.Fatalf("after reporting into run %s:\n got %s\nwant %s", run, state, want)
	}
	t.Logf("second report, into the run (TCMS_RUN_ID): %d calls in %d requests", calls, requests)
}

func (b reportBed) apiToken(t *testing.T) string {
	t.Helper()
	bot := client.New(b.url, client.JSON, 1)
	if err := bot.Login(t.Context(), "ci-bot", "ci-bot-pass"); err != nil {
		t.Fatal(err)
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := bot.Call(t.Context(), "Auth.create_token", []any{"ci"}, &tok); err != nil {
		t.Fatal(err)
	}
	return tok.Token
}

// shiftDays writes a copy of a JUnit file with every timestamp moved.
func shiftDays(t *testing.T, path string, days int) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := regexp.MustCompile(`timestamp="2026-03-(\d\d)`).ReplaceAllStringFunc(string(raw), func(s string) string {
		d, _ := strconv.Atoi(s[len(s)-2:])
		return fmt.Sprintf(`timestamp="2026-03-%02d`, d+days)
	})
	p := filepath.Join(t.TempDir(), "shifted.xml")
	if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReportJUnitLikeThePlugin: the same file reported by the plugin's call
// sequence (rpc/testdata/ci_junit.py, Python's xmlrpc.client) and by
// `tcms report junit` gives the same executions: cases, statuses, dates,
// testers and comments; only the "Created by" text names another tool.
func TestReportJUnitLikeThePlugin(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is needed to run the plugin's call sequence")
	}
	b := mustReportBed(t)
	before := serverCalls(t, b)
	cmd := exec.Command(python, "../../rpc/testdata/ci_junit.py", b.url, "ci-bot", "ci-bot-pass", junit40)
	cmd.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "TCMS_") }),
		"TCMS_PRODUCT=python", "TCMS_PRODUCT_VERSION=1.0", "TCMS_BUILD=1")
	out, err := cmd.CombinedOutput()
	m := regexp.MustCompile(`run_id=(\d+)`).FindSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("ci_junit.py: %v\n%s", err, out)
	}
	// ci_junit.py then reads the run back: 2 + 40 calls that are not the plugin's.
	pythonCalls := serverCalls(t, b) - before - 42
	log, calls, requests, err := b.report(t, map[string]string{"TCMS_API_TOKEN": b.apiToken(t),
		"TCMS_PRODUCT": "go", "TCMS_PRODUCT_VERSION": "1.0", "TCMS_BUILD": "1"}, junit40)
	if err != nil {
		t.Fatalf("%v\n%s", err, log)
	}
	plugin := strings.ReplaceAll(b.runState(t, string(m[1])), "Created by kiwitcms-junit.xml-plugin", "Created by tcms report junit")
	ours := b.runState(t, runIDText.FindStringSubmatch(log)[1])
	if ours != plugin || !strings.HasPrefix(ours, "40 executions\n") {
		t.Fatalf("the plugin's run:\n%s\n\nours:\n%s", plugin, ours)
	}
	t.Logf("the plugin's call sequence: %d calls; ours: %d calls in %d requests", pythonCalls, calls, requests)
}

// serverCalls counts the calls the server answered, from its metrics.
func serverCalls(t *testing.T, b reportBed) int {
	t.Helper()
	resp, err := http.Get(b.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	n := 0
	for _, m := range regexp.MustCompile(`(?m)^tcms_rpc_calls_total\{[^}]*\} (\d+)$`).FindAllStringSubmatch(buf.String(), -1) {
		v, _ := strconv.Atoi(m[1])
		n += v
	}
	return n
}

// TestReportJUnitCallsDoNotGrow: 40 and 4,000 tests cost the same calls
// and requests, for a first report (everything created), a report of a
// new version (a new plan), of a new build (the usual CI run), and a
// report into an existing run.
func TestReportJUnitCallsDoNotGrow(t *testing.T) {
	b := mustReportBed(t)
	token := b.apiToken(t)
	big := filepath.Join(t.TempDir(), "junit-4000.xml")
	var x strings.Builder
	x.WriteString(`<testsuite name="big" timestamp="2026-03-01T10:00:00">`)
	for i := range 4000 {
		fmt.Fprintf(&x, `<testcase classname="big.T%d" name="test_%d" time="0.5">`, i/100, i)
		switch i % 10 {
		case 7:
			fmt.Fprintf(&x, `<failure message="boom %d">trace %d</failure>`, i, i)
		case 8:
			x.WriteString(`<error message="e">err</error>`)
		case 9:
			x.WriteString(`<skipped/>`)
		}
		x.WriteString(`</testcase>`)
	}
	x.WriteString(`</testsuite>`)
	if err := os.WriteFile(big, []byte(x.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	type cost struct{ calls, requests int }
	measure := func(file, product, version, build, runID string) (cost, string) {
		t.Helper()
		vars := map[string]string{"TCMS_API_TOKEN": token, "TCMS_PRODUCT": product, "TCMS_PRODUCT_VERSION": version, "TCMS_BUILD": build, "TCMS_RUN_ID": runID}
		log, calls, requests, err := b.report(t, vars, file)
		if err != nil {
			t.Fatalf("%s: %v\n%s", file, err, log)
		}
		t.Log(strings.TrimSpace(log[strings.LastIndex(strings.TrimSpace(log), "\n")+1:]))
		return cost{calls, requests}, runIDText.FindStringSubmatch(log)[1]
	}
	var costs [2][4]cost
	for i, file := range []string{junit40, big} {
		product := fmt.Sprint("p", i)
		var run string
		costs[i][0], _ = measure(file, product, "1.0", "1", "")
		costs[i][1], _ = measure(file, product, "2.0", "1", "")
		costs[i][2], run = measure(file, product, "2.0", "2", "")
		costs[i][3], _ = measure(file, product, "2.0", "2", run)
	}
	t.Logf("calls/requests for 40 tests: first report %d/%d, new version %d/%d, new build %d/%d, into a run %d/%d",
		costs[0][0].calls, costs[0][0].requests, costs[0][1].calls, costs[0][1].requests,
		costs[0][2].calls, costs[0][2].requests, costs[0][3].calls, costs[0][3].requests)
	if costs[0] != costs[1] {
		t.Fatalf("40 tests cost %v, 4,000 tests %v", costs[0], costs[1])
	}
	for _, c := range costs[0] {
		if c.requests > 12 {
			t.Fatalf("%d requests", c.requests)
		}
	}
	if n := b.text(t, "SELECT count(*)::text FROM test_executions"); n != "12120" {
		t.Fatalf("%s executions, want 3 runs of 40 and 3 of 4,000", n)
	}
}

// TestReportJUnitGitHubActions: on GitHub Actions the reporter asks the
// runtime for an ID token with the server's origin as its audience.
func TestReportJUnitGitHubActions(t *testing.T) {
	b := mustReportBed(t)
	runtime := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "bearer runtime-secret" || r.URL.Query().Get("api-version") != "2.0" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, `{"count":1,"value":%q}`, b.iss.Token(r.URL.Query().Get("audience"), map[string]any{"repository": "acme/shop"}))
	}))
	defer runtime.Close()
	vars := map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": runtime.URL + "/token?api-version=2.0",
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": "runtime-secret", "TCMS_PRODUCT": "gh", "TCMS_PRODUCT_VERSION": "1", "TCMS_BUILD": "1"}
	log, _, _, err := b.report(t, vars, junit40)
	if err != nil || !strings.Contains(log, "acting as ci-bot") || !strings.Contains(log, "40 executions") {
		t.Fatalf("%v\n%s", err, log)
	}
	vars["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "wrong"
	if _, _, _, err := b.report(t, vars, junit40); err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Fatalf("a refused token request: %v", err)
	}
	// A job of another repository gets nothing.
	vars["TCMS_ID_TOKEN"] = b.iss.Token("tcms", map[string]any{"repository": "evil/shop"})
	_, _, _, err = b.report(t, vars, "--oidc-token-env", "TCMS_ID_TOKEN", junit40)
	if err == nil || !strings.Contains(err.Error(), "the ID token is not accepted") {
		t.Fatalf("another repository's token: %v", err)
	}
}

func TestReportErrors(t *testing.T) {
	for want, c := range map[string]struct {
		vars map[string]string
		args []string
	}{
		"the only format is junit":           {nil, []string{"xml"}},
		"name at least one JUnit XML file":   {map[string]string{"TCMS_URL": "http://x"}, []string{"junit"}},
		"set --url or TCMS_URL":              {nil, []string{"junit", "f.xml"}},
		`--fail-on: the only value`:          {map[string]string{"TCMS_URL": "http://x"}, []string{"junit", "--fail-on", "always", "f.xml"}},
		"TCMS_RUN_ID: want a run or plan id": {map[string]string{"TCMS_URL": "http://x", "TCMS_RUN_ID": "x"}, []string{"junit", "f.xml"}},
		"no credentials":                     {map[string]string{"TCMS_URL": "http://x"}, []string{"junit", "f.xml"}},
		"the variable T is empty":            {map[string]string{"TCMS_URL": "http://x"}, []string{"junit", "--oidc-token-env", "T", "f.xml"}},
	} {
		var out bytes.Buffer
		err := reportCommand(t.Context(), c.args, &out, env(c.vars))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want an error containing %q, got %v", want, err)
		}
	}
}
